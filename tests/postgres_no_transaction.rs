//! The classifier of statements that cannot run in a transaction block
//! (`migrate::internal::postgres::no_transaction`), checked against a real server:
//! each statement is run inside `BEGIN ... ROLLBACK`, and the server refuses
//! it there (SQLSTATE 25001) exactly when the classifier says so.
//! Statements that would change the shared server if the server let them
//! run (ALTER SYSTEM, subscriptions) are left to the unit tests.

mod common;

use common::pg::fresh_db;
use migrate::internal::postgres::no_transaction::{enum_value_used_later, why_not_in_transaction};

/// Whether the server refuses `stmt` inside a transaction block.
fn refused_in_transaction(client: &mut postgres::Client, stmt: &str) -> bool {
    client.batch_execute("BEGIN").unwrap();
    let result = client.batch_execute(stmt);
    client.batch_execute("ROLLBACK").unwrap();
    match result {
        Ok(()) => false,
        Err(e) if e.code() == Some(&postgres::error::SqlState::ACTIVE_SQL_TRANSACTION) => true,
        Err(e) => panic!("{stmt}: {e}"),
    }
}

#[test]
fn the_server_refuses_in_a_transaction_exactly_what_the_classifier_names() {
    let Some(db) = fresh_db("pg_no_txn") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute(
            "CREATE TABLE t (a int PRIMARY KEY); CREATE INDEX i ON t (a);
             CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x; CREATE UNIQUE INDEX mv_x ON mv (x);
             CREATE TABLE p (a int) PARTITION BY RANGE (a);
             CREATE TABLE c PARTITION OF p FOR VALUES FROM (0) TO (10);",
        )
        .unwrap();
    let database = &db.name;
    let statements = [
        "CREATE INDEX CONCURRENTLY i2 ON t (a)".to_string(),
        "create unique index concurrently i3 on t (a)".to_string(),
        "CREATE INDEX i4 ON t (a)".to_string(),
        "DROP INDEX CONCURRENTLY i".to_string(),
        "DROP INDEX i".to_string(),
        "REINDEX INDEX CONCURRENTLY i".to_string(),
        "REINDEX (CONCURRENTLY) TABLE t".to_string(),
        "REINDEX TABLE t".to_string(),
        "REINDEX SCHEMA public".to_string(),
        format!("REINDEX DATABASE \"{database}\""),
        format!("REINDEX SYSTEM \"{database}\""),
        "VACUUM".to_string(),
        "VACUUM (ANALYZE) t".to_string(),
        "ANALYZE t".to_string(),
        "CLUSTER".to_string(),
        "CLUSTER VERBOSE".to_string(),
        "CLUSTER t USING i".to_string(),
        "CREATE DATABASE never_made_h34".to_string(),
        "DROP DATABASE IF EXISTS never_made_h34".to_string(),
        "ALTER DATABASE never_made_h34 SET TABLESPACE pg_default".to_string(),
        "DROP TABLESPACE IF EXISTS never_made_h34".to_string(),
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY".to_string(),
        "ALTER TABLE p DETACH PARTITION c".to_string(),
        "REFRESH MATERIALIZED VIEW CONCURRENTLY mv".to_string(),
        "DISCARD ALL".to_string(),
        "DISCARD PLANS".to_string(),
    ];
    for stmt in &statements {
        assert_eq!(
            why_not_in_transaction(stmt).is_some(),
            refused_in_transaction(&mut client, stmt),
            "{stmt}"
        );
    }
}

#[test]
fn a_new_enum_value_fails_only_when_used_in_its_transaction() {
    let Some(db) = fresh_db("pg_enum_txn") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute("CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE m (v mood)")
        .unwrap();
    let add = "ALTER TYPE mood ADD VALUE 'happy'";
    let use_it = "INSERT INTO m VALUES ('happy')";
    // Alone in a transaction it runs; followed by a use, the server refuses the use.
    assert_eq!(enum_value_used_later(&[add]), None);
    client.batch_execute("BEGIN").unwrap();
    client.batch_execute(add).unwrap();
    let err = client.batch_execute(use_it).unwrap_err();
    client.batch_execute("ROLLBACK").unwrap();
    assert_eq!(
        err.code(),
        Some(&postgres::error::SqlState::from_code("55P04")),
        "{err}"
    );
    assert_eq!(
        enum_value_used_later(&[add, use_it]),
        Some((0, 1, "happy".to_string()))
    );
}
