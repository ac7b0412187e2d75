//! The progress bar in a build without the `cli` feature (no `indicatif`):
//! the same calls, drawing nothing, so the driver keeps no `#[cfg]` of its own.
//! An application that migrates itself owns its terminal; the bar is the CLI's.

use rusqlite::Connection;

/// What a statement scans; nothing to know without a bar.
pub(crate) struct Scan;

/// A handler that is never installed.
pub(crate) struct Progress;

impl Progress {
    pub(crate) fn install(_conn: &mut Connection) -> rusqlite::Result<Progress> {
        Ok(Progress)
    }

    pub(crate) fn before_statement(&self, _conn: &Connection, _sql: &str) -> Option<Scan> {
        None
    }

    pub(crate) fn start(&self, _scan: Option<Scan>) {}

    pub(crate) fn remove(self, _conn: &mut Connection) {}
}
