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
#![warn(unreachable_pub)]
// The items `internal` re-exports for the crate's own tests are public to
// rustdoc and link, in their docs, to the private items they work with.
// Those docs are for readers of the source (the module is hidden); the
// API's own docs link only to public items.
#![allow(rustdoc::private_intra_doc_links)]
// Without the CLI, the code only its commands call is unused; the default
// build (with `cli`) is the one that catches dead code.
#![cfg_attr(not(feature = "cli"), allow(dead_code))]

// Every module is private. `internal` (the one public module, hidden)
// re-exports what the binary, tests, benches and examples name, which makes
// those items public to `missing_docs`: the modules they live in are
// exempt (`allow(missing_docs)`), as they were when hidden and public.
mod api;
#[allow(missing_docs)]
mod apply;
mod autogen;
mod branching;
mod capabilities;
mod check;
mod check_envs;
#[cfg(feature = "cli")]
#[allow(missing_docs)]
mod cli;
mod commands;
#[allow(missing_docs)]
mod config;
mod describe;
mod dialect;
#[allow(missing_docs)]
mod diff;
mod discover;
#[allow(missing_docs)]
mod driver;
mod edit;
mod embedded;
#[allow(missing_docs)]
mod engine;
mod error;
mod files;
mod filter;
#[allow(missing_docs)]
mod graph;
mod graph_aliases;
// A command of the CLI; without `sqlalchemy` it only says it is not built.
#[cfg(feature = "cli")]
#[cfg_attr(not(feature = "sqlalchemy"), path = "import_alembic_off.rs")]
mod import_alembic;
mod json;
mod lint;
#[allow(missing_docs)]
mod load;
mod lock_wait;
mod non_transactional;
mod output;
#[allow(missing_docs)]
mod plan;
mod project;
mod renames;
mod replaces;
#[allow(missing_docs)]
mod risk;
#[allow(missing_docs)]
mod schema;
mod scratch;
#[allow(missing_docs)]
mod script;
mod snapshot;
mod squash;
mod stamp;
mod statement;
mod stepwise;
mod sum;
mod terminal;
mod test_hooks;
mod url;
mod verify;
mod version_rows;
mod views;

#[cfg(feature = "postgres")]
#[allow(missing_docs)]
mod postgres;
#[allow(missing_docs)]
mod sqlite;

// What the binary, tests, benches and examples reach inside the crate; the
// only public module (tests/architecture.rs checks). Every other module is
// private and `unreachable_pub` keeps what they do not export `pub(crate)`.
#[doc(hidden)]
pub mod internal;

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
