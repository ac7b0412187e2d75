//! Issue 14 item 4: one source of truth for what a statement risks. The
//! planner's statements keep their risks up to the script (as review
//! comments) and to lint, which reads the script back with the same
//! classifier it uses for hand-written statements: on every statement of the
//! catalogue's changes and of the conformance suite, plan and lint must say
//! the same (destructive, rebuild, data-dependent), and so `upgrade`'s backup
//! decision, which asks lint, agrees too.

mod common;

use std::path::Path;

use common::Project;
use common::catalogue::STEPS;
use migrate::internal::diff::{self, Renames};
use migrate::internal::engine::Engine;
use migrate::internal::load::{self, Model};
use migrate::internal::risk::RiskKind;
use migrate::internal::schema::Schema;
use migrate::internal::sqlite::plan;
use migrate::internal::sqlite::{risk, sql};

fn schema(sql: &str) -> Model {
    load::load_sql(Engine::Sqlite, sql, Path::new("case.sql"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// What the catalogue does not show: virtual tables replaced (rows copied
/// out and back, or refilled from their content table), a unique index over
/// rows, a table dropped under a view.
const MORE: &[(&str, &str, &str)] = &[
    (
        "an FTS5 table gains a column",
        "CREATE VIRTUAL TABLE doc USING fts5(title, body);",
        "CREATE VIRTUAL TABLE doc USING fts5(title, body, tags);",
    ),
    (
        "an external-content FTS5 table changes",
        "CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT, body TEXT);\n\
         CREATE VIRTUAL TABLE post_fts USING fts5(title, content='post', content_rowid='id');",
        "CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT, body TEXT);\n\
         CREATE VIRTUAL TABLE post_fts USING fts5(title, body, content='post', content_rowid='id');",
    ),
    (
        "a unique index on a table with rows",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\nCREATE UNIQUE INDEX ux_a ON t (a);",
    ),
    (
        "a table rebuilt under a view and a trigger",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\nCREATE VIEW v AS SELECT a FROM t;\n\
         CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER);\nCREATE VIEW v AS SELECT a FROM t;\n\
         CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
    ),
];

/// The catalogue's steps as (what, from, to) pairs, base first; `to` keeps
/// its rename hints.
fn catalogue() -> Vec<(String, Schema, Model)> {
    let mut before = "";
    STEPS
        .iter()
        .map(|(id, message, model)| {
            let pair = (
                format!("{id} {message}"),
                schema(before).schema,
                schema(model),
            );
            before = model;
            pair
        })
        .collect()
}

/// Each statement's risk kinds as the planner gave them, and as lint reads
/// them back from the rendered script; the differences, one line each.
fn disagreements(what: &str, from: &Schema, to: &Model) -> Vec<String> {
    let renames = Renames::from_hints(from, &to.schema, &to.hints);
    let m = plan::migration(from, &to.schema, &renames);
    let mut out = Vec::new();
    for (direction, planned) in [("up", &m.up), ("down", &m.down)] {
        let text = plan::render(planned);
        let statements = sql::split_statements(&text);
        let read = risk::section_risks(&text, &statements, 1);
        if statements.len() != planned.len() {
            out.push(format!("{what} {direction}: the script splits otherwise"));
            continue;
        }
        let kinds = |r: &[migrate::internal::risk::Risk]| {
            let mut k: Vec<RiskKind> = r.iter().map(|r| r.kind()).collect();
            k.sort();
            k.dedup();
            k
        };
        for (s, lint) in planned.iter().zip(&read) {
            if kinds(&s.risks) != kinds(lint) {
                out.push(format!(
                    "{what} {direction}: `{}`: plan {:?}, lint {:?}",
                    s.sql,
                    kinds(&s.risks),
                    kinds(lint)
                ));
            }
        }
    }
    out
}

#[test]
fn plan_and_lint_judge_every_statement_alike() {
    let mut wrong = Vec::new();
    for (what, from, to) in catalogue() {
        wrong.extend(disagreements(&what, &from, &to));
    }
    for (what, from, to) in MORE {
        wrong.extend(disagreements(what, &schema(from).schema, &schema(to)));
        wrong.extend(disagreements(what, &schema(to).schema, &schema(from)));
    }
    if let Some(cases) = common::conformance_cases() {
        let mut checked = 0;
        for case in cases {
            let what = format!("{}/{}", case.file, case.name);
            // A case whose SQL this tool does not load is another test's business.
            let (Ok(from), Ok(to)) = (
                load::load_sql(Engine::Sqlite, &case.current, Path::new("current.sql")),
                load::load_sql(Engine::Sqlite, &case.desired, Path::new("desired.sql")),
            ) else {
                continue;
            };
            wrong.extend(disagreements(&what, &from.schema, &to));
            checked += 1;
        }
        assert!(checked >= 60, "only {checked} cases ran");
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn every_planned_statement_names_the_change_it_serves() {
    for (what, from, to) in catalogue() {
        let renames = Renames::from_hints(&from, &to.schema, &to.hints);
        let m = plan::migration(&from, &to.schema, &renames);
        let down_changes = diff::reversed(to.schema.name_rule, &m.changes);
        for (planned, changes) in [(&m.up, &m.changes), (&m.down, &down_changes)] {
            for s in planned.iter() {
                let source = s.source.as_ref();
                assert!(
                    source.is_some_and(|c| changes.contains(c)),
                    "{what}: `{}` serves {source:?}",
                    s.sql
                );
            }
        }
    }
}

/// A column dropped by a table rebuild (SQLite cannot DROP a column a
/// constraint names) loses its data as surely as DROP COLUMN. The planner
/// said so in its review comment; lint read only the SQL (an INSERT ...
/// SELECT without the column) and found nothing destructive. It reads the
/// planner's comment now, and `upgrade` backs up as before.
#[test]
fn a_column_a_rebuild_drops_is_destructive_to_lint_too() {
    let p = Project::with_sql_model(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, UNIQUE (a, b));\n",
    );
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO t VALUES (1, 'x', 'y'), (2, 'z', NULL);",
    );
    p.write(
        "model.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);\n",
    );
    p.autogenerate("drop b", "r1");
    let script = std::fs::read_to_string(p.path("migrations/versions/r1_drop_b.sql")).unwrap();
    assert!(
        script.contains("-- destructive: column t.b and its data are dropped\nINSERT"),
        "{script}"
    );
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("r1 (r1_drop_b.sql): line ")
            && out.contains(": column t.b and its data are dropped"),
        "{out}"
    );
    let (code, _, err) = p.run(&["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("backup: backups/app-"), "{err}");
    assert_eq!(p.count("SELECT count(*) FROM t WHERE a IS NOT NULL"), 2);
}
