//! The built-in cast table behind the "no implicit cast" review rule
//! (`migrate::internal::postgres::casts`) against a real server: it is `pg_cast`
//! among the covered types, and `ALTER COLUMN TYPE` without `USING`
//! succeeds on an empty table exactly when `needs_using` says it may.

mod common;

use std::collections::BTreeSet;

use common::pg::fresh_db;
use migrate::internal::postgres::casts::{
    CASTS, CastContext, TYPES, alter_column_type, cast_context, needs_using,
};

#[test]
fn the_cast_table_is_pg_cast() {
    let Some(db) = fresh_db("pg_casts") else {
        return;
    };
    let mut client = db.client();
    let types: Vec<String> = TYPES.iter().map(|t| t.to_string()).collect();
    let rows = client
        .query(
            "WITH t AS (SELECT unnest($1::text[])::regtype::oid AS oid)
             SELECT format_type(castsource, NULL), format_type(casttarget, NULL), castcontext::text
             FROM pg_cast
             WHERE castsource IN (SELECT oid FROM t) AND casttarget IN (SELECT oid FROM t)
               AND castsource <> casttarget",
            &[&types],
        )
        .unwrap();
    let server: BTreeSet<(String, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let ours: BTreeSet<(String, String, String)> = CASTS
        .iter()
        .map(|(s, t, c)| {
            let code = match c {
                CastContext::Implicit => "i",
                CastContext::Assignment => "a",
                CastContext::Explicit => "e",
            };
            (s.to_string(), t.to_string(), code.to_string())
        })
        .collect();
    assert_eq!(ours, server);
}

#[test]
fn alter_column_type_without_using_works_exactly_when_no_using_is_needed() {
    let Some(db) = fresh_db("pg_alter_type") else {
        return;
    };
    let mut client = db.client();
    let mut tx = client.transaction().unwrap();
    let mut wrong = Vec::new();
    for from in TYPES {
        for to in TYPES {
            let mut sp = tx.savepoint("pair").unwrap();
            sp.batch_execute(&format!("CREATE TABLE x (c {from})"))
                .unwrap();
            let result = sp.batch_execute(&format!("ALTER TABLE x ALTER COLUMN c TYPE {to}"));
            if let Err(e) = &result {
                let mismatch = e.code() == Some(&postgres::error::SqlState::DATATYPE_MISMATCH);
                assert!(mismatch, "{from} -> {to}: {e}");
            }
            if result.is_ok() == needs_using(from, to) {
                wrong.push(format!(
                    "{from} -> {to}: server {}",
                    if result.is_ok() { "ok" } else { "needs USING" }
                ));
            }
            sp.rollback().unwrap();
            // Where USING is needed, the statement it writes is accepted:
            // the explicit cast the table knows of, or else the way
            // through text (which only the values can fail).
            if result.is_err() {
                let mut sp = tx.savepoint("explicit_cast").unwrap();
                sp.batch_execute(&format!("CREATE TABLE x (c {from})"))
                    .unwrap();
                let (sql, _) = alter_column_type("x", "c", from, to);
                let cast = sp.batch_execute(&sql);
                let through_text = sql.contains("::text::");
                if cast.is_err() || through_text == cast_context(from, to).is_some() {
                    wrong.push(format!("{from} -> {to}: {sql}: {cast:?}"));
                }
                sp.rollback().unwrap();
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_using_alter_converts_every_row_or_changes_nothing() {
    let Some(db) = fresh_db("pg_alter_using") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY, qty text); INSERT INTO t VALUES (1, '10'), (2, ' 20')")
        .unwrap();
    let (sql, note) = alter_column_type("t", "qty", "text", "integer");
    assert!(note.is_some());
    client.batch_execute(&sql).unwrap();
    let rows: Vec<(i32, i32)> = client
        .query("SELECT id, qty FROM t ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows, [(1, 10), (2, 20)]);
    // A value that does not convert fails the statement; the rows stay as they were.
    client
        .batch_execute("CREATE TABLE u (id int PRIMARY KEY, qty text); INSERT INTO u VALUES (1, '1'), (2, 'x')")
        .unwrap();
    let (sql, _) = alter_column_type("u", "qty", "text", "integer");
    assert!(client.batch_execute(&sql).is_err());
    let rows: Vec<(i32, String)> = client
        .query("SELECT id, qty FROM u ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows, [(1, "1".to_string()), (2, "x".to_string())]);
}
