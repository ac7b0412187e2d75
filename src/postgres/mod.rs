//! Everything PostgreSQL, mirroring [`crate::sqlite`]: the only place that
//! names the `postgres`, `tokio_postgres` and `rustls` crates (the
//! architecture test in `tests/architecture.rs` keeps it so). Pure SQL
//! knowledge (the lexer and splitter, names and key words, the dialect, the
//! version table's SQL) lives beside the code that holds connections
//! (connecting, the driver).

/// The client an application may lend the library (`Migrator::postgres_client`).
pub(crate) use ::postgres::Client;

pub(crate) mod backup;
pub(crate) mod capabilities;
pub(crate) mod casts;
pub(crate) mod connect;
pub(crate) mod ddl;
pub(crate) mod dialect;
pub(crate) mod driver;
pub(crate) mod enums;
pub(crate) mod inspect;
pub(crate) mod keywords;
pub(crate) mod lease;
pub(crate) mod lock;
pub(crate) mod matview_ddl;
pub(crate) mod model_order;
pub(crate) mod names;
pub(crate) mod no_transaction;
pub(crate) mod own_tables;
pub(crate) mod pgpass;
pub(crate) mod plan;
pub(crate) mod pre_count;
pub(crate) mod problem;
pub(crate) mod progress;
pub(crate) mod rename_hints;
pub(crate) mod schemas;
pub(crate) mod scratch;
pub(crate) mod sequence_ddl;
pub(crate) mod sql;
pub(crate) mod tls;
pub(crate) mod version_table;
