//! One sqldef case judged by the state it reaches, as upstream's runner
//! would if it ran `desired`: `current` in a fresh database (statements
//! retried after the others, standing in for sqldef's dependency sort),
//! `desired` in another as `migrate` loads a SQL model (in any order); both
//! inspected, diffed and planned in-process as autogenerate does; the up
//! applied as upgrade runs it, `pg_dump --schema-only` equal to desired's;
//! the down, equal to current's. One row is seeded in every table that takes
//! `INSERT ... DEFAULT VALUES`, and must be there after the up (tables kept
//! by name) and after the down. When a step fails only because of those
//! rows (a NOT NULL column with no default added to a table with rows) the
//! case is judged again without rows and passes with "rows not kept".

use migrate::internal::diff::{Renames, diff};
use migrate::internal::engine::Engine;
use migrate::internal::plan::Statement;
use migrate::internal::postgres::names::quote_ident;
use migrate::internal::postgres::schemas as pg_schemas;
use migrate::internal::postgres::{inspect, model_order, plan, rename_hints, sql};
use migrate::internal::schema::Schema;

use super::cases::{Case, newer};
use super::dump_order::unordered;
use super::schemas::schemas_named;
use crate::common::pg::{TestDb, fresh_db, schema_dump};

pub enum Outcome {
    /// Reached both states; `rows` says whether the seeded rows were kept.
    Pass {
        rows: bool,
    },
    Fail(String),
    Skip(String),
}

/// Where a judgement stopped: applying a step (rows may be the cause) or elsewhere.
pub struct Failure {
    applying: bool,
    reason: String,
}

fn fail(reason: String) -> Failure {
    Failure {
        applying: false,
        reason,
    }
}

pub fn run(case: &Case, server_version: &str) -> Outcome {
    if let Some(v) = case
        .min_version
        .as_deref()
        .filter(|v| newer(v, server_version))
    {
        return Outcome::Skip(format!(
            "needs PostgreSQL {v}, the server is {server_version}"
        ));
    }
    if case.error.is_some() {
        return Outcome::Skip("upstream expects psqldef to refuse: no state to judge".into());
    }
    match judge(case, true) {
        Ok(()) => Outcome::Pass { rows: true },
        Err(f) if f.applying => match judge(case, false) {
            Ok(()) => Outcome::Pass { rows: false },
            Err(f) => Outcome::Fail(f.reason),
        },
        Err(f) => Outcome::Fail(f.reason),
    }
}

fn judge(case: &Case, seed_rows: bool) -> Result<(), Failure> {
    let options = inspect::Options {
        schemas: case_schemas(case),
        ..Default::default()
    };
    let (want_up, to) = {
        let des = database(case, "d");
        run_model(&des, &case.desired, &options.schemas)
            .map_err(|e| fail(format!("desired does not load as a model: {e}")))?;
        let to = inspect::inspect(&mut des.client(), &options)
            .map_err(|e| fail(format!("inspecting desired: {e}")))?;
        (schema_dump(&des, &[]), to)
    };
    let cur = database(case, "c");
    run_with_retries(&cur, &case.current)
        .map_err(|e| fail(format!("current does not run on PostgreSQL: {e}")))?;
    let from = inspect::inspect(&mut cur.client(), &options)
        .map_err(|e| fail(format!("inspecting current: {e}")))?;
    let (mut hints, _) = rename_hints::read(&case.desired);
    hints.retain_tables(|t| to.table(t).is_some());
    let renames = Renames::from_hints(&from, &to, &hints);
    let m = plan::migration_of(&from, &to, diff(&from, &to, &renames));
    let seeded = if seed_rows { seed(&cur, &from) } else { vec![] };
    let want_down = schema_dump(&cur, &[]);
    apply(&cur, &m.up).map_err(|e| Failure {
        applying: !seeded.is_empty(),
        reason: format!("up fails: {e}"),
    })?;
    same("up", &want_up, &schema_dump(&cur, &[]))?;
    // Only the tables both sides have keep rows: the down recreates a
    // table the up dropped, empty.
    let kept: Vec<(String, i64)> = seeded
        .into_iter()
        .filter(|(t, _)| to.table(t).is_some())
        .collect();
    rows_kept(&cur, &kept, "up")?;
    apply(&cur, &m.down).map_err(|e| Failure {
        applying: !kept.is_empty(),
        reason: format!("down fails: {e}"),
    })?;
    same("down", &want_down, &schema_dump(&cur, &[]))?;
    rows_kept(&cur, &kept, "down")
}

/// A fresh database for the case; for a `user` case, with the schema `foo`
/// first on the search path, as upstream's role has it.
fn database(case: &Case, side: &str) -> TestDb {
    let db = fresh_db(&format!("sq{side}")).expect("the server is there");
    if case.user {
        db.client()
            .batch_execute(&format!(
                "ALTER DATABASE {} SET search_path TO foo, public; CREATE SCHEMA foo",
                quote_ident(&db.name)
            ))
            .expect("set up the user's schema");
    }
    db
}

/// `text` as a SQL model loads with `[database] schemas = schemas`: the
/// schemas made first and on the `search_path`, a `CREATE SCHEMA` of one let
/// be, statement by statement, a statement naming what a later one creates
/// run after it ([`model_order`]), stopping at the first real error.
fn run_model(db: &TestDb, text: &str, schemas: &[String]) -> Result<(), String> {
    let mut client = db.client();
    pg_schemas::create_all(&mut client, schemas).map_err(|e| e.to_string())?;
    pg_schemas::set_search_path(&mut client, schemas).map_err(|e| e.to_string())?;
    let texts: Vec<String> = sql::split(text)
        .into_iter()
        .map(|s| pg_schemas::tolerant_create_schema(&s.sql).unwrap_or(s.sql))
        .collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    model_order::run(&mut client, &texts).map_err(|(i, e)| error_in(&e, texts[i]))
}

/// The schemas a case is run with, as a user of it would configure
/// `[database] schemas`: upstream's runner manages every schema, so the
/// list is the default one (`foo, public` for a `user` case) and then each
/// schema the case's texts create or qualify a name with.
fn case_schemas(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = match case.user {
        true => vec!["foo".into(), "public".into()],
        false => vec!["public".into()],
    };
    for text in [&case.current, &case.desired] {
        for s in schemas_named(text) {
            if !out.contains(&s) && s != "pg_catalog" {
                out.push(s);
            }
        }
    }
    out
}

/// `text` statement by statement; the ones that fail are tried again after
/// the others, up to three rounds.
fn run_with_retries(db: &TestDb, text: &str) -> Result<(), String> {
    let mut client = db.client();
    let mut left: Vec<String> = sql::split(text).into_iter().map(|s| s.sql).collect();
    let mut error = None;
    for _ in 0..3 {
        let before = left.len();
        let mut failed = Vec::new();
        error = None;
        for s in left {
            if let Err(e) = client.batch_execute(&s) {
                error.get_or_insert_with(|| error_in(&e, &s));
                failed.push(s);
            }
        }
        if failed.is_empty() || failed.len() == before {
            break;
        }
        left = failed;
    }
    error.map_or(Ok(()), Err)
}

/// The plan as upgrade runs it: in one transaction, or statement by
/// statement when it holds one that cannot run in a transaction.
fn apply(db: &TestDb, statements: &[Statement]) -> Result<(), String> {
    let mut client = db.client();
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    if !Engine::Postgres.plan_runs_in_transaction(&texts) {
        for s in texts {
            client.batch_execute(s).map_err(|e| error_in(&e, s))?;
        }
        return Ok(());
    }
    let mut tx = client.transaction().map_err(|e| e.to_string())?;
    for s in texts {
        tx.batch_execute(s).map_err(|e| error_in(&e, s))?;
    }
    tx.commit().map_err(|e| e.to_string())
}

fn error_in(e: &postgres::Error, statement: &str) -> String {
    let message = e
        .as_db_error()
        .map_or(e.to_string(), |d| d.message().to_string());
    format!("{message} (in: {})", one_line(statement, 100))
}

fn one_line(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &flat[..i]),
        None => flat,
    }
}

/// One row in every table that takes one with its defaults: (table, rows).
fn seed(db: &TestDb, schema: &Schema) -> Vec<(String, i64)> {
    let mut client = db.client();
    schema
        .tables
        .iter()
        .filter(|t| {
            let insert = format!("INSERT INTO {} DEFAULT VALUES", quote_ident(&t.name));
            client.batch_execute(&insert).is_ok()
        })
        .map(|t| (t.name.clone(), 1))
        .collect()
}

/// The seeded rows are all there after `step`.
fn rows_kept(db: &TestDb, seeded: &[(String, i64)], step: &str) -> Result<(), Failure> {
    let mut client = db.client();
    for (table, rows) in seeded {
        let count: i64 = client
            .query_one(&format!("SELECT count(*) FROM {}", quote_ident(table)), &[])
            .map_err(|e| fail(format!("counting {table}'s rows after the {step}: {e}")))?
            .get(0);
        if count != *rows {
            return Err(fail(format!(
                "the {step} lost rows of {table}: {count} of {rows}"
            )));
        }
    }
    Ok(())
}

/// The two dumps are equal but for the order of each table's columns and
/// of the statements, or the failure names the first lines that differ.
pub fn same(step: &str, want: &str, got: &str) -> Result<(), Failure> {
    let (want, got) = (&unordered(want), &unordered(got));
    if want == got {
        return Ok(());
    }
    let want_lines: Vec<&str> = want.lines().collect();
    let got_lines: Vec<&str> = got.lines().collect();
    let missing: Vec<&str> = want_lines
        .iter()
        .filter(|l| !got_lines.contains(l))
        .take(2)
        .map(|l| l.trim())
        .collect();
    let extra: Vec<&str> = got_lines
        .iter()
        .filter(|l| !want_lines.contains(l))
        .take(2)
        .map(|l| l.trim())
        .collect();
    let what = if missing.is_empty() && extra.is_empty() {
        "the same lines in another order".to_string()
    } else {
        format!("missing {missing:?}, extra {extra:?}")
    };
    let target = if step == "up" { "desired" } else { "current" };
    Err(fail(format!(
        "after the {step}, pg_dump differs from {target}'s: {}",
        one_line(&what, 160)
    )))
}
