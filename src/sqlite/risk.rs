//! The one classifier of what SQLite statements risk ([`Risk`]): from their
//! text, in the context of their script section (a `DROP TABLE` whose rows a
//! rebuild copied first is a rebuild, not a loss), and from the review
//! comments the planner wrote above them. The planner runs its statements
//! through [`classify`] too, so a generated script, lint's reading of it and
//! `upgrade`'s backup decision agree by construction; a hand-written
//! statement without a comment is judged by its text alone.

use crate::risk::{self, Risk};
use crate::sqlite::names::same_name;
use crate::sqlite::sql::{self, Kind, display_name};

/// The significant tokens of a statement: upper-cased words for matching,
/// and the original text for names.
pub(crate) fn tokens(stmt: &str) -> Vec<(String, String)> {
    sql::tokenize(stmt)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .map(|t| {
            let word = if t.kind == Kind::Word {
                t.text.to_ascii_uppercase()
            } else {
                t.text.to_string()
            };
            (word, t.ident().unwrap_or_else(|| t.text.to_string()))
        })
        .collect()
}

/// The significant words of a statement, upper-cased, without trivia.
pub(crate) fn words(stmt: &str) -> Vec<String> {
    tokens(stmt).into_iter().map(|(w, _)| w).collect()
}

/// The risks of each statement of one script section, read from its text.
pub(crate) fn classify(statements: &[&str]) -> Vec<Vec<Risk>> {
    let mut kept = rebuilt_tables(statements);
    let parsed: Vec<sql::Statement> = statements
        .iter()
        .map(|s| sql::Statement {
            sql: s.to_string(),
            line: 0,
        })
        .collect();
    kept.extend(replaced_without_loss(&parsed));
    // Tables this section creates (or renames a created one into): an index
    // made on one meets no rows that were there before.
    let mut fresh: Vec<String> = Vec::new();
    statements
        .iter()
        .map(|s| {
            let t = tokens(s);
            let word = |i: usize| t.get(i).map(|(w, _)| w.as_str()).unwrap_or("");
            let name = |i: usize| t.get(i).map(|(_, n)| n.to_ascii_lowercase());
            match (word(0), word(1)) {
                ("CREATE", "TABLE") => fresh.extend(name(if word(2) == "IF" { 5 } else { 2 })),
                ("ALTER", "TABLE")
                    if word(3) == "RENAME"
                        && word(4) == "TO"
                        && name(2).is_some_and(|n| fresh.contains(&n)) =>
                {
                    fresh.extend(name(5));
                }
                _ => {}
            }
            text_risks(&t, &kept, &fresh)
        })
        .collect()
}

/// The risks of each statement of a section as written in a revision file:
/// its text, and the review comments directly above it.
pub fn section_risks(
    section: &str,
    statements: &[sql::Statement],
    first_line: usize,
) -> Vec<Vec<Risk>> {
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let lines: Vec<&str> = section.lines().collect();
    classify(&texts)
        .into_iter()
        .zip(statements)
        .map(|(mut risks, stmt)| {
            risk::merge(&mut risks, review_comments(&lines, stmt, first_line));
            risks
        })
        .collect()
}

/// The risks each statement's review comments state, as written (where
/// [`section_risks`] keeps one risk of each kind, this keeps the comment's
/// own: a PostgreSQL plan's carries its pre-count query).
pub(crate) fn section_review_risks(
    section: &str,
    statements: &[sql::Statement],
    first_line: usize,
) -> Vec<Vec<Risk>> {
    let lines: Vec<&str> = section.lines().collect();
    statements
        .iter()
        .map(|stmt| review_comments(&lines, stmt, first_line))
        .collect()
}

/// The risks written as `-- ` comments on the lines right above a statement
/// that begins its line (as `plan::render` writes them).
fn review_comments(lines: &[&str], stmt: &sql::Statement, first_line: usize) -> Vec<Risk> {
    let Some(at) = stmt.line.checked_sub(first_line) else {
        return vec![];
    };
    let first = stmt.sql.lines().next().unwrap_or("").trim();
    if lines
        .get(at)
        .is_none_or(|l| !l.trim_start().starts_with(first))
    {
        return vec![];
    }
    let mut out: Vec<Risk> = lines[..at]
        .iter()
        .rev()
        .map_while(|l| l.trim_start().strip_prefix("--"))
        .filter_map(Risk::from_comment)
        .collect();
    out.reverse();
    out
}

/// What one statement (its significant tokens) risks by its text; `kept`
/// are the tables of the section whose rows are carried across a drop
/// (rebuilt or replaced), `fresh` the tables it created so far.
fn text_risks(t: &[(String, String)], kept: &[String], fresh: &[String]) -> Vec<Risk> {
    let word = |i: usize| t.get(i).map(|(w, _)| w.as_str()).unwrap_or("");
    let name = |i: usize| t.get(i).map(|(_, n)| n.as_str()).unwrap_or("");
    if moves_sequence_row(t) {
        return vec![];
    }
    let risk = match (word(0), word(1)) {
        ("DROP", "TABLE") => {
            let table = if word(2) == "IF" { name(4) } else { name(2) };
            if kept.contains(&table.to_ascii_lowercase()) {
                let what = if table.starts_with("_migrate_copy_") {
                    "the copy goes once its rows are back"
                } else {
                    "dropped to be replaced; its rows are carried across"
                };
                Risk::Rebuild(format!("{}: {what}", display_name(table)))
            } else {
                Risk::Destructive(format!("drops table {table}"))
            }
        }
        ("DELETE", _) => Risk::Destructive("deletes rows".into()),
        ("UPDATE", _) => Risk::Destructive("rewrites rows".into()),
        ("REPLACE", _) => Risk::Destructive("replaces rows".into()),
        ("ALTER", "TABLE") if word(3) == "DROP" => Risk::Destructive(format!(
            "drops column {}.{}",
            name(2),
            if word(4) == "COLUMN" {
                name(5)
            } else {
                name(4)
            }
        )),
        ("CREATE", "UNIQUE") if word(2) == "INDEX" => {
            let on = t
                .iter()
                .position(|(w, _)| w == "ON")
                .map_or("", |i| name(i + 1));
            if fresh.contains(&on.to_ascii_lowercase()) {
                return vec![];
            }
            Risk::DataDependent(format!(
                "fails if {} has duplicate values for this unique index",
                display_name(on)
            ))
        }
        // SQLite tests an added column's CHECK against every row.
        ("ALTER", "TABLE") if word(3) == "ADD" && t.iter().any(|(w, _)| w == "CHECK") => {
            Risk::DataDependent("fails if a row violates the new column's CHECK".into())
        }
        _ => return vec![],
    };
    vec![risk]
}

/// A rebuild's bookkeeping of AUTOINCREMENT's high-water mark (see
/// `plan::rebuild::keep_sequence`): it writes `sqlite_sequence` only, never user rows.
pub(crate) fn moves_sequence_row(t: &[(String, String)]) -> bool {
    let table = match t.first().map(|(w, _)| w.as_str()) {
        Some("DELETE") => t.get(2),
        Some("UPDATE") => t.get(1),
        _ => None,
    };
    table.is_some_and(|(w, _)| w == "SQLITE_SEQUENCE")
}

/// Tables a section rebuilds: dropped, then replaced by a renamed copy.
fn rebuilt_tables(statements: &[&str]) -> Vec<String> {
    statements
        .iter()
        .filter_map(|s| {
            let t = tokens(s);
            let is_rename = t.len() >= 6
                && t[0].0 == "ALTER"
                && t[1].0 == "TABLE"
                && t[3].0 == "RENAME"
                && t[4].0 == "TO";
            is_rename.then(|| t[5].1.to_ascii_lowercase())
        })
        .collect()
}

/// Virtual tables that a script section drops and fills again without loss:
/// refilled with `'rebuild'`, or copied back through `_migrate_copy_<name>`
/// with every column that was copied out; and those copy tables themselves.
/// Their `DROP TABLE` is not a loss. A `'rebuild'` counts only as the FTS
/// command itself, `INSERT INTO x(x) VALUES('rebuild')`, on a table the
/// section dropped and then created again as a virtual table: any other
/// INSERT mentioning 'rebuild' says nothing about what the drop lost.
pub(crate) fn replaced_without_loss(statements: &[sql::Statement]) -> Vec<String> {
    let mut out = Vec::new();
    let mut copied_out: Vec<(String, usize)> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    let mut recreated: Vec<String> = Vec::new();
    for stmt in statements {
        let toks: Vec<_> = sql::tokenize(&stmt.sql)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        let word = |i: usize| toks.get(i).map(|t| t.text.to_ascii_uppercase());
        let name = |i: usize| toks.get(i).and_then(|t| t.ident());
        let copy_table = toks
            .iter()
            .filter_map(|t| t.ident())
            .find_map(|n| n.strip_prefix("_migrate_copy_").map(str::to_string));
        match (word(0).as_deref(), word(1).as_deref()) {
            (Some("CREATE"), Some("TABLE")) if copy_table.is_some() => {
                let copied = copy_table.unwrap_or_default();
                out.push(format!("_migrate_copy_{}", copied.to_ascii_lowercase()));
                copied_out.push((copied, selected_columns(&toks)));
            }
            (Some("DROP"), Some("TABLE")) => {
                let at = if word(2).as_deref() == Some("IF") {
                    4
                } else {
                    2
                };
                dropped.extend(name(at).map(|n| n.to_ascii_lowercase()));
            }
            (Some("CREATE"), Some("VIRTUAL")) => {
                let at = if word(3).as_deref() == Some("IF") {
                    6
                } else {
                    3
                };
                let created = name(at).map(|n| n.to_ascii_lowercase());
                recreated.extend(created.filter(|n| dropped.contains(n)));
            }
            (Some("INSERT"), Some("INTO")) => {
                let target = name(2).unwrap_or_default();
                let key = target.to_ascii_lowercase();
                let whole_copy = copy_table.as_deref().is_some_and(|c| {
                    same_name(c, &target)
                        && copied_out
                            .iter()
                            .any(|(n, cols)| same_name(n, c) && *cols == selected_columns(&toks))
                });
                if whole_copy || (recreated.contains(&key) && is_fts_rebuild(&toks, &target)) {
                    out.push(key);
                }
            }
            _ => {}
        }
    }
    out
}

/// The number of result columns of the statement's first SELECT (its
/// commas up to FROM, or to the end when there is no FROM).
fn selected_columns(toks: &[sql::Token]) -> usize {
    let Some(select) = toks.iter().position(|t| t.is_word("SELECT")) else {
        return 0;
    };
    let from = toks[select..]
        .iter()
        .position(|t| t.is_word("FROM"))
        .map_or(toks.len(), |i| select + i);
    toks[select..from]
        .iter()
        .filter(|t| t.is_punct(","))
        .count()
        + 1
}

/// Exactly `INSERT INTO x(x) VALUES('rebuild')` (an optional `;`).
fn is_fts_rebuild(toks: &[sql::Token], target: &str) -> bool {
    let toks = match toks.last() {
        Some(t) if t.is_punct(";") => &toks[..toks.len() - 1],
        _ => toks,
    };
    let [_, _, _, open, col, close, values, open2, text, close2] = toks else {
        return false;
    };
    open.is_punct("(")
        && col.ident().is_some_and(|c| same_name(&c, target))
        && close.is_punct(")")
        && values.is_word("VALUES")
        && open2.is_punct("(")
        && text.kind == Kind::String
        && sql::unquote(text.text).eq_ignore_ascii_case("rebuild")
        && close2.is_punct(")")
}
