//! What changed on a modified column or table, worked out once by the diff
//! (as Atlas's `ModifyColumn { change: ChangeKind }`), so that the planner,
//! the data checks, lint and `describe` read the answer instead of comparing
//! the two tables again.
//!
//! Both sides are compared as `schema.rs` folds them, and a table's source
//! after the declared column renames: a column renamed and nothing else is
//! no constraint change. What the named facts do not cover (a dialect-only
//! option, SQLite's NOT NULL `ON CONFLICT`, `WITHOUT ROWID`, `STRICT`) is
//! found by elimination, so a fact added to the model later still counts as
//! a change (`OPTIONS`) without a line here.

use crate::schema::{Check, Column, ForeignKey, NameRule, Table, Unique};

bitflags::bitflags! {
    /// A bit set of what changed. Column bits go on [`super::ColumnChange::Modify`],
    /// table bits on [`super::Change::ModifyTable`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ChangeKind: u16 {
        /// The declared type.
        const TYPE = 1;
        /// NOT NULL added or removed.
        const NULL = 1 << 1;
        const DEFAULT = 1 << 2;
        const COLLATION = 1 << 3;
        /// The generated expression, or generated or not, or STORED or VIRTUAL.
        const GENERATED = 1 << 4;
        /// A column's or a table's dialect-only options (SQLite: a NOT NULL's
        /// ON CONFLICT clause; `WITHOUT ROWID`, `STRICT`, `AUTOINCREMENT`).
        const OPTIONS = 1 << 5;
        const PRIMARY_KEY = 1 << 6;
        const FOREIGN_KEY = 1 << 7;
        const UNIQUE = 1 << 8;
        const CHECK = 1 << 9;
    }
}

/// A table constraint that a modified table gained or lost. A constraint that
/// changed in place (another ON DELETE, another name) is lost and gained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintChange {
    AddForeignKey(ForeignKey),
    DropForeignKey(ForeignKey),
    AddUnique(Unique),
    DropUnique(Unique),
    AddCheck(Check),
    DropCheck(Check),
}

impl ConstraintChange {
    pub fn reverse(&self) -> ConstraintChange {
        use ConstraintChange::*;
        match self.clone() {
            AddForeignKey(f) => DropForeignKey(f),
            DropForeignKey(f) => AddForeignKey(f),
            AddUnique(u) => DropUnique(u),
            DropUnique(u) => AddUnique(u),
            AddCheck(c) => DropCheck(c),
            DropCheck(c) => AddCheck(c),
        }
    }
}

/// What differs between two folded columns (names aside).
pub(super) fn column_kind(from: &Column, to: &Column) -> ChangeKind {
    let mut kind = ChangeKind::empty();
    if from == to {
        return kind;
    }
    kind.set(ChangeKind::TYPE, from.decl_type != to.decl_type);
    kind.set(ChangeKind::NULL, from.not_null != to.not_null);
    kind.set(ChangeKind::DEFAULT, from.default != to.default);
    kind.set(ChangeKind::COLLATION, from.collation != to.collation);
    kind.set(ChangeKind::GENERATED, from.generated != to.generated);
    // Everything else: the named facts made equal, what still differs.
    let mut rest = from.clone();
    rest.name.clone_from(&to.name);
    rest.decl_type.clone_from(&to.decl_type);
    rest.not_null = to.not_null;
    rest.default.clone_from(&to.default);
    rest.collation.clone_from(&to.collation);
    rest.generated.clone_from(&to.generated);
    kind.set(ChangeKind::OPTIONS, rest != *to);
    kind
}

/// The table-level kind and the constraints gained and lost, from `from` to
/// `to`; `renamed` is `from` with the declared column renames made (same
/// constraints, same order), the frame they are compared in. Constraints are
/// reported as each side declares them. Columns and indexes are not looked
/// at: they are changes of their own.
pub(super) fn table_changes(
    from: &Table,
    renamed: &Table,
    to: &Table,
) -> (ChangeKind, Vec<ConstraintChange>) {
    use ConstraintChange::*;
    let (a, b) = (renamed.folded(), to.folded());
    let mut kind = ChangeKind::empty();
    // Most tables of a schema are unchanged: one comparison says so.
    let bare = |t: &Table| Table {
        name: String::new(),
        columns: vec![],
        indexes: vec![],
        ..t.clone()
    };
    if bare(&a) == bare(&b) {
        return (kind, vec![]);
    }
    kind.set(ChangeKind::PRIMARY_KEY, a.primary_key != b.primary_key);
    let rule = to.name_rule;
    let fk = |f: &ForeignKey| folded_alone(rule, f, |t| &mut t.foreign_keys);
    let unique = |u: &Unique| folded_alone(rule, u, |t| &mut t.uniques);
    let check = |c: &Check| folded_alone(rule, c, |t| &mut t.checks);
    let mut out = Vec::new();
    let fks = [&from.foreign_keys, &renamed.foreign_keys, &to.foreign_keys];
    out.extend(gained_and_lost(fks, fk, AddForeignKey, DropForeignKey));
    let uniques = [&from.uniques, &renamed.uniques, &to.uniques];
    out.extend(gained_and_lost(uniques, unique, AddUnique, DropUnique));
    let checks = [&from.checks, &renamed.checks, &to.checks];
    out.extend(gained_and_lost(checks, check, AddCheck, DropCheck));
    for c in &out {
        kind |= match c {
            AddForeignKey(_) | DropForeignKey(_) => ChangeKind::FOREIGN_KEY,
            AddUnique(_) | DropUnique(_) => ChangeKind::UNIQUE,
            AddCheck(_) | DropCheck(_) => ChangeKind::CHECK,
        };
    }
    let strip = |t: &Table| Table {
        name: String::new(),
        columns: vec![],
        primary_key: None,
        foreign_keys: vec![],
        uniques: vec![],
        checks: vec![],
        indexes: vec![],
        ..t.clone()
    };
    kind.set(ChangeKind::OPTIONS, strip(&a) != strip(&b));
    (kind, out)
}

/// One constraint folded as `Table::folded` folds it (the rules live there),
/// alone in a table so that nothing is reordered.
fn folded_alone<T: Clone>(rule: NameRule, item: &T, list: fn(&mut Table) -> &mut Vec<T>) -> T {
    let mut t = Table {
        name_rule: rule,
        ..Table::default()
    };
    list(&mut t).push(item.clone());
    let mut t = t.folded();
    list(&mut t).remove(0)
}

/// Gained: each of `to` whose folded form the renamed source lacks; lost:
/// each of `from` whose renamed, folded form `to` lacks. `lists` are the
/// source's, the renamed source's and the target's (same order as the source).
fn gained_and_lost<T: Clone + PartialEq>(
    [from, renamed, to]: [&Vec<T>; 3],
    fold: impl Fn(&T) -> T,
    add: fn(T) -> ConstraintChange,
    drop: fn(T) -> ConstraintChange,
) -> Vec<ConstraintChange> {
    let from_cmp: Vec<T> = renamed.iter().map(&fold).collect();
    let to_cmp: Vec<T> = to.iter().map(&fold).collect();
    let gained = to
        .iter()
        .zip(&to_cmp)
        .filter(|(_, c)| !from_cmp.contains(c))
        .map(|(t, _)| add(t.clone()));
    let lost = from
        .iter()
        .zip(&from_cmp)
        .filter(|(_, c)| !to_cmp.contains(c))
        .map(|(f, _)| drop(f.clone()));
    gained.chain(lost).collect()
}

/// The UNIQUE constraints rows must newly satisfy: gained over columns that
/// had none (one only renamed, or given another conflict clause, holds
/// already). Names compared by `rule`, the table's.
pub(crate) fn new_uniques(
    rule: NameRule,
    constraints: &[ConstraintChange],
) -> impl Iterator<Item = &Unique> {
    constraints.iter().filter_map(move |c| match c {
        ConstraintChange::AddUnique(u)
            if !constraints.iter().any(
                |o| matches!(o, ConstraintChange::DropUnique(old) if same_names(rule, &old.columns, &u.columns)),
            ) =>
        {
            Some(u)
        }
        _ => None,
    })
}

/// The foreign keys rows must newly satisfy: gained from columns to a parent
/// they did not reference before (another ON DELETE holds already).
pub(crate) fn new_foreign_keys(
    rule: NameRule,
    constraints: &[ConstraintChange],
) -> impl Iterator<Item = &ForeignKey> {
    constraints.iter().filter_map(move |c| match c {
        ConstraintChange::AddForeignKey(f)
            if !constraints.iter().any(|o| {
                matches!(o, ConstraintChange::DropForeignKey(old)
                    if same_names(rule, &old.columns, &f.columns) && rule.same(&old.ref_table, &f.ref_table))
            }) =>
        {
            Some(f)
        }
        _ => None,
    })
}

/// The CHECKs rows must newly satisfy: an expression the table did not check
/// (a check only renamed holds already).
pub(crate) fn new_checks(constraints: &[ConstraintChange]) -> impl Iterator<Item = &Check> {
    constraints.iter().filter_map(move |c| match c {
        ConstraintChange::AddCheck(k)
            if !constraints
                .iter()
                .any(|o| matches!(o, ConstraintChange::DropCheck(old) if old.expr == k.expr)) =>
        {
            Some(k)
        }
        _ => None,
    })
}

fn same_names(rule: NameRule, a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| rule.same(x, y))
}
