//! The scratch-database seam: a throwaway database that load, check, verify
//! and lint run SQL on (Atlas's dev database, Prisma's shadow database), so
//! that none of them opens an engine connection itself. SQLite's is an
//! in-memory database ([`crate::sqlite::scratch::SqliteScratch`]); a server
//! engine would use a dev database named by URL. Built explicitly by
//! [`crate::engine::Engine::scratch`].

use std::collections::HashMap;

use crate::driver::Applied;
use crate::error::{Error, Result};
use crate::schema::Schema;
use crate::script::{Revision, Section};

/// Why [`Scratch::replay`] stopped: the statement that failed (its index in
/// the section), or `None` when a carried object no longer fit after the
/// section ran; the engine's words.
#[derive(Debug)]
pub struct ReplayFailed {
    pub statement: Option<usize>,
    /// The failed statement's line in the revision file.
    pub line: Option<usize>,
    pub message: String,
}

pub trait Scratch {
    /// Runs SQL text as it is (one statement or several); the engine's
    /// error as it said it.
    fn execute(&mut self, sql: &str) -> Result<()>;
    /// Runs a SQL model's statements, stopping at the first that fails: its
    /// index and the engine's error. In text order here; an engine whose
    /// models may be written in any order (PostgreSQL's, as sqldef reads
    /// them) runs the ones naming what comes later after the rest.
    fn run_model(&mut self, statements: &[&str]) -> std::result::Result<(), (usize, Error)> {
        for (i, s) in statements.iter().enumerate() {
            self.execute(s).map_err(|e| (i, e))?;
        }
        Ok(())
    }
    /// Runs a revision's section statement by statement, as the apply loop
    /// does; a failure names the revision, the statement and its line.
    fn run_section(&mut self, rev: &Revision, section: &Section) -> Result<()>;
    /// Runs a section's statements as upgrade runs them (objects a rebuild
    /// does not know about are carried across, see
    /// [`crate::sqlite::carry`]), quietly: no note, the failure as data.
    fn replay(&mut self, section: &Section) -> std::result::Result<(), ReplayFailed>;
    /// The schema it holds, without the tool's own tables (named `own`).
    fn inspect(&self, own: &str) -> Result<Schema>;
    /// The rows of one table.
    fn count_rows(&self, table: &str) -> Result<i64>;
    /// The version table's rows; none when there is no version table.
    fn applied(&self, version_table: &str) -> Result<Vec<Applied>>;
    /// The `CREATE` text of each table whose text holds `needle`, by
    /// lower-cased name (rename hints written as comments in a SQL model).
    fn table_texts_containing(&self, needle: &str) -> Result<HashMap<String, String>>;
}
