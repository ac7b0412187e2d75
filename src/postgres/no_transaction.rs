//! Statements PostgreSQL refuses inside a transaction block, found before
//! anything runs. A transactional revision runs in one transaction with
//! its version rows; one of these statements would fail it halfway (or,
//! for a new enum value used in the same revision, fail at the use), so
//! such a revision is refused up front with the fix: mark it
//! `-- transactional: false`.
//!
//! The list is the server's (`PreventInTransactionBlock` callers), checked
//! statement by statement against a real server in
//! `tests/postgres_no_transaction.rs`.

use crate::error::{Error, Result};
use crate::script::{Direction, Revision};

use super::sql::{self, Kind, Token};

/// Why `stmt` cannot run inside a transaction block, or `None` when it can.
/// Looks at the statement alone; [`enum_value_used_later`] handles the one
/// case that depends on the statements after it.
pub fn why_not_in_transaction(stmt: &str) -> Option<&'static str> {
    let words = words(stmt);
    let at = |i: usize| words.get(i).map_or("", String::as_str);
    let has = |w: &str| words.iter().any(|x| x == w);
    match (at(0), at(1)) {
        ("CREATE", "INDEX") | ("CREATE", "UNIQUE") if has("CONCURRENTLY") => {
            Some("CREATE INDEX CONCURRENTLY")
        }
        ("DROP", "INDEX") if at(2) == "CONCURRENTLY" => Some("DROP INDEX CONCURRENTLY"),
        ("REINDEX", _) if has("CONCURRENTLY") => Some("REINDEX CONCURRENTLY"),
        ("REINDEX", _) if reindexes_many(&words) => Some("REINDEX SCHEMA, DATABASE or SYSTEM"),
        ("VACUUM", _) => Some("VACUUM"),
        ("CLUSTER", _) if clusters_every_table(&words) => Some("CLUSTER without a table"),
        ("CREATE", "DATABASE") => Some("CREATE DATABASE"),
        ("DROP", "DATABASE") => Some("DROP DATABASE"),
        ("ALTER", "DATABASE")
            if words
                .windows(2)
                .any(|w| w[0] == "SET" && w[1] == "TABLESPACE") =>
        {
            Some("ALTER DATABASE ... SET TABLESPACE")
        }
        ("CREATE", "TABLESPACE") => Some("CREATE TABLESPACE"),
        ("DROP", "TABLESPACE") => Some("DROP TABLESPACE"),
        ("ALTER", "SYSTEM") => Some("ALTER SYSTEM"),
        ("ALTER", "TABLE")
            if words
                .windows(2)
                .any(|w| w[0] == "DETACH" && w[1] == "PARTITION")
                && has("CONCURRENTLY") =>
        {
            Some("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")
        }
        ("CREATE", "SUBSCRIPTION") if !without_slot(&words) => {
            Some("CREATE SUBSCRIPTION ... WITH (create_slot = true)")
        }
        ("DROP", "SUBSCRIPTION") => Some("DROP SUBSCRIPTION (with its replication slot)"),
        ("DISCARD", "ALL") => Some("DISCARD ALL"),
        _ => None,
    }
}

/// The statement's words in upper case, and `(`, `)` kept as words so that
/// option lists can be told from names. Other tokens are dropped.
fn words(stmt: &str) -> Vec<String> {
    sql::tokenize(stmt)
        .iter()
        .filter(|t| t.kind == Kind::Word || t.is_punct("(") || t.is_punct(")"))
        .map(|t| t.text.to_ascii_uppercase())
        .collect()
}

/// `REINDEX [(options)] SCHEMA|DATABASE|SYSTEM ...`.
fn reindexes_many(words: &[String]) -> bool {
    after_options(&words[1..])
        .first()
        .is_some_and(|w| matches!(w.as_str(), "SCHEMA" | "DATABASE" | "SYSTEM"))
}

/// `CLUSTER`, `CLUSTER VERBOSE` or `CLUSTER (options)` with no table name.
fn clusters_every_table(words: &[String]) -> bool {
    after_options(&words[1..]).iter().all(|w| w == "VERBOSE")
}

/// `WITH (create_slot = false)` or `WITH (connect = false)` (which implies it).
fn without_slot(words: &[String]) -> bool {
    words.windows(2).any(|w| {
        matches!(w[0].as_str(), "CREATE_SLOT" | "CONNECT")
            && matches!(w[1].as_str(), "FALSE" | "OFF")
    })
}

/// `words` without a leading parenthesized option list.
fn after_options(words: &[String]) -> &[String] {
    if words.first().is_some_and(|w| w == "(") {
        let close = words
            .iter()
            .position(|w| w == ")")
            .unwrap_or(words.len() - 1);
        &words[close + 1..]
    } else {
        words
    }
}

/// The label an `ALTER TYPE ... ADD VALUE [IF NOT EXISTS] 'label'` adds.
pub(crate) fn added_enum_value(stmt: &str) -> Option<String> {
    let tokens: Vec<Token> = sql::tokenize(stmt)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    if !(tokens.first()?.is_word("ALTER") && tokens.get(1)?.is_word("TYPE")) {
        return None;
    }
    let add = tokens
        .windows(2)
        .position(|w| w[0].is_word("ADD") && w[1].is_word("VALUE"))?;
    tokens[add + 2..]
        .iter()
        .find(|t| t.kind == Kind::String)
        .map(|t| string_value(t.text))
}

/// The value of a plain `'...'` literal.
fn string_value(text: &str) -> String {
    let inner = text.strip_prefix('\'').unwrap_or(text);
    let inner = inner.strip_suffix('\'').unwrap_or(inner);
    inner.replace("''", "'")
}

/// For each statement that adds an enum value, the index of the first later
/// statement that names that value as a string literal: the server refuses
/// that use until the value's transaction commits ("unsafe use of new value").
pub fn enum_value_used_later(statements: &[&str]) -> Option<(usize, usize, String)> {
    statements.iter().enumerate().find_map(|(i, stmt)| {
        let label = added_enum_value(stmt)?;
        let literal = format!("'{}'", label.replace('\'', "''"));
        statements[i + 1..]
            .iter()
            .position(|later| {
                sql::tokenize(later)
                    .iter()
                    .any(|t| t.kind == Kind::String && t.text == literal)
            })
            .map(|j| (i, i + 1 + j, label))
    })
}

/// Whether `statements`, in order, can run inside one transaction block:
/// none is one the server refuses there, and no enum value added is used
/// by a later one.
pub fn runs_in_transaction(statements: &[&str]) -> bool {
    !statements
        .iter()
        .any(|s| why_not_in_transaction(s).is_some())
        && enum_value_used_later(statements).is_none()
}

/// Refuses, before any step runs, a transactional revision whose section
/// holds a statement PostgreSQL runs only outside a transaction block.
pub(crate) fn refuse_in_transaction(steps: &[(&Revision, Direction)]) -> Result<()> {
    for (rev, direction) in steps.iter().filter(|(r, _)| r.transactional) {
        let section = rev.section(*direction);
        let statements = sql::split(&section.sql);
        let line = |i: usize| statements[i].line + section.first_line - 1;
        let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
        let found = texts
            .iter()
            .enumerate()
            .find_map(|(i, s)| why_not_in_transaction(s).map(|why| (i, why.to_string())))
            .or_else(|| {
                enum_value_used_later(&texts).map(|(_, use_at, label)| {
                    (
                        use_at,
                        format!(
                            "uses the enum value '{label}' added earlier in the same revision (a new \
                             enum value is usable only once its transaction commits)"
                        ),
                    )
                })
            });
        let Some((i, why)) = found else {
            continue;
        };
        return Err(Error::Refused(format!(
            "revision {} ({}, {} statement {} at line {}): {why} cannot run inside a transaction block, \
             and this revision runs in one. Nothing ran. Add the line `-- transactional: false` to its \
             header (its statements then run one by one, with no rollback), or move this statement into \
             a revision of its own that has that line",
            rev.id,
            rev.path.display(),
            direction.as_str(),
            i + 1,
            line(i)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_that_need_no_transaction_are_named() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "CREATE INDEX CONCURRENTLY i ON t (a)",
                Some("CREATE INDEX CONCURRENTLY"),
            ),
            (
                "create unique index concurrently if not exists i on t (a)",
                Some("CREATE INDEX CONCURRENTLY"),
            ),
            ("CREATE INDEX i ON t (a)", None),
            ("CREATE INDEX concurrently_named ON t (a)", None),
            (
                "DROP INDEX CONCURRENTLY IF EXISTS i",
                Some("DROP INDEX CONCURRENTLY"),
            ),
            ("DROP INDEX i", None),
            ("REINDEX INDEX CONCURRENTLY i", Some("REINDEX CONCURRENTLY")),
            (
                "REINDEX (CONCURRENTLY) TABLE t",
                Some("REINDEX CONCURRENTLY"),
            ),
            ("REINDEX TABLE t", None),
            (
                "REINDEX (VERBOSE) SCHEMA public",
                Some("REINDEX SCHEMA, DATABASE or SYSTEM"),
            ),
            ("VACUUM", Some("VACUUM")),
            ("vacuum (analyze) t", Some("VACUUM")),
            ("ANALYZE t", None),
            ("CLUSTER", Some("CLUSTER without a table")),
            ("CLUSTER VERBOSE", Some("CLUSTER without a table")),
            ("CLUSTER t USING i", None),
            ("CLUSTER (VERBOSE) t", None),
            ("CREATE DATABASE x", Some("CREATE DATABASE")),
            ("DROP DATABASE IF EXISTS x", Some("DROP DATABASE")),
            (
                "ALTER DATABASE x SET TABLESPACE y",
                Some("ALTER DATABASE ... SET TABLESPACE"),
            ),
            ("ALTER DATABASE x SET work_mem = '1MB'", None),
            ("ALTER SYSTEM SET work_mem = '1MB'", Some("ALTER SYSTEM")),
            (
                "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
                Some("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY"),
            ),
            ("ALTER TABLE p DETACH PARTITION c", None),
            ("DISCARD ALL", Some("DISCARD ALL")),
            (
                "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
                Some("CREATE SUBSCRIPTION ... WITH (create_slot = true)"),
            ),
            (
                "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false)",
                None,
            ),
            ("REFRESH MATERIALIZED VIEW CONCURRENTLY mv", None),
            // A word in a literal or comment is not a word of the statement.
            ("SELECT 'VACUUM'", None),
            ("/* VACUUM */ SELECT 1", None),
            ("ALTER TYPE mood ADD VALUE 'meh'", None),
        ];
        for (stmt, want) in cases {
            assert_eq!(why_not_in_transaction(stmt), *want, "{stmt}");
        }
    }

    fn revision(header: &str, up: &str) -> Revision {
        let text = format!(
            "-- revision: abc123\n-- down_revision:\n-- message: m\n-- created: 2026-11-25T13:37:00Z\n{header}\n-- migrate:up\n{up}\n-- migrate:down\nSELECT 1;\n"
        );
        crate::script::parse(
            std::path::Path::new("abc123_m.sql"),
            &text,
            &crate::postgres::dialect::PostgresDialect,
        )
        .unwrap()
    }

    #[test]
    fn a_transactional_revision_with_one_is_refused_naming_its_line() {
        let up = "CREATE TABLE t (a int);\n-- VACUUM;\nCREATE INDEX CONCURRENTLY i\n  ON t (a);";
        let rev = revision("", up);
        let err = refuse_in_transaction(&[(&rev, Direction::Up)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("up statement 2 at line 9"), "{err}");
        assert!(
            err.contains("CREATE INDEX CONCURRENTLY cannot run inside a transaction block"),
            "{err}"
        );
        assert!(
            err.contains("`-- transactional: false`") && err.contains("Nothing ran"),
            "{err}"
        );
        // Marked non-transactional, or run down: nothing to refuse.
        let marked = revision("-- transactional: false", up);
        assert!(refuse_in_transaction(&[(&marked, Direction::Up)]).is_ok());
        assert!(refuse_in_transaction(&[(&rev, Direction::Down)]).is_ok());
        let enum_use = revision(
            "",
            "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE t SET m = 'meh';",
        );
        let err = refuse_in_transaction(&[(&enum_use, Direction::Up)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("statement 2 at line 8") && err.contains("'meh'"),
            "{err}"
        );
    }

    #[test]
    fn a_new_enum_value_is_found_where_it_is_used() {
        let stmts = [
            "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'it''s' BEFORE 'sad'",
            "UPDATE t SET m = 'sad'",
            "UPDATE t SET m = 'it''s' WHERE m = 'sad'",
        ];
        assert_eq!(added_enum_value(stmts[0]).as_deref(), Some("it's"));
        assert_eq!(
            enum_value_used_later(&stmts),
            Some((0, 2, "it's".to_string()))
        );
        assert_eq!(enum_value_used_later(&stmts[..2]), None);
        assert_eq!(
            added_enum_value("ALTER TYPE mood RENAME VALUE 'a' TO 'b'"),
            None
        );
    }
}
