//! A PostgreSQL SQL model run regardless of the order its statements are
//! written in: a statement that fails only because something it names does
//! not exist yet (a view before its table, a foreign key to a table created
//! later, an index or `ALTER TABLE` before its table) is set aside and tried
//! again after the others, pass after pass, until a pass makes no progress.
//! sqldef and Atlas accept such models (they sort by dependency); running
//! them in text order refused models that mean one schema.
//!
//! Each statement runs on its own (autocommit), so a failed one leaves
//! nothing behind and does not abort the others. `DROP` is never set aside:
//! run after the rest it would remove what the model creates.

use postgres::Client;
use postgres::error::SqlState;

use crate::postgres::sql;

/// Runs `statements` on `client` (outside a transaction), setting aside the
/// ones that name something missing; the first statement (in text order)
/// still failing when no pass makes progress, with its error.
pub fn run(client: &mut Client, statements: &[&str]) -> Result<(), (usize, postgres::Error)> {
    run_deferring(statements, |s| client.batch_execute(s), names_missing)
}

/// The order-independent loop, apart from any server: `exec` runs one
/// statement, `retry_later` says whether its error may go away once the
/// others have run (and whether the statement may be tried again at all).
pub(crate) fn run_deferring<E>(
    statements: &[&str],
    mut exec: impl FnMut(&str) -> Result<(), E>,
    retry_later: impl Fn(&str, &E) -> bool,
) -> Result<(), (usize, E)> {
    let mut waiting: Vec<(usize, E)> = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        if let Err(e) = exec(s) {
            if !retry_later(s, &e) {
                return Err((i, e));
            }
            waiting.push((i, e));
        }
    }
    while !waiting.is_empty() {
        let before = waiting.len();
        let mut still = Vec::new();
        for (i, _) in waiting {
            if let Err(e) = exec(statements[i]) {
                // A statement set aside may now fail for another reason (a
                // real error once its table exists): that one is final.
                if !retry_later(statements[i], &e) {
                    return Err((i, e));
                }
                still.push((i, e));
            }
        }
        if still.len() == before {
            // No progress: the first one in text order is what to fix.
            return Err(still.remove(0));
        }
        waiting = still;
    }
    Ok(())
}

/// The server says the statement names an object that does not exist (a
/// relation, type, schema, function or column), and it is not a `DROP`.
fn names_missing(statement: &str, e: &postgres::Error) -> bool {
    let missing = e.code().is_some_and(|code| {
        [
            SqlState::UNDEFINED_TABLE,
            SqlState::UNDEFINED_OBJECT,
            SqlState::INVALID_SCHEMA_NAME,
            SqlState::UNDEFINED_FUNCTION,
            SqlState::UNDEFINED_COLUMN,
        ]
        .contains(code)
    });
    missing && !is_drop(statement)
}

/// The statement's first word is `DROP`.
fn is_drop(statement: &str) -> bool {
    sql::tokenize(statement)
        .iter()
        .find(|t| !t.is_trivia())
        .is_some_and(|t| t.is_word("drop"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A fake server: `create X` makes X; `use X` needs X (else "missing
    /// X"); `view X on Y` needs Y and makes X; `bad` always fails for good.
    fn fake(statements: &[&str]) -> (Result<(), (usize, String)>, Vec<String>) {
        let mut made = HashSet::new();
        let mut log = Vec::new();
        let result = run_deferring(
            statements,
            |s| {
                log.push(s.to_string());
                let (verb, what) = s.split_once(' ').unwrap_or((s, ""));
                match verb {
                    "create" => {
                        made.insert(what.to_string());
                        Ok(())
                    }
                    "view" => {
                        let (x, y) = what.split_once(" on ").unwrap();
                        if !made.contains(y) {
                            return Err(format!("missing {y}"));
                        }
                        made.insert(x.to_string());
                        Ok(())
                    }
                    "use" | "drop" if made.contains(what) => Ok(()),
                    "use" | "drop" => Err(format!("missing {what}")),
                    _ => Err("bad".to_string()),
                }
            },
            |s, e| e.starts_with("missing") && !s.starts_with("drop"),
        );
        (result, log)
    }

    #[test]
    fn statements_in_order_run_once_each() {
        let (r, log) = fake(&["create t", "use t"]);
        assert_eq!(r, Ok(()));
        assert_eq!(log, ["create t", "use t"]);
    }

    #[test]
    fn a_statement_before_what_it_names_runs_after_it() {
        let (r, log) = fake(&["use v", "use t", "create v", "create t"]);
        assert_eq!(r, Ok(()));
        assert_eq!(log[4..], ["use v", "use t"]);
    }

    #[test]
    fn chains_resolve_over_several_passes() {
        // `use c` needs c, made by a view that needs b, made by a view
        // that needs a, made last: each pass makes one more.
        let (r, _) = fake(&["use c", "view c on b", "view b on a", "create a"]);
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn what_never_appears_is_the_first_such_statement_in_text_order() {
        let (r, _) = fake(&["use x", "create t", "use y"]);
        assert_eq!(r, Err((0, "missing x".to_string())));
    }

    #[test]
    fn any_other_error_stops_at_once() {
        let (r, log) = fake(&["use t", "bad", "create t"]);
        assert_eq!(r, Err((1, "bad".to_string())));
        assert_eq!(log, ["use t", "bad"]);
    }

    #[test]
    fn a_drop_is_never_put_off() {
        let (r, _) = fake(&["drop t", "create t"]);
        assert_eq!(r, Err((0, "missing t".to_string())));
    }

    #[test]
    fn the_first_word_decides_a_drop() {
        assert!(is_drop("  -- x\n DROP TABLE t"));
        assert!(!is_drop("CREATE VIEW dropped AS SELECT 1"));
    }
}
