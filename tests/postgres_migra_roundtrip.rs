//! The PostgreSQL inspector and DDL writer over migra's fixtures
//! (../shared/conformance/migra): each `a.sql` and `b.sql` loaded into a
//! database, inspected, written by `create_schema` into a fresh one and
//! inspected again gives the same schema, and `pg_dump --schema-only
//! --schema=public` of the two databases agrees. A fixture holding what
//! the model cannot hold yet is listed in [`GAPS`] with the reason, and must
//! still fail, so the list shrinks as the model grows.

mod common;

use std::path::{Path, PathBuf};

use common::pg::{TestDb, fresh_db, schema_dump};
use migrate::internal::postgres::{ddl, inspect};
use migrate::internal::schema::Schema;

/// Fixtures whose round trip does not hold yet, and why.
const GAPS: &[(&str, &str)] = &[
    ("collations/a.sql", "a collation made by CREATE COLLATION"),
    ("collations/b.sql", "a collation made by CREATE COLLATION"),
    ("constraints/a.sql", "an exclusion constraint"),
    (
        "constraints/b.sql",
        "an exclusion constraint, a DEFERRABLE primary key",
    ),
    ("dependencies/a.sql", "a function"),
    ("enumdefaults/a.sql", "a type in a schema not inspected"),
    ("enumdefaults/b.sql", "a type in a schema not inspected"),
    ("everything/a.sql", "functions"),
    ("everything/b.sql", "functions"),
    ("inherit/b.sql", "table inheritance"),
    ("inherit2/a.sql", "table inheritance"),
    ("inherit2/b.sql", "table inheritance"),
    ("partitioning/a.sql", "partitioned tables"),
    ("partitioning/b.sql", "partitioned tables"),
    ("privileges/a.sql", "a function"),
    ("privileges/b.sql", "a function"),
    (
        "rls/a.sql",
        "needs the role schemainspect_test_role (not made on a shared server)",
    ),
    (
        "rls/b.sql",
        "needs the role schemainspect_test_role (not made on a shared server)",
    ),
    ("rls2/b.sql", "row-level security and a policy"),
    ("triggers/a.sql", "a trigger and its function"),
    ("triggers/b.sql", "a trigger and its function"),
    ("triggers2/a.sql", "triggers and their function"),
    ("triggers2/b.sql", "triggers and their function"),
    ("triggers3/a.sql", "an INSTEAD OF trigger and its function"),
    ("triggers3/b.sql", "an INSTEAD OF trigger and its function"),
];

fn inspect_db(db: &TestDb) -> Schema {
    inspect::inspect(&mut db.client(), &inspect::Options::default())
        .unwrap_or_else(|e| panic!("inspecting {}: {e}", db.name))
}

/// `Err(why)` when the round trip of `sql` does not hold.
fn round_trip(sql: &str) -> Result<(), String> {
    let original = fresh_db("migra").expect("the server is there");
    original
        .client()
        .batch_execute(sql)
        .map_err(|e| format!("the fixture fails: {e}"))?;
    let first = inspect_db(&original);
    let copy = fresh_db("migra_copy").expect("the server is there");
    let mut client = copy.client();
    for s in ddl::create_schema(&first) {
        client
            .batch_execute(&s)
            .map_err(|e| format!("the written DDL fails: {e}\n{s}"))?;
    }
    let second = inspect_db(&copy);
    if first != second {
        return Err(format!(
            "inspected again it differs:\n{first:#?}\n{second:#?}"
        ));
    }
    let (a, b) = (
        schema_dump(&original, &["--schema=public"]),
        schema_dump(&copy, &["--schema=public"]),
    );
    if a != b {
        let diff = similar::TextDiff::from_lines(&a, &b)
            .unified_diff()
            .to_string();
        return Err(format!("pg_dump differs:\n{diff}"));
    }
    Ok(())
}

/// Every `a.sql` and `b.sql`, as (`case/side`, path).
fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = Path::new("../shared/conformance/migra");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("the migra fixtures")
        .flatten()
    {
        for side in ["a.sql", "b.sql"] {
            let path = entry.path().join(side);
            if path.is_file() {
                let case = entry.file_name().to_string_lossy().to_string();
                out.push((format!("{case}/{side}"), path));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn migra_fixtures_round_trip_but_for_the_listed_gaps() {
    if common::pg::server_url().is_none() {
        return;
    }
    let fixtures = fixtures();
    assert!(fixtures.len() >= 50, "only {} fixtures", fixtures.len());
    // Four at a time: each makes two databases, which is the slow part.
    let results: Vec<(String, Result<(), String>)> = std::thread::scope(|s| {
        let chunks: Vec<_> = fixtures.chunks(fixtures.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, path)| {
                            let sql = std::fs::read_to_string(path).unwrap();
                            (name.clone(), round_trip(&sql))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let gap = |name: &str| GAPS.iter().find(|(n, _)| *n == name).map(|(_, why)| *why);
    let mut wrong = Vec::new();
    for (name, result) in &results {
        match (result, gap(name)) {
            (Err(why), None) => wrong.push(format!("{name} fails: {why}")),
            (Ok(()), Some(gap)) => wrong.push(format!(
                "{name} passes now ({gap}): take it off the GAPS list"
            )),
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
