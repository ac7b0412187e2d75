//! Issue 17 item 1: sqldef's psqldef cases (`../shared/conformance/sqldef-postgres/`,
//! MIT) on the real PostgreSQL server, judged by the state each reaches
//! (`pg_dump --schema-only`), up and back down, with rows (see
//! `conformance_postgres/run.rs` for what one case does). The cases expected
//! to fail are listed, each with its reason, in
//! `tests/conformance/postgres-expected.txt`: the test fails when a case
//! not listed fails and when a listed one passes (take it off the list).
//!
//! It prints the per-file table (for the README). Knobs:
//! `MIGRATE_CONFORMANCE_JOBS` (parallel cases, default 4),
//! `MIGRATE_CONFORMANCE_ONLY` (run only the case names holding this text, or
//! one of these comma-separated texts;
//! the list is then checked only for them), `MIGRATE_CONFORMANCE_WRITE=1`
//! (rewrite the expectations file from this run, reasons included).

mod common;

#[path = "conformance_postgres/cases.rs"]
mod cases;
#[path = "conformance_postgres/dump_order.rs"]
mod dump_order;
#[path = "conformance_postgres/run.rs"]
mod run;
#[path = "conformance_postgres/schemas.rs"]
mod schemas;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use cases::{Case, IN_SCOPE, OUT_OF_SCOPE};
use common::{absent, conformance_dir, pg, say};
use run::Outcome;

const EXPECTED: &str = "tests/conformance/postgres-expected.txt";

#[test]
fn sqldef_postgres_cases_reach_desired_and_come_back() {
    let Some(dir) = conformance_dir() else {
        absent(
            "sqldef PostgreSQL cases not found (set MIGRATE_CONFORMANCE_DIR, or put a \
             shared/conformance folder beside the clone); the conformance run was skipped",
        );
        return;
    };
    let Some(admin) = pg::server_url() else {
        return;
    };
    let version = server_version(&admin);
    let only = std::env::var("MIGRATE_CONFORMANCE_ONLY").ok();
    let cases: Vec<Case> = case_files(&dir.join("sqldef-postgres"))
        .iter()
        .flat_map(|p| cases::read_file(p))
        .filter(|c| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|part| c.name.contains(part)))
        })
        .collect();
    let started = Instant::now();
    let outcomes = run_all(&cases, &version);
    let elapsed = started.elapsed();
    say(&table(&cases, &outcomes, &version, elapsed.as_secs()));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    if std::env::var("MIGRATE_CONFORMANCE_WRITE").is_ok_and(|v| v == "1") {
        std::fs::write(&path, expectations(&cases, &outcomes)).expect("write expectations");
        return;
    }
    let expected = read_expected(&path);
    let problems = compare(&cases, &outcomes, &expected, only.is_none());
    assert!(
        problems.is_empty(),
        "{} case(s) differ from {EXPECTED}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The judge ignores column order and statement order, as upstream's does
/// (see `run::unordered`), and nothing else.
#[test]
fn the_judge_ignores_column_and_statement_order_only() {
    let dump = |body: &str| {
        format!("CREATE TABLE public.users (\n{body}\n);\n\nALTER TABLE ONLY public.users")
    };
    let want = dump("    id bigint NOT NULL,\n    name text");
    let same = |got: &str| run::same("down", &want, &dump(got)).is_ok();
    assert!(same("    id bigint NOT NULL,\n    name text"));
    assert!(same("    name text,\n    id bigint NOT NULL"));
    assert!(!same("    name text"), "a column missing");
    assert!(
        !same("    name text,\n    id integer NOT NULL"),
        "another type"
    );
    assert!(
        !same("    id bigint NOT NULL,\n    name text,\n    x int"),
        "a column more"
    );
    // Statements follow the columns' order (COMMENT ON COLUMN), or another
    // order pg_dump chose: the same statements, whole, are the same schema.
    let a = "COMMENT ON COLUMN public.t.a IS 'a';\n\nCOMMENT ON COLUMN public.t.b IS 'b';";
    let b = "COMMENT ON COLUMN public.t.b IS 'b';\n\nCOMMENT ON COLUMN public.t.a IS 'a';";
    assert!(run::same("up", a, b).is_ok());
    let enum_a = "CREATE TYPE public.e AS ENUM (\n    'x',\n    'y'\n);";
    let enum_b = "CREATE TYPE public.e AS ENUM (\n    'y',\n    'x'\n);";
    assert!(
        run::same("up", enum_a, enum_b).is_err(),
        "lines inside a statement keep their order"
    );
}

/// A clone without `../shared` says so and passes; under CI it fails.
#[test]
fn without_the_cases_ci_fails_saying_so() {
    let (passed, out) = common::rerun_without_data(
        "sqldef_postgres_cases_reach_desired_and_come_back",
        "MIGRATE_CONFORMANCE_DIR",
    );
    assert!(
        !passed && out.contains("sqldef PostgreSQL cases not found") && out.contains("CI is set"),
        "{out}"
    );
}

/// The in-scope `tests_*.yml` files, sorted; every file found must be known.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| cases::short_name(p).is_some())
        .collect();
    files.sort();
    for p in &files {
        let name = cases::short_name(p).unwrap();
        assert!(
            IN_SCOPE.contains(&name.as_str()) || OUT_OF_SCOPE.iter().any(|(f, _)| *f == name),
            "{}: a case file neither in scope nor listed as out of scope, with its reason",
            p.display()
        );
    }
    files.retain(|p| IN_SCOPE.contains(&cases::short_name(p).unwrap().as_str()));
    assert_eq!(
        files.len(),
        IN_SCOPE.len(),
        "an in-scope case file is missing"
    );
    files
}

fn server_version(admin: &str) -> String {
    let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("reach the server");
    let row = client
        .query_one("SHOW server_version", &[])
        .expect("version");
    let text: String = row.get(0);
    text.split_whitespace().next().unwrap_or("").to_string()
}

/// Every case, on `MIGRATE_CONFORMANCE_JOBS` threads (each case has its own
/// databases, so they share nothing); the outcomes in the cases' order.
fn run_all(cases: &[Case], version: &str) -> Vec<Outcome> {
    let jobs: usize = std::env::var("MIGRATE_CONFORMANCE_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(4);
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let outcome = run::run(case, version);
                    outcomes.lock().unwrap()[i] = Some(outcome);
                }
            });
        }
    });
    outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.expect("every case ran"))
        .collect()
}

/// The per-file table, in the README's Markdown.
fn table(cases: &[Case], outcomes: &[Outcome], version: &str, secs: u64) -> String {
    // file -> (cases, skipped, passed, passed without rows)
    let mut per_file: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for (case, outcome) in cases.iter().zip(outcomes) {
        let row = per_file.entry(case.file.as_str()).or_default();
        row[0] += 1;
        match outcome {
            Outcome::Skip(_) => row[1] += 1,
            Outcome::Pass { rows } => {
                row[2] += 1;
                row[3] += usize::from(!rows);
            }
            Outcome::Fail(_) => {}
        }
    }
    let mut out = format!(
        "sqldef PostgreSQL cases on PostgreSQL {version}, {secs} s:\n\
         | file | cases | skipped | passed | % of run | passed without rows |\n|---|---|---|---|---|---|\n"
    );
    let mut total = [0; 4];
    let mut line = |name: &str, r: [usize; 4]| {
        let run = r[0] - r[1];
        let pct = if run == 0 {
            100.0
        } else {
            100.0 * r[2] as f64 / run as f64
        };
        out.push_str(&format!(
            "| {name} | {} | {} | {} | {pct:.1} | {} |\n",
            r[0], r[1], r[2], r[3]
        ));
    };
    for (file, r) in &per_file {
        line(&format!("`tests_{file}.yml`"), *r);
        for k in 0..4 {
            total[k] += r[k];
        }
    }
    line("**total**", total);
    for (case, outcome) in cases.iter().zip(outcomes) {
        if let Outcome::Skip(why) = outcome {
            out.push_str(&format!("skipped: {} ({}): {why}\n", case.name, case.file));
        }
    }
    for (file, why) in OUT_OF_SCOPE {
        out.push_str(&format!("not run: `tests_{file}.yml`: {why}\n"));
    }
    out
}

/// `name: reason` lines, `#` comments; the cases expected to fail.
fn read_expected(path: &Path) -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, why) = l.split_once(':').unwrap_or((l, ""));
            (name.trim().to_string(), why.trim().to_string())
        })
        .collect()
}

/// The expectations file this run would write.
fn expectations(cases: &[Case], outcomes: &[Outcome]) -> String {
    let mut out = String::from(
        "# sqldef PostgreSQL cases expected to fail (tests/conformance_postgres.rs), one a line:\n\
         # `CaseName: why`. A listed case that passes fails the test: take it off the list.\n",
    );
    let mut file = "";
    for (case, outcome) in cases.iter().zip(outcomes) {
        if let Outcome::Fail(why) = outcome {
            if case.file != file {
                file = &case.file;
                out.push_str(&format!("\n# tests_{file}.yml\n"));
            }
            out.push_str(&format!("{}: {}\n", case.name, why.replace('\n', " ")));
        }
    }
    out
}

/// What differs from the list: failures not listed, listed cases that pass,
/// and (on a full run) listed names that are no case.
fn compare(
    cases: &[Case],
    outcomes: &[Outcome],
    expected: &BTreeMap<String, String>,
    full: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (case, outcome) in cases.iter().zip(outcomes) {
        let listed = expected.contains_key(&case.name);
        match outcome {
            Outcome::Fail(why) if !listed => problems.push(format!(
                "FAILS (not listed): {} ({}): {why}",
                case.name, case.file
            )),
            Outcome::Pass { .. } if listed => problems.push(format!(
                "PASSES now, take it off the list: {} ({})",
                case.name, case.file
            )),
            _ => {}
        }
    }
    if full {
        for name in expected.keys() {
            if !cases.iter().any(|c| &c.name == name) {
                problems.push(format!("listed but no such case: {name}"));
            }
        }
    }
    problems
}
