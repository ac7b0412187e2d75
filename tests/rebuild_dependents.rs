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
