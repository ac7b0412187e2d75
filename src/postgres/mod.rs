//! Everything PostgreSQL, mirroring [`crate::sqlite`]: the only place that
//! names the `postgres` client crate. Pure SQL knowledge (the lexer and
//! splitter, names and key words, the dialect, the version table's SQL)
//! lives beside the code that holds connections.

pub mod casts;
pub mod ddl;
pub mod dialect;
pub mod enums;
pub mod inspect;
pub mod keywords;
pub mod names;
pub mod no_transaction;
pub mod plan;
pub mod sql;
pub mod version_table;
