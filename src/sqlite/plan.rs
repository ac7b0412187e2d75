//! [`Change`]s to SQLite statements, up and down in one pass.
//!
//! One predicate, [`alterable`], picks `ALTER TABLE` or the documented table
//! rebuild (new table, copy every row with INSERT ... SELECT, drop, rename,
//! recreate indexes, and the views and triggers that depended on the table;
//! in `plan/rebuild.rs`).
//! Rows never pass through Rust. The down is the plan of the reversed changes,
//! so it returns exactly to the start. Every statement keeps its typed risks
//! ([`Risk`], written above it as review comments that lint reads back) and
//! the change it serves.

use std::collections::HashSet;

use crate::diff::{
    Change, ChangeKind, ColumnChange, ConstraintChange, Renames, added_tables, diff, dropped_tables,
};
use crate::plan::{Migration, ModifiedTable, Statement, parents_first, serving};
use crate::risk::{self, Risk};
use crate::schema::{Column, Schema, Table};
use crate::sqlite::ddl::{self, create_index, create_table, default_expr, referenced_names};
use crate::sqlite::sql::{display_name, quote_ident};
use crate::sqlite::{affinity::affinity, names::same_name};

// Script text is written by its own module; `plan::render` stays the name.
mod rebuild;
mod render;
mod virtual_tables;
pub use render::render;

/// Diff `from` -> `to` and plan both directions.
pub fn migration(from: &Schema, to: &Schema, renames: &Renames) -> Migration {
    migration_of(from, to, diff(from, to, renames))
}

/// Plans both directions of `changes`, the diff `from` -> `to`.
pub(crate) fn migration_of(from: &Schema, to: &Schema, changes: Vec<Change>) -> Migration {
    Migration::both_ways(crate::sqlite::names::NAMES, from, to, changes, plan)
}

/// The statements that take a database from `from` to `to` through `changes`.
// Long: the order of its steps is the plan (dependents dropped, renames, creates, alters, adds,
// drops, dependents recreated); each step is a few lines.
pub(crate) fn plan(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Statement> {
    let rebuilt: Vec<(&Table, &Table, &Vec<ColumnChange>)> = changes
        .iter()
        .filter_map(modified)
        .filter(|m| !m.alterable)
        .map(|m| (m.from, m.to, m.columns))
        .collect();
    let rebuilt_names: Vec<&str> = rebuilt.iter().map(|(_, t, _)| t.name.as_str()).collect();
    let mut out = Vec::new();

    // Views and triggers that mention a rebuilt table must not exist while it
    // is dropped and renamed; they come back at the end, as the target has them.
    let mentions = |sql: &str, names: &[&str]| {
        let refs = referenced_names(sql);
        names.iter().any(|n| refs.contains(&n.to_ascii_lowercase()))
    };
    let mut old_names: Vec<&str> = rebuilt.iter().map(|(f, _, _)| f.name.as_str()).collect();
    old_names.extend(rebuilt_names.iter());
    let mut dropped_views: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView(v) => Some(v.name.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    // Transitively: a view on a view on a rebuilt table goes too.
    loop {
        let mut names: Vec<&str> = old_names.clone();
        let dropped_now: Vec<String> = dropped_views.iter().cloned().collect();
        names.extend(dropped_now.iter().map(String::as_str));
        let more: Vec<String> = from
            .views
            .iter()
            .filter(|v| {
                !dropped_views.contains(&v.name.to_ascii_lowercase()) && mentions(&v.sql, &names)
            })
            .map(|v| v.name.to_ascii_lowercase())
            .collect();
        if more.is_empty() {
            break;
        }
        dropped_views.extend(more);
    }
    // Triggers after views: DROP VIEW takes an INSTEAD OF trigger with the
    // view, so a trigger on a view taken down goes (and comes back) too.
    let mut dropped_triggers: HashSet<String> = HashSet::new();
    for c in changes {
        if let Change::DropTrigger(t) = c {
            dropped_triggers.insert(t.name.to_ascii_lowercase());
        }
    }
    let mut taken_down: Vec<&str> = old_names.clone();
    taken_down.extend(dropped_views.iter().map(String::as_str));
    for t in &from.triggers {
        if dropped_triggers.contains(&t.name.to_ascii_lowercase())
            || mentions(&t.sql, &taken_down)
            || taken_down.iter().any(|n| same_name(n, &t.table))
        {
            let mut s = Statement::plain(format!("DROP TRIGGER {}", quote_ident(&t.name)));
            s.source = changes
                .iter()
                .find(|c| matches!(c, Change::DropTrigger(d) if same_name(&d.name, &t.name)))
                .cloned();
            out.push(s);
            dropped_triggers.insert(t.name.to_ascii_lowercase());
        }
    }
    for v in ddl::views_in_dependency_order(&from.views)
        .into_iter()
        .rev()
    {
        if dropped_views.contains(&v.name.to_ascii_lowercase()) {
            let mut s = Statement::plain(format!("DROP VIEW {}", quote_ident(&v.name)));
            s.source = changes
                .iter()
                .find(|c| matches!(c, Change::DropView(d) if same_name(&d.name, &v.name)))
                .cloned();
            out.push(s);
        }
    }

    for c in changes {
        if let Change::DropIndex { index, .. } = c {
            out.extend(serving(
                c,
                [Statement::plain(format!(
                    "DROP INDEX {}",
                    quote_ident(&index.name)
                ))],
            ));
        }
    }
    out.extend(virtual_tables::plan_drops(changes));
    for c in changes {
        if let Change::RenameTable { from, to } = c {
            out.extend(serving(
                c,
                [Statement::plain(format!(
                    "ALTER TABLE {} RENAME TO {}",
                    quote_ident(from),
                    quote_ident(to)
                ))],
            ));
        }
    }
    let added = added_tables(changes);
    for t in parents_first(&added) {
        let mut made = vec![Statement::plain(create_table(t))];
        for i in &t.indexes {
            made.push(Statement::plain(create_index(&t.name, i)));
        }
        out.extend(serving(&Change::AddTable(t.clone()), made));
    }
    for c in changes {
        if let Some(m) = modified(c) {
            if m.alterable {
                out.extend(serving(c, alter(m.from, m.to, m.columns)));
            } else {
                let steps = rebuild::rebuild(m.from, m.to, m.columns, m.constraints);
                out.extend(serving(c, steps));
            }
        }
    }
    out.extend(virtual_tables::refills_after_rebuilds(
        &to.sqlite, changes, &rebuilt,
    ));
    for c in changes {
        if let Change::AddIndex { table, index } = c
            && !rebuilt_names.iter().any(|n| same_name(n, table))
        {
            let mut s = Statement::plain(create_index(table, index));
            if index.unique {
                s.risks.push(Risk::DataDependent(format!(
                    "fails if {} has duplicate values for this unique index",
                    display_name(table)
                )));
            }
            out.extend(serving(c, [s]));
        }
    }
    let dropped = dropped_tables(changes);
    for t in parents_first(&dropped).into_iter().rev() {
        let drop = Statement::with_risk(
            format!("DROP TABLE {}", quote_ident(&t.name)),
            Risk::Destructive(format!(
                "drops table {} and every row in it",
                display_name(&t.name)
            )),
        );
        out.extend(serving(&Change::DropTable((*t).clone()), [drop]));
    }
    out.extend(virtual_tables::plan_creates(changes));

    let added_views: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddView(v) => Some(v.name.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    for v in ddl::views_in_dependency_order(&to.views) {
        let key = v.name.to_ascii_lowercase();
        if added_views.contains(&key) || dropped_views.contains(&key) {
            let mut s = Statement::plain(v.sql.clone());
            s.source = changes
                .iter()
                .find(|c| matches!(c, Change::AddView(a) if same_name(&a.name, &v.name)))
                .cloned();
            out.push(s);
        }
    }
    for t in &to.triggers {
        let key = t.name.to_ascii_lowercase();
        let added = changes
            .iter()
            .find(|c| matches!(c, Change::AddTrigger(a) if same_name(&a.name, &t.name)));
        if added.is_some() || dropped_triggers.contains(&key) {
            let mut s = Statement::plain(t.sql.clone());
            s.source = added.cloned();
            out.push(s);
        }
    }
    with_text_risks(out)
}

/// A modified table, and whether ALTER TABLE can make its change.
struct Modified<'c> {
    from: &'c Table,
    to: &'c Table,
    columns: &'c Vec<ColumnChange>,
    constraints: &'c [ConstraintChange],
    alterable: bool,
}

fn modified(c: &Change) -> Option<Modified<'_>> {
    let m = ModifiedTable::of(c)?;
    Some(Modified {
        alterable: alterable(m.from, m.to, m.columns, m.kind, m.constraints),
        from: m.from,
        to: m.to,
        columns: m.columns,
        constraints: m.constraints,
    })
}

/// Each statement with what the one classifier reads in the text too
/// ([`crate::sqlite::risk::classify`], as lint reads a script), so the
/// planner and lint agree by construction: a rebuild's `DROP TABLE` says its
/// rows were carried across, a hand-reviewable unique index says it can fail.
fn with_text_risks(mut statements: Vec<Statement>) -> Vec<Statement> {
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    let read = crate::sqlite::risk::classify(&texts);
    for (s, more) in statements.iter_mut().zip(read) {
        risk::merge(&mut s.risks, more);
    }
    statements
}

/// True when SQLite's ALTER TABLE can make the change: only columns added at
/// the end (within ADD COLUMN's rules), dropped (when nothing else names
/// them) or renamed, and nothing else about the table differs but the
/// foreign keys those added columns declare inline. Read from the diff's
/// kinds: the tables are not compared again.
pub(crate) fn alterable(
    from: &Table,
    to: &Table,
    columns: &[ColumnChange],
    kind: ChangeKind,
    constraints: &[ConstraintChange],
) -> bool {
    if !(kind - ChangeKind::FOREIGN_KEY).is_empty() {
        return false;
    }
    let mut inline = Vec::new();
    for c in columns {
        match c {
            ColumnChange::Modify { .. } => return false,
            ColumnChange::Rename { .. } => {}
            ColumnChange::Drop(col) => {
                if !droppable(from, col) {
                    return false;
                }
            }
            ColumnChange::Add(col) => {
                if !addable(col) {
                    return false;
                }
                if let Some(fk) = column_foreign_key(to, col) {
                    // ADD COLUMN ... REFERENCES needs a NULL default.
                    if col.default.is_some() {
                        return false;
                    }
                    inline.push(fk);
                }
            }
        }
    }
    constraints
        .iter()
        .all(|c| matches!(c, ConstraintChange::AddForeignKey(fk) if inline.contains(&fk)))
}

/// The single-column foreign key of a column, which ADD COLUMN can declare inline.
fn column_foreign_key<'t>(t: &'t Table, col: &Column) -> Option<&'t crate::schema::ForeignKey> {
    t.foreign_keys.iter().find(|fk| {
        fk.columns.len() == 1 && same_name(&fk.columns[0], &col.name) && fk.ref_columns.len() <= 1
    })
}

/// ADD COLUMN's rules (sqlite.org/lang_altertable.html).
fn addable(c: &Column) -> bool {
    let constant_default = c.default.as_deref().is_none_or(|d| {
        let d = default_expr(d);
        !d.starts_with('(') && !d.to_ascii_lowercase().starts_with("current_")
    });
    let non_null_default = c
        .default
        .as_deref()
        .is_some_and(|d| !d.eq_ignore_ascii_case("null"));
    constant_default
        && (!c.not_null || non_null_default)
        && !c.generated.as_ref().is_some_and(|g| g.stored)
}

/// DROP COLUMN's rules: not part of a key, constraint, or expression.
fn droppable(t: &Table, c: &Column) -> bool {
    let name = c.name.to_ascii_lowercase();
    let named = |cols: &[String]| cols.iter().any(|n| n.eq_ignore_ascii_case(&name));
    !t.primary_key.as_ref().is_some_and(|pk| named(&pk.columns))
        && !t.uniques.iter().any(|u| named(&u.columns))
        && !t.foreign_keys.iter().any(|fk| named(&fk.columns))
        && !t
            .checks
            .iter()
            .any(|ck| referenced_names(&ck.expr).contains(&name))
        && !t.columns.iter().any(|o| {
            o.generated
                .as_ref()
                .is_some_and(|g| referenced_names(&g.expr).contains(&name))
        })
}

fn alter(_from: &Table, to: &Table, columns: &[ColumnChange]) -> Vec<Statement> {
    let table = quote_ident(&to.name);
    columns
        .iter()
        .map(|c| match c {
            ColumnChange::Rename { from, to } => Statement::plain(format!(
                "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                quote_ident(from),
                quote_ident(to)
            )),
            ColumnChange::Add(col) => {
                let mut def = ddl::column_def(to, col);
                if let Some(fk) = column_foreign_key(to, col) {
                    def.push(' ');
                    def.push_str(&ddl::references(fk));
                }
                Statement::plain(format!("ALTER TABLE {table} ADD COLUMN {def}"))
            }
            ColumnChange::Drop(col) => Statement::with_risk(
                format!("ALTER TABLE {table} DROP COLUMN {}", quote_ident(&col.name)),
                Risk::Destructive(format!(
                    "drops column {}.{} and its data",
                    display_name(&to.name),
                    display_name(&col.name)
                )),
            ),
            ColumnChange::Modify { .. } => unreachable!("alterable() excludes modified columns"),
        })
        .collect()
}

/// A type change that may alter or reject stored values.
pub(crate) fn narrows(from: &str, to: &str) -> bool {
    use crate::sqlite::affinity::Affinity::*;
    if from == to {
        return false;
    }
    match (affinity(from), affinity(to)) {
        (a, b) if a == b => length_of(to) < length_of(from),
        (Text, Integer | Real | Numeric) | (Real | Numeric, Integer) => true,
        _ => false,
    }
}

/// `VARCHAR(30)` -> 30; no length -> unlimited.
fn length_of(t: &str) -> u64 {
    t.split_once('(')
        .and_then(|(_, rest)| {
            rest.trim_end_matches(')')
                .split(',')
                .next()?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(u64::MAX)
}
