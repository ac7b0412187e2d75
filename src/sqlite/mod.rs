//! Everything SQLite: the only place that names `rusqlite` (the architecture
//! test in `tests/architecture.rs` keeps it so). The generic core (schema
//! model, diff, revision files and graph, the apply loop, replay, verify,
//! lint, load) reaches SQLite through the seam in [`crate::driver`], or
//! through these modules by name where a seam is not cut yet.

pub mod backup;
pub mod ddl;
pub mod driver;
pub mod fk_watch;
pub mod inspect;
pub mod parse;
pub mod plan;
pub mod progress;
pub mod projection;
pub mod restore;
pub mod sql;
pub mod version_table;
pub mod virtual_table;
