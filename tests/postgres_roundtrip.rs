//! Issue 16's judge for the PostgreSQL inspector and DDL writer, on the real
//! server: fixture DDL -> database -> inspect -> `create_schema` -> a fresh
//! database -> inspect gives the same schema, and `pg_dump --schema-only`
//! of the two databases agrees. Each case has its own databases.

mod common;

use common::pg::{TestDb, fresh_db, schema_dump};
use migrate::internal::postgres::{ddl, inspect};
use migrate::internal::schema::Schema;

fn inspect_db(db: &TestDb) -> Schema {
    let mut client = db.client();
    inspect::inspect(&mut client, &inspect::Options::default())
        .unwrap_or_else(|e| panic!("inspecting {}: {e}", db.name))
}

/// Runs `statements` one by one in `db`, naming the one that fails.
fn execute(db: &TestDb, statements: &[String]) {
    let mut client = db.client();
    for s in statements {
        client
            .batch_execute(s)
            .unwrap_or_else(|e| panic!("written DDL fails: {e:?}\n{s}"));
    }
}

/// The whole round trip for the DDL `sql`; returns the inspected schema.
fn assert_round_trip(tag: &str, sql: &str) -> Option<Schema> {
    let original = fresh_db(tag)?;
    original
        .client()
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{tag}: fixture fails: {e:?}"));
    let first = inspect_db(&original);
    let statements = ddl::create_schema(&first);
    let copy = fresh_db(&format!("{tag}_copy")).expect("the server is there");
    execute(&copy, &statements);
    let second = inspect_db(&copy);
    assert_eq!(
        first,
        second,
        "{tag}: inspect(create_schema(s)) differs from s; the DDL was:\n{}",
        statements.join(";\n")
    );
    assert_same_dump(&schema_dump(&original, &[]), &schema_dump(&copy, &[]), tag);
    Some(first)
}

fn assert_same_dump(a: &str, b: &str, tag: &str) {
    if a != b {
        let diff = similar::TextDiff::from_lines(a, b)
            .unified_diff()
            .header("original", "copy")
            .to_string();
        panic!("{tag}: pg_dump --schema-only differs:\n{diff}");
    }
}

#[test]
fn the_catalogue_fixture_round_trips() {
    let sql = include_str!("fixtures/postgres/catalogue.sql");
    let Some(schema) = assert_round_trip("catalogue", sql) else {
        return;
    };
    // The fixture's every kind of object was read, not skipped.
    let customer = schema.table("customer").expect("customer");
    assert_eq!(customer.column("id").unwrap().decl_type, "serial");
    assert_eq!(customer.column("id").unwrap().default, None);
    assert_eq!(
        customer.postgres().comment.as_deref(),
        Some("People who buy things")
    );
    assert_eq!(
        customer.column("name").unwrap().collation.as_deref(),
        Some("C")
    );
    assert_eq!(schema.postgres.extensions, ["citext", "pgcrypto"]);
    assert_eq!(
        schema.postgres.enums[0].labels,
        ["new", "paid", "shipped", "it's late"]
    );
    let seqs: Vec<&str> = schema
        .postgres
        .sequences
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        seqs,
        ["countdown", "invoice_no", "ticket_seq"],
        "serial's sequence is the column's type"
    );
    assert_eq!(schema.views.len(), 2);
    let order_line = schema.table("order_line").unwrap();
    assert!(order_line.checks.iter().all(|c| c.expr.contains("qty")));
    assert!(order_line.foreign_keys.iter().any(|fk| fk.not_valid));
    let product = schema.table("product").unwrap();
    assert_eq!(product.indexes.len(), 3, "{:#?}", product.indexes);
}

#[test]
fn awkward_names_round_trip() {
    let sql = include_str!("fixtures/postgres/awkward.sql");
    let Some(schema) = assert_round_trip("awkward", sql) else {
        return;
    };
    // Every serial, even the ones whose sequence name PostgreSQL shortened
    // (by bytes, on a character boundary), is a serial again.
    let serials: Vec<&str> = schema
        .tables
        .iter()
        .flat_map(|t| &t.columns)
        .filter(|c| c.decl_type.ends_with("serial"))
        .map(|c| c.decl_type.as_str())
        .collect();
    assert_eq!(serials.len(), 4, "{schema:#?}");
    assert!(schema.postgres.sequences.is_empty());
    let user = schema.table("User").expect("names keep their case");
    assert_eq!(
        user.column("quote\"d")
            .unwrap()
            .postgres()
            .comment
            .as_deref(),
        Some("with 'quotes' and \\backslash")
    );
    assert_eq!(
        schema.table("order").unwrap().postgres().comment.as_deref(),
        None,
        "PostgreSQL drops a comment set to ''"
    );
}

/// Materialized views (with their indexes, one over a view and a view
/// over one) and comments on indexes, constraints, views, materialized
/// views, enum types and sequences are read and written back.
#[test]
fn materialized_views_and_object_comments_round_trip() {
    let sql = "CREATE TYPE mood AS ENUM ('ok', 'bad'); CREATE SEQUENCE counter; \
               CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, n int, m mood, \
               CONSTRAINT \"n.pos\" CHECK (n > 0)); CREATE INDEX \"T_n\" ON t (n); \
               CREATE VIEW v AS SELECT id, n FROM t; \
               CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM v WITH NO DATA; \
               CREATE UNIQUE INDEX mv_id ON mv (id); CREATE VIEW over_mv AS SELECT n FROM mv; \
               COMMENT ON INDEX \"T_n\" IS 'by n'; COMMENT ON INDEX mv_id IS 'on a matview'; \
               COMMENT ON CONSTRAINT \"n.pos\" ON t IS 'positive'; \
               COMMENT ON CONSTRAINT t_pkey ON t IS 'the key'; COMMENT ON VIEW v IS 'a view'; \
               COMMENT ON MATERIALIZED VIEW mv IS 'it''s materialized'; \
               COMMENT ON TYPE mood IS 'a type'; COMMENT ON SEQUENCE counter IS 'counts';";
    let Some(schema) = assert_round_trip("matviews_comments", sql) else {
        return;
    };
    assert_eq!(schema.postgres.matviews.len(), 1);
    assert_eq!(schema.postgres.matviews[0].indexes.len(), 1);
    assert_eq!(schema.postgres.comments.len(), 8, "{schema:#?}");
}
