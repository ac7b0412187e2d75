//! The committed snapshot (`migrations/migrate.snapshot.json`) on a real
//! PostgreSQL server through the real binary: `check` with unchanged inputs
//! makes no scratch database (a role without CREATEDB passes once the
//! snapshot is there) while the live database is still read live; a changed
//! model, a changed sum, another server major version and a tampered file
//! each fall back to scratch databases, say so in one line, and give the
//! verdict the scratch databases give.

mod common;

use common::Project;
use common::pg::TestDb;
use common::pg_project::{fails_env, run_env, with_sql_model};

const MODEL: &str = "CREATE TABLE artist (\n  id int PRIMARY KEY,\n  name text NOT NULL\n);\n\
    CREATE INDEX artist_name ON artist (lower(name));\n";
const UP: &str = "CREATE TABLE artist (id int PRIMARY KEY, name text NOT NULL);\n\
    CREATE INDEX artist_name ON artist (lower(name));";
const DOWN: &str = "DROP TABLE artist;";
const SNAPSHOT: &str = "migrations/migrate.snapshot.json";

/// A project on `db` whose one revision builds the model, with the snapshot written.
fn with_snapshot(db: &TestDb) -> Project {
    let p = with_sql_model(&db.url, MODEL);
    p.revision("a1", &[], UP, DOWN);
    p.ok(&["hash"]);
    let out = p.ok(&["snapshot"]);
    assert!(
        out.contains("wrote migrations/migrate.snapshot.json"),
        "{out}"
    );
    p
}

/// A login role without CREATEDB that may read `db`'s tables: it cannot
/// make a scratch database. Dropped with the value.
struct NoCreatedb<'a> {
    db: &'a TestDb,
    role: String,
    url: String,
}

impl<'a> NoCreatedb<'a> {
    fn new(db: &'a TestDb, tag: &str) -> Self {
        let role = format!("snap_{tag}_{}", std::process::id());
        db.client()
            .batch_execute(&format!(
                "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN NOCREATEDB; \
                 GRANT USAGE ON SCHEMA public TO {role}; \
                 ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}"
            ))
            .unwrap();
        let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
        assert_ne!(url, db.url, "the test server's URL names the user postgres");
        NoCreatedb { db, role, url }
    }
}

impl Drop for NoCreatedb<'_> {
    fn drop(&mut self) {
        let role = &self.role;
        let _ = self
            .db
            .client()
            .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE IF EXISTS {role}"));
    }
}

/// The stored snapshot as JSON, and written back after `edit`.
fn edit_snapshot(p: &Project, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = std::fs::read_to_string(p.path(SNAPSHOT)).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    edit(&mut json);
    p.write(SNAPSHOT, &serde_json::to_string_pretty(&json).unwrap());
}

#[test]
fn check_reads_the_snapshot_and_makes_no_scratch_database() {
    let Some(db) = common::pg::fresh_db("snap_used") else {
        return;
    };
    let role = NoCreatedb::new(&db, "used");
    let as_role = [("MIGRATE_DATABASE_URL", role.url.as_str())];
    let p = with_sql_model(&db.url, MODEL);
    p.revision("a1", &[], UP, DOWN);
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    db.client()
        .batch_execute("INSERT INTO artist VALUES (1, 'Nina')")
        .unwrap();
    // Without a snapshot the role needs scratch databases, and may not make them.
    let err = fails_env(&p, &as_role, &["check"]);
    assert!(err.contains("no CREATEDB"), "{err}");

    p.ok(&["snapshot"]);
    let (code, out, err) = run_env(&p, &as_role, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("build the model, and the database matches its recorded revision"),
        "{out}"
    );
    assert!(!err.contains("snapshot"), "no stale line: {err}");

    // The live database is still read live: drift is found without a scratch database.
    db.client()
        .batch_execute("ALTER TABLE artist ADD COLUMN born int")
        .unwrap();
    let (code, out, err) = run_env(&p, &as_role, &["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("born"), "{out}");
    assert_eq!(db.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn autogenerate_refreshes_the_snapshot() {
    let Some(db) = common::pg::fresh_db("snap_autogen") else {
        return;
    };
    let role = NoCreatedb::new(&db, "autogen");
    let as_role = [("MIGRATE_DATABASE_URL", role.url.as_str())];
    let p = with_snapshot(&db);
    p.ok(&["upgrade"]);
    p.write(
        "schema.sql",
        &MODEL.replace("name text NOT NULL", "name text NOT NULL,\n  born int"),
    );
    let out = p.ok(&["revision", "--autogenerate", "-m", "born"]);
    assert!(
        out.contains("wrote migrations/migrate.snapshot.json"),
        "{out}"
    );
    p.ok(&["upgrade"]);
    let (code, out, err) = run_env(&p, &as_role, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("ok: the migrations (2 revision(s))"), "{out}");
}

#[test]
fn a_changed_model_falls_back_and_reports_the_difference() {
    let Some(db) = common::pg::fresh_db("snap_model") else {
        return;
    };
    let p = with_snapshot(&db);
    p.write(
        "schema.sql",
        &MODEL.replace("name text NOT NULL", "name text NOT NULL,\n  born int"),
    );
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("snapshot stale: model changed; building the model in a scratch database"),
        "{err}"
    );
    assert!(!err.contains("migrations changed"), "{err}");
    assert!(out.contains("Detected added column 'artist.born'"), "{out}");
    assert!(out.contains("ADD COLUMN born integer"), "{out}");
}

#[test]
fn a_changed_sum_falls_back_and_reports_the_difference() {
    let Some(db) = common::pg::fresh_db("snap_sum") else {
        return;
    };
    let p = with_snapshot(&db);
    p.revision(
        "a2",
        &["a1"],
        "CREATE TABLE genre (id int);",
        "DROP TABLE genre;",
    );
    p.ok(&["hash"]);
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(
            "snapshot stale: migrations changed (migrate.sum); replaying the migrations in a scratch database"
        ),
        "{err}"
    );
    assert!(!err.contains("model changed"), "{err}");
    assert!(out.contains("genre"), "{out}");
}

#[test]
fn another_server_major_version_falls_back() {
    let Some(db) = common::pg::fresh_db("snap_major") else {
        return;
    };
    let p = with_snapshot(&db);
    let mut made_on = 0;
    edit_snapshot(&p, |json| {
        made_on = json["server_major"].as_u64().unwrap();
        json["server_major"] = (made_on - 1).into();
    });
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains(&format!(
            "snapshot stale: made on PostgreSQL {}, the scratch server runs {made_on}",
            made_on - 1
        )),
        "{err}"
    );
}

#[test]
fn a_tampered_snapshot_is_not_used() {
    let Some(db) = common::pg::fresh_db("snap_tamper") else {
        return;
    };
    let p = with_snapshot(&db);
    // Hand-edited so that the migrations would seem to lack the index: not trusted.
    edit_snapshot(&p, |json| {
        json["migrations"]["schema"]["tables"][0]["indexes"] = serde_json::json!([]);
    });
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 0, "the verdict of the scratch databases: {out}{err}");
    assert!(
        err.contains("does not match its content hash (edited by hand, or damaged)"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| l.contains("snapshot")).count(),
        1,
        "one line: {err}"
    );
    // Damaged beyond parsing: the same.
    p.write(SNAPSHOT, "{ not json");
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("does not parse"), "{err}");
    // `migrate snapshot` rewrites it, and check trusts it again.
    p.ok(&["snapshot"]);
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("snapshot"), "{err}");
}

#[test]
fn sqlite_has_no_snapshot() {
    let p = Project::with_sql_model("");
    let err = p.fails(&["snapshot"]);
    assert!(err.contains("it is for PostgreSQL"), "{err}");
    assert!(!p.path(SNAPSHOT).exists());
    // A file there is not read: check builds both sides in memory as always.
    p.write(SNAPSHOT, "{ not json");
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("snapshot"), "{err}");
}
