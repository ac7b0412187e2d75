//! The progress table on PostgreSQL, `<version_table>_progress`: one row per
//! revision a run without transactional DDL is in the middle of (see
//! [`crate::stepwise`]), written in the same transaction as the statement it
//! counts, deleted in the one that writes the revision's version row.

use postgres::Client;

use crate::driver::Progress;
use crate::error::{Error, Result};
use crate::postgres::names::quote_ident;
use crate::postgres::problem::server_error;
use crate::postgres::version_table::progress_table;

fn table(vt_name: &str) -> String {
    quote_ident(&progress_table(vt_name))
}

/// Creates the table when it is missing (under the migration lock).
pub(crate) fn ensure(client: &mut Client, vt_name: &str, place: &str) -> Result<()> {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    revision text PRIMARY KEY,\n    direction text NOT NULL,\n    \
             checksum text NOT NULL,\n    done integer NOT NULL,\n    total integer NOT NULL,\n    \
             updated_at timestamptz NOT NULL\n)",
            table(vt_name)
        ))
        .map_err(|e| Error::database(place, server_error(&e)))
}

/// The rows, or none when there is no table (nothing ever ran this way).
pub(crate) fn read(client: &mut Client, vt_name: &str, place: &str) -> Result<Vec<Progress>> {
    let fail = |e: postgres::Error| Error::database(place, server_error(&e));
    let name = table(vt_name);
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .map_err(fail)?
        .get(0);
    if !exists {
        return Ok(vec![]);
    }
    let rows = client
        .query(
            &format!(
                "SELECT revision, direction, checksum, done::bigint, total::bigint FROM {name} ORDER BY revision"
            ),
            &[],
        )
        .map_err(fail)?;
    Ok(rows
        .iter()
        .map(|r| Progress {
            revision: r.get(0),
            direction: r.get(1),
            checksum: r.get(2),
            done: r.get::<_, i64>(3).max(0) as usize,
            total: r.get::<_, i64>(4).max(0) as usize,
        })
        .collect())
}

/// Records `progress` for `revision`, or with `None` deletes its row.
pub(crate) fn save(
    client: &mut Client,
    vt_name: &str,
    revision: &str,
    progress: Option<&Progress>,
    place: &str,
) -> Result<()> {
    let name = table(vt_name);
    let result = match progress {
        None => client.execute(
            &format!("DELETE FROM {name} WHERE revision = $1"),
            &[&revision],
        ),
        Some(p) => client.execute(
            &format!(
                "INSERT INTO {name} (revision, direction, checksum, done, total, updated_at) \
                 VALUES ($1, $2, $3, $4::bigint, $5::bigint, clock_timestamp()) \
                 ON CONFLICT (revision) DO UPDATE SET direction = excluded.direction, \
                 checksum = excluded.checksum, done = excluded.done, total = excluded.total, \
                 updated_at = excluded.updated_at"
            ),
            &[
                &revision,
                &p.direction,
                &p.checksum,
                &(p.done as i64),
                &(p.total as i64),
            ],
        ),
    };
    result
        .map(|_| ())
        .map_err(|e| Error::database(place, server_error(&e)))
}
