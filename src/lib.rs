//! `migrate`: schema migrations for SQLite and PostgreSQL, in the spirit of
//! Alembic, as a command-line tool and as this library.
//!
//! An application migrates its own database at start-up with a
//! [`Migrator`], from the project's migrations directory or from revisions
//! compiled into the binary ([`EmbeddedMigrations`]), with the guarantees
//! of the command-line tool (it runs the same code): `migrate.sum` and the
//! applied revisions' checksums are checked first; the engine's lock keeps a
//! second instance from applying anything twice; each revision runs in its
//! own transaction; data checks refuse a change the rows would not survive;
//! broken foreign-key references roll a revision back; SQLite is backed up
//! before a revision that drops data.
//!
//! ```
//! # fn main() -> migrate::Result<()> {
//! # let tmp = tempfile::tempdir().unwrap();
//! # std::env::set_current_dir(tmp.path()).unwrap();
//! # std::fs::create_dir_all("migrations/versions").unwrap();
//! # std::fs::write("migrations/versions/a1_create_artist.sql",
//! #     "-- revision: a1\n-- down_revision:\n-- message: create artist\n\n-- migrate:up\n\
//! #      CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n\
//! #      -- migrate:down\nDROP TABLE artist;\n").unwrap();
//! # migrate::Migrator::write_sum("migrations")?;
//! let mut migrator = migrate::Migrator::from_dir("migrations")?.database("sqlite:///app.db")?;
//! let report = migrator.upgrade("head")?;
//! for rev in &report.steps {
//!     println!("applied {} ({})", rev.id, rev.message);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Everything else in the crate is the command-line tool's own and is
//! hidden from these docs; it may change in any release. Inside (see
//! docs/architecture.md): model --load--> schema <--inspect-- database;
//! diff -> plan -> revision file (script, graph) -> apply; the generic
//! core names no engine, SQLite is in `sqlite`, PostgreSQL in `postgres`.

#![deny(missing_docs)]

mod api;
#[doc(hidden)]
pub mod apply;
#[doc(hidden)]
pub mod autogen;
#[doc(hidden)]
pub mod branching;
#[doc(hidden)]
pub mod capabilities;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod check_envs;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod commands;
#[doc(hidden)]
pub mod config;
#[doc(hidden)]
pub mod describe;
#[doc(hidden)]
pub mod dialect;
#[doc(hidden)]
pub mod diff;
#[doc(hidden)]
pub mod discover;
#[doc(hidden)]
pub mod driver;
#[doc(hidden)]
pub mod edit;
#[doc(hidden)]
pub mod embedded;
#[doc(hidden)]
pub mod engine;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod files;
#[doc(hidden)]
pub mod filter;
#[doc(hidden)]
pub mod graph;
#[doc(hidden)]
pub mod graph_aliases;
// A command of the CLI; without `sqlalchemy` it only says it is not built.
#[cfg(feature = "cli")]
#[cfg_attr(not(feature = "sqlalchemy"), path = "import_alembic_off.rs")]
#[doc(hidden)]
pub mod import_alembic;
#[doc(hidden)]
pub mod json;
#[doc(hidden)]
pub mod lint;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod lock_wait;
#[doc(hidden)]
pub mod non_transactional;
#[doc(hidden)]
pub mod output;
#[doc(hidden)]
pub mod plan;
#[doc(hidden)]
pub mod project;
#[doc(hidden)]
pub mod renames;
#[doc(hidden)]
pub mod replaces;
#[doc(hidden)]
pub mod risk;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod scratch;
#[doc(hidden)]
pub mod script;
#[doc(hidden)]
pub mod snapshot;
#[doc(hidden)]
pub mod squash;
#[doc(hidden)]
pub mod stamp;
#[doc(hidden)]
pub mod statement;
#[doc(hidden)]
pub mod stepwise;
#[doc(hidden)]
pub mod sum;
#[doc(hidden)]
pub mod terminal;
#[doc(hidden)]
pub mod test_hooks;
#[doc(hidden)]
pub mod url;
#[doc(hidden)]
pub mod verify;
#[doc(hidden)]
pub mod version_rows;
#[doc(hidden)]
pub mod views;

#[cfg(feature = "postgres")]
#[doc(hidden)]
pub mod postgres;
#[doc(hidden)]
pub mod sqlite;

// The SQLite modules at their old paths, for the tests, the benchmarks and
// the branches written before the move, until the library-API issue settles
// the public surface. Code inside the crate uses the real paths.
#[doc(hidden)]
pub use sqlite::{backup, ddl, inspect, parse, sql};

pub use api::{CheckReport, Differences, Direction, Migrator, Model, Report, RevisionInfo};
pub use embedded::{EmbeddedMigrations, EmbeddedRevision};
pub use error::{DatabaseProblem, Error, Result};
/// Compiles a migrations directory into the binary: every
/// `versions/*.sql` and `migrate.sum` (the path is relative to the calling
/// crate's `Cargo.toml`), as an [`EmbeddedMigrations`] for
/// [`Migrator::embedded`]. The sum is checked while compiling: a stale,
/// missing or hand-edited `migrate.sum` is a compile error naming each file
/// and saying to run `migrate hash`.
///
/// ```
/// static MIGRATIONS: migrate::EmbeddedMigrations =
///     migrate::embed_migrations!("migrations-example/migrations");
///
/// # fn main() -> migrate::Result<()> {
/// # let tmp = tempfile::tempdir().unwrap();
/// # let db = tmp.path().join("catalogue.db");
/// let conn = migrate::rusqlite::Connection::open(&db).unwrap();
/// let mut migrator = migrate::Migrator::embedded(&MIGRATIONS)?
///     .sqlite_connection(conn)?
///     .no_backups();
/// let report = migrator.upgrade("head")?;
/// assert_eq!(report.steps.len(), MIGRATIONS.revisions.len());
/// let conn = migrator.into_sqlite_connection().unwrap();
/// # Ok(())
/// # }
/// ```
///
/// The macro lives in its own crate (`crates/migrate-macros`) and expands
/// to `::migrate::EmbeddedMigrations`.
pub use migrate_macros::embed_migrations;
/// The rusqlite this crate is built with. Open the connection you give
/// [`Migrator::sqlite_connection`] with it: a binary links one SQLite
/// (`links = "sqlite3"`), so every crate in it must agree on `libsqlite3-sys`.
pub use rusqlite;
