//! The built-in cast table behind the "no implicit cast" review rule
//! (`migrate::postgres::casts`) against a real server: it is `pg_cast`
//! among the covered types, and `ALTER COLUMN TYPE` without `USING`
//! succeeds on an empty table exactly when `needs_using` says it may.

mod common;

use std::collections::BTreeSet;

use common::pg::fresh_db;
use migrate::postgres::casts::{CASTS, CastContext, TYPES, needs_using};

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
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
