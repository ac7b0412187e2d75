//! Explicit construction of the engine seams (no global registry): an
//! [`Engine`] is chosen from a [`DatabaseUrl`] in one place, and gives the
//! SQL-knowing [`Dialect`], the connection-holding [`Driver`] and the
//! throwaway [`Scratch`]. SQLite is the
//! only engine built; a `postgres://` URL is refused here, by
//! [`Engine::of`], with one message.

use std::path::{Path, PathBuf};

use crate::dialect::Dialect;
use crate::driver::{Applied, Driver};
use crate::error::Result;
use crate::scratch::Scratch;
use crate::sqlite::dialect::SqliteDialect;
use crate::sqlite::driver::Sqlite;
use crate::sqlite::scratch::SqliteScratch;
use crate::url::DatabaseUrl;

/// One database engine migrate can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
}

impl Engine {
    /// The engine a URL names. One that is not built yet is refused with
    /// the message the caller places (a config file, a flag).
    pub fn of(url: &DatabaseUrl) -> std::result::Result<Engine, String> {
        match url {
            DatabaseUrl::Sqlite { .. } => Ok(Engine::Sqlite),
            DatabaseUrl::Postgres { redacted } => Err(format!(
                "database url {redacted:?}: PostgreSQL is not supported yet; migrate works on SQLite files \
                 (sqlite:///relative.db or sqlite:////absolute/path.db)"
            )),
        }
    }

    /// The engine's SQL, which needs no connection.
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            Engine::Sqlite => &SqliteDialect,
        }
    }

    /// The driver for the database at `path`, opened for migrating.
    pub fn open(self, path: &Path, version_table: &str) -> Result<Box<dyn Driver>> {
        match self {
            Engine::Sqlite => Ok(Box::new(Sqlite::open(path, version_table)?)),
        }
    }

    /// An empty scratch database, set up as a migration runs (SQLite:
    /// foreign keys off, so a rebuild never cascades).
    pub fn scratch(self) -> Result<Box<dyn Scratch>> {
        match self {
            Engine::Sqlite => Ok(Box::new(SqliteScratch::empty()?)),
        }
    }

    /// An empty scratch database as the engine opens one, for creating a
    /// model in (SQLite: foreign keys as compiled in, on).
    pub fn model_scratch(self) -> Result<Box<dyn Scratch>> {
        match self {
            Engine::Sqlite => Ok(Box::new(SqliteScratch::for_model()?)),
        }
    }

    /// A scratch copy of the database at `db`; the file is only read.
    pub fn scratch_copy(self, db: &Path) -> Result<Box<dyn Scratch>> {
        match self {
            Engine::Sqlite => Ok(Box::new(SqliteScratch::copy_of(db)?)),
        }
    }

    /// The revisions applied to the database at `path`, read without
    /// creating or writing anything (none when it does not exist).
    pub fn read_applied(self, path: &Path, version_table: &str) -> Result<Vec<Applied>> {
        match self {
            Engine::Sqlite => crate::sqlite::driver::read_applied_at(path, version_table),
        }
    }

    /// Clears what a killed run may have left beside the database (SQLite:
    /// its rollback journal), for a run that has nothing to do and so never
    /// opens a session that would.
    pub fn clear_leftovers(self, path: &Path) -> Result<()> {
        match self {
            Engine::Sqlite => crate::sqlite::driver::clear_leftover_journal(path),
        }
    }

    /// A backup of the database at `db` in `dir`, keeping the newest `keep`;
    /// its path.
    pub fn backup(self, db: &Path, dir: &Path, keep: usize, label: &str) -> Result<PathBuf> {
        match self {
            Engine::Sqlite => crate::sqlite::backup::take(db, dir, keep, label),
        }
    }
}
