//! `migrate`: schema migrations for SQLite, in the spirit of Alembic.
//!
//! Data flows one way (see DESIGN.md):
//! model --[`load`]--> [`schema::Schema`] <--[`inspect`]-- database;
//! [`ddl`] writes a schema back as SQL. The CLI in [`cli`] is a thin shell.

pub mod apply;
pub mod autogen;
pub mod backup;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod ddl;
pub mod describe;
pub mod diff;
pub mod discover;
pub mod driver;
pub mod edit;
pub mod error;
pub mod files;
pub mod filter;
pub mod fk_watch;
pub mod graph;
pub mod import_alembic;
pub mod inspect;
pub mod json;
pub mod lint;
pub mod load;
pub mod lock_wait;
pub mod non_transactional;
pub mod output;
pub mod parse;
pub mod plan;
pub mod progress;
pub mod project;
pub mod projection;
pub mod renames;
pub mod render;
pub mod restore;
pub mod schema;
pub mod script;
pub mod split;
pub mod sql;
pub mod stamp;
pub mod sum;
pub mod terminal;
pub mod url;
pub mod verify;
pub mod version_table;
pub mod views;
pub mod virtual_table;

pub use error::{Error, Result};
