//! `migrate`: schema migrations for SQLite, in the spirit of Alembic.
//!
//! Data flows one way (docs/architecture.md has the layout):
//! model --[`load`]--> [`schema::Schema`] <--[`inspect`]-- database;
//! [`diff`] -> plan -> revision file ([`script`], [`graph`]) -> [`apply`].
//! The generic core names no engine; everything SQLite is in [`sqlite`],
//! reached through the seams [`dialect::Dialect`], [`driver::Driver`] and
//! [`scratch::Scratch`], which [`engine::Engine`] builds from the database
//! URL. The CLI in [`cli`] is a thin shell.

pub mod apply;
pub mod autogen;
pub mod branching;
pub mod capabilities;
pub mod check;
pub mod check_envs;
#[cfg(feature = "cli")]
pub mod cli;
pub mod commands;
pub mod config;
pub mod describe;
pub mod dialect;
pub mod diff;
pub mod discover;
pub mod driver;
pub mod edit;
pub mod embedded;
pub mod engine;
pub mod error;
pub mod files;
pub mod filter;
pub mod graph;
pub mod graph_aliases;
// A command of the CLI; without `sqlalchemy` it only says it is not built.
#[cfg(feature = "cli")]
#[cfg_attr(not(feature = "sqlalchemy"), path = "import_alembic_off.rs")]
pub mod import_alembic;
pub mod json;
pub mod lint;
pub mod load;
pub mod lock_wait;
pub mod non_transactional;
pub mod output;
pub mod plan;
pub mod project;
pub mod renames;
pub mod replaces;
pub mod risk;
pub mod schema;
pub mod scratch;
pub mod script;
pub mod squash;
pub mod stamp;
pub mod statement;
pub mod stepwise;
pub mod sum;
pub mod terminal;
pub mod test_hooks;
pub mod url;
pub mod verify;
pub mod version_rows;
pub mod views;

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sqlite;

// The SQLite modules at their old paths, for the tests, the benchmarks and
// the branches written before the move, until the library-API issue settles
// the public surface. Code inside the crate uses the real paths.
pub use sqlite::{backup, ddl, inspect, parse, sql};

pub use error::{Error, Result};
