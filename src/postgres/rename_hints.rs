//! The `-- @renamed from=old` hints of a PostgreSQL SQL model, read from the
//! model's text: the catalog keeps no comments of a `CREATE TABLE` (SQLite's
//! schema table does, see [`crate::sqlite::parse::rename_hint`]). The same
//! placement rule as SQLite's: a hint before the first column belongs to
//! the table, any other to the column whose definition it follows. Names
//! are folded as the server folds them (unquoted to lower case).

use crate::postgres::names;
use crate::postgres::sql::{self, Kind, Token};
use crate::schema::{NameRule, RenameHints};

/// The hints of `text`, and the `@renamed` comments that name nothing
/// readable (`from=`, `from=1abc`), for a warning.
pub fn read(text: &str) -> (RenameHints, Vec<String>) {
    let mut hints = RenameHints::default();
    let mut unreadable = Vec::new();
    for stmt in sql::split(text) {
        if !stmt.sql.contains("@renamed") {
            continue;
        }
        let tokens = sql::tokenize(&stmt.sql);
        let Some(table) = created_table(&tokens) else {
            continue;
        };
        for (at, comment) in comments(&tokens[table.open..]) {
            let Some(from) = hint(comment) else {
                unreadable.push(comment.trim().to_string());
                continue;
            };
            let at = table.open + at;
            match table.columns.iter().rposition(|(start, _)| *start < at) {
                None => hints.set_table(NameRule::Exact, &table.name, &from),
                Some(i) => {
                    hints.set_column(NameRule::Exact, &table.name, &table.columns[i].1, &from)
                }
            }
        }
    }
    (hints, unreadable)
}

/// The old name in a `@renamed from=old` comment, folded; `None` when the
/// comment gives none.
pub(crate) fn hint(comment: &str) -> Option<String> {
    let rest = crate::schema::renamed_from_text(comment)?;
    let tokens = sql::tokenize(rest);
    let tok = tokens.first()?;
    match tok.kind {
        Kind::Word if !tok.text.starts_with(|c: char| c.is_ascii_digit()) => names::ident(tok),
        Kind::QuotedIdent => names::ident(tok),
        _ => None,
    }
}

/// A `CREATE TABLE` statement: its name, the index of its `(`, and each
/// column's first token index with the column's name.
struct Created {
    name: String,
    open: usize,
    columns: Vec<(usize, String)>,
}

/// `CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE [IF NOT EXISTS]
/// [schema.]name (`, read from its tokens; `None` for any other statement.
fn created_table(tokens: &[Token]) -> Option<Created> {
    let words: Vec<(usize, &Token)> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_trivia())
        .collect();
    let mut w = words.iter().peekable();
    w.next().filter(|(_, t)| t.is_word("create"))?;
    let skip = ["global", "local", "temp", "temporary", "unlogged"];
    while w
        .peek()
        .is_some_and(|(_, t)| skip.iter().any(|k| t.is_word(k)))
    {
        w.next();
    }
    w.next().filter(|(_, t)| t.is_word("table"))?;
    if w.peek().is_some_and(|(_, t)| t.is_word("if")) {
        w.nth(2)?; // IF NOT EXISTS
    }
    let mut name = names::ident(w.next()?.1)?;
    while w.peek().is_some_and(|(_, t)| t.is_punct(".")) {
        w.next();
        name = names::ident(w.next()?.1)?;
    }
    let (open, _) = w.next().filter(|(_, t)| t.is_punct("("))?;
    Some(Created {
        name,
        open: *open,
        columns: columns(tokens, *open),
    })
}

/// Key words that start a table constraint or a `LIKE`, not a column.
const NOT_COLUMNS: [&str; 7] = [
    "constraint",
    "primary",
    "unique",
    "check",
    "foreign",
    "exclude",
    "like",
];

/// The columns between the `(` at `open` and its `)`: the first token of
/// each item at depth one, when it names a column.
fn columns(tokens: &[Token], open: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut item_start = true;
    for (i, tok) in tokens.iter().enumerate().skip(open) {
        if tok.is_trivia() {
            continue;
        }
        if tok.is_punct("(") {
            depth += 1;
            if depth == 1 {
                item_start = true;
                continue;
            }
        } else if tok.is_punct(")") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                break;
            }
        } else if depth == 1 && tok.is_punct(",") {
            item_start = true;
            continue;
        }
        if item_start && depth == 1 {
            item_start = false;
            if !NOT_COLUMNS.iter().any(|k| tok.is_word(k))
                && let Some(name) = names::ident(tok)
            {
                out.push((i, name));
            }
        }
    }
    out
}

/// The `@renamed` comments of `tokens`, with their indices.
fn comments<'a>(tokens: &'a [Token]) -> impl Iterator<Item = (usize, &'a str)> {
    tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, Kind::LineComment | Kind::BlockComment))
        .filter(|(_, t)| t.text.contains("@renamed"))
        .map(|(i, t)| (i, t.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_column_hints_by_place_with_names_folded() {
        let (hints, bad) = read(
            "-- @renamed from=nothing (not in a table)\n\
             CREATE TABLE Users ( -- @renamed from=\"User Accounts\"\n\
               id int,\n\
               user_name text, -- @renamed from=UserName\n\
               CONSTRAINT u UNIQUE (user_name),\n\
               age numeric(3, 0) /* @renamed from=years */\n\
             );\n\
             CREATE UNLOGGED TABLE IF NOT EXISTS public.t (a int -- @renamed from=\n);",
        );
        assert_eq!(hints.table(NameRule::Exact, "users"), Some("User Accounts"));
        assert_eq!(
            hints.column(NameRule::Exact, "users", "user_name"),
            Some("username")
        );
        assert_eq!(hints.column(NameRule::Exact, "users", "age"), Some("years"));
        assert_eq!(bad, vec!["-- @renamed from=".to_string()]);
    }

    #[test]
    fn other_statements_and_plain_comments_give_nothing() {
        let (hints, bad) = read(
            "CREATE VIEW v AS SELECT 1; -- @renamed from=w\nCREATE TABLE t (a int); -- renamed",
        );
        assert_eq!(hints, RenameHints::default());
        assert!(bad.is_empty());
    }
}
