//! Property tests on random schema pairs: diff, apply up, compare with the
//! target; apply down, compare with the start; rows survive both ways. And
//! the revision-file parser and the model loader never panic on random input.

use std::path::Path;

use migrate::internal::engine::Engine;
use migrate::internal::load::{load_sql, load_toml};
use migrate::internal::schema::Schema;
use migrate::internal::sqlite::plan;
use proptest::prelude::*;

const TYPES: [&str; 6] = ["INTEGER", "TEXT", "VARCHAR(20)", "REAL", "NUMERIC", "BLOB"];
const TABLES: [&str; 4] = ["alpha", "beta", "gamma", "delta"];
const COLUMNS: [&str; 5] = ["c1", "c2", "c3", "c4", "c5"];

#[derive(Debug, Clone)]
struct ColSpec {
    name: usize,
    ty: usize,
    not_null: bool,
    default: bool,
    unique: bool,
    /// An index into [`CLAUSES`]: the conflict clause of its UNIQUE or NOT NULL.
    clause: usize,
}

/// Conflict clauses a UNIQUE or NOT NULL may carry; none is the most common.
const CLAUSES: [&str; 4] = ["", "", " ON CONFLICT REPLACE", " ON CONFLICT IGNORE"];

#[derive(Debug, Clone)]
struct TableSpec {
    name: usize,
    columns: Vec<ColSpec>,
    index_on: Option<usize>,
    fk_to: Option<usize>,
    check: bool,
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        0..TABLES.len(),
        prop::collection::vec(
            (
                0..COLUMNS.len(),
                0..TYPES.len(),
                any::<bool>(),
                any::<bool>(),
                prop::bool::weighted(0.2),
                0..CLAUSES.len(),
            ),
            1..5,
        ),
        prop::option::of(0..5usize),
        prop::option::of(0..TABLES.len()),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(name, cols, index_on, fk_to, check)| TableSpec {
            name,
            columns: cols
                .into_iter()
                .map(|(name, ty, not_null, default, unique, clause)| ColSpec {
                    name,
                    ty,
                    not_null,
                    default,
                    unique,
                    clause,
                })
                .collect(),
            index_on,
            fk_to,
            check,
        })
}

/// DDL for a random schema: every table has `id INTEGER PRIMARY KEY`; a NOT
/// NULL column always has a default (so rows can be copied into it).
fn ddl(tables: &[TableSpec]) -> String {
    ddl_named(tables, &Naming::default())
}

/// New names for some tables and columns of a spec (by index), written
/// with `@renamed` hints; and indexes dropped or moved.
#[derive(Debug, Clone, Default)]
struct Naming {
    tables: Vec<usize>,
    /// (table, column) pairs renamed.
    columns: Vec<(usize, usize)>,
    /// Tables whose index is dropped.
    no_index: Vec<usize>,
    /// Tables whose index moves to the next column, under a new name.
    moved_index: Vec<usize>,
}

impl Naming {
    fn table(&self, t: usize) -> String {
        if self.tables.contains(&t) {
            format!("{}_new", TABLES[t])
        } else {
            TABLES[t].to_string()
        }
    }

    fn table_hint(&self, t: usize) -> String {
        if self.tables.contains(&t) {
            format!(" /* @renamed from={} */", TABLES[t])
        } else {
            String::new()
        }
    }

    fn column(&self, t: usize, c: usize) -> String {
        if self.columns.contains(&(t, c)) {
            format!("{}_{}", COLUMNS[c], TABLES[t])
        } else {
            COLUMNS[c].to_string()
        }
    }

    fn column_hint(&self, t: usize, c: usize) -> String {
        if self.columns.contains(&(t, c)) {
            format!(" /* @renamed from={} */", COLUMNS[c])
        } else {
            String::new()
        }
    }
}

fn ddl_named(tables: &[TableSpec], n: &Naming) -> String {
    let mut seen_tables = Vec::new();
    let mut sql = String::new();
    for t in tables {
        if seen_tables.contains(&t.name) {
            continue;
        }
        seen_tables.push(t.name);
        let mut seen_cols = Vec::new();
        let mut defs = vec!["id INTEGER PRIMARY KEY".to_string()];
        for c in &t.columns {
            if seen_cols.contains(&c.name) {
                continue;
            }
            seen_cols.push(c.name);
            let mut d = format!("{} {}", n.column(t.name, c.name), TYPES[c.ty]);
            // A UNIQUE column gets no default: a default copied into every row
            // would collide, which is the data's problem, not the planner's.
            if c.unique {
                d.push_str(" UNIQUE");
                d.push_str(CLAUSES[c.clause]);
            } else if c.not_null {
                d.push_str(" NOT NULL");
                d.push_str(CLAUSES[c.clause]);
                d.push_str(" DEFAULT 0");
            } else if c.default {
                d.push_str(" DEFAULT 1");
            }
            d.push_str(&n.column_hint(t.name, c.name));
            defs.push(d);
        }
        if let Some(target) = t.fk_to {
            defs.push(format!(
                "parent_id INTEGER REFERENCES {}(id) ON DELETE CASCADE",
                n.table(target)
            ));
        }
        if t.check {
            defs.push(format!(
                "CHECK (length({}) >= 0)",
                n.column(t.name, seen_cols[0])
            ));
        }
        let table = n.table(t.name);
        sql.push_str(&format!(
            "CREATE TABLE {table} ({}\n  {}\n);\n",
            n.table_hint(t.name),
            defs.join(",\n  ")
        ));
        if let Some(i) = t.index_on.filter(|_| !n.no_index.contains(&t.name)) {
            let moved = n.moved_index.contains(&t.name);
            let c = seen_cols[(i + usize::from(moved)) % seen_cols.len()];
            let col = n.column(t.name, c);
            let name = if moved { "ix_moved" } else { "ix" };
            sql.push_str(&format!(
                "CREATE INDEX {name}_{}_{} ON {table}({col});\n",
                TABLES[t.name], COLUMNS[c]
            ));
        }
    }
    sql
}

/// Foreign keys to tables that are not in the schema are dropped from the spec.
fn consistent(mut tables: Vec<TableSpec>) -> Vec<TableSpec> {
    let names: Vec<usize> = tables.iter().map(|t| t.name).collect();
    for t in &mut tables {
        if t.fk_to.is_some_and(|f| !names.contains(&f)) {
            t.fk_to = None;
        }
    }
    tables
}

fn schema_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(table_spec(), 0..4).prop_map(|t| ddl(&consistent(t)))
}

fn run(conn: &rusqlite::Connection, statements: &[migrate::internal::plan::Statement]) {
    let script: String = statements.iter().map(|s| format!("{};\n", s.sql)).collect();
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF; BEGIN;\n{script}COMMIT;"
    ))
    .unwrap_or_else(|e| panic!("{e}\n{script}"));
}

fn count_rows(conn: &rusqlite::Connection, schema: &Schema) -> Vec<(String, i64)> {
    schema
        .tables
        .iter()
        .map(|t| {
            let n = conn
                .query_row(
                    &format!(
                        "SELECT count(*) FROM {}",
                        migrate::internal::sqlite::sql::quote_ident(&t.name)
                    ),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            (t.name.clone(), n)
        })
        .collect()
}

/// Up from `a` reaches `b`, down returns to exactly `a`, and rows survive both ways.
fn up_and_back_down(a_sql: &str, b_sql: &str) -> Result<(), TestCaseError> {
    let a = load_sql(Engine::Sqlite, a_sql, Path::new("a.sql"))
        .unwrap()
        .schema;
    let model = load_sql(Engine::Sqlite, b_sql, Path::new("b.sql")).unwrap();
    let (b, hints) = (&model.schema, &model.hints);
    // A table of `b` that was in `a`, under its name or renamed from it.
    let kept_up = |name: &str| {
        a.table(name).is_some()
            || b.table(name)
                .and_then(|t| hints.table(b.name_rule, &t.name))
                .is_some_and(|old| a.table(old).is_some())
    };
    let kept_down = |name: &str| {
        b.table(name).is_some()
            || b.tables
                .iter()
                .any(|t| hints.table(b.name_rule, &t.name) == Some(name))
    };
    let m = migrate::internal::autogen::plan_between(&a, &model);
    prop_assert!(
        plan::migration(&a, &a, &Default::default()).is_empty(),
        "diff(a, a) must be empty"
    );

    let conn = rusqlite::Connection::open_in_memory().unwrap();
    // The bundled SQLite turns foreign keys on by default; seed parents and
    // children in any order.
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    conn.execute_batch(a_sql).unwrap();
    for t in &a.tables {
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        for i in 1..=3 {
            let values = vec![i.to_string(); names.len()].join(", ");
            conn.execute(
                &format!(
                    "INSERT INTO {} ({}) VALUES ({values})",
                    t.name,
                    names.join(", ")
                ),
                [],
            )
            .unwrap();
        }
    }
    run(&conn, &m.up);
    let after_up = migrate::internal::sqlite::inspect::inspect(&conn, "migrate_version").unwrap();
    prop_assert!(
        after_up.same_as(b),
        "up did not reach b\nA:\n{a_sql}\nB:\n{b_sql}\nup:\n{}",
        plan::render(&m.up)
    );
    for (table, n) in count_rows(&conn, &after_up) {
        if kept_up(&table) {
            prop_assert_eq!(n, 3, "rows of {} lost on the way up", table);
        }
    }
    run(&conn, &m.down);
    let after_down = migrate::internal::sqlite::inspect::inspect(&conn, "migrate_version").unwrap();
    prop_assert!(
        after_down.same_as(&a),
        "down did not return to a\nA:\n{a_sql}\nB:\n{b_sql}\ndown:\n{}",
        plan::render(&m.down)
    );
    for (table, n) in count_rows(&conn, &after_down) {
        if kept_down(&table) {
            prop_assert_eq!(n, 3, "rows of {} lost on the way down", table);
        }
    }
    Ok(())
}

fn renamed_pair_strategy() -> impl Strategy<Value = (String, String)> {
    let specs = prop::collection::vec(table_spec(), 1..4).prop_map(consistent);
    let picks = prop::collection::vec((any::<bool>(), 0..4usize, 0..3u8), TABLES.len());
    (specs, picks).prop_map(|(specs, picks)| {
        let mut n = Naming::default();
        for t in &specs {
            let (rename, col, index) = picks[t.name];
            if rename {
                n.tables.push(t.name);
            }
            if let Some(c) = t.columns.get(col) {
                n.columns.push((t.name, c.name));
            }
            match index {
                1 => n.no_index.push(t.name),
                2 => n.moved_index.push(t.name),
                _ => {}
            }
        }
        (ddl(&specs), ddl_named(&specs, &n))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn random_pairs_migrate_up_and_back_down(a_sql in schema_strategy(), b_sql in schema_strategy()) {
        up_and_back_down(&a_sql, &b_sql)?;
    }

    /// Issue 12: renames of tables and columns together with index changes.
    #[test]
    fn renames_with_index_changes_migrate_up_and_back_down((a_sql, b_sql) in renamed_pair_strategy()) {
        up_and_back_down(&a_sql, &b_sql)?;
    }

    #[test]
    fn revision_parser_never_panics(text in "(-- [a-z_]{1,14}: [a-z0-9, ]{0,12}\n|-- migrate:(up|down)\n|[A-Za-z ;()'\"]{0,30}\n){0,12}") {
        let _ = migrate::internal::script::parse(Path::new("abc_x.sql"), &text, migrate::internal::engine::Engine::Sqlite.dialect());
    }

    #[test]
    fn toml_model_loader_never_panics(text in "(\\[\\[table\\]\\]\n|name = \"[a-z \"]{0,6}\"\n|columns = \\[ \\{ name = \"[a-z]{1,3}\", type = \"[A-Z()0-9]{0,8}\"( , primary_key = true)?( , nullable = false)? \\} \\]\n|[a-z_]{1,8} = [0-9a-z\"]{1,5}\n){0,8}") {
        let _ = load_toml(Engine::Sqlite, &text, Path::new("m.toml"));
    }

    #[test]
    fn sql_lexer_round_trips_any_text(text in "\\PC{0,80}") {
        let rebuilt: String = migrate::internal::sqlite::sql::tokenize(&text).iter().map(|t| t.text).collect();
        prop_assert_eq!(rebuilt, text);
    }
}
