//! The migration lock on PostgreSQL: a session-level advisory lock
//! (`pg_try_advisory_lock` on [`LOCK_KEY`], the key `--sql` scripts take
//! too), polled with back-off for up to `lock_wait`. Never the blocking
//! `pg_advisory_lock`: a migrator waiting in it inside a transaction
//! deadlocks against `CREATE INDEX CONCURRENTLY` in another migrator, which
//! waits for every open transaction. Held by the session, so it spans the
//! non-transactional revisions too, and a killed migrator's lock goes with
//! its connection.

use std::time::{Duration, Instant};

use postgres::Client;

use crate::error::{Error, Result};
use crate::postgres::dialect::LOCK_KEY;
use crate::postgres::problem::server_error;

/// The longest pause between two tries.
const MAX_PAUSE: Duration = Duration::from_millis(500);

/// Takes the lock, trying again with growing pauses until `wait` has
/// passed; then refuses, naming who holds it. `place` names the database.
pub(crate) fn acquire(client: &mut Client, wait: Duration, place: &str) -> Result<()> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
            .map_err(|e| Error::database(place, server_error(&e)))?
            .get(0);
        if got {
            return Ok(());
        }
        let waited = started.elapsed();
        if waited >= wait {
            return Err(Error::Refused(format!(
                "database {place}: another migrate run holds the migration lock{} (waited {}s); \
                 try again when it is done, or wait longer with --lock-wait SECONDS",
                holder(client).map_or(String::new(), |h| format!(" ({h})")),
                wait.as_secs_f64()
            )));
        }
        std::thread::sleep(pause.min(wait - waited));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// Releases the lock (it also goes when the connection closes).
pub(crate) fn release(client: &mut Client) {
    let _ = client.query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]);
}

/// The session holding the lock, as `pg_stat_activity` shows it.
fn holder(client: &mut Client) -> Option<String> {
    // A bigint key is stored as two halves: classid high, objid low.
    let (high, low) = ((LOCK_KEY >> 32) as u32, LOCK_KEY as u32);
    let row = client
        .query_opt(
            "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.client_addr::text, 'local') \
             FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.database = \
             (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) \
             AND l.classid::text::bigint = $1 AND l.objid::text::bigint = $2 AND l.objsubid = 1 LIMIT 1",
            &[&i64::from(high), &i64::from(low)],
        )
        .ok()??;
    let (pid, app, addr): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
    Some(match app.is_empty() {
        true => format!("server process {pid}, from {addr}"),
        false => format!("server process {pid}, {app:?} from {addr}"),
    })
}
