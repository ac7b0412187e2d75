//! Schema x Schema -> [`Change`]s. Pure: no I/O, no SQL text.
//!
//! Renames are never guessed here: they come in as [`Renames`] (from model
//! hints, `--rename` flags, or answers to the questions that
//! [`rename_candidates`] suggests). Every change can be reversed exactly
//! ([`Change::reverse`]), because a drop keeps the whole object it drops.
//!
//! Long: one comparison, object kind by object kind; virtual tables already
//! have their own file (`diff/virtual_tables.rs`).

use crate::schema::{Column, Index, NameRule, RenameHints, Schema, Table, Trigger, View};
use crate::sqlite::affinity::keeps_values;
use crate::sqlite::sql::display_name;
use crate::sqlite::virtual_table::VirtualTable;

mod kind;
mod virtual_tables;
pub use kind::{ChangeKind, ConstraintChange};
pub(crate) use kind::{new_checks, new_foreign_keys, new_uniques};

/// Declared renames: old name -> new name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    pub tables: Vec<(String, String)>,
    /// (table as named in the target schema, old column, new column)
    pub columns: Vec<(String, String, String)>,
}

impl Renames {
    /// The rename hints of the model `to` (`renamed_from`), that apply to `from`.
    pub fn from_hints(from: &Schema, to: &Schema, hints: &RenameHints) -> Renames {
        let rule = to.name_rule;
        let mut r = Renames::default();
        for t in &to.tables {
            if let Some(old) = hints.table(rule, &t.name)
                && from.table(old).is_some()
                && from.table(&t.name).is_none()
            {
                r.tables.push((old.to_string(), t.name.clone()));
            }
            let old_table = r.old_table_name(rule, &t.name);
            let Some(ft) = from.table(&old_table) else {
                continue;
            };
            for c in &t.columns {
                if let Some(old) = hints.column(rule, &t.name, &c.name)
                    && ft.column(old).is_some()
                    && ft.column(&c.name).is_none()
                {
                    r.columns
                        .push((t.name.clone(), old.to_string(), c.name.clone()));
                }
            }
        }
        r
    }

    /// Adds the renames of `other` that this one does not say (names
    /// compared by `rule`, the schemas').
    pub fn merge(&mut self, rule: NameRule, other: Renames) {
        for t in other.tables {
            if !self.tables.iter().any(|(o, _)| rule.same(o, &t.0)) {
                self.tables.push(t);
            }
        }
        for c in other.columns {
            if !self
                .columns
                .iter()
                .any(|(t, o, _)| rule.same(t, &c.0) && rule.same(o, &c.1))
            {
                self.columns.push(c);
            }
        }
    }

    /// The name `table` (a target name) had in the source schema.
    pub fn old_table_name(&self, rule: NameRule, table: &str) -> String {
        self.tables
            .iter()
            .find(|(_, new)| rule.same(new, table))
            .map_or_else(|| table.to_string(), |(old, _)| old.clone())
    }

    fn new_column_name(&self, rule: NameRule, table: &str, old: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(t, o, _)| rule.same(t, table) && rule.same(o, old))
            .map(|(_, _, n)| n.as_str())
    }
}

/// One difference between two schemas.
// A plan holds a handful of changes; boxing the tables would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    AddTable(Table),
    DropTable(Table),
    RenameTable {
        from: String,
        to: String,
    },
    /// `from` keeps its source name; the planner runs table renames first, so
    /// the table is called `to.name` when it is modified. `columns` says how
    /// each column got from `from` to `to`; `kind` what changed on the table
    /// itself, and `constraints` the constraints it gained and lost.
    ModifyTable {
        from: Table,
        to: Table,
        columns: Vec<ColumnChange>,
        kind: ChangeKind,
        constraints: Vec<ConstraintChange>,
    },
    AddIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    AddView(View),
    DropView(View),
    AddTrigger(Trigger),
    DropTrigger(Trigger),
    AddVirtualTable(VirtualTable),
    DropVirtualTable(VirtualTable),
    /// Same name, new definition: planned as a drop + create that keeps rows.
    ReplaceVirtualTable {
        from: VirtualTable,
        to: VirtualTable,
    },
}

/// What happened to one column of a modified table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnChange {
    Add(Column),
    Drop(Column),
    Rename {
        from: String,
        to: String,
    },
    /// Same column (after any rename), different definition: `kind` says how.
    Modify {
        from: Column,
        to: Column,
        kind: ChangeKind,
    },
}

impl Change {
    /// The change that undoes this one.
    pub fn reverse(&self) -> Change {
        match self.clone() {
            Change::AddTable(t) => Change::DropTable(t),
            Change::DropTable(t) => Change::AddTable(t),
            Change::RenameTable { from, to } => Change::RenameTable { from: to, to: from },
            Change::ModifyTable {
                from,
                to,
                columns,
                kind,
                constraints,
            } => Change::ModifyTable {
                from: to,
                to: from,
                kind,
                constraints: constraints.iter().map(ConstraintChange::reverse).collect(),
                columns: columns
                    .into_iter()
                    .map(|c| match c {
                        ColumnChange::Add(c) => ColumnChange::Drop(c),
                        ColumnChange::Drop(c) => ColumnChange::Add(c),
                        ColumnChange::Rename { from, to } => {
                            ColumnChange::Rename { from: to, to: from }
                        }
                        ColumnChange::Modify { from, to, kind } => ColumnChange::Modify {
                            from: to,
                            to: from,
                            kind,
                        },
                    })
                    .collect(),
            },
            Change::AddIndex { table, index } => Change::DropIndex { table, index },
            Change::DropIndex { table, index } => Change::AddIndex { table, index },
            Change::AddView(v) => Change::DropView(v),
            Change::DropView(v) => Change::AddView(v),
            Change::AddTrigger(t) => Change::DropTrigger(t),
            Change::DropTrigger(t) => Change::AddTrigger(t),
            Change::AddVirtualTable(v) => Change::DropVirtualTable(v),
            Change::DropVirtualTable(v) => Change::AddVirtualTable(v),
            Change::ReplaceVirtualTable { from, to } => {
                Change::ReplaceVirtualTable { from: to, to: from }
            }
        }
    }
}

/// The changes that undo `changes`, last first. A reversed index change
/// still names its table as the forward target calls it; the reversed
/// renames run first, so there the table goes by the name they give it.
pub fn reversed(rule: NameRule, changes: &[Change]) -> Vec<Change> {
    let mut out: Vec<Change> = changes.iter().rev().map(Change::reverse).collect();
    let renames: Vec<(String, String)> = out
        .iter()
        .filter_map(|c| match c {
            Change::RenameTable { from, to } => Some((from.clone(), to.clone())),
            _ => None,
        })
        .collect();
    for c in &mut out {
        if let Change::AddIndex { table, .. } | Change::DropIndex { table, .. } = c
            && let Some((_, to)) = renames.iter().find(|(from, _)| rule.same(from, table))
        {
            *table = to.clone();
        }
    }
    out
}

/// Every change that turns `from` into `to`, given the declared renames.
pub fn diff(from: &Schema, to: &Schema, renames: &Renames) -> Vec<Change> {
    assert_eq!(
        from.name_rule, to.name_rule,
        "two schemas of different name rules compared"
    );
    let rule = to.name_rule;
    let mut changes = Vec::new();
    for t in &to.tables {
        let old_name = renames.old_table_name(rule, &t.name);
        match from.table(&old_name) {
            None => changes.push(Change::AddTable(t.clone())),
            Some(old) => {
                if !rule.same(&old.name, &t.name) {
                    changes.push(Change::RenameTable {
                        from: old.name.clone(),
                        to: t.name.clone(),
                    });
                }
                diff_table(old, t, renames, &mut changes);
            }
        }
    }
    for t in &from.tables {
        let renamed = renames.tables.iter().any(|(o, _)| rule.same(o, &t.name));
        if !renamed && to.table(&t.name).is_none() {
            changes.push(Change::DropTable(t.clone()));
        }
    }
    diff_named(
        rule,
        &from.views,
        &to.views,
        |v| &v.name,
        Change::DropView,
        Change::AddView,
        &mut changes,
    );
    diff_named(
        rule,
        &from.triggers,
        &to.triggers,
        |t| &t.name,
        Change::DropTrigger,
        Change::AddTrigger,
        &mut changes,
    );
    changes.extend(virtual_tables::diff(&from.sqlite, &to.sqlite));
    changes
}

/// Objects compared whole: a changed one is dropped and added again.
fn diff_named<T: Clone + PartialEq>(
    rule: NameRule,
    from: &[T],
    to: &[T],
    name: impl Fn(&T) -> &String,
    drop: impl Fn(T) -> Change,
    add: impl Fn(T) -> Change,
    changes: &mut Vec<Change>,
) {
    for old in from {
        match to.iter().find(|n| rule.same(name(n), name(old))) {
            Some(new) if new == old => {}
            _ => changes.push(drop(old.clone())),
        }
    }
    for new in to {
        match from.iter().find(|o| rule.same(name(o), name(new))) {
            Some(old) if old == new => {}
            _ => changes.push(add(new.clone())),
        }
    }
}

// Long: one pass over a table pair (columns, table attributes, indexes), in the order the changes
// are reported.
fn diff_table(from: &Table, to: &Table, renames: &Renames, changes: &mut Vec<Change>) {
    let rule = to.name_rule;
    let mut columns = Vec::new();
    for old in &from.columns {
        let new_name = renames
            .new_column_name(rule, &to.name, &old.name)
            .unwrap_or(&old.name);
        match to.column(new_name) {
            None => columns.push(ColumnChange::Drop(old.clone())),
            Some(new) => {
                if !rule.same(&old.name, &new.name) {
                    columns.push(ColumnChange::Rename {
                        from: old.name.clone(),
                        to: new.name.clone(),
                    });
                }
                // Compared as schema.rs folds them (NOT NULL on a rowid
                // alias does not count), reported with what was declared.
                let mut renamed = from.folded_column(old);
                let target = to.folded_column(new);
                renamed.name.clone_from(&target.name);
                let kind = kind::column_kind(&renamed, &target);
                if !kind.is_empty() {
                    let mut renamed = old.clone();
                    renamed.name = target.name.clone();
                    let mut target = new.clone();
                    rule.fold(&mut target.name);
                    columns.push(ColumnChange::Modify {
                        from: renamed,
                        to: target,
                        kind,
                    });
                }
            }
        }
    }
    for new in &to.columns {
        let has_source = from.columns.iter().any(|old| {
            rule.same(
                renames
                    .new_column_name(rule, &to.name, &old.name)
                    .unwrap_or(&old.name),
                &new.name,
            )
        });
        if !has_source {
            columns.push(ColumnChange::Add(new.clone()));
        }
    }
    // Everything but the indexes and the name decides whether the table
    // changed; constraints are compared with the columns renamed as declared.
    let mut renamed = from.clone();
    rename_columns_in(&mut renamed, &to.name, renames);
    let (kind, constraints) = kind::table_changes(from, &renamed, to);
    if !columns.is_empty() || !kind.is_empty() {
        changes.push(Change::ModifyTable {
            from: from.clone(),
            to: to.clone(),
            columns,
            kind,
            constraints,
        });
    }
    for old in &from.indexes {
        let mut renamed = old.clone();
        rename_index_columns(rule, &mut renamed, &to.name, renames);
        match to.index(&old.name) {
            Some(new) if new.folded(rule) == renamed.folded(rule) => {}
            _ => changes.push(Change::DropIndex {
                table: to.name.clone(),
                index: old.clone(),
            }),
        }
    }
    for new in &to.indexes {
        let unchanged = from.index(&new.name).is_some_and(|old| {
            let mut renamed = old.clone();
            rename_index_columns(rule, &mut renamed, &to.name, renames);
            renamed.folded(rule) == new.folded(rule)
        });
        if !unchanged {
            changes.push(Change::AddIndex {
                table: to.name.clone(),
                index: new.clone(),
            });
        }
    }
}

/// `t` with its columns (and the constraints naming them) renamed as declared.
fn rename_columns_in(t: &mut Table, table: &str, renames: &Renames) {
    let rule = t.name_rule;
    let map = |name: &mut String| {
        if let Some(n) = renames.new_column_name(rule, table, name) {
            *name = n.to_string();
        }
    };
    for c in &mut t.columns {
        map(&mut c.name);
    }
    if let Some(pk) = &mut t.primary_key {
        pk.columns.iter_mut().for_each(map);
    }
    for fk in &mut t.foreign_keys {
        fk.columns.iter_mut().for_each(map);
    }
    for u in &mut t.uniques {
        u.columns.iter_mut().for_each(map);
    }
}

fn rename_index_columns(rule: NameRule, index: &mut Index, table: &str, renames: &Renames) {
    for part in &mut index.parts {
        if let crate::schema::IndexTarget::Column(c) = &mut part.target
            && let Some(n) = renames.new_column_name(rule, table, c)
        {
            *c = n.to_string();
        }
    }
}

/// A dropped and an added object that look alike: a possible rename to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RenameCandidate {
    Table {
        from: String,
        to: String,
    },
    Column {
        table: String,
        from: String,
        to: String,
    },
}

impl RenameCandidate {
    pub(crate) fn question(&self) -> String {
        match self {
            RenameCandidate::Table { from, to } => format!(
                "Did you rename table {} to {}?",
                display_name(from),
                display_name(to)
            ),
            RenameCandidate::Column { table, from, to } => {
                let [table, from, to] = [table, from, to].map(|n| display_name(n));
                format!("Did you rename {table}.{from} to {table}.{to}?")
            }
        }
    }
}

/// In `changes`, pairs of a dropped and an added table with the same
/// columns, or a dropped and an added column in one table whose type keeps
/// the dropped column's values ([`keeps_values`]):
/// renames that were not declared, or drops and adds that look like them.
pub(crate) fn rename_candidates(changes: &[Change]) -> Vec<RenameCandidate> {
    let mut out = Vec::new();
    let dropped = dropped_tables(changes);
    let added = added_tables(changes);
    for d in &dropped {
        let shape = |t: &Table| {
            t.columns
                .iter()
                .map(|c| (t.name_rule.key(&c.name), c.decl_type.clone()))
                .collect::<Vec<_>>()
        };
        if let Some(a) = added.iter().find(|a| shape(a) == shape(d)) {
            out.push(RenameCandidate::Table {
                from: d.name.clone(),
                to: a.name.clone(),
            });
        }
    }
    for c in changes {
        let Change::ModifyTable { to, columns, .. } = c else {
            continue;
        };
        let drops: Vec<&Column> = columns
            .iter()
            .filter_map(|c| match c {
                ColumnChange::Drop(c) => Some(c),
                _ => None,
            })
            .collect();
        let adds: Vec<&Column> = columns
            .iter()
            .filter_map(|c| match c {
                ColumnChange::Add(c) => Some(c),
                _ => None,
            })
            .collect();
        // The same type first; otherwise a type that keeps the dropped
        // column's values (`name VARCHAR(30)` -> `full_name VARCHAR(60)` is
        // a rename that also retypes). Each added column is offered once.
        let mut offered: Vec<&str> = Vec::new();
        for d in &drops {
            let free = |a: &&&Column| !offered.iter().any(|o| to.same_name(o, &a.name));
            let found = adds
                .iter()
                .filter(free)
                .find(|a| a.decl_type == d.decl_type)
                .or_else(|| {
                    adds.iter()
                        .filter(free)
                        .find(|a| keeps_values(&d.decl_type, &a.decl_type))
                });
            if let Some(a) = found {
                offered.push(&a.name);
                out.push(RenameCandidate::Column {
                    table: to.name.clone(),
                    from: d.name.clone(),
                    to: a.name.clone(),
                });
            }
        }
    }
    out
}

/// The tables `changes` create.
pub(crate) fn added_tables(changes: &[Change]) -> Vec<&Table> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::AddTable(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The tables `changes` drop.
pub(crate) fn dropped_tables(changes: &[Change]) -> Vec<&Table> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable(t) => Some(t),
            _ => None,
        })
        .collect()
}
