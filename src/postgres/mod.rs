//! Everything PostgreSQL, mirroring [`crate::sqlite`]: the only place that
//! names the `postgres` client crate. Pure SQL knowledge (the lexer and
//! splitter, the dialect) lives beside the code that holds connections.

pub mod sql;
