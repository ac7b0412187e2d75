//! The table rebuild SQLite documents for the changes `ALTER TABLE` cannot
//! make: create the new table under a temporary name, copy every row with
//! INSERT ... SELECT, drop the old one, rename, recreate the indexes. Rows
//! never pass through Rust; each copy that may fail or lose data says so.

use super::narrows;
use crate::diff::{
    ChangeKind, ColumnChange, ConstraintChange, new_checks, new_foreign_keys, new_uniques,
};
use crate::plan::Statement;
use crate::risk::Risk;
use crate::schema::{Column, Table};
use crate::sqlite::affinity::affinity;
use crate::sqlite::ddl::{create_index, create_table, default_expr};
use crate::sqlite::names::same_name;
use crate::sqlite::sql::{display_name, quote_ident};

/// The 12-step rebuild: every row is copied by SQLite, never held in Rust.
// Long: SQLite's documented table rebuild, step by step in its order.
pub(super) fn rebuild(
    from: &Table,
    to: &Table,
    columns: &[ColumnChange],
    constraints: &[ConstraintChange],
) -> Vec<Statement> {
    let temp_name = format!("_migrate_new_{}", to.name);
    let mut temp = to.clone();
    temp.name = temp_name.clone();
    let mut risks = Vec::new();
    // Each target column's source column in `from`, if any.
    let source = |col: &Column| -> Option<&Column> {
        let renamed_from = columns.iter().find_map(|c| match c {
            ColumnChange::Rename { from, to } if same_name(to, &col.name) => Some(from.as_str()),
            _ => None,
        });
        let added = columns
            .iter()
            .any(|c| matches!(c, ColumnChange::Add(a) if same_name(&a.name, &col.name)));
        if added {
            return None;
        }
        from.column(renamed_from.unwrap_or(&col.name))
    };
    // What the diff found changed on each target column.
    let changed = |col: &Column| {
        columns
            .iter()
            .find_map(|c| match c {
                ColumnChange::Modify { to, kind, .. } if same_name(&to.name, &col.name) => {
                    Some(*kind)
                }
                _ => None,
            })
            .unwrap_or_default()
    };
    let mut targets = Vec::new();
    let mut values = Vec::new();
    let keeps_rowid = !from.sqlite().without_rowid
        && !to.sqlite().without_rowid
        && to.rowid_alias().is_none()
        && from.rowid_alias().is_none();
    if keeps_rowid {
        targets.push("rowid".to_string());
        values.push("rowid".to_string());
    }
    for col in to.columns.iter().filter(|c| c.generated.is_none()) {
        // A generated source is read like any column (SELECT gives stored
        // and virtual values alike): made plain, the column keeps its values.
        let Some(src) = source(col) else {
            if col.not_null && col.default.is_none() {
                risks.push(Risk::DataDependent(format!(
                    "new column {} is NOT NULL without a default: fails if {} has rows",
                    display_name(&col.name),
                    display_name(&from.name)
                )));
            }
            continue;
        };
        let mut value = quote_ident(&src.name);
        let kind = changed(col);
        // As the diff compared them (NOT NULL on a rowid alias means nothing),
        // and not NULL before as declared.
        if kind.contains(ChangeKind::NULL) && col.not_null && !src.not_null {
            match &col.default {
                Some(d) => value = format!("IFNULL({value}, {})", default_expr(d)),
                None => risks.push(Risk::DataDependent(format!(
                    "{}.{} becomes NOT NULL without a default: fails on NULL rows",
                    display_name(&to.name),
                    display_name(&col.name)
                ))),
            }
        }
        if kind.contains(ChangeKind::TYPE) && narrows(&src.decl_type, &col.decl_type) {
            let effect = if affinity(&src.decl_type) == affinity(&col.decl_type) {
                "the declared length shrinks; SQLite keeps longer values, your application may not"
            } else if to.sqlite().strict {
                "values that do not fit the new type make the copy fail (STRICT)"
            } else {
                "stored values may be converted to the new affinity"
            };
            risks.push(Risk::DataDependent(format!(
                "narrowing: {}.{} changes type {} -> {}: {effect}",
                display_name(&to.name),
                display_name(&col.name),
                src.decl_type,
                col.decl_type
            )));
        }
        targets.push(quote_ident(&col.name));
        values.push(value);
    }
    for dropped in columns.iter().filter_map(|c| match c {
        ColumnChange::Drop(c) => Some(c),
        _ => None,
    }) {
        risks.push(Risk::Destructive(format!(
            "column {}.{} and its data are dropped",
            display_name(&from.name),
            display_name(&dropped.name)
        )));
    }
    for u in new_uniques(to.name_rule, constraints) {
        risks.push(Risk::DataDependent(format!(
            "new UNIQUE ({}): fails if duplicates exist",
            display_names(&u.columns)
        )));
    }
    for fk in new_foreign_keys(to.name_rule, constraints) {
        let existed = fk
            .columns
            .iter()
            .all(|c| to.column(c).and_then(source).is_some());
        if existed {
            risks.push(Risk::DataDependent(format!(
                "new foreign key ({}) -> {}: rows without a parent fail the check before commit",
                display_names(&fk.columns),
                display_name(&fk.ref_table)
            )));
        }
    }
    for ck in new_checks(constraints) {
        risks.push(Risk::DataDependent(format!(
            "new CHECK ({}): the copy fails if a row violates it",
            ck.expr
        )));
    }
    // A constraint's own ON CONFLICT REPLACE or IGNORE would drop a row the
    // copy meets twice (two values one under a new collation); the
    // statement's OR ABORT overrides it, so the copy fails instead.
    let insert = if temp.declares_conflict_clause() {
        "INSERT OR ABORT INTO"
    } else {
        "INSERT INTO"
    };
    let mut copy = Statement::plain(format!(
        "{insert} {} ({}) SELECT {} FROM {}",
        quote_ident(&temp_name),
        targets.join(", "),
        values.join(", "),
        quote_ident(&to.name)
    ));
    copy.risks = risks;
    let create = Statement::with_risk(
        create_table(&temp),
        Risk::Rebuild(format!(
            "{}: SQLite cannot ALTER this change; rows are copied into a new table",
            display_name(&to.name)
        )),
    );
    let mut out = vec![create, copy];
    out.extend(keep_sequence(from, to, &temp_name));
    out.extend([
        Statement::plain(format!("DROP TABLE {}", quote_ident(&to.name))),
        Statement::plain(format!(
            "ALTER TABLE {} RENAME TO {}",
            quote_ident(&temp_name),
            quote_ident(&to.name)
        )),
    ]);
    for i in &to.indexes {
        out.push(Statement::plain(create_index(&to.name, i)));
    }
    out
}

fn display_names(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().map(|n| display_name(n)).collect();
    shown.join(", ")
}

/// The table's `sqlite_sequence` row (AUTOINCREMENT's high-water mark)
/// moves to the new table before the old one is dropped: the copy would
/// otherwise leave `max(id)` there, and ids of deleted rows would be handed
/// out again. `RENAME TO` then carries the row back to the table's name. The
/// row is kept as it was even when the table gains or loses AUTOINCREMENT
/// (SQLite ignores it for a table without), so that the down of such a change
/// restores the mark exactly. Only when either side has AUTOINCREMENT does
/// `sqlite_sequence` surely exist.
fn keep_sequence(from: &Table, to: &Table, temp_name: &str) -> Vec<Statement> {
    let autoincrement = |t: &Table| t.primary_key.is_some() && t.sqlite().autoincrement;
    if !autoincrement(from) && !autoincrement(to) {
        return vec![];
    }
    let temp = crate::sqlite::sql::quote_str(temp_name);
    vec![
        Statement::plain(format!("DELETE FROM sqlite_sequence WHERE name = {temp}")),
        Statement::plain(format!(
            "UPDATE sqlite_sequence SET name = {temp} WHERE name = {} COLLATE NOCASE",
            crate::sqlite::sql::quote_str(&to.name)
        )),
    ]
}
