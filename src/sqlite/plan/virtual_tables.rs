//! Virtual-table changes as statements (drop, create, and the refill or copy
//! that keeps the rows), and the reverse reading lint needs: which drops in a
//! script section are followed by a refill that loses nothing.

use super::serving;
use crate::diff::{Change, ColumnChange};
use crate::plan::Statement;
use crate::risk::Risk;
use crate::schema::Table;
use crate::sqlite::names::same_name;
use crate::sqlite::sql::{display_name, quote_ident};

use crate::sqlite::virtual_table::{SqliteObjects, VirtualTable};

fn statement(sql: String, risks: Vec<Risk>) -> Statement {
    Statement {
        risks,
        ..Statement::plain(sql)
    }
}

/// Statements for the virtual tables that go: before any table is created
/// (a table may take the name).
pub(super) fn plan_drops(changes: &[Change]) -> Vec<Statement> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::DropVirtualTable(v) => Some(serving(
                c,
                [statement(
                    format!("DROP TABLE {}", quote_ident(&v.name)),
                    vec![Risk::Destructive(format!(
                        "drops virtual table {} and every row in it",
                        display_name(&v.name)
                    ))],
                )],
            )),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Statements for the virtual tables that come or change: after every table
/// exists in its final shape (an external-content table is refilled from
/// its content table) and before views and triggers that use them.
pub(super) fn plan_creates(changes: &[Change]) -> Vec<Statement> {
    let mut out = Vec::new();
    for c in changes {
        match c {
            Change::AddVirtualTable(v) => {
                let mut made = vec![statement(v.sql.clone(), vec![])];
                if v.external_content().is_some() {
                    made.push(statement(rebuild(v), vec![]));
                }
                out.extend(serving(c, made));
            }
            Change::ReplaceVirtualTable { from, to } => out.extend(serving(c, replace(from, to))),
            _ => {}
        }
    }
    out
}

/// Rebuilt content tables whose rows may come out with other rowids: the
/// external-content FTS tables that find rows by rowid are refilled. (A
/// rebuild copies the rowid, or the INTEGER PRIMARY KEY that is the rowid, so
/// this is only when that key is new or goes; `content_rowid = 'col'` finds
/// rows by a column's values, which the copy keeps.)
pub(super) fn refills_after_rebuilds(
    to: &SqliteObjects,
    changes: &[Change],
    rebuilt: &[(&Table, &Table, &Vec<ColumnChange>)],
) -> Vec<Statement> {
    let rowids_kept = |from: &Table, to: &Table, columns: &[ColumnChange]| {
        let plain = |t: &Table| !t.sqlite().without_rowid && t.rowid_alias().is_none();
        let alias_added = to.rowid_alias().is_some_and(|a| {
            columns
                .iter()
                .any(|c| matches!(c, ColumnChange::Add(col) if same_name(&col.name, &a)))
        });
        (plain(from) && plain(to))
            || (from.rowid_alias().is_some() && to.rowid_alias().is_some() && !alias_added)
    };
    let planned = |v: &VirtualTable| {
        changes.iter().any(|c| match c {
            Change::AddVirtualTable(a) | Change::ReplaceVirtualTable { to: a, .. } => {
                same_name(&a.name, &v.name)
            }
            _ => false,
        })
    };
    to.virtual_tables
        .iter()
        .filter(|v| !planned(v) && v.option("content_rowid").is_none())
        .filter(|v| {
            let Some(content) = v.external_content() else {
                return false;
            };
            rebuilt.iter().any(|(from, to, columns)| {
                same_name(&to.name, &content) && !rowids_kept(from, to, columns)
            })
        })
        .map(|v| {
            noted(
                statement(rebuild(v), vec![]),
                format!(
                    "{} gets new rowids in its rebuild: {} is refilled from it",
                    display_name(&v.external_content().unwrap_or_default()),
                    display_name(&v.name)
                ),
            )
        })
        .collect()
}

/// `INSERT INTO t(t) VALUES ('rebuild')`: FTS reads the content table again.
fn rebuild(v: &VirtualTable) -> String {
    let name = quote_ident(&v.name);
    format!("INSERT INTO {name}({name}) VALUES ('rebuild')")
}

/// The table that holds the rows while the virtual table is replaced; in the
/// main schema, so that `--sql` output and lint read it like any table.
fn copy_name(v: &VirtualTable) -> String {
    quote_ident(&format!("_migrate_copy_{}", v.name))
}

/// Drop and create, with the rows carried across as far as they can be.
// Long: one case per way of carrying the rows (refill from content, copy out and back, nothing to
// carry), each with its note.
fn replace(from: &VirtualTable, to: &VirtualTable) -> Vec<Statement> {
    let name = quote_ident(&to.name);
    let drop = format!("DROP TABLE {}", quote_ident(&from.name));
    let note = format!(
        "replace virtual table {}: SQLite cannot alter one; it is dropped and created",
        display_name(&to.name)
    );
    if to.external_content().is_some() {
        return vec![
            noted(statement(drop, vec![]), note),
            statement(to.sql.clone(), vec![]),
            statement(rebuild(to), vec![]),
        ];
    }
    let kept: Vec<&String> = from
        .columns
        .iter()
        .filter(|c| to.columns.iter().any(|n| same_name(n, c)))
        .collect();
    let lost: Vec<&String> = from
        .columns
        .iter()
        .filter(|c| !to.columns.iter().any(|n| same_name(n, c)))
        .collect();
    if from.contentless() || kept.is_empty() {
        let why = if from.contentless() {
            "it is contentless, its rows cannot be read back"
        } else {
            "no column is kept"
        };
        let risk = Risk::Destructive(format!(
            "drops virtual table {} and every row in it ({why})",
            display_name(&from.name)
        ));
        return vec![
            noted(statement(drop, vec![risk]), note),
            statement(to.sql.clone(), vec![]),
        ];
    }
    // FTS rows keep their rowid (an application may join on it); other
    // modules (R*Tree) hold their key in the first column.
    let rowid = from.is_fts() && to.is_fts();
    let source: Vec<String> = from.columns.iter().map(|c| quote_ident(c)).collect();
    let targets: Vec<String> = kept.iter().map(|c| quote_ident(c)).collect();
    let (out_cols, in_cols, values) = if rowid {
        (
            format!("rowid AS _migrate_rowid, {}", source.join(", ")),
            format!("rowid, {}", targets.join(", ")),
            format!("_migrate_rowid, {}", targets.join(", ")),
        )
    } else {
        (source.join(", "), targets.join(", "), targets.join(", "))
    };
    let copy = copy_name(from);
    let mut risks: Vec<Risk> = lost
        .iter()
        .map(|c| {
            Risk::Destructive(format!(
                "column {}.{} of the virtual table and its data are dropped",
                display_name(&from.name),
                display_name(c)
            ))
        })
        .collect();
    if from.definition().module != to.definition().module {
        risks.push(Risk::DataDependent(format!(
            "rows move from module {} to {}; the copy fails if they do not fit",
            from.definition().module,
            to.definition().module
        )));
    }
    vec![
        noted(
            statement(
                format!("CREATE TABLE {copy} AS SELECT {out_cols} FROM {name}"),
                vec![],
            ),
            note,
        ),
        statement(drop, vec![]),
        statement(to.sql.clone(), vec![]),
        statement(
            format!("INSERT INTO {name} ({in_cols}) SELECT {values} FROM {copy}"),
            risks,
        ),
        statement(format!("DROP TABLE {copy}"), vec![]),
    ]
}

/// `stmt` with a comment for the reviewer that does not make it risky.
fn noted(mut stmt: Statement, note: String) -> Statement {
    stmt.comments.insert(0, note);
    stmt
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::risk::replaced_without_loss;
    use crate::sqlite::sql;
    use crate::sqlite::virtual_table::tests::vt;

    fn replaced(from: &VirtualTable, to: &VirtualTable) -> Vec<String> {
        let plan = plan_creates(&[Change::ReplaceVirtualTable {
            from: from.clone(),
            to: to.clone(),
        }]);
        let script: Vec<sql::Statement> = plan
            .into_iter()
            .map(|s| sql::Statement {
                sql: s.sql,
                line: 1,
            })
            .collect();
        replaced_without_loss(&script)
    }

    #[test]
    fn lint_tells_a_whole_copy_from_a_lossy_one() {
        let two = vt("n", "CREATE VIRTUAL TABLE n USING fts5(a, b)", &["a", "b"]);
        let three = vt(
            "n",
            "CREATE VIRTUAL TABLE n USING fts5(a, b, c)",
            &["a", "b", "c"],
        );
        assert_eq!(replaced(&two, &three), ["_migrate_copy_n", "n"]);
        assert_eq!(replaced(&three, &two), ["_migrate_copy_n"], "c is lost");
        let ext = vt(
            "n",
            "CREATE VIRTUAL TABLE n USING fts5(a, content='t')",
            &["a"],
        );
        assert_eq!(replaced(&two, &ext), ["n"], "refilled from its content");
    }

    #[test]
    fn a_copy_keeps_fts_rowids_and_rtree_keys() {
        let plan = |from: &VirtualTable, to: &VirtualTable| {
            plan_creates(&[Change::ReplaceVirtualTable {
                from: from.clone(),
                to: to.clone(),
            }])
        };
        let a = vt("n", "CREATE VIRTUAL TABLE n USING fts5(a)", &["a"]);
        let b = vt("n", "CREATE VIRTUAL TABLE n USING fts5(a, b)", &["a", "b"]);
        assert!(plan(&a, &b)[3].sql.starts_with("INSERT INTO n (rowid, a)"));
        let r = vt(
            "r",
            "CREATE VIRTUAL TABLE r USING rtree(id, x0, x1)",
            &["id", "x0", "x1"],
        );
        let r32 = vt(
            "r",
            "CREATE VIRTUAL TABLE r USING rtree_i32(id, x0, x1)",
            &["id", "x0", "x1"],
        );
        let steps = plan(&r, &r32);
        assert!(steps[3].sql.starts_with("INSERT INTO r (id, x0, x1)"));
        assert!(steps[3].risky(), "another module may not take the rows");
        let gone = vt("n", "CREATE VIRTUAL TABLE n USING fts5(z)", &["z"]);
        assert!(
            plan(&a, &gone)[0].risky(),
            "nothing to copy: the drop is destructive"
        );
    }
}
