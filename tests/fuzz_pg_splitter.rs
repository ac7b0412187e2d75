//! Fuzzing the PostgreSQL lexer and splitter (`migrate::postgres::sql`):
//! fixed-seed properties (random text never panics; splitting keeps every
//! token and line; splitting then joining keeps every statement) and the
//! committed corpus `tests/corpus/pg_splitter/`.

mod fuzzing;

use fuzzing::{fixed, replay};
use migrate::postgres::sql;
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
/// each statement alone is one statement.
fn check_split(text: &str) -> Result<(), TestCaseError> {
    let statements = sql::split(text);
    let rejoined: Vec<String> = statements
        .iter()
        .flat_map(|s| significant(&s.sql))
        .collect();
    prop_assert_eq!(rejoined, significant(text));
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

#[test]
fn the_pg_splitter_corpus_replays() {
    replay("pg_splitter", check_split);
}

#[test]
fn the_corpus_splits_where_psql_does() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus/pg_splitter/01_functions.sql"),
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
