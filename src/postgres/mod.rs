//! Everything PostgreSQL: reached only through the seams (dialect, driver,
//! scratch) and the inspector, like [`crate::sqlite`]. No other module names
//! the `postgres` crate.

pub mod ddl;
pub mod inspect;
