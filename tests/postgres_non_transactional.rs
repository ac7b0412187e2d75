//! `-- transactional: false` revisions on PostgreSQL through the real
//! binary: PostgreSQL never rebuilds a table, and a DROP TABLE or a rename
//! alone is one atomic statement, so such a revision may hold one (it was
//! refused as on SQLite); a hand-written rebuild (copy, drop, rename) in one
//! is still refused before anything runs.

mod common;

use common::pg::fresh_db;
use common::pg_project::{fails_env, project};

const R1: &str = "-- revision: r1\n-- down_revision: \n-- message: tables\n\n-- migrate:up\n\
    CREATE TABLE t (id int PRIMARY KEY, note text);\nCREATE TABLE old (id int);\n\
    INSERT INTO t VALUES (1, 'a'), (2, 'b');\n\n-- migrate:down\nDROP TABLE t;\nDROP TABLE old;\n";

fn count(db: &common::pg::TestDb, sql: &str) -> i64 {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn a_drop_table_beside_a_concurrent_index_runs_outside_a_transaction() {
    let Some(db) = fresh_db("nt_drop") else {
        return;
    };
    let p = project(&db.url);
    p.write("migrations/versions/r1_tables.sql", R1);
    p.write(
        "migrations/versions/r2_index.sql",
        "-- revision: r2\n-- down_revision: r1\n-- message: index\n-- transactional: false\n\n\
         -- migrate:up\nCREATE INDEX CONCURRENTLY t_note ON t (note);\nDROP TABLE old;\n\n\
         -- migrate:down\nCREATE TABLE old (id int);\nDROP INDEX CONCURRENTLY t_note;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "--no-backup"]);
    assert!(p.ok(&["current"]).contains("r2"));
    assert_eq!(
        count(&db, "SELECT count(*) FROM pg_class WHERE relname = 'old'"),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM pg_class WHERE relname = 't_note'"
        ),
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM t"), 2);
}

#[test]
fn a_hand_written_rebuild_in_a_non_transactional_revision_is_still_refused() {
    let Some(db) = fresh_db("nt_rebuild") else {
        return;
    };
    let p = project(&db.url);
    p.write("migrations/versions/r1_tables.sql", R1);
    p.write(
        "migrations/versions/r2_rebuild.sql",
        "-- revision: r2\n-- down_revision: r1\n-- message: rebuild\n-- transactional: false\n\n\
         -- migrate:up\nCREATE TABLE t_new (id bigint PRIMARY KEY, note text);\n\
         INSERT INTO t_new SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE t_new RENAME TO t;\n\n\
         -- migrate:down\nSELECT 1;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "r1"]);
    let err = fails_env(&p, &[], &["upgrade", "--no-backup"]);
    assert!(
        err.contains("drops a table") && err.contains("Nothing ran"),
        "{err}"
    );
    assert!(p.ok(&["current"]).contains("r1"));
    assert_eq!(
        count(&db, "SELECT count(*) FROM pg_class WHERE relname = 't_new'"),
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM t"), 2);
}
