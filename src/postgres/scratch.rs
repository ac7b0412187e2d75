//! The PostgreSQL [`Scratch`]: a database of its own on the dev server
//! (`dev_url`, by default the target's server), made from `template0` so
//! that nothing of `template1` leaks in, and dropped when the value is
//! dropped (on success and on error alike). A run that was killed leaves its
//! database behind; the next run sweeps those by name ([`PREFIX`]), but only
//! when no session is connected to them (`pg_stat_activity`) and they are
//! older than [`SWEEP_AFTER`], so parallel runs never drop each other's.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postgres::Client;
use postgres::error::SqlState;

use crate::driver::Applied;
use crate::error::{Error, Result};
use crate::postgres::problem::server_error;
use crate::postgres::{connect, driver, inspect, model_order, names, own_tables, sql};
use crate::schema::Schema;
use crate::scratch::{ReplayFailed, Scratch};
use crate::script::{Revision, Section};
use crate::url::PgUrl;

/// Every scratch database's name starts with this; nothing else may use it.
pub(crate) const PREFIX: &str = "migrate_scratch_";

/// A leftover younger than this is not swept even when idle: its run may
/// have made it and not connected yet.
pub(crate) const SWEEP_AFTER: Duration = Duration::from_secs(60);

pub(crate) struct PgScratch {
    /// On the scratch database; `None` once closed, before the drop. In a
    /// cell: the trait reads (`inspect`, `count_rows`) through `&self`.
    client: RefCell<Option<Client>>,
    /// On the dev server's own database: makes and drops the scratch one.
    admin: Client,
    name: String,
    /// The dev server for messages, without a password.
    place: String,
    /// The configured schemas (`[database] schemas`): on the session's
    /// `search_path`, and the ones inspected.
    schemas: Vec<String>,
    /// Made for a model: the schemas were made first, and a model's own
    /// `CREATE SCHEMA` of one must not fail for it.
    model: bool,
}

impl PgScratch {
    /// A new, empty scratch database on the server `dev` names, after
    /// sweeping idle leftovers of killed runs, its session's `search_path`
    /// set to `schemas`; the first of them is created (it is where a
    /// database's unqualified names and version table go). `make_schemas`:
    /// all are created (a model's database; a replayed history creates its
    /// own).
    pub(crate) fn create(dev: &PgUrl, schemas: &[String], make_schemas: bool) -> Result<PgScratch> {
        let (mut admin, place) = connect::connect(dev)?;
        sweep(&mut admin, SystemTime::now());
        let name = new_name(std::process::id(), SystemTime::now());
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {} TEMPLATE template0",
                names::quote_ident(&name)
            ))
            .map_err(|e| create_failed(&e, dev, &place))?;
        // From here on the database is ours to drop, whatever happens next.
        let mut scratch = PgScratch {
            client: RefCell::new(None),
            admin,
            name,
            place,
            schemas: schemas.to_vec(),
            model: make_schemas,
        };
        let url = PgUrl {
            dbname: Some(scratch.name.clone()),
            redacted: format!("{} (scratch database {})", dev.redacted, scratch.name),
            ..dev.clone()
        };
        let mut client = connect::connect(&url)?.0;
        let made = if make_schemas {
            schemas
        } else {
            &schemas[..schemas.len().min(1)]
        };
        let set_up = super::schemas::create_all(&mut client, made);
        set_up
            .and_then(|()| super::schemas::set_search_path(&mut client, schemas))
            .map_err(|e| scratch.err(&e))?;
        scratch.client = RefCell::new(Some(client));
        Ok(scratch)
    }

    /// A scratch database on `dev` holding a copy of the database `live`
    /// names, its rows too ([`super::backup::copy_into`]).
    pub(crate) fn copy_of(dev: &PgUrl, live: &PgUrl, schemas: &[String]) -> Result<PgScratch> {
        let scratch = PgScratch::create(dev, schemas, false)?;
        let url = PgUrl {
            dbname: Some(scratch.name.clone()),
            redacted: format!("{} (scratch database {})", dev.redacted, scratch.name),
            ..dev.clone()
        };
        super::backup::copy_into(live, &url)?;
        Ok(scratch)
    }

    /// `f` on the scratch database's session.
    fn with<T>(&self, f: impl FnOnce(&mut Client) -> T) -> T {
        let mut client = self.client.borrow_mut();
        // Set in `create` and taken only in `drop`.
        f(client.as_mut().expect("scratch database connected"))
    }

    fn err(&self, e: &postgres::Error) -> Error {
        Error::database(
            format!("{} (scratch database {})", self.place, self.name),
            server_error(e),
        )
    }
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        if let Some(client) = self.client.get_mut().take() {
            let _ = client.close();
        }
        // The server waits a few seconds for the closed session to go;
        // a database left anyway is swept by a later run.
        let _ = self.admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {}",
            names::quote_ident(&self.name)
        ));
    }
}

/// The major version of the server scratch databases are made on (15 for
/// 15.4): what the committed snapshot is keyed by ([`crate::snapshot`]).
pub(crate) fn server_major(dev: &PgUrl) -> Result<u32> {
    let (mut client, place) = connect::connect(dev)?;
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .map_err(|e| Error::database(&place, e.to_string()))?;
    let major: i32 = row.get(0);
    Ok(major.unsigned_abs())
}

/// `PREFIX` + pid + seconds since the epoch + a few random-enough bits.
pub(crate) fn new_name(pid: u32, now: SystemTime) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!(
        "{PREFIX}{pid}_{}_{:06x}",
        since.as_secs(),
        since.subsec_nanos() & 0xff_ffff
    )
}

/// When a scratch database of ours was made, from its name.
pub(crate) fn made_at(name: &str) -> Option<SystemTime> {
    let mut parts = name.strip_prefix(PREFIX)?.split('_');
    let (_pid, secs, _bits) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(UNIX_EPOCH + Duration::from_secs(secs.parse().ok()?))
}

/// Drops scratch databases no session is connected to and that are older
/// than [`SWEEP_AFTER`]. Best effort: one that cannot be dropped (another
/// role's, or one a session connected to meanwhile, which `DROP DATABASE`
/// refuses) is left.
fn sweep(admin: &mut Client, now: SystemTime) {
    let idle = admin.query(
        "SELECT d.datname FROM pg_database d \
         WHERE starts_with(d.datname, $1) \
           AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)",
        &[&PREFIX],
    );
    let Ok(rows) = idle else { return };
    for row in rows {
        let name: String = row.get(0);
        let old = made_at(&name)
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= SWEEP_AFTER);
        if old {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {}",
                names::quote_ident(&name)
            ));
        }
    }
}

/// A failed `CREATE DATABASE`: a role without CREATEDB is told what to set.
fn create_failed(e: &postgres::Error, dev: &PgUrl, place: &str) -> Error {
    let denied = e
        .as_db_error()
        .is_some_and(|db| *db.code() == SqlState::INSUFFICIENT_PRIVILEGE);
    if denied {
        return Error::Refused(format!(
            "cannot make a scratch database on {place}: the role may not create databases \
             (no CREATEDB). check, verify, lint and a SQL model run in a scratch database made on \
             dev_url (now {dev}): set [database] dev_url (or --dev-url, MIGRATE_DEV_URL) to a \
             server and role that may create databases, or grant it: ALTER ROLE ... CREATEDB"
        ));
    }
    Error::database(
        place,
        format!("cannot make a scratch database: {}", server_error(e)),
    )
}

/// Runs `sql` (many statements) in one round trip and one transaction;
/// `false`, with nothing left behind, when any statement fails or may not
/// run in a transaction (`CREATE INDEX CONCURRENTLY`, an enum label used in
/// the transaction that adds it). The caller then runs the statements one
/// by one, as it always did, to say which one fails where. A scratch
/// database holds no data anyone keeps, so the attempt costs only time:
/// at 500 tables one round trip and one commit take a quarter less of the
/// server's time than one per statement.
fn at_once(client: &mut Client, sql: &str) -> bool {
    let Ok(mut tx) = client.transaction() else {
        return false;
    };
    // A failed attempt is rolled back when `tx` drops.
    tx.batch_execute(sql).is_ok() && tx.commit().is_ok()
}

impl PgScratch {
    /// `sql` as it runs here: in a model's scratch database, a `CREATE
    /// SCHEMA` of a schema made already is let be.
    fn as_model_runs(&self, sql: &str) -> String {
        self.model
            .then(|| super::schemas::tolerant_create_schema(sql))
            .flatten()
            .unwrap_or_else(|| sql.to_string())
    }
}

impl Scratch for PgScratch {
    fn execute(&mut self, sql: &str) -> Result<()> {
        let sql = self.as_model_runs(sql);
        self.with(|c| c.batch_execute(&sql))
            .map_err(|e| self.err(&e))
    }

    /// In any order ([`model_order`]), as sqldef reads a model; all at once
    /// first ([`at_once`]).
    fn run_model(&mut self, statements: &[&str]) -> std::result::Result<(), (usize, Error)> {
        let texts: Vec<String> = statements.iter().map(|s| self.as_model_runs(s)).collect();
        if self.with(|c| at_once(c, &texts.join("\n;\n"))) {
            return Ok(());
        }
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        self.with(|c| model_order::run(c, &texts))
            .map_err(|(i, e)| (i, self.err(&e)))
    }

    /// All at once first ([`at_once`]); statement by statement when that
    /// fails, for the error's statement and line.
    fn run_section(&mut self, rev: &Revision, section: &Section) -> Result<()> {
        if sql::check(&section.sql).is_ok() && self.with(|c| at_once(c, &section.sql)) {
            return Ok(());
        }
        self.with(|c| driver::run_statements(c, rev, section))
    }

    fn replay(&mut self, section: &Section) -> std::result::Result<(), ReplayFailed> {
        self.with(|c| {
            for (i, stmt) in sql::split(&section.sql).iter().enumerate() {
                c.batch_execute(&stmt.sql).map_err(|e| ReplayFailed {
                    statement: Some(i),
                    line: Some(section.first_line + stmt.line - 1),
                    message: server_error(&e),
                })?;
            }
            Ok(())
        })
    }

    fn inspect(&self, own: &str) -> Result<Schema> {
        let options = inspect::Options {
            version_table: own.to_string(),
            schemas: self.schemas.clone(),
        };
        self.with(|c| inspect::inspect(c, &options))
    }

    fn count_rows(&self, table: &str) -> Result<i64> {
        let query = format!("SELECT count(*) FROM {}", names::quote_ident(table));
        let row = self.with(|c| c.query_one(&query, &[]));
        Ok(row.map_err(|e| self.err(&e))?.get(0))
    }

    fn applied(&self, version_table: &str) -> Result<Vec<Applied>> {
        self.with(|c| own_tables::read_applied(c, version_table, &self.place))
    }

    /// None: the catalog keeps no comments of a `CREATE TABLE`; a SQL
    /// model's hints are read from its text ([`crate::postgres::rename_hints`]).
    fn table_texts_containing(&self, _needle: &str) -> Result<HashMap<String, String>> {
        Ok(HashMap::new())
    }
}
