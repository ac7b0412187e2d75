//! Everything SQLite: the only place that names `rusqlite` (the architecture
//! test in `tests/architecture.rs` keeps it so). The generic core (schema
//! model, diff, revision files and graph, the apply loop, replay, verify,
//! lint, load) reaches SQLite through the seams ([`crate::driver::Driver`],
//! [`crate::scratch::Scratch`], built by [`crate::engine::Engine`]), or
//! through these modules by name where a seam is not cut yet.

/// The engine's error, carried by [`crate::Error::Sqlite`] until errors are
/// typed (so that the generic error type does not name `rusqlite`).
pub(crate) type EngineError = rusqlite::Error;

pub(crate) mod affinity;
pub(crate) mod backup;
pub(crate) mod carry;
pub(crate) mod ddl;
pub(crate) mod dialect;
pub(crate) mod driver;
pub(crate) mod fk_watch;
pub(crate) mod inspect;
pub(crate) mod names;
pub(crate) mod outside_lock;
pub(crate) mod parse;
pub(crate) mod plan;
pub(crate) mod problem;
// The bar is the CLI's (`indicatif`); without the feature, a stand-in that draws nothing.
#[cfg_attr(not(feature = "cli"), path = "progress_off.rs")]
pub(crate) mod progress;
pub(crate) mod projection;
pub(crate) mod restore;
pub(crate) mod risk;
pub(crate) mod scratch;
pub(crate) mod sql;
pub(crate) mod version_table;
pub(crate) mod virtual_table;
