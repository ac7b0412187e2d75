//! What a changed table will hold, as one query over the table as it is now.
//! The data pre-checks of [`crate::lint`] count offending rows in it, so that
//! a CHECK, UNIQUE or NOT NULL naming a column the live table does not have
//! yet (a new column, a renamed one) is checked against what that column will
//! hold instead of failing with `no such column` on the old table.
//!
//! Each new column's value is, in order: the revision's own copy expression
//! (a rebuild's `INSERT [OR ABORT] INTO <new> (cols) SELECT exprs FROM <old>`, the new
//! table then renamed to the table's name), the old column a `RENAME COLUMN`
//! names, the old column of the same name, or else the column's default
//! (NULL without one), as SQLite fills a column an `INSERT` leaves out.

use crate::schema::Table;
use crate::sqlite::ddl::default_expr;
use crate::sqlite::names::same_name;
use crate::sqlite::sql::{self, Kind, Token, quote_ident};

/// What one section says about where new columns' values come from.
#[derive(Debug, Default)]
pub(crate) struct Copies {
    /// (table name after the section, [(column, expression over the old table)])
    copies: Vec<(String, Vec<(String, String)>)>,
    /// (table, old column, new column) from `ALTER TABLE t RENAME COLUMN`.
    renames: Vec<(String, String, String)>,
}

impl Copies {
    /// Reads the copy statements and column renames of a section.
    pub(crate) fn of(statements: &[sql::Statement]) -> Copies {
        let mut out = Copies::default();
        // (temporary table, columns and expressions) until it is renamed.
        let mut pending: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for stmt in statements {
            let toks: Vec<Token> = sql::tokenize(&stmt.sql)
                .into_iter()
                .filter(|t| !t.is_trivia())
                .collect();
            if let Some(copy) = insert_select(&stmt.sql, &toks) {
                pending.push(copy);
                continue;
            }
            let word = |i: usize| toks.get(i).map_or("", |t| t.text);
            let name = |i: usize| toks.get(i).and_then(Token::ident).unwrap_or_default();
            if !(toks.len() >= 6 && toks[0].is_word("ALTER") && toks[1].is_word("TABLE")) {
                continue;
            }
            if toks[3].is_word("RENAME") && toks[4].is_word("TO") {
                if let Some(at) = pending.iter().position(|(t, _)| same_name(t, &name(2))) {
                    let (_, columns) = pending.remove(at);
                    out.copies.push((name(5), columns));
                }
            } else if toks[3].is_word("RENAME") {
                // RENAME [COLUMN] old TO new
                let at = if word(4).eq_ignore_ascii_case("COLUMN") {
                    5
                } else {
                    4
                };
                if toks.get(at + 1).is_some_and(|t| t.is_word("TO")) {
                    out.renames.push((name(2), name(at), name(at + 2)));
                }
            }
        }
        out
    }

    /// `(SELECT <value> AS <column>, ... FROM <old table>)`: the rows `to`
    /// will hold, computed from the live table `from`.
    pub(crate) fn new_rows(&self, from: &Table, to: &Table) -> String {
        let copy = self
            .copies
            .iter()
            .find(|(t, _)| same_name(t, &to.name))
            .map(|(_, c)| c.as_slice())
            .unwrap_or_default();
        let renamed_from = |col: &str| {
            self.renames.iter().find_map(|(t, old, new)| {
                ((same_name(t, &to.name) || same_name(t, &from.name)) && same_name(new, col))
                    .then_some(old.as_str())
            })
        };
        let mut values = Vec::new();
        let mut generated = Vec::new();
        for col in &to.columns {
            let name = quote_ident(&col.name);
            if let Some(g) = &col.generated {
                generated.push(format!("({}) AS {name}", g.expr));
                continue;
            }
            let value = if let Some((_, expr)) = copy.iter().find(|(c, _)| same_name(c, &col.name))
            {
                expr.clone()
            } else if let Some(old) = renamed_from(&col.name).and_then(|o| from.column(o)) {
                quote_ident(&old.name)
            } else if let Some(old) = from.column(&col.name) {
                quote_ident(&old.name)
            } else {
                col.default
                    .as_deref()
                    .map_or("NULL".to_string(), default_expr)
            };
            values.push(format!("{value} AS {name}"));
        }
        let base = format!(
            "(SELECT {} FROM {})",
            values.join(", "),
            quote_ident(&from.name)
        );
        if generated.is_empty() {
            base
        } else {
            // Generated columns are expressions over their row's other columns.
            format!("(SELECT *, {} FROM {base})", generated.join(", "))
        }
    }
}

/// `INSERT [OR ...] INTO t (a, b) SELECT x, y FROM ...` as (t, [(a, "x"), (b, "y")]).
fn insert_select(src: &str, toks: &[Token]) -> Option<(String, Vec<(String, String)>)> {
    if !toks.first()?.is_word("INSERT") {
        return None;
    }
    // `INSERT OR ABORT INTO` (a rebuild of a table with conflict clauses):
    // the resolution says nothing about where values come from.
    let or = if toks.get(1)?.is_word("OR") { 2 } else { 0 };
    let toks = toks.get(or..)?;
    if !(toks.len() > 5 && toks[1].is_word("INTO")) {
        return None;
    }
    let table = toks[2].ident()?;
    if !toks[3].is_punct("(") {
        return None;
    }
    let close = toks.iter().position(|t| t.is_punct(")"))?;
    let columns: Vec<String> = toks[4..close]
        .iter()
        .filter(|t| !t.is_punct(","))
        .filter_map(Token::ident)
        .collect();
    if !toks.get(close + 1)?.is_word("SELECT") {
        return None;
    }
    let exprs = select_list(src, &toks[close + 2..]);
    (exprs.len() == columns.len()).then(|| (table, columns.into_iter().zip(exprs).collect()))
}

/// The expressions of a select list, as written, up to its `FROM`.
fn select_list(src: &str, toks: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<&Token> = None;
    let mut last: Option<&Token> = None;
    let text = |a: &Token, b: &Token| src[a.offset..b.offset + b.text.len()].to_string();
    for t in toks {
        let ends = depth == 0 && (t.is_punct(",") || t.is_word("FROM"));
        if ends {
            if let (Some(a), Some(b)) = (start, last) {
                out.push(text(a, b));
            }
            start = None;
            if t.is_word("FROM") {
                return out;
            }
            continue;
        }
        if t.kind == Kind::Punct {
            match t.text {
                "(" => depth += 1,
                ")" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        start.get_or_insert(t);
        last = Some(t);
    }
    vec![]
}

/// Runs a data check's count on the live database. `None` when SQLite
/// could not run it as phrased (its generic error code, such as a column an
/// earlier pending revision renames): the caller skips such a check rather
/// than fail a valid revision.
pub(crate) fn count(live: &rusqlite::Connection, sql: &str) -> rusqlite::Result<Option<i64>> {
    match live.query_row(sql, [], |r| r.get(0)) {
        Ok(rows) => Ok(Some(rows)),
        // rusqlite reports an error found while preparing as SqlInputError
        // (with the offset), one found while stepping as SqliteFailure.
        Err(
            rusqlite::Error::SqliteFailure(f, _) | rusqlite::Error::SqlInputError { error: f, .. },
        ) if f.code == rusqlite::ErrorCode::Unknown => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_rebuild_copy_and_its_rename() {
        let statements = sql::split_statements(
            "CREATE TABLE \"_migrate_new_t\" (a, b);\n\
             INSERT INTO \"_migrate_new_t\" (rowid, a, \"b\") SELECT rowid, IFNULL(x, (1, 2)), y FROM t;\n\
             DROP TABLE t;\nALTER TABLE \"_migrate_new_t\" RENAME TO t;\n\
             ALTER TABLE u RENAME COLUMN p TO q",
        );
        let c = Copies::of(&statements);
        assert_eq!(
            c.copies,
            vec![(
                "t".to_string(),
                vec![
                    ("rowid".to_string(), "rowid".to_string()),
                    ("a".to_string(), "IFNULL(x, (1, 2))".to_string()),
                    ("b".to_string(), "y".to_string()),
                ]
            )]
        );
        assert_eq!(c.renames, vec![("u".into(), "p".into(), "q".into())]);
    }

    #[test]
    fn reads_a_copy_that_says_or_abort() {
        let statements = sql::split_statements(
            "INSERT OR ABORT INTO _migrate_new_t (a) SELECT x FROM t;\n\
             ALTER TABLE _migrate_new_t RENAME TO t",
        );
        let c = Copies::of(&statements);
        assert_eq!(
            c.copies,
            vec![("t".to_string(), vec![("a".to_string(), "x".to_string())])]
        );
    }
}
