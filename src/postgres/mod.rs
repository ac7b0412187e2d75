//! Everything PostgreSQL: the only place that names the `postgres`,
//! `tokio_postgres` and `rustls` crates (the architecture test in
//! `tests/architecture.rs` keeps it so), mirroring `src/sqlite/`.

pub mod connect;
pub mod pgpass;
pub mod tls;
