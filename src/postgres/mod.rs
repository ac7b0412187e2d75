//! Everything PostgreSQL, mirroring [`crate::sqlite`]: the only place that
//! names the `postgres`, `tokio_postgres` and `rustls` crates (the
//! architecture test in `tests/architecture.rs` keeps it so). Pure SQL
//! knowledge (the lexer and splitter, names and key words, the dialect, the
//! version table's SQL) lives beside the code that holds connections
//! (connecting, the driver).

/// The client an application may lend the library (`Migrator::postgres_client`).
pub use ::postgres::Client;

pub mod backup;
pub mod capabilities;
pub mod casts;
pub mod connect;
pub mod ddl;
pub mod dialect;
pub mod driver;
pub mod enums;
pub mod inspect;
pub mod keywords;
pub mod lease;
pub mod lock;
pub mod matview_ddl;
pub mod model_order;
pub mod names;
pub mod no_transaction;
pub mod own_tables;
pub mod pgpass;
pub mod plan;
pub mod pre_count;
pub mod problem;
pub mod progress;
pub mod rename_hints;
pub mod schemas;
pub mod scratch;
pub mod sequence_ddl;
pub mod sql;
pub mod tls;
pub mod version_table;
