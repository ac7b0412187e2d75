//! What a table rebuild takes down and must put back: triggers on the views
//! it drops, and triggers and views the revision did not know about (made
//! by another tool, or after the revision was written), carried across by
//! `upgrade` as the database has them.

mod common;

use common::Project;

fn trigger_sql(p: &Project, name: &str) -> Option<String> {
    p.conn("app.db")
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .ok()
}

#[test]
fn an_instead_of_trigger_on_a_view_the_rebuild_drops_comes_back() {
    let model = |a: &str| {
        format!(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a {a});
             CREATE TABLE log (x);
             CREATE VIEW v1 AS SELECT id, a FROM t;
             CREATE VIEW v2 AS SELECT id, a FROM v1;
             CREATE TRIGGER tr INSTEAD OF INSERT ON v2 BEGIN INSERT INTO log VALUES (new.a); END;"
        )
    };
    let p = Project::with_sql_model(&model("TEXT"));
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO t VALUES (1, 'x'), (2, NULL)");
    p.write("model.sql", &model("TEXT NOT NULL DEFAULT ''"));
    p.autogenerate("not null", "r2");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM t"), 2);
    assert!(trigger_sql(&p, "tr").is_some(), "the trigger is back");
    p.sql("app.db", "INSERT INTO v2 (id, a) VALUES (3, 'y')");
    assert_eq!(p.count("SELECT count(*) FROM log"), 1, "and fires");
    p.ok(&["check"]);
    p.ok(&["downgrade", "r1"]);
    assert!(trigger_sql(&p, "tr").is_some());
    assert_eq!(p.count("SELECT count(*) FROM t"), 2);
}

const CONFIG: &str = "[database]\nurl = \"sqlite:app.db\"\n\n[model]\npath = \"model.sql\"\nexclude = [\"audit_*\"]\n";

/// Users at r1 with rows and an excluded audit log; r2 written (not run)
/// that rebuilds users with `name_type`.
fn users(columns: &str, then: &str) -> Project {
    let p = Project::with_sql_model(&format!(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, {columns});"
    ));
    p.write("migrate.toml", CONFIG);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "CREATE TABLE audit_log (x);
         INSERT INTO users (id, name) VALUES (1, 'ann'), (2, NULL);",
    );
    p.write(
        "model.sql",
        &format!("CREATE TABLE users (id INTEGER PRIMARY KEY, {then});"),
    );
    p
}

const AUDIT: &str = "CREATE TRIGGER audit_users AFTER INSERT ON users BEGIN \
                     INSERT INTO audit_log VALUES (new.id); END;";

#[test]
fn a_trigger_made_after_the_revision_survives_its_rebuild() {
    let p = users("name TEXT", "name TEXT NOT NULL DEFAULT ''");
    p.autogenerate("not null", "r2");
    // Added to the database after the revision was written.
    p.sql("app.db", AUDIT);
    let (code, _, err) = p.run(&["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("audit_users") && err.contains("carried"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM users"), 2);
    assert_eq!(p.count("SELECT count(*) FROM users WHERE name = ''"), 1);
    assert!(
        trigger_sql(&p, "audit_users").is_some(),
        "the trigger is kept"
    );
    p.sql("app.db", "INSERT INTO users (id, name) VALUES (3, 'cy')");
    assert_eq!(p.count("SELECT count(*) FROM audit_log"), 1, "and fires");
    p.ok(&["check"]);
    p.ok(&["downgrade", "r1"]);
    assert!(trigger_sql(&p, "audit_users").is_some());
    assert_eq!(p.count("SELECT count(*) FROM users"), 3);
}

#[test]
fn an_unmanaged_trigger_is_not_written_into_the_revision() {
    let p = users("name TEXT", "name TEXT NOT NULL DEFAULT ''");
    p.sql("app.db", AUDIT);
    let out = p.autogenerate("not null", "r2");
    let file = std::fs::read_dir(p.path("migrations/versions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.to_str().unwrap().contains("r2"))
        .unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    assert!(!text.contains("audit_users"), "{out}\n{text}");
    // Each database keeps its own version of it: here a different one.
    p.sql(
        "app.db",
        "DROP TRIGGER audit_users;
         CREATE TRIGGER audit_users AFTER INSERT ON users BEGIN \
         INSERT INTO audit_log VALUES (new.id * 10); END;",
    );
    p.ok(&["upgrade"]);
    assert!(
        trigger_sql(&p, "audit_users")
            .unwrap()
            .contains("new.id * 10")
    );
    assert_eq!(p.count("SELECT count(*) FROM users"), 2);
    p.ok(&["check"]);
    // And where it does not exist, the revision does not create it.
    p.ok(&["downgrade", "r1"]);
    p.sql("app.db", "DROP TRIGGER audit_users");
    p.ok(&["upgrade"]);
    assert!(trigger_sql(&p, "audit_users").is_none());
    assert_eq!(p.count("SELECT count(*) FROM users"), 2);
}

#[test]
fn a_trigger_that_no_longer_fits_the_rebuilt_table_refuses_the_revision() {
    let p = users("name TEXT, email TEXT", "email TEXT NOT NULL DEFAULT ''");
    p.autogenerate("drop name", "r2");
    p.sql(
        "app.db",
        "CREATE TRIGGER audit_users AFTER INSERT ON users BEGIN \
         INSERT INTO audit_log VALUES (new.name); END;",
    );
    let before = p.schema_text("app.db");
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("audit_users") && err.contains("no such column") && err.contains("unchanged"),
        "{err}"
    );
    assert_eq!(p.schema_text("app.db"), before, "nothing changed");
    assert_eq!(p.count("SELECT count(*) FROM users"), 2);
    assert_eq!(p.applied(), ["r1"]);
}

/// `verify --data` replays pending revisions on a copy as upgrade runs
/// them: a view the revision does not know about is carried across its
/// rebuild, not reported as a failed statement.
#[test]
fn verify_carries_a_view_the_revision_does_not_know_about() {
    let p = users("name TEXT", "name TEXT NOT NULL DEFAULT ''");
    p.autogenerate("not null", "r2");
    p.sql(
        "app.db",
        "CREATE VIEW audit_names AS SELECT id, name FROM users",
    );
    let (code, out, err) = p.run(&["verify", "--data"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("failed"), "{out}");
    // verify ran on a copy: the database is still at r1, rows and view intact.
    assert_eq!(p.count("SELECT count(*) FROM users"), 2);
    assert_eq!(p.count("SELECT count(*) FROM audit_names"), 2);
}
