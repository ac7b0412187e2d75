//! The values the library API returns instead of printing: what a run did
//! ([`Report`]), a revision ([`RevisionInfo`]), what `check` found
//! ([`CheckReport`]), and the model `check` compares with ([`Model`]).

use std::path::{Path, PathBuf};

use crate::check::Comparison;
use crate::script::Revision;

/// Which way a run went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `upgrade`: the revisions' `up` sections ran.
    Up,
    /// `downgrade`: the revisions' `down` sections ran.
    Down,
}

/// One revision, as the library reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevisionInfo {
    /// The revision id (the `revision:` header).
    pub id: String,
    /// The ids it comes after (`down_revision:`); empty for a root.
    pub parents: Vec<String>,
    /// Its message (the file's first line).
    pub message: String,
}

impl From<&Revision> for RevisionInfo {
    fn from(rev: &Revision) -> RevisionInfo {
        RevisionInfo {
            id: rev.id.clone(),
            parents: rev.parents.clone(),
            message: rev.message.clone(),
        }
    }
}

/// What [`crate::Migrator::upgrade`] or [`crate::Migrator::downgrade`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Which way the run went.
    pub direction: Direction,
    /// The revisions that ran, in the order they ran (each committed in its
    /// own transaction); empty when there was nothing to do, or another
    /// migrator did it first.
    pub steps: Vec<RevisionInfo>,
    /// The database's heads after the run; empty means `base`.
    pub current: Vec<String>,
    /// The backup taken before a step that drops data (SQLite).
    pub backup: Option<PathBuf>,
    /// What the command-line tool would have said on stderr while running
    /// (`running upgrade ...`, notes about backups), in order.
    pub notes: Vec<String>,
}

/// The model [`crate::Migrator::check`] compares the migrations with.
#[derive(Debug, Clone)]
pub struct Model(pub(crate) crate::load::ModelSource);

impl Model {
    /// SQL DDL text, in the database's dialect (`CREATE TABLE ...;`).
    pub fn sql(text: impl Into<String>) -> Model {
        Model(crate::load::ModelSource::Sql(text.into()))
    }

    /// A file of SQL DDL.
    pub fn sql_file(path: impl AsRef<Path>) -> Model {
        Model(crate::load::ModelSource::File(path.as_ref().to_path_buf()))
    }

    /// A model file as `[model] path` takes it: `.sql` or `.toml`.
    pub fn file(path: impl AsRef<Path>) -> Model {
        Model(crate::load::ModelSource::File(path.as_ref().to_path_buf()))
    }
}

/// How two schemas differ.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Differences {
    /// Whether they differ at all.
    pub differs: bool,
    /// One line per change, as autogenerate describes it
    /// (`Detected added table 'genre'`).
    pub changes: Vec<String>,
    /// The SQL a revision would run to make the first like the second.
    pub operations: Vec<String>,
    /// A unified diff of the two schemas written as DDL.
    pub diff: String,
}

impl From<Comparison> for Differences {
    fn from(c: Comparison) -> Differences {
        Differences {
            differs: c.differs,
            changes: c.changes,
            operations: c.operations,
            diff: c.diff,
        }
    }
}

/// What [`crate::Migrator::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckReport {
    /// The schema the migrations build against the model's.
    pub migrations_vs_model: Differences,
    /// The database against the schema of the revision it records; `None`
    /// when there is no database yet.
    pub database_drift: Option<Differences>,
    /// The revision graph's heads (more than one unlabelled head is a finding).
    pub heads: Vec<String>,
    /// Heads beyond the first with no branch label: to be merged.
    pub unlabelled_heads: Vec<String>,
}

impl CheckReport {
    /// No difference, no drift, and no heads to merge.
    pub fn ok(&self) -> bool {
        !self.migrations_vs_model.differs
            && !self.database_drift.as_ref().is_some_and(|d| d.differs)
            && self.unlabelled_heads.is_empty()
    }
}
