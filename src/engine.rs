//! Explicit construction of the engine seams (no global registry): an
//! [`Engine`] is chosen from a [`DatabaseUrl`] in one place, and gives the
//! SQL-knowing [`Dialect`], the connection-holding [`Driver`] and the
//! throwaway [`Scratch`]. A [`Database`] is where a command works: an SQLite
//! file or a PostgreSQL server. A [`Dev`] is where a command's scratch
//! databases are made: in memory for SQLite, on a server for PostgreSQL.

// Without PostgreSQL, the arguments only its arms read go unread.
#![cfg_attr(not(feature = "postgres"), allow(unused_variables))]

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::capabilities::Capabilities;
use crate::dialect::Dialect;
use crate::driver::Count;
use crate::driver::{Applied, Driver};
use crate::error::{Error, Result};
#[cfg(feature = "postgres")]
use crate::postgres::{dialect::PostgresDialect, driver::Postgres, scratch::PgScratch};
use crate::schema::Schema;
use crate::scratch::Scratch;
use crate::script::{Direction, Revision, Section};
use crate::sqlite::dialect::SqliteDialect;
use crate::sqlite::driver::Sqlite;
use crate::sqlite::scratch::SqliteScratch;
use crate::url::{DatabaseUrl, PgUrl};

/// One database engine migrate can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database a command works on.
#[derive(Debug, Clone, Copy)]
pub enum Database<'a> {
    Sqlite(&'a Path),
    Postgres {
        url: &'a PgUrl,
        /// How long a revision's statement waits for a table lock.
        lock_timeout: Duration,
        /// What the config leaves on (see [`crate::capabilities`]).
        capabilities: Capabilities,
        /// The schemas migrate manages (`[database] schemas`).
        schemas: &'a [String],
    },
}

impl Database<'_> {
    pub fn engine(&self) -> Engine {
        match self {
            Database::Sqlite(_) => Engine::Sqlite,
            Database::Postgres { .. } => Engine::Postgres,
        }
    }

    /// The driver, connected and opened for migrating.
    pub fn open(&self, version_table: &str) -> Result<Box<dyn Driver>> {
        match self {
            Database::Sqlite(path) => Engine::Sqlite.open(path, version_table),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres {
                url,
                lock_timeout,
                capabilities,
                schemas,
            } => Ok(Box::new(Postgres::open(
                url,
                version_table,
                *lock_timeout,
                *capabilities,
                schemas,
            )?)),
        }
    }

    /// The applied revisions, read without creating or writing anything
    /// (none when there is no database or version table yet).
    pub fn read_applied(&self, version_table: &str) -> Result<Vec<Applied>> {
        match self {
            Database::Sqlite(path) => crate::sqlite::driver::read_applied_at(path, version_table),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres { url, schemas, .. } => {
                crate::postgres::driver::read_applied_at(url, schemas, version_table)
            }
        }
    }

    /// The revisions a run without transactional DDL left halfway
    /// ([`crate::stepwise`]), read without writing anything.
    pub fn read_progress(&self, version_table: &str) -> Result<Vec<crate::driver::Progress>> {
        match self {
            Database::Sqlite(_) => Ok(vec![]),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres { url, schemas, .. } => {
                let (mut client, place) = crate::postgres::schemas::connect(url, schemas)?;
                crate::postgres::progress::read(&mut client, version_table, &place)
            }
        }
    }

    /// The database's schema as its engine's inspector reads it (without
    /// the tool's own tables); nothing is written. PostgreSQL: the
    /// configured schemas.
    pub fn inspect(&self, version_table: &str) -> Result<Schema> {
        match self {
            Database::Sqlite(path) => {
                let conn = crate::sqlite::inspect::open_read_only(path)?;
                crate::sqlite::inspect::inspect(&conn, version_table)
                    .map_err(|e| Error::database(path, e))
            }
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres { url, schemas, .. } => {
                let (mut client, _) = crate::postgres::connect::connect(url)?;
                let options = crate::postgres::inspect::Options {
                    version_table: version_table.to_string(),
                    schemas: schemas.to_vec(),
                };
                crate::postgres::inspect::inspect(&mut client, &options)
            }
        }
    }

    /// Clears what a killed run may have left beside the database (SQLite:
    /// its rollback journal; a server cleans up after its own sessions),
    /// for a run that has nothing to do and so never opens a session that
    /// would.
    pub fn clear_leftovers(&self) -> Result<()> {
        match self {
            Database::Sqlite(path) => crate::sqlite::driver::clear_leftover_journal(path),
            Database::Postgres { .. } => Ok(()),
        }
    }

    /// A backup of the database in `dir`, keeping the newest `keep`; its path.
    pub fn backup(&self, dir: &Path, keep: usize, label: &str) -> Result<PathBuf> {
        match self {
            Database::Sqlite(path) => crate::sqlite::backup::take(path, dir, keep, label),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres { url, .. } => crate::postgres::backup::take(url, dir, keep, label),
        }
    }

    /// The count of each pre-count query ([`crate::lint::pre_counts`]), each
    /// run read-only under `timeout`. SQLite's data checks work on a
    /// scratch copy instead (`lint::findings`): it has no queries to run.
    pub fn count_rows(&self, queries: &[String], timeout: Duration) -> Result<Vec<Count>> {
        match self {
            Database::Sqlite(_) => Ok(vec![Count::Unknown; queries.len()]),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres { url, schemas, .. } => {
                crate::postgres::pre_count::run(url, schemas, queries, timeout)
            }
        }
    }

    /// The command a user runs to back the database up as [`Database::backup`]
    /// would, without the password (PostgreSQL's `pg_dump`).
    pub fn backup_command(&self, dir: &Path, label: &str) -> Result<String> {
        match self {
            Database::Sqlite(path) => Ok(format!("cp {} {}", path.display(), dir.display())),
            #[cfg(not(feature = "postgres"))]
            Database::Postgres { .. } => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Database::Postgres { url, .. } => {
                let file = crate::postgres::backup::path_for(url, dir, label)?;
                crate::postgres::backup::command(url, &file)
            }
        }
    }

    /// Whether the database is there (a server's database always is: a
    /// missing one is an error when connecting).
    pub fn exists(&self) -> bool {
        match self {
            Database::Sqlite(path) => path.exists(),
            Database::Postgres { .. } => true,
        }
    }

    /// The database for messages: a path, or a URL without its password.
    pub fn display(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres { url, .. } => url.redacted.clone(),
        }
    }
}

impl Engine {
    /// The engine a URL names. One that is not built yet is refused with
    /// the message the caller places (a config file, a flag).
    pub fn of(url: &DatabaseUrl) -> std::result::Result<Engine, String> {
        match url {
            DatabaseUrl::Sqlite { .. } => Ok(Engine::Sqlite),
            #[cfg(feature = "postgres")]
            DatabaseUrl::Postgres(_) => Ok(Engine::Postgres),
            // The one refusal a build without PostgreSQL needs: no URL of
            // it gets past here, so no PostgreSQL `Engine`, `Database` or
            // `Dev` is ever made and the arms below never run.
            #[cfg(not(feature = "postgres"))]
            DatabaseUrl::Postgres(_) => Err(NO_POSTGRES.into()),
        }
    }

    /// The engine's SQL, which needs no connection.
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            Engine::Sqlite => &SqliteDialect,
            #[cfg(not(feature = "postgres"))]
            Engine::Postgres => never_made(),
            #[cfg(feature = "postgres")]
            Engine::Postgres => &PostgresDialect,
        }
    }

    /// Refuses, before anything runs, steps the engine cannot run as
    /// written (PostgreSQL: a transactional revision holding a statement the
    /// server runs only outside a transaction, such as `CREATE INDEX
    /// CONCURRENTLY`).
    pub fn refuse_unrunnable(self, steps: &[(&Revision, Direction)]) -> Result<()> {
        match self {
            Engine::Sqlite => Ok(()),
            #[cfg(not(feature = "postgres"))]
            Engine::Postgres => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Engine::Postgres => crate::postgres::no_transaction::refuse_in_transaction(steps),
        }
    }

    /// Whether a planned revision with these statements (up and down) can
    /// run in one transaction: autogenerate writes `-- transactional: false`
    /// otherwise (PostgreSQL: an enum label added and used in one revision).
    pub fn plan_runs_in_transaction(self, statements: &[&str]) -> bool {
        match self {
            Engine::Sqlite => true,
            #[cfg(not(feature = "postgres"))]
            Engine::Postgres => never_made(),
            #[cfg(feature = "postgres")]
            Engine::Postgres => crate::postgres::no_transaction::runs_in_transaction(statements),
        }
    }

    /// The statements of a section as the engine splits them, for `--sql`.
    pub fn statements(self, section: &Section) -> Vec<String> {
        match self {
            Engine::Sqlite => section.statements().into_iter().map(|s| s.sql).collect(),
            #[cfg(not(feature = "postgres"))]
            Engine::Postgres => never_made(),
            #[cfg(feature = "postgres")]
            Engine::Postgres => crate::postgres::sql::split(&section.sql)
                .into_iter()
                .map(|s| s.sql)
                .collect(),
        }
    }

    /// What a `--sql` script starts with (see [`Dialect::offline_preamble`]);
    /// PostgreSQL's sets the configured `lock_timeout`.
    pub fn offline_preamble(self, lock_timeout: Duration) -> String {
        match self {
            Engine::Sqlite => self.dialect().offline_preamble(),
            #[cfg(not(feature = "postgres"))]
            Engine::Postgres => never_made(),
            #[cfg(feature = "postgres")]
            Engine::Postgres => crate::postgres::dialect::offline_preamble(&format!(
                "{}ms",
                lock_timeout.as_millis()
            )),
        }
    }

    /// The driver for the SQLite database at `path`, opened for migrating
    /// (a PostgreSQL one opens from its URL: [`Database::open`]).
    pub fn open(self, path: &Path, version_table: &str) -> Result<Box<dyn Driver>> {
        match self {
            Engine::Sqlite => Ok(Box::new(Sqlite::open(path, version_table)?)),
            Engine::Postgres => Err(not_built("a database opened by its file path")),
        }
    }

    /// An empty scratch database, set up as a migration runs (SQLite:
    /// foreign keys off, so a rebuild never cascades). PostgreSQL's are made
    /// on a server: [`Dev::scratch`].
    pub fn scratch(self) -> Result<Box<dyn Scratch>> {
        match self {
            Engine::Sqlite => Ok(Box::new(SqliteScratch::empty()?)),
            Engine::Postgres => Err(on_a_server()),
        }
    }

    /// An empty scratch database as the engine opens one, for creating a
    /// model in (SQLite: foreign keys as compiled in, on). PostgreSQL's:
    /// [`Dev::model_scratch`].
    pub fn model_scratch(self) -> Result<Box<dyn Scratch>> {
        match self {
            Engine::Sqlite => Ok(Box::new(SqliteScratch::for_model()?)),
            Engine::Postgres => Err(on_a_server()),
        }
    }

    /// A scratch copy of the database at `db`; the file is only read.
    /// PostgreSQL has none: a copy of a live database (`CREATE DATABASE ...
    /// TEMPLATE`) needs it without sessions, so `verify --data` and lint's
    /// data checks read the live database and replay into an empty one.
    pub fn scratch_copy(self, db: &Path) -> Result<Box<dyn Scratch>> {
        match self {
            Engine::Sqlite => Ok(Box::new(SqliteScratch::copy_of(db)?)),
            Engine::Postgres => Err(not_built("a scratch copy of a live database")),
        }
    }
}

/// Where a command's scratch databases are made ([`crate::config::Config::dev`]).
#[derive(Debug, Clone, Copy)]
pub enum Dev<'a> {
    /// In memory.
    Sqlite,
    /// On the server of this URL (`dev_url`, by default the database's own),
    /// each made from `template0` and dropped after, with the configured
    /// schemas on its `search_path` (`[database] schemas`).
    Postgres(&'a PgUrl, &'a [String]),
}

impl Dev<'_> {
    pub fn engine(&self) -> Engine {
        match self {
            Dev::Sqlite => Engine::Sqlite,
            Dev::Postgres(..) => Engine::Postgres,
        }
    }

    /// An empty scratch database, set up as a migration runs.
    pub fn scratch(&self) -> Result<Box<dyn Scratch>> {
        match self {
            Dev::Sqlite => Engine::Sqlite.scratch(),
            #[cfg(not(feature = "postgres"))]
            Dev::Postgres(_, _) => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Dev::Postgres(url, schemas) => Ok(Box::new(PgScratch::create(url, schemas, false)?)),
        }
    }

    /// A scratch copy of `db`, rows too; `db` is only read. PostgreSQL's
    /// is made on this server with `pg_dump | pg_restore`.
    pub fn copy_of(&self, db: &Database) -> Result<Box<dyn Scratch>> {
        match (self, db) {
            #[cfg(not(feature = "postgres"))]
            (Dev::Postgres(_, _), Database::Postgres { .. }) => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            (Dev::Postgres(dev, schemas), Database::Postgres { url, .. }) => {
                Ok(Box::new(PgScratch::copy_of(dev, url, schemas)?))
            }
            (_, Database::Sqlite(path)) => Engine::Sqlite.scratch_copy(path),
            (Dev::Sqlite, Database::Postgres { .. }) => Err(on_a_server()),
        }
    }

    /// The major version of the server scratch databases are made on (what
    /// the committed snapshot is keyed by, [`crate::snapshot`]); `None` for
    /// SQLite, whose in-memory scratch databases need no snapshot.
    pub fn server_major(&self) -> Result<Option<u32>> {
        match self {
            Dev::Sqlite => Ok(None),
            #[cfg(not(feature = "postgres"))]
            Dev::Postgres(_, _) => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Dev::Postgres(url, _) => crate::postgres::scratch::server_major(url).map(Some),
        }
    }

    /// An empty scratch database for creating a model in (PostgreSQL: the
    /// configured schemas made first, so the model's objects may go in them).
    pub fn model_scratch(&self) -> Result<Box<dyn Scratch>> {
        match self {
            Dev::Sqlite => Engine::Sqlite.model_scratch(),
            #[cfg(not(feature = "postgres"))]
            Dev::Postgres(_, _) => Err(no_postgres()),
            #[cfg(feature = "postgres")]
            Dev::Postgres(url, schemas) => Ok(Box::new(PgScratch::create(url, schemas, true)?)),
        }
    }
}

impl Engine {
    /// Where the engine makes scratch databases without a server: SQLite's,
    /// in memory. PostgreSQL's need one ([`crate::config::Config::dev`]).
    pub fn local(self) -> Result<Dev<'static>> {
        match self {
            Engine::Sqlite => Ok(Dev::Sqlite),
            Engine::Postgres => Err(on_a_server()),
        }
    }
}

/// Engine's scratch constructors cannot make PostgreSQL's: they need a server.
fn on_a_server() -> Error {
    Error::Usage(
        "PostgreSQL scratch databases are made on a server: use the config's Dev (dev_url)".into(),
    )
}

/// What the PostgreSQL engine does not have yet.
fn not_built(what: &str) -> Error {
    Error::Usage(format!("{what}: not built yet for PostgreSQL"))
}

/// What a build without the `postgres` feature says to a PostgreSQL URL.
#[cfg(not(feature = "postgres"))]
const NO_POSTGRES: &str = "this build has no PostgreSQL support (feature `postgres`): \
     build migrate with that feature (it is among the default features), or name an SQLite database";

#[cfg(not(feature = "postgres"))]
fn no_postgres() -> Error {
    Error::Usage(NO_POSTGRES.into())
}

/// An arm that cannot return an error, in a build without PostgreSQL: no
/// PostgreSQL value exists there ([`Engine::of`] refuses their URLs).
#[cfg(not(feature = "postgres"))]
fn never_made() -> ! {
    unreachable!("{NO_POSTGRES}")
}

/// Run by `cargo test --no-default-features --features sqlite --lib` (CI).
#[cfg(all(test, not(feature = "postgres")))]
mod without_postgres {
    use super::*;

    #[test]
    fn a_postgresql_url_is_refused_saying_which_feature() {
        let url = DatabaseUrl::parse("postgresql://u@localhost/app").unwrap();
        let err = Engine::of(&url).unwrap_err();
        assert!(err.contains("feature `postgres`"), "{err}");
        assert!(matches!(
            DatabaseUrl::parse("sqlite:app.db").map(|u| Engine::of(&u)),
            Ok(Ok(Engine::Sqlite))
        ));
    }
}
