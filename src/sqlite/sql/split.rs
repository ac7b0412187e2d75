//! Scripts to statements, the way SQLite reads them: one pass over the
//! tokens of [`crate::sqlite::sql::tokenize`], ending a statement where
//! `sqlite3_complete` would (a `;` inside a literal, a comment or a trigger
//! body does not end one).

use super::{Kind, Token, tokenize};
pub(crate) use crate::statement::Statement;

/// A script split into statements, with what the splitter noticed on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub statements: Vec<Statement>,
    /// The line where a `CREATE TRIGGER` starts whose body never reaches
    /// `END;`: it swallowed every statement after it.
    pub unterminated_trigger: Option<usize>,
    /// Tokens the splitter looked at: linear in the input, so tests can
    /// check that splitting never rescans (counting work, never timing it).
    pub work: usize,
}

/// Splits a script into statements the way SQLite would read them: a `;`
/// inside a literal, a comment or a trigger body does not end a statement.
/// Statements that are only comments are dropped.
pub fn split_statements(src: &str) -> Vec<Statement> {
    split(src).statements
}

/// [`split_statements`] with the splitter's findings. One pass over the
/// tokens: where a statement ends is decided by [`Completeness`], the state
/// machine of `sqlite3_complete`, fed token by token (calling
/// `sqlite3_complete` on the text so far at every `;` was quadratic after a
/// trigger without `END`).
pub fn split(src: &str) -> Split {
    let mut out = Vec::new();
    // Offset and line of the current statement's first significant token,
    // and the end of its last one: trailing comments stay out of the text
    // (a `;` written after it must never land inside a `--` comment).
    let mut first: Option<(usize, usize)> = None;
    let mut last_end = 0;
    let mut state = Completeness::Start;
    let mut line = 1;
    let mut work = 0;
    for tok in tokenize(src) {
        work += 1;
        if first.is_none() && !tok.is_trivia() && !tok.is_punct(";") {
            first = Some((tok.offset, line));
        }
        line += tok.text.bytes().filter(|b| *b == b'\n').count();
        state = state.next(&tok);
        if state == Completeness::Start && tok.is_punct(";") {
            // A complete statement (or an empty one, with no first token).
            if let Some((offset, line)) = first.take() {
                out.push(Statement {
                    sql: src[offset..last_end].to_string(),
                    line,
                });
            }
        } else if !tok.is_trivia() {
            last_end = tok.offset + tok.text.len();
        }
    }
    let unterminated_trigger = match (first, state) {
        (Some((_, line)), Completeness::Trigger | Completeness::Semi) => Some(line),
        _ => None,
    };
    if let Some((offset, line)) = first {
        out.push(Statement {
            sql: src[offset..last_end].to_string(),
            line,
        });
    }
    Split {
        statements: out,
        unterminated_trigger,
        work,
    }
}

/// The states of SQLite's `sqlite3_complete` (complete.c): a `;` ends a
/// statement only when it leads back to `Start`; inside `CREATE [TEMP]
/// TRIGGER` only the `;` after `END` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Completeness {
    Start,
    Normal,
    Explain,
    Create,
    Trigger,
    Semi,
    End,
}

impl Completeness {
    /// complete.c's transition table, row by row (columns: `;`, whitespace
    /// or comment, other, EXPLAIN, CREATE, TEMP, TRIGGER, END).
    fn next(self, tok: &Token) -> Completeness {
        use Completeness::*;
        const TABLE: [[Completeness; 8]; 7] = [
            [
                Start, Start, Normal, Explain, Create, Normal, Normal, Normal,
            ],
            [
                Start, Normal, Normal, Normal, Normal, Normal, Normal, Normal,
            ],
            [
                Start, Explain, Explain, Normal, Create, Normal, Normal, Normal,
            ],
            [
                Start, Create, Normal, Normal, Normal, Create, Trigger, Normal,
            ],
            [
                Semi, Trigger, Trigger, Trigger, Trigger, Trigger, Trigger, Trigger,
            ],
            [Semi, Semi, Trigger, Trigger, Trigger, Trigger, Trigger, End],
            [
                Start, End, Trigger, Trigger, Trigger, Trigger, Trigger, Trigger,
            ],
        ];
        let column = if tok.is_trivia() {
            1
        } else if tok.is_punct(";") {
            0
        } else if tok.kind != Kind::Word {
            2
        } else {
            match tok.text.to_ascii_lowercase().as_str() {
                "explain" => 3,
                "create" => 4,
                "temp" | "temporary" => 5,
                "trigger" => 6,
                "end" => 7,
                _ => 2,
            }
        };
        TABLE[self as usize][column]
    }
}
