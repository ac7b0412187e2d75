//! The plan model every dialect's planner fills: a [`Statement`] (its SQL,
//! the notes and typed [`Risk`]s written above it, the [`Change`] it serves)
//! and a [`Migration`] (the changes, up and down). Which statements a change
//! becomes is the dialect's (`crate::sqlite::plan`, `crate::postgres::plan`).

use crate::diff::{Change, ChangeKind, ColumnChange, ConstraintChange, reversed};
use crate::risk::Risk;
use crate::schema::{NameRule, Schema, Table};

/// One planned statement and what a reviewer should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    /// Notes for the reader that are no risk (written above the risks).
    pub comments: Vec<String>,
    /// What it risks, each written above it as a review comment.
    pub risks: Vec<Risk>,
    /// The change it serves; `None` for a view or trigger taken down and put
    /// back around a rebuild, or a virtual table refilled after one.
    pub source: Option<Change>,
}

impl Statement {
    /// A statement with no notes, no risk, serving no change yet.
    pub fn plain(sql: String) -> Statement {
        Statement {
            sql,
            comments: vec![],
            risks: vec![],
            source: None,
        }
    }

    /// A statement with one risk.
    pub fn with_risk(sql: String, risk: Risk) -> Statement {
        Statement {
            risks: vec![risk],
            ..Statement::plain(sql)
        }
    }

    /// What is written above it: the notes, then each risk as the review
    /// comment lint reads back ([`Risk::from_comment`]).
    pub fn review_comments(&self) -> Vec<String> {
        let risks = self.risks.iter().map(ToString::to_string);
        self.comments.iter().cloned().chain(risks).collect()
    }

    /// Drops data, or can fail depending on the rows present: `revision`
    /// lists it for review.
    pub fn risky(&self) -> bool {
        self.risks.iter().any(Risk::needs_review)
    }
}

/// A reviewed migration: the changes and both directions.
#[derive(Debug, Clone)]
pub struct Migration {
    pub changes: Vec<Change>,
    pub up: Vec<Statement>,
    pub down: Vec<Statement>,
}

impl Migration {
    /// `changes` (the diff `from` -> `to`, names compared by `rule`) planned
    /// both ways by a dialect's `plan`: the down is the plan of the reversed changes between the
    /// swapped schemas, so it returns exactly to the start.
    pub fn both_ways(
        rule: NameRule,
        from: &Schema,
        to: &Schema,
        changes: Vec<Change>,
        plan: fn(&Schema, &Schema, &[Change]) -> Vec<Statement>,
    ) -> Migration {
        Migration {
            up: plan(from, to, &changes),
            down: plan(to, from, &reversed(rule, &changes)),
            changes,
        }
    }

    /// Nothing to do: no change, and no statement (PostgreSQL's enum
    /// types and extensions are planned from the schemas, without a change).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.up.is_empty()
    }
}

/// Tables ordered so that a table comes after the tables it references
/// (a cycle keeps the given order for its members).
pub(crate) fn parents_first<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
    let mut done: Vec<&Table> = Vec::new();
    let mut pending: Vec<&Table> = tables.to_vec();
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| {
            t.foreign_keys.iter().all(|fk| {
                t.same_name(&fk.ref_table, &t.name)
                    || !pending.iter().any(|p| t.same_name(&p.name, &fk.ref_table))
            })
        });
        done.push(pending.remove(ready.unwrap_or(0)));
    }
    done
}

/// `statements` marked as serving `change` (those not marked yet).
pub(crate) fn serving(
    change: &Change,
    statements: impl IntoIterator<Item = Statement>,
) -> Vec<Statement> {
    statements
        .into_iter()
        .map(|mut s| {
            s.source.get_or_insert_with(|| change.clone());
            s
        })
        .collect()
}

/// A [`Change::ModifyTable`]'s parts, borrowed.
pub(crate) struct ModifiedTable<'c> {
    pub from: &'c Table,
    pub to: &'c Table,
    pub columns: &'c Vec<ColumnChange>,
    pub kind: ChangeKind,
    pub constraints: &'c [ConstraintChange],
}

impl ModifiedTable<'_> {
    /// The parts of `c`, when it modifies a table.
    pub(crate) fn of(c: &Change) -> Option<ModifiedTable<'_>> {
        let Change::ModifyTable {
            from,
            to,
            columns,
            kind,
            constraints,
        } = c
        else {
            return None;
        };
        Some(ModifiedTable {
            from,
            to,
            columns,
            kind: *kind,
            constraints,
        })
    }
}
