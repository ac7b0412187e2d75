//! Explicit construction of the engine seams (no global registry): an
//! [`Engine`] is chosen from a [`DatabaseUrl`] in one place, and gives the
//! SQL-knowing [`Dialect`], the connection-holding [`Driver`] and the
//! throwaway [`Scratch`]. SQLite is the
//! only engine built; a `postgres://` URL is refused here, by
//! [`Engine::of`], with one message.

use std::path::Path;

use crate::dialect::Dialect;
use crate::driver::Driver;
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
            DatabaseUrl::Postgres(url) => Err(format!(
                "database url {:?}: PostgreSQL is not supported yet; migrate works on SQLite files \
                 (sqlite:///relative.db or sqlite:////absolute/path.db)",
                url.redacted
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
}
