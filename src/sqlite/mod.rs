//! Everything SQLite: the only place that names `rusqlite` (the architecture
//! test in `tests/architecture.rs` keeps it so). The generic core (schema
//! model, diff, revision files and graph, the apply loop, replay, verify,
//! lint, load) reaches SQLite through the seams ([`crate::driver::Driver`],
//! [`crate::scratch::Scratch`], built by [`crate::engine::Engine`]), or
//! through these modules by name where a seam is not cut yet.

/// The engine's error, carried by [`crate::Error::Sqlite`] until errors are
/// typed (so that the generic error type does not name `rusqlite`).
pub type EngineError = rusqlite::Error;

pub mod affinity;
pub mod backup;
pub mod carry;
pub mod ddl;
pub mod dialect;
pub mod driver;
pub mod fk_watch;
pub mod inspect;
pub mod names;
pub mod outside_lock;
pub mod parse;
pub mod plan;
pub mod problem;
// The bar is the CLI's (`indicatif`); without the feature, a stand-in that draws nothing.
#[cfg_attr(not(feature = "cli"), path = "progress_off.rs")]
pub mod progress;
pub mod projection;
pub mod restore;
pub mod risk;
pub mod scratch;
pub mod sql;
pub mod version_table;
pub mod virtual_table;
