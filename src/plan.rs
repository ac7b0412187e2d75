//! The plan model every dialect's planner fills: a [`Statement`] (its SQL,
//! the notes and typed [`Risk`]s written above it, the [`Change`] it serves)
//! and a [`Migration`] (the changes, up and down). Which statements a change
//! becomes is the dialect's (`crate::sqlite::plan`, `crate::postgres::plan`).

use crate::diff::Change;
use crate::risk::Risk;

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
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
