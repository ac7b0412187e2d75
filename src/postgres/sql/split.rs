//! Scripts to statements, the way `psql` sends them: one pass over the
//! tokens of [`crate::postgres::sql::tokenize`]. A `;` ends a statement
//! unless it is inside a literal or comment (the lexer's job), inside
//! parentheses (a rule's `DO (a; b)`), or inside the `BEGIN ATOMIC ... END`
//! body of a SQL-standard `CREATE [OR REPLACE] FUNCTION|PROCEDURE`, which
//! psql (`psqlscan.l`) recognises by the same heuristic as here: after such
//! a start, at parenthesis depth 0, `BEGIN` opens a block, `CASE` inside a
//! block opens one too (it also ends with `END`), and `END` closes one.

use std::fmt;

use super::{Kind, Token, tokenize, without_bom};

pub(crate) use crate::statement::Statement;

/// A script that cannot be split as written: the source ends inside a
/// literal, a quoted name, a comment, a dollar quote, a parenthesis or a
/// function body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// What is left open, as a reader names it (`a dollar-quoted string $fn$`).
    pub what: String,
    /// The 1-based line where it opens.
    pub line: usize,
    /// What closes it.
    pub closer: String,
}

impl SplitError {
    /// What is wrong and what to do, without the line (for messages that
    /// place the line themselves, as `file:line:`).
    pub fn advice(&self) -> String {
        format!(
            "{} is never closed, so every statement after it would be part of it; add the closing {}",
            self.what, self.closer
        )
    }
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.advice())
    }
}

impl std::error::Error for SplitError {}

/// Splits a script into statements the way psql would send them.
/// Statements that are only comments are dropped; trailing comments stay
/// out of a statement's text. Never fails: whatever is left open runs to
/// the end (see [`check`] for the error).
pub fn split(src: &str) -> Vec<Statement> {
    scan(src).0
}

/// The script's statements, or the line where something opens and never
/// closes (a string, a quoted name, a comment, a dollar quote, a
/// parenthesis, a `BEGIN ATOMIC` body). Call it before running a section.
pub fn check(src: &str) -> Result<Vec<Statement>, SplitError> {
    match scan(src) {
        (statements, None) => Ok(statements),
        (_, Some(open)) => Err(open),
    }
}

/// The statements and what was left open at the end.
fn scan(src: &str) -> (Vec<Statement>, Option<SplitError>) {
    let mut out = Vec::new();
    // Offset and line of the current statement's first significant token,
    // and the end of its last one.
    let mut first: Option<(usize, usize)> = None;
    let mut last_end = 0;
    let mut state = Depth::default();
    let mut line = 1;
    let mut open = None;
    let (bom, text) = without_bom(src);
    for mut tok in tokenize(text) {
        tok.offset += bom;
        if first.is_none() && !tok.is_trivia() && !tok.is_punct(";") {
            first = Some((tok.offset, line));
        }
        if !tok.closed {
            open = Some(unclosed(&tok, line));
        }
        line += tok.text.bytes().filter(|b| *b == b'\n').count();
        if tok.is_punct(";") && state.at_top() {
            if let Some((offset, line)) = first.take() {
                out.push(Statement {
                    sql: src[offset..last_end].to_string(),
                    line,
                });
            }
            state = Depth::default();
        } else if !tok.is_trivia() {
            state.next(&tok, line);
            last_end = tok.offset + tok.text.len();
        }
    }
    if let Some((offset, start)) = first {
        open = open.or_else(|| state.unclosed());
        out.push(Statement {
            sql: src[offset..last_end].to_string(),
            line: start,
        });
    }
    (out, open)
}

/// What an open token is, and what would close it.
fn unclosed(tok: &Token, line: usize) -> SplitError {
    let (what, closer) = match tok.kind {
        Kind::QuotedIdent => ("a quoted name".to_string(), "\"".to_string()),
        Kind::BlockComment => ("a /* comment".to_string(), "*/".to_string()),
        Kind::DollarString => {
            let tag_len = tok.text[1..].find('$').map_or(1, |p| p + 2);
            let tag = &tok.text[..tag_len];
            (format!("a dollar-quoted string {tag}"), tag.to_string())
        }
        _ => ("a string literal".to_string(), "'".to_string()),
    };
    SplitError { what, line, closer }
}

/// psql's state for one statement: parenthesis depth, `BEGIN`/`CASE` depth
/// of a SQL-standard function body (each with the line where its outermost
/// one opened), and which of its first four words were CREATE, OR, REPLACE,
/// FUNCTION, PROCEDURE (by first letter, as psql keeps them).
#[derive(Debug, Default)]
struct Depth {
    paren: usize,
    paren_line: usize,
    begin: usize,
    begin_line: usize,
    words: usize,
    start: [u8; 4],
}

impl Depth {
    /// Whether a `;` here ends the statement.
    fn at_top(&self) -> bool {
        self.paren == 0 && self.begin == 0
    }

    /// A parenthesis or function body still open at the end of the script.
    fn unclosed(&self) -> Option<SplitError> {
        let (what, line, closer) = if self.paren > 0 {
            ("a parenthesis", self.paren_line, ")")
        } else if self.begin > 0 {
            ("a BEGIN ATOMIC function body", self.begin_line, "END;")
        } else {
            return None;
        };
        Some(SplitError {
            what: what.to_string(),
            line,
            closer: closer.to_string(),
        })
    }

    /// `tok`, a significant token other than a separating `;`, which ends on `line`.
    fn next(&mut self, tok: &Token, line: usize) {
        if tok.is_punct("(") {
            if self.paren == 0 {
                self.paren_line = line;
            }
            self.paren += 1;
        } else if tok.is_punct(")") {
            self.paren = self.paren.saturating_sub(1);
        } else if tok.kind == Kind::Word {
            if self.begin == 0 {
                self.begin_line = line;
            }
            self.word(&tok.text.to_ascii_lowercase());
        }
    }

    fn word(&mut self, word: &str) {
        if self.words < self.start.len()
            && matches!(word, "create" | "or" | "replace" | "function" | "procedure")
        {
            self.start[self.words] = word.as_bytes()[0];
        }
        self.words += 1;
        let routine = matches!(
            self.start,
            [b'c', b'f' | b'p', ..] | [b'c', b'o', b'r', b'f' | b'p']
        );
        if !routine || self.paren > 0 {
            return;
        }
        match word {
            "begin" => self.begin += 1,
            "case" if self.begin > 0 => self.begin += 1,
            "end" => self.begin = self.begin.saturating_sub(1),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(String, usize)> {
        split(src).into_iter().map(|s| (s.sql, s.line)).collect()
    }

    #[test]
    fn tricky_scripts_split_as_psql_sends_them() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            ("select 1; select 2", &[("select 1", 1), ("select 2", 1)]),
            (
                "select 'a;b';\n-- c;\nselect 2; -- tail",
                &[("select 'a;b'", 1), ("select 2", 3)],
            ),
            (
                "select E'\\';';select 1",
                &[("select E'\\';'", 1), ("select 1", 1)],
            ),
            (
                "select \"a;\"\"b\";;;\n\n;select 1",
                &[("select \"a;\"\"b\"", 1), ("select 1", 3)],
            ),
            ("/* a /* ; */ ; */ select 1;", &[("select 1", 1)]),
            (
                "create function f() returns int as $body$ begin; return 1; end $body$ language plpgsql;\nselect f();",
                &[
                    (
                        "create function f() returns int as $body$ begin; return 1; end $body$ language plpgsql",
                        1,
                    ),
                    ("select f()", 2),
                ],
            ),
            (
                "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3;",
                &[
                    (
                        "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND",
                        1,
                    ),
                    ("SELECT 3", 6),
                ],
            ),
            (
                "create procedure p() begin atomic insert into t values (1); end;\nbegin;\ncommit;",
                &[
                    (
                        "create procedure p() begin atomic insert into t values (1); end",
                        1,
                    ),
                    ("begin", 2),
                    ("commit", 3),
                ],
            ),
            // BEGIN outside a routine is a transaction, not a block.
            (
                "begin; select 1; end;",
                &[("begin", 1), ("select 1", 1), ("end", 1)],
            ),
            (
                "create rule r as on insert to t do also (insert into a values (1); insert into b values (2));",
                &[(
                    "create rule r as on insert to t do also (insert into a values (1); insert into b values (2))",
                    1,
                )],
            ),
            (
                "select $1; select a$$b; select 2",
                &[("select $1", 1), ("select a$$b", 1), ("select 2", 1)],
            ),
            ("-- only a comment\n", &[]),
            // psql skips a byte-order mark opening the text.
            ("\u{feff}select 1", &[("select 1", 1)]),
        ];
        for (src, want) in cases {
            let want: Vec<(String, usize)> =
                want.iter().map(|(s, l)| (s.to_string(), *l)).collect();
            assert_eq!(texts(src), want, "{src}");
            assert!(check(src).is_ok(), "{src}");
        }
    }

    #[test]
    fn whatever_is_left_open_is_an_error_naming_its_line() {
        let cases = [
            (
                "select 1;\nselect 'abc;\nselect 2;",
                "a string literal",
                2,
                "'",
            ),
            ("select 1;\n\nselect E'it\\'s;", "a string literal", 3, "'"),
            ("select \"x;", "a quoted name", 1, "\""),
            ("select 1; /* a /* b */\nselect 2;", "a /* comment", 1, "*/"),
            (
                "select 1;\ncreate function f() as $fn$ select $$;",
                "a dollar-quoted string $fn$",
                2,
                "$fn$",
            ),
            (
                "\ncreate function f() returns int\nbegin atomic select 1;",
                "a BEGIN ATOMIC function body",
                3,
                "END;",
            ),
            (
                "select 1;\nselect (1,\n(2);\nselect 3;",
                "a parenthesis",
                2,
                ")",
            ),
        ];
        for (src, what, line, closer) in cases {
            let err = check(src).unwrap_err();
            assert_eq!(
                (err.what.as_str(), err.line, err.closer.as_str()),
                (what, line, closer),
                "{src}"
            );
            assert!(err.to_string().contains(&format!("line {line}")), "{err}");
        }
    }
}
