//! What a statement risks, in one vocabulary for the planner, the rendered
//! script, lint and backups: a [`Risk`] is written above its statement as a
//! review comment (`-- destructive: drops table artist ...`), and read back
//! from it ([`Risk::from_comment`]), so that what the planner knew (a column
//! a table rebuild drops, a type that narrows) reaches lint and `upgrade`'s
//! backup decision through the revision file. A revision may be written by
//! hand, so the statement's text is classified too
//! (`crate::sqlite::risk`): a comment can add a risk, never take one away.

use std::fmt;

/// One risk of one statement, with the reason a reviewer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Risk {
    /// Data is lost when it runs: a table, a column, rows.
    Destructive(String),
    /// A table is replaced by a copy (create, copy every row, drop, rename):
    /// nothing is lost, but every row is rewritten. The reason names the
    /// table first (`artist: ...`).
    Rebuild(String),
    /// It can fail, or change stored values, depending on the rows present.
    DataDependent(String),
}

/// A data-dependent risk's query counting the rows the statement would fail
/// on, as a dialect reads it back ([`crate::dialect::Dialect::pre_count`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreCount<'r> {
    /// The table the query counts rows of.
    pub table: String,
    /// The risk's reason without the query.
    pub reason: &'r str,
    pub query: &'r str,
}

/// The kind of a [`Risk`], without its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RiskKind {
    Destructive,
    Rebuild,
    DataDependent,
}

impl Risk {
    pub fn kind(&self) -> RiskKind {
        match self {
            Risk::Destructive(_) => RiskKind::Destructive,
            Risk::Rebuild(_) => RiskKind::Rebuild,
            Risk::DataDependent(_) => RiskKind::DataDependent,
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Risk::Destructive(r) | Risk::Rebuild(r) | Risk::DataDependent(r) => r,
        }
    }

    /// Reads a review comment's text (without `--`) back; `None` for any
    /// other comment.
    pub fn from_comment(text: &str) -> Option<Risk> {
        let text = text.trim();
        let reason = |prefix: &str| {
            text.strip_prefix(prefix)
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
        };
        if let Some(r) = reason("destructive:") {
            Some(Risk::Destructive(r))
        } else if let Some(r) = reason("data-dependent:") {
            Some(Risk::DataDependent(r))
        } else {
            // `rebuild <table>: ...`: a word and a colon, as the planner writes it.
            reason("rebuild ")
                .filter(|r| r.contains(": "))
                .map(Risk::Rebuild)
        }
    }

    /// A reviewer should read it before it runs (`revision` lists it).
    pub fn needs_review(&self) -> bool {
        !matches!(self, Risk::Rebuild(_))
    }

    /// `upgrade` takes a backup before it runs (rows are dropped or rewritten).
    pub fn needs_backup(&self) -> bool {
        !matches!(self, Risk::DataDependent(_))
    }
}

/// The review comment's text: `destructive: ...`, `data-dependent: ...`,
/// `rebuild artist: ...`.
impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Risk::Destructive(r) => write!(f, "destructive: {r}"),
            Risk::Rebuild(r) => write!(f, "rebuild {r}"),
            Risk::DataDependent(r) => write!(f, "data-dependent: {r}"),
        }
    }
}

/// `more` added to `risks`, each kind that `risks` does not have yet: the
/// first word on a kind stays (the planner's, which knows more than the text).
pub(crate) fn merge(risks: &mut Vec<Risk>, more: Vec<Risk>) {
    for r in more {
        if !risks.iter().any(|have| have.kind() == r.kind()) {
            risks.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_risk_reads_back_from_its_comment() {
        for r in [
            Risk::Destructive("drops table artist and every row in it".into()),
            Risk::Rebuild("artist: SQLite cannot ALTER this change".into()),
            Risk::DataDependent("narrowing: a.b changes type TEXT -> INT".into()),
        ] {
            assert_eq!(Risk::from_comment(&r.to_string()), Some(r));
        }
        for other in ["rebuild later", "destructive:", "a note", "rebuilds: x"] {
            assert_eq!(Risk::from_comment(other), None, "{other}");
        }
    }
}
