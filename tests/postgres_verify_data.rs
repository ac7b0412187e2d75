//! `verify --data` on PostgreSQL through the real binary on a real server:
//! the pending revisions go up, down and up on a scratch copy of the live
//! database made with `pg_dump | pg_restore` (the live database is only
//! read, and may be in use), rows lost are counted per table, and the live
//! database is left as it was.

mod common;

use common::pg::fresh_db;
use common::pg_project::project;

#[test]
fn verify_data_replays_pending_revisions_on_a_copy_with_the_rows_and_leaves_the_database() {
    let Some(db) = fresh_db("verify_data") else {
        return;
    };
    let p = project(&db.url);
    p.revision(
        "r1",
        &[],
        "CREATE TABLE t (id int PRIMARY KEY, note text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');",
        "DROP TABLE t;",
    );
    p.revision(
        "r2",
        &["r1"],
        "ALTER TABLE t ADD COLUMN x int;",
        "DELETE FROM t WHERE id = 3;\nALTER TABLE t DROP COLUMN x;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "r1"]);
    // Another session on the live database: a template copy would need it idle.
    let mut app = db.client();
    app.batch_execute("SELECT 1").unwrap();

    let out = p.ok(&["verify", "--data"]);
    assert!(out.contains("ok    r2"), "{out}");
    assert!(out.contains("t: 1 row(s) lost"), "{out}");
    assert!(out.contains("on a copy of the database"), "{out}");

    // The live database: still at r1, every row, no column x.
    assert!(p.ok(&["current"]).contains("r1"));
    let rows: i64 = app.query_one("SELECT count(*) FROM t", &[]).unwrap().get(0);
    assert_eq!(rows, 3);
    let x: i64 = app
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'x'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(x, 0);
}

#[test]
fn verify_data_without_pg_dump_says_so_and_changes_nothing() {
    let Some(db) = fresh_db("verify_data_no_pg_dump") else {
        return;
    };
    let p = project(&db.url);
    p.revision("r1", &[], "CREATE TABLE t (id int);", "DROP TABLE t;");
    p.ok(&["hash"]);
    let empty = p.path("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    let err = common::pg_project::fails_env(
        &p,
        &[("PATH", empty.to_str().unwrap())],
        &["verify", "--data"],
    );
    assert!(err.contains("pg_dump is not on PATH"), "{err}");
    assert!(err.contains("verify without --data"), "{err}");
}
