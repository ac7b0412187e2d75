//! The migration lock where advisory locks are missing (CockroachDB,
//! YugabyteDB, or `advisory_locks = false`): a lease row with an expiry in
//! the tool's own table `<version_table>_lease`. Taken with one atomic
//! statement (insert the row, or take it over once expired), polled with
//! back-off for up to `lock_wait`; renewed by a thread on a connection of
//! its own while the run lasts; fenced at the start of every transaction
//! (the row is updated only while this run still holds it, and that update
//! locks the row, so no one takes it over until the transaction ends); and
//! deleted at the end. A killed holder's lease expires by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postgres::Client;

use crate::error::{Error, Result};
use crate::postgres::names::quote_ident;
use crate::postgres::problem::server_error;
use crate::postgres::{connect, version_table};
use crate::url::PgUrl;

/// How long a lease lasts unless renewed: long enough that a renewal every
/// third of it survives a slow network, short enough that a killed
/// holder's successor does not wait long.
const LEASE: Duration = Duration::from_secs(30);

/// The longest pause between two tries.
const MAX_PAUSE: Duration = Duration::from_millis(500);

/// A lease this run holds.
pub(crate) struct Lease {
    table: String,
    token: String,
    millis: i64,
    stop: Arc<AtomicBool>,
    renewer: Option<JoinHandle<()>>,
}

/// The lease table's SQL; the single row (id 1) is the lease.
pub(crate) fn create_sql(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (\n    id integer PRIMARY KEY CHECK (id = 1),\n    \
         token text NOT NULL,\n    holder text NOT NULL,\n    acquired_at timestamptz NOT NULL,\n    \
         expires_at timestamptz NOT NULL\n)"
    )
}

/// Who this run is, for the message another run prints while it waits.
fn holder() -> String {
    let host = whoami::hostname().unwrap_or_else(|_| "an unknown host".into());
    format!("migrate pid {} on {host}", std::process::id())
}

impl Lease {
    /// Takes the lease on the database `url` (the table is created when
    /// missing), trying again with growing pauses until `wait` has passed;
    /// then refuses, naming the holder and when its lease ends.
    pub(crate) fn acquire(
        client: &mut Client,
        url: &PgUrl,
        vt_name: &str,
        wait: Duration,
        place: &str,
    ) -> Result<Lease> {
        let table = quote_ident(&version_table::lease_table(vt_name));
        let fail = |e: postgres::Error| Error::database(place, server_error(&e));
        ensure_table(client, &table).map_err(fail)?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let token = format!("{}:{nanos}", holder());
        let millis = crate::test_hooks::lease_duration(LEASE).as_millis() as i64;
        // Inserted, or taken over from an expired holder: one statement, so
        // two runs never both get it.
        let take = format!(
            "INSERT INTO {table} AS l (id, token, holder, acquired_at, expires_at) \
             VALUES (1, $1, $2, clock_timestamp(), clock_timestamp() + $3::bigint * interval '1 millisecond') \
             ON CONFLICT (id) DO UPDATE SET token = excluded.token, holder = excluded.holder, \
             acquired_at = excluded.acquired_at, expires_at = excluded.expires_at \
             WHERE l.expires_at < clock_timestamp() RETURNING 1"
        );
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            let got = client
                .query_opt(&take, &[&token, &holder(), &millis])
                .map_err(fail)?;
            if got.is_some() {
                break;
            }
            let waited = started.elapsed();
            if waited >= wait {
                return Err(Error::Refused(format!(
                    "database {place}: another migrate run holds the migration lease{} (waited {}s); \
                     try again when it is done, or wait longer with --lock-wait SECONDS (a lease whose \
                     run was killed expires by itself)",
                    held_by(client, &table).map_or(String::new(), |h| format!(" ({h})")),
                    wait.as_secs_f64()
                )));
            }
            std::thread::sleep(pause.min(wait - waited));
            pause = (pause * 2).min(MAX_PAUSE);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let renewer = renew_in_background(url, &table, &token, millis, &stop);
        Ok(Lease {
            table,
            token,
            millis,
            stop,
            renewer,
        })
    }

    /// Renews the lease in the open transaction, or fails when this run no
    /// longer holds it. Locks the row until the transaction ends, so the
    /// lease cannot pass to another run while this one writes.
    pub(crate) fn fence(&self, client: &mut Client, place: &str) -> Result<()> {
        let held = client
            .execute(&renew_sql(&self.table), &[&self.token, &self.millis])
            .map_err(|e| Error::database(place, server_error(&e)))?;
        if held == 1 {
            return Ok(());
        }
        Err(Error::Refused(format!(
            "database {place}: this run lost the migration lease (it expired, and another run took \
             it); it stopped before its next statement. Run the command again: it goes on from \
             what is recorded"
        )))
    }

    /// Stops renewing and deletes the row (outside any transaction).
    pub(crate) fn release(mut self, client: &mut Client) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.renewer.take() {
            let _ = thread.join();
        }
        let _ = client.execute(
            &format!("DELETE FROM {} WHERE id = 1 AND token = $1", self.table),
            &[&self.token],
        );
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn renew_sql(table: &str) -> String {
    format!(
        "UPDATE {table} SET expires_at = clock_timestamp() + $2::bigint * interval '1 millisecond' \
         WHERE id = 1 AND token = $1"
    )
}

/// Creates the table unless it is there. Two runs creating it at once:
/// one of them fails, and finds it there.
fn ensure_table(client: &mut Client, table: &str) -> std::result::Result<(), postgres::Error> {
    let exists = |c: &mut Client| -> std::result::Result<bool, postgres::Error> {
        Ok(
            c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
                .get(0),
        )
    };
    if exists(client)? {
        return Ok(());
    }
    match client.batch_execute(&create_sql(table)) {
        Err(_) if exists(client)? => Ok(()),
        other => other,
    }
}

/// The holder of the lease and when it ends, as the row says.
fn held_by(client: &mut Client, table: &str) -> Option<String> {
    let row = client
        .query_opt(
            &format!(
                "SELECT holder, to_char(acquired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), \
                 to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM {table} WHERE id = 1"
            ),
            &[],
        )
        .ok()??;
    let (who, since, until): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    Some(format!(
        "{who}, since {since} UTC, its lease runs to {until} UTC unless renewed"
    ))
}

/// Renews the lease every third of its length on a connection of its own,
/// so that a statement running longer than the lease keeps it; stops when
/// told, or when the lease is no longer this run's.
fn renew_in_background(
    url: &PgUrl,
    table: &str,
    token: &str,
    millis: i64,
    stop: &Arc<AtomicBool>,
) -> Option<JoinHandle<()>> {
    let (url, sql, token, stop) = (
        url.clone(),
        renew_sql(table),
        token.to_string(),
        stop.clone(),
    );
    let every = Duration::from_millis((millis / 3).max(1) as u64);
    let thread = std::thread::spawn(move || {
        let Ok((mut client, _)) = connect::connect(&url) else {
            return;
        };
        let mut next = Instant::now() + every;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            if Instant::now() < next {
                continue;
            }
            next = Instant::now() + every;
            if let Ok(0) = client.execute(&sql, &[&token, &millis]) {
                return;
            }
        }
    });
    Some(thread)
}
