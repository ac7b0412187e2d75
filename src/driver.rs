//! The database seam: what moving a database along the revision graph needs
//! from an engine, as one trait ([`Driver`]), after sqlx's `Migrate`. The apply
//! loop in [`crate::apply`] only talks to this trait;
//! [`crate::sqlite::driver::Sqlite`] is the one implementation. PostgreSQL
//! would add a second one (its own locking, version table DDL and integrity
//! check) without touching `schema`, `diff`, `script`, `graph` or the loop.

use crate::capabilities::Capabilities;
use crate::error::{Error, Result};
use crate::script::{Direction, Revision};
use crate::statement::Statement;

/// A row of the version table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub revision: String,
    pub checksum: String,
    pub applied_at: String,
    /// The revision's parents and message as applied, so that `current`
    /// needs no revision file.
    pub parents: Vec<String>,
    pub message: String,
}

pub trait Driver {
    /// Prepares the connection for migrating (SQLite: foreign keys off, so a
    /// rebuild never cascades); [`Driver::end_session`] restores it.
    fn start_session(&mut self) -> Result<()>;
    fn end_session(&mut self);
    /// Begins a transaction that holds the engine's write lock, waiting for
    /// another migrator up to the lock timeout.
    fn begin_locked(&mut self) -> Result<()>;
    fn commit(&mut self) -> Result<()>;
    /// Ends the open transaction but keeps other migrators out until the
    /// next [`Driver::commit`] or [`Driver::rollback`]: a `-- transactional:
    /// false` revision's statements run in between, and must never run
    /// twice. The default only ends the transaction, for an engine whose
    /// lock outlives transactions (a session's advisory lock).
    fn leave_transaction_keeping_lock(&mut self) -> Result<()> {
        self.rollback();
        Ok(())
    }
    /// Rolls back the open transaction, if there is one.
    fn rollback(&mut self);
    /// Whether a table dropped or renamed in a `-- transactional: false`
    /// revision may be one step of a table rebuild, and so is refused
    /// ([`crate::non_transactional::refuse_rebuilds`]): SQLite rebuilds to
    /// ALTER; PostgreSQL does not, and a single DROP or rename is atomic.
    fn rebuilds_tables(&self) -> bool {
        true
    }
    /// A value that changes when another connection commits.
    fn change_counter(&mut self) -> Result<i64>;
    fn ensure_version_table(&mut self) -> Result<()>;
    fn applied(&mut self) -> Result<Vec<Applied>>;
    /// Runs one section of a revision; a failure names the statement.
    fn run_section(&mut self, rev: &Revision, direction: Direction) -> Result<()>;
    /// The references the last section broke: child tables with more rows
    /// pointing at missing parent rows than before it ran.
    fn new_violations(&mut self) -> Result<Vec<NewViolation>>;
    /// Writes the version-table change and its log row.
    fn record(&mut self, change: RowChange, label: &str, duration_ms: Option<u128>) -> Result<()>;

    /// What this connection can do ([`crate::capabilities`]); the apply
    /// loop runs statement by statement without `transactional_ddl`.
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }
    /// Refuses, before anything runs, steps this connection cannot run as
    /// written (PostgreSQL without `concurrently`: a `CONCURRENTLY` statement).
    fn refuse_steps(&self, _steps: &[(&Revision, Direction)]) -> Result<()> {
        Ok(())
    }
    /// The revisions a run without transactional DDL left halfway (read
    /// under the lock); none on an engine that never runs that way.
    fn progress(&mut self) -> Result<Vec<Progress>> {
        Ok(vec![])
    }
    /// Records in the open transaction how far a revision got, or with
    /// `None` that it is done (its version row is written beside).
    fn save_progress(&mut self, _revision: &str, _progress: Option<&Progress>) -> Result<()> {
        Err(no_stepwise())
    }
    /// Runs statement `number` (from 1) of a revision's section alone, in
    /// the open transaction if there is one; a failure names it.
    fn run_statement(&mut self, _rev: &Revision, _number: usize, _stmt: &Statement) -> Result<()> {
        Err(no_stepwise())
    }
}

fn no_stepwise() -> Error {
    Error::Refused(
        "this engine runs every revision in one transaction; it has no statement-by-statement mode"
            .into(),
    )
}

/// How far a revision got on an engine without transactional DDL: its
/// first `done` statements of `total` committed, going `direction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub revision: String,
    /// `up` or `down`.
    pub direction: String,
    /// The section's text as it ran ([`crate::stepwise::section_checksum`]):
    /// resuming an edited section would skip the wrong statements.
    pub checksum: String,
    pub done: usize,
    pub total: usize,
}

/// What one pre-count query found on the live database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Rows(i64),
    /// It could not be asked of the database as it is now (a table or
    /// column an earlier pending revision makes): nothing is known, and the
    /// revision's own transaction decides.
    Unknown,
    /// It ran past its `statement_timeout`.
    TimedOut,
}

/// A child table with more broken references than before the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewViolation {
    pub child: String,
    pub parent: String,
    /// Broken references now (some may have been there before).
    pub rows: i64,
}

/// What one step does to the version table.
pub enum RowChange<'a> {
    Insert(&'a Revision),
    Delete(&'a str),
    /// Store the revision's current checksum.
    Approve(&'a Revision),
}

impl<'a> RowChange<'a> {
    /// The change a revision run in `direction` makes.
    pub fn of(rev: &'a Revision, direction: Direction) -> RowChange<'a> {
        match direction {
            Direction::Up => RowChange::Insert(rev),
            Direction::Down => RowChange::Delete(&rev.id),
        }
    }
}
