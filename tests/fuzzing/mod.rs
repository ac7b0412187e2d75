//! Shared by the fuzz tests (`tests/fuzz.rs`, `tests/fuzz_splitter.rs`):
//! fixed-seed configs, the committed corpus under `tests/corpus/`, and the
//! splitter's property, which the revision parser's check reuses.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use migrate::internal::sqlite::sql;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Fixed seed and case count: the same inputs on every run and in CI.
pub fn fixed(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// The files of `tests/corpus/<parser>/`, sorted.
pub fn corpus(parser: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(parser);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Runs `check` on every corpus file of `parser`, naming the file that fails.
pub fn replay(parser: &str, check: impl Fn(&str) -> Result<(), TestCaseError>) {
    for (path, text) in corpus(parser) {
        if let Err(e) = check(&text) {
            panic!("{}: {e}", path.display());
        }
    }
}

/// Significant tokens, without the `;` that separate statements.
fn significant(text: &str) -> Vec<String> {
    sql::tokenize(text)
        .into_iter()
        .filter(|t| !t.is_trivia() && !t.is_punct(";"))
        .map(|t| t.text.to_string())
        .collect()
}

/// Splitting then re-joining keeps every significant token, in order, and
/// each statement starts on the line it says.
pub fn check_split(text: &str) -> Result<(), TestCaseError> {
    let split = sql::split(text);
    let rejoined: Vec<String> = split
        .statements
        .iter()
        .flat_map(|s| significant(&s.sql))
        .collect();
    prop_assert_eq!(rejoined, significant(text));
    let lines: Vec<&str> = text.split('\n').collect();
    for s in &split.statements {
        let first = s.sql.split('\n').next().unwrap_or("");
        prop_assert!(
            lines.get(s.line - 1).is_some_and(|l| l.contains(first)),
            "statement {:?} is not on line {}",
            s.sql,
            s.line
        );
    }
    Ok(())
}

/// Pieces of SQL that matter to a splitter: ends of statements, of
/// literals and comments, trigger bodies, line breaks, a BOM.
pub fn sql_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,4}",
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just(";".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("`".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("--".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just("x'".to_string()),
        Just("CREATE ".to_string()),
        Just("TEMP ".to_string()),
        Just("TRIGGER ".to_string()),
        Just("BEGIN ".to_string()),
        Just("END".to_string()),
        Just("EXPLAIN ".to_string()),
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        Just("1.5e".to_string()),
        Just("$".to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// `sqlite3_complete` itself, to check the splitter's state machine against.
pub fn sqlite_complete(text: &str) -> bool {
    let c = std::ffi::CString::new(text).unwrap();
    // SAFETY: a valid NUL-terminated string; sqlite3_complete only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}
