//! Fuzzing the PostgreSQL lexer and splitter (`migrate::internal::postgres::sql`):
//! fixed-seed properties (random text never panics; splitting keeps every
//! token and line; splitting then joining keeps every statement) and the
//! committed corpus `tests/corpus/pg_splitter/`; and, with a server and
//! `psql` at hand, the statements are the ones psql itself sends.

mod common;
mod fuzzing;

use std::path::Path;
use std::process::{Command, Stdio};

use fuzzing::{fixed, replay};
use migrate::internal::postgres::sql;
use proptest::prelude::*;

/// Significant tokens, without the `;` that separate statements.
fn significant(text: &str) -> Vec<String> {
    sql::tokenize(text)
        .into_iter()
        .filter(|t| !t.is_trivia() && !t.is_punct(";"))
        .map(|t| t.text.to_string())
        .collect()
}

/// Splitting keeps every significant token in order, and each statement
/// starts on the line it says. When nothing is left open, joining the
/// statements with `;` and splitting again gives the same statements, and
/// each statement alone is one statement (unless a byte-order mark moves).
fn check_split(text: &str) -> Result<(), TestCaseError> {
    let statements = sql::split(text);
    let rejoined: Vec<String> = statements
        .iter()
        .flat_map(|s| significant(&s.sql))
        .collect();
    prop_assert_eq!(rejoined, significant(sql::without_bom(text).1));
    let lines: Vec<&str> = text.split('\n').collect();
    for s in &statements {
        let first = s.sql.split('\n').next().unwrap_or("");
        prop_assert!(
            lines.get(s.line - 1).is_some_and(|l| l.contains(first)),
            "statement {:?} is not on line {}",
            s.sql,
            s.line
        );
    }
    match sql::check(text) {
        Ok(checked) => prop_assert_eq!(&checked, &statements),
        Err(_) => return Ok(()),
    }
    // A byte-order mark is layout only where a text starts (as psql reads
    // it), so a statement starting with one is not the same text alone.
    if text.contains('\u{feff}') {
        return Ok(());
    }
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let joined = texts.join(";\n");
    let again: Vec<String> = sql::split(&joined).into_iter().map(|s| s.sql).collect();
    prop_assert_eq!(&again, &texts);
    for s in &texts {
        let alone: Vec<String> = sql::split(s).into_iter().map(|s| s.sql).collect();
        prop_assert_eq!(alone, vec![s.to_string()]);
    }
    Ok(())
}

/// Pieces of SQL that matter to a PostgreSQL splitter: ends of statements,
/// literals of every kind, dollar quotes and parameters, nested comments,
/// parentheses, routine bodies, line breaks, a BOM.
fn pg_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,4}",
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just(";".to_string()),
        Just("'".to_string()),
        Just("''".to_string()),
        Just("E'".to_string()),
        Just("U&'".to_string()),
        Just("\\".to_string()),
        Just("\"".to_string()),
        Just("$".to_string()),
        Just("$$".to_string()),
        Just("$a$".to_string()),
        Just("$1".to_string()),
        Just("--".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("<-".to_string()),
        Just("CREATE ".to_string()),
        Just("OR REPLACE ".to_string()),
        Just("FUNCTION ".to_string()),
        Just("PROCEDURE ".to_string()),
        Just("BEGIN ".to_string()),
        Just("ATOMIC ".to_string()),
        Just("CASE ".to_string()),
        Just("END".to_string()),
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        Just("1.5e".to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(fixed(512, 1))]

    #[test]
    fn splitting_keeps_every_token_line_and_statement(text in pg_text()) {
        check_split(&text)?;
    }

    #[test]
    fn any_text_splits_without_panic(text in any::<String>()) {
        let _ = sql::check(&text);
        prop_assert_eq!(sql::tokenize(&text).iter().map(|t| t.text).collect::<String>(), text);
    }
}

/// The statements `psql -f` sends for `text` (from its `-L` query log), or
/// `None` when there is no `psql` to ask.
fn psql_statements(url: &str, text: &str) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let (script, log) = (dir.path().join("s.sql"), dir.path().join("log.txt"));
    std::fs::write(&script, text).unwrap();
    let status = Command::new("psql")
        .args(["-X", "-q", "-o", "/dev/null", "-L"])
        .arg(&log)
        .arg("-f")
        .arg(&script)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    assert!(status.code().is_some(), "psql was killed");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    let head = "********* QUERY **********\n";
    let tail = "\n**************************\n";
    Some(
        log.split(head)
            .skip(1)
            .filter_map(|q| q.split_once(tail).map(|(q, _)| q.to_string()))
            .collect(),
    )
}

/// Random scripts split the way psql sends them: the same statements, by
/// their significant tokens (psql keeps a statement's leading comments and
/// sends comment-only statements; neither changes what runs). Backslashes
/// are left out: outside a literal they are psql's own commands.
#[test]
fn statements_are_the_ones_psql_sends() {
    let Some(db) = common::pg::fresh_db("pg_psql_split") else {
        return;
    };
    if Command::new("psql").arg("--version").output().is_err() {
        eprintln!("psql not found: the splitter was not compared with psql");
        return;
    }
    let mut runner = proptest::test_runner::TestRunner::new(fixed(64, 7));
    let scripts = pg_text().prop_filter("no psql commands", |t| !t.contains('\\'));
    runner
        .run(&scripts, |text| {
            if sql::check(&text).is_err() {
                return Ok(());
            }
            let (ours, theirs) = ours_and_psqls(&db.url, &text);
            prop_assert_eq!(ours, theirs, "{:?}", text);
            Ok(())
        })
        .unwrap();
    for (path, text) in fuzzing::corpus("pg_splitter") {
        let (ours, theirs) = ours_and_psqls(&db.url, &text);
        assert_eq!(ours, theirs, "{}", path.display());
    }
}

/// The significant tokens of each statement: as we split `text`, and as
/// psql sends it (leaving out what holds only comments).
fn ours_and_psqls(url: &str, text: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let ours = sql::split(text)
        .iter()
        .map(|s| significant(&s.sql))
        .collect();
    let theirs = psql_statements(url, text)
        .expect("psql runs")
        .iter()
        .map(|q| significant(q))
        .filter(|q| !q.is_empty())
        .collect();
    (ours, theirs)
}

#[test]
fn the_pg_splitter_corpus_replays() {
    replay("pg_splitter", check_split);
}

#[test]
fn the_corpus_splits_where_psql_does() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pg_splitter/01_functions.sql"),
    )
    .unwrap();
    let statements = sql::check(&text).unwrap();
    let starts: Vec<(usize, &str)> = statements
        .iter()
        .map(|s| (s.line, s.sql.lines().next().unwrap_or("")))
        .collect();
    assert_eq!(
        starts,
        [
            (
                2,
                "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $fn$"
            ),
            (
                10,
                "CREATE FUNCTION add(a integer, b integer) RETURNS integer"
            ),
            (15, "CREATE PROCEDURE insert_data(a integer, b integer)"),
            (23, "CALL insert_data(1, 2)")
        ]
    );
}
