//! Fuzzing the lexer and splitter (issue 12): fixed-seed properties checked
//! against `sqlite3_complete` itself, the work it takes (linear, counted,
//! never timed), and the committed corpus `tests/corpus/splitter/`.

mod fuzzing;

use fuzzing::{check_split, fixed, replay, sql_text, sqlite_complete};
use migrate::internal::sqlite::sql;
use proptest::prelude::*;

proptest! {
    #![proptest_config(fixed(512, 1))]

    #[test]
    fn splitting_keeps_every_token_and_line(text in sql_text()) {
        check_split(&text)?;
    }

    /// Every statement but the last ends where SQLite says a statement ends,
    /// and none earlier.
    #[test]
    fn statements_end_where_sqlite_says(text in sql_text()) {
        let statements = sql::split(&text).statements;
        for s in statements.iter().rev().skip(1) {
            let stmt = format!("{};", s.sql);
            prop_assert!(sqlite_complete(&stmt), "split at an incomplete statement: {:?}", stmt);
        }
        // And no `;` inside a statement ends it for SQLite.
        for s in &statements {
            for t in sql::tokenize(&s.sql).iter().filter(|t| t.is_punct(";")) {
                let prefix = &s.sql[..=t.offset];
                prop_assert!(!sqlite_complete(prefix), "SQLite ends a statement at {:?}", prefix);
            }
        }
    }
}

#[test]
fn splitting_is_linear_after_a_trigger_without_end() {
    let script = |n: usize| {
        let mut s = String::from("CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n");
        for i in 0..n {
            s.push_str(&format!("UPDATE t SET a = {i};\n"));
        }
        s
    };
    let (small, large) = (sql::split(&script(4_000)), sql::split(&script(8_000)));
    assert_eq!(small.unterminated_trigger, Some(1));
    assert_eq!(large.statements.len(), 1);
    // Twice the input, about twice the work (never the square).
    assert!(
        large.work <= 2 * small.work + 16,
        "{} then {}",
        small.work,
        large.work
    );
}

#[test]
fn the_splitter_corpus_replays() {
    replay("splitter", check_split);
}
