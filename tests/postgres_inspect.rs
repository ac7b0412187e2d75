//! The PostgreSQL inspector's choices of what to read, on the real server:
//! the configured schemas only, names printed unqualified, the tool's own
//! tables left out, and a clear error for a schema list it cannot honour.

mod common;

use common::pg::{TestDb, fresh_db};
use migrate::internal::postgres::inspect::{self, Options};
use migrate::internal::schema::Schema;

fn options(schemas: &[&str], version_table: &str) -> Options {
    Options {
        schemas: schemas.iter().map(|s| s.to_string()).collect(),
        version_table: version_table.to_string(),
    }
}

fn inspect_with(db: &TestDb, options: &Options) -> migrate::Result<Schema> {
    inspect::inspect(&mut db.client(), options)
}

fn table_names(schema: &Schema) -> Vec<&str> {
    schema.tables.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn the_tools_own_tables_and_their_sequences_are_left_out() {
    let Some(db) = fresh_db("own_tables") else {
        return;
    };
    db.client()
        .batch_execute(
            "CREATE TABLE migrate_version (version text PRIMARY KEY);
             CREATE TABLE migrate_version_log (id bigserial PRIMARY KEY, note text);
             CREATE TABLE migrate_version_format (format integer);
             CREATE TABLE migrate_versions (id integer);
             CREATE TABLE album (id serial PRIMARY KEY);",
        )
        .unwrap();
    let schema = inspect_with(&db, &options(&["public"], "migrate_version")).unwrap();
    assert_eq!(table_names(&schema), ["album", "migrate_versions"]);
    assert!(schema.postgres.sequences.is_empty(), "{schema:#?}");
    // Without a version table, nothing is left out.
    let all = inspect_with(&db, &options(&["public"], "")).unwrap();
    assert_eq!(all.tables.len(), 5);
}

#[test]
fn only_the_configured_schemas_are_read_and_names_print_unqualified() {
    let Some(db) = fresh_db("schemas") else {
        return;
    };
    db.client()
        .batch_execute(
            "CREATE SCHEMA app;
             CREATE TYPE app.mood AS ENUM ('sad', 'happy');
             CREATE TABLE app.person (id integer PRIMARY KEY, mood app.mood DEFAULT 'sad');
             CREATE TABLE app.pet (owner integer REFERENCES app.person (id));
             CREATE VIEW app.sad AS SELECT id FROM app.person WHERE mood = 'sad';
             CREATE TABLE public.other (id integer);",
        )
        .unwrap();
    let app = inspect_with(&db, &options(&["app"], "")).unwrap();
    assert_eq!(table_names(&app), ["person", "pet"]);
    let mood = app.table("person").unwrap().column("mood").unwrap();
    assert_eq!(mood.decl_type, "mood", "the type is named as in the model");
    assert_eq!(mood.default.as_deref(), Some("'sad'::mood"));
    assert_eq!(app.postgres.enums[0].name, "mood");
    assert!(
        app.views[0].sql.contains("FROM person"),
        "{}",
        app.views[0].sql
    );
    // The second schema's objects are named with it.
    let both = inspect_with(&db, &options(&["app", "public"], "")).unwrap();
    assert_eq!(table_names(&both), ["person", "pet", "public.other"]);
    let public = inspect_with(&db, &Options::default()).unwrap();
    assert_eq!(table_names(&public), ["other"]);
    assert!(public.postgres.enums.is_empty());
}

#[test]
fn a_missing_schema_is_empty_and_one_name_in_two_schemas_is_two_tables() {
    let Some(db) = fresh_db("bad_schemas") else {
        return;
    };
    db.client()
        .batch_execute(
            "CREATE SCHEMA app; CREATE TABLE app.t (a int PRIMARY KEY); \
             CREATE TABLE t (b int REFERENCES app.t (a));",
        )
        .unwrap();
    // A listed schema the database lacks is read as empty (the plan makes it).
    let schema = inspect_with(&db, &options(&["public", "nowhere"], "")).unwrap();
    assert_eq!(table_names(&schema), ["t"]);
    assert!(schema.postgres.namespaces.is_empty());
    let schema = inspect_with(&db, &options(&["public", "app"], "")).unwrap();
    assert_eq!(table_names(&schema), ["app.t", "t"]);
    assert_eq!(schema.postgres.namespaces, ["app"]);
    let fk = &schema.table("t").unwrap().foreign_keys[0];
    assert_eq!(fk.ref_table, "app.t");
}

#[test]
fn what_an_extension_makes_is_not_the_users() {
    let Some(db) = fresh_db("extension_objects") else {
        return;
    };
    db.client()
        .batch_execute("CREATE EXTENSION hstore; CREATE TABLE t (h hstore);")
        .unwrap();
    let schema = inspect_with(&db, &Options::default()).unwrap();
    assert_eq!(schema.postgres.extensions, ["hstore"]);
    assert_eq!(table_names(&schema), ["t"]);
    assert_eq!(schema.tables[0].columns[0].decl_type, "hstore");
    assert!(schema.postgres.enums.is_empty() && schema.views.is_empty());
}

#[test]
fn inspecting_leaves_the_session_as_it_was() {
    let Some(db) = fresh_db("session_untouched") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute("CREATE SCHEMA app; CREATE TABLE app.t (a int); SET search_path = public")
        .unwrap();
    inspect::inspect(&mut client, &options(&["app"], "")).unwrap();
    let path: String = client.query_one("SHOW search_path", &[]).unwrap().get(0);
    assert_eq!(path, "public", "search_path was set for the snapshot only");
    // The read-only snapshot is over: this session writes again.
    client
        .batch_execute("CREATE TABLE written (a int)")
        .unwrap();
}
