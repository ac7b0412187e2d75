//! Runs the pre-count queries a PostgreSQL plan wrote into its review
//! comments ([`super::plan::precount`]) against the live database, before
//! `upgrade` or for `lint`: each in its own read-only transaction under
//! `SET LOCAL statement_timeout`, so that a count over a huge table neither
//! holds locks nor runs for ever. Nothing is written.

use std::time::Duration;

use postgres::error::SqlState;

use crate::driver::Count;
use crate::error::{Error, Result};
use crate::postgres::problem::server_error;
use crate::url::PgUrl;

/// The count of each query, in order, on the database `url` names.
pub(crate) fn run(
    url: &PgUrl,
    schemas: &[String],
    queries: &[String],
    timeout: Duration,
) -> Result<Vec<Count>> {
    if queries.is_empty() {
        return Ok(Vec::new());
    }
    // The queries name the first schema's tables without it, as revisions do.
    let (mut client, place) = super::schemas::connect(url, schemas)?;
    let mut out = Vec::with_capacity(queries.len());
    for query in queries {
        let mut tx = client
            .build_transaction()
            .read_only(true)
            .start()
            .map_err(|e| Error::database(&place, server_error(&e)))?;
        let set = format!("SET LOCAL statement_timeout = '{}ms'", timeout.as_millis());
        tx.batch_execute(&set)
            .map_err(|e| Error::database(&place, server_error(&e)))?;
        // As a scalar subquery cast to bigint: a duplicates count is a
        // `sum()`, which PostgreSQL types as numeric.
        let scalar = format!("SELECT ({query})::bigint");
        let count = match tx.query_one(scalar.as_str(), &[]) {
            Ok(row) => Count::Rows(row.try_get::<_, Option<i64>>(0).ok().flatten().unwrap_or(0)),
            Err(e) => match e.code() {
                Some(&SqlState::QUERY_CANCELED) => Count::TimedOut,
                // A table or column an earlier pending revision makes (or a
                // query edited into something else): it says nothing about
                // the rows now, and the revision's own transaction decides.
                Some(code) if code.code().starts_with("42") => Count::Unknown,
                _ => {
                    let problem = format!("{} in data check `{query}`", server_error(&e));
                    return Err(Error::database(&place, problem));
                }
            },
        };
        let _ = tx.rollback();
        out.push(count);
    }
    Ok(out)
}
