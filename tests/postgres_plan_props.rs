//! Issue 16's property for the PostgreSQL planner, on the real server:
//! for random schema pairs (tables, columns whose type, NOT NULL and
//! default vary, keys, checks, foreign keys, indexes, an enum type whose
//! labels are added, removed and reordered, comments, a view), the up
//! taken on a database holding `from` gives `to` by the inspector and by
//! `pg_dump --schema-only`, and the down gives `from` back. Few cases:
//! each makes three databases, dropped after it.

mod common;

use common::pg::{TestDb, fresh_db, schema_dump};
use migrate::internal::diff::{Renames, diff};
use migrate::internal::postgres::{inspect, plan};
use migrate::internal::schema::Schema;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Table {
    a: Option<(&'static str, bool, bool)>,
    b: Option<(&'static str, bool, bool)>,
    mood: bool,
    index_b: bool,
    unique_a: bool,
    check_a: bool,
    comment: bool,
}

#[derive(Debug, Clone)]
struct Model {
    labels: &'static [&'static str],
    t0: Option<Table>,
    t1: Option<(Table, bool)>,
    view: bool,
}

fn column(
    types: &'static [&'static str],
) -> impl Strategy<Value = Option<(&'static str, bool, bool)>> {
    prop::option::of((prop::sample::select(types), any::<bool>(), any::<bool>()))
}

fn table() -> impl Strategy<Value = Table> {
    (
        column(&["integer", "bigint"]),
        column(&["text", "varchar(20)"]),
        any::<[bool; 5]>(),
    )
        .prop_map(|(a, b, f)| Table {
            a,
            b,
            mood: f[0],
            index_b: f[1],
            unique_a: f[2],
            check_a: f[3],
            comment: f[4],
        })
}

fn model() -> impl Strategy<Value = Model> {
    let labels: &[&[&str]] = &[&["a", "b"], &["a", "b", "c"], &["b", "a"], &["a", "c"]];
    (
        prop::sample::select(labels),
        prop::option::of(table()),
        prop::option::of((table(), any::<bool>())),
        any::<bool>(),
    )
        .prop_map(|(labels, t0, t1, view)| Model {
            labels,
            t0,
            t1,
            view,
        })
}

fn table_ddl(name: &str, t: &Table, fk: bool, out: &mut Vec<String>) {
    let mut cols = vec!["id int PRIMARY KEY".to_string()];
    for (col, c, default) in [("a", t.a, "1"), ("b", t.b, "'x'")] {
        if let Some((ty, not_null, has_default)) = c {
            let mut d = format!("{col} {ty}");
            if not_null {
                d.push_str(" NOT NULL");
            }
            if has_default {
                d.push_str(&format!(" DEFAULT {default}"));
            }
            cols.push(d);
        }
    }
    if t.mood {
        cols.push("m mood".into());
    }
    if t.a.is_some() {
        if t.unique_a {
            cols.push(format!("CONSTRAINT {name}_a_key UNIQUE (a)"));
        }
        if t.check_a {
            cols.push(format!("CONSTRAINT {name}_a_check CHECK (a > 0)"));
        }
        if fk {
            cols.push(format!(
                "CONSTRAINT {name}_a_fkey FOREIGN KEY (a) REFERENCES t0 (id)"
            ));
        }
    }
    out.push(format!("CREATE TABLE {name} ({})", cols.join(", ")));
    if t.b.is_some() && t.index_b {
        out.push(format!("CREATE INDEX {name}_b ON {name} (b)"));
    }
    if t.comment {
        out.push(format!("COMMENT ON TABLE {name} IS 'table {name}'"));
    }
}

fn ddl(m: &Model) -> String {
    let labels: Vec<String> = m.labels.iter().map(|l| format!("'{l}'")).collect();
    let mut out = vec![format!("CREATE TYPE mood AS ENUM ({})", labels.join(", "))];
    if let Some(t) = &m.t0 {
        table_ddl("t0", t, false, &mut out);
        if m.view && t.a.is_some() {
            out.push("CREATE VIEW v AS SELECT id, a FROM t0".into());
        }
    }
    if let Some((t, fk)) = &m.t1 {
        table_ddl("t1", t, *fk && m.t0.is_some(), &mut out);
    }
    out.join(";\n")
}

fn inspect_db(db: &TestDb) -> Schema {
    inspect::inspect(&mut db.client(), &inspect::Options::default()).unwrap()
}

fn database(tag: &str, sql: &str) -> TestDb {
    let db = fresh_db(tag).expect("the server is there");
    db.client()
        .batch_execute(sql)
        .unwrap_or_else(|e| panic!("{e:?}\n{sql}"));
    db
}

fn run(db: &TestDb, statements: &[migrate::internal::plan::Statement]) -> Result<(), String> {
    let mut client = db.client();
    let mut tx = client.transaction().unwrap();
    for s in statements {
        tx.batch_execute(&s.sql)
            .map_err(|e| format!("{e:?}\n-- in: {}", s.sql))?;
    }
    tx.commit().map_err(|e| e.to_string())
}

/// `pg_dump --schema-only` with each table's column lines in name order:
/// ALTER TABLE adds a column at the end, as a model may not, and column
/// order does not count (as `Schema::folded` compares).
fn dump(db: &TestDb) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    for line in schema_dump(db, &[]).lines() {
        match &mut columns {
            Some(cols) if line == ");" => {
                cols.sort();
                out.append(cols);
                out.push(line.to_string());
                columns = None;
            }
            Some(cols) => cols.push(line.trim_end_matches(',').to_string()),
            None => {
                out.push(line.to_string());
                if line.starts_with("CREATE TABLE ") {
                    columns = Some(Vec::new());
                }
            }
        }
    }
    out.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        rng_seed: proptest::test_runner::RngSeed::Fixed(16),
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    #[test]
    fn up_gives_the_model_and_down_gives_the_start(a in model(), b in model()) {
        if common::pg::server_url().is_none() {
            return Ok(());
        }
        let (from_sql, to_sql) = (ddl(&a), ddl(&b));
        let from_db = database("prop_from", &from_sql);
        let to_db = database("prop_to", &to_sql);
        let (from, to) = (inspect_db(&from_db), inspect_db(&to_db));
        let m = plan::migration_of(&from, &to, diff(&from, &to, &Renames::default()));
        let target = database("prop_target", &from_sql);
        let sql = |s: &[migrate::internal::plan::Statement]| s.iter().map(|s| format!("{};", s.sql)).collect::<Vec<_>>().join("\n");
        let context = format!("from:\n{from_sql}\nto:\n{to_sql}\nup:\n{}\ndown:\n{}", sql(&m.up), sql(&m.down));
        run(&target, &m.up).map_err(|e| TestCaseError::fail(format!("up fails: {e}\n{context}")))?;
        prop_assert_eq!(inspect_db(&target).folded(), to.folded(), "after up\n{}", context);
        prop_assert_eq!(dump(&target), dump(&to_db), "pg_dump after up\n{}", context);
        run(&target, &m.down).map_err(|e| TestCaseError::fail(format!("down fails: {e}\n{context}")))?;
        prop_assert_eq!(inspect_db(&target).folded(), from.folded(), "after down\n{}", context);
    }
}
