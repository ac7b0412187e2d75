//! The PostgreSQL [`Driver`]: one transaction per revision with its version
//! rows (PostgreSQL's DDL is transactional), the session-level advisory
//! lock of [`crate::postgres::lock`] as the migration lock, `SET LOCAL
//! lock_timeout` in every revision's transaction, and statements sent one
//! by one (split by [`crate::postgres::sql`]) so that a server error names
//! the revision file and line. On a server without some of PostgreSQL's
//! capabilities (detected from `SELECT version()` by
//! [`crate::postgres::capabilities`], or switched off in the config), the
//! lock is a lease row ([`crate::postgres::lease`]) and revisions run one
//! statement per transaction with their progress recorded
//! ([`crate::postgres::progress`]).

use std::time::Duration;

use postgres::Client;

use crate::capabilities::Capabilities;
use crate::driver::{Applied, Driver, NewViolation, Progress, RowChange};
use crate::error::{Error, Result};
use crate::postgres::capabilities::Server;
use crate::postgres::lease::Lease;
use crate::postgres::problem::{line_offset, server_error};
use crate::postgres::version_table::VersionTable;
use crate::postgres::{connect, lock, no_transaction, own_tables, progress, sql};
use crate::script::{Direction, Revision, Section};
use crate::statement::Statement;
use crate::url::PgUrl;

/// The driver's client: its own, or the application's (the library's
/// `Migrator::postgres_client`), lent for one run.
enum ClientRef<'c> {
    /// Boxed: a client is large, and a lent one is a pointer.
    Own(Box<Client>),
    Lent(&'c mut Client),
}

impl std::ops::Deref for ClientRef<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        match self {
            ClientRef::Own(c) => c,
            ClientRef::Lent(c) => c,
        }
    }
}

impl std::ops::DerefMut for ClientRef<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        match self {
            ClientRef::Own(c) => c,
            ClientRef::Lent(c) => c,
        }
    }
}

/// A connection opened for migrating.
pub(crate) struct Postgres<'c> {
    client: ClientRef<'c>,
    /// The database for messages, without a password.
    place: String,
    version_table: String,
    vt: VersionTable,
    lock_timeout: Duration,
    /// The session holds the migration lock (from the first
    /// [`Driver::begin_locked`] to [`Driver::end_session`]).
    locked: bool,
    in_transaction: bool,
    url: PgUrl,
    server: Server,
    /// The server's capabilities, less what the config switched off.
    caps: Capabilities,
    /// The migration lease, held where advisory locks are missing.
    lease: Option<Lease>,
    /// A lent client's own `search_path`, put back when the driver ends.
    own_search_path: Option<String>,
}

impl Postgres<'static> {
    /// Connects to `url`; `mask` holds the capabilities the config leaves on.
    pub(crate) fn open(
        url: &PgUrl,
        version_table: &str,
        lock_timeout: Duration,
        mask: Capabilities,
        schemas: &[String],
    ) -> Result<Postgres<'static>> {
        let (client, place) = super::schemas::connect(url, schemas)?;
        Postgres::on(
            ClientRef::Own(Box::new(client)),
            place,
            url,
            version_table,
            lock_timeout,
            mask,
        )
    }
}

impl<'c> Postgres<'c> {
    /// The driver on a client the application opened to the database `url`
    /// names (`url` is for the lease and for messages; the revisions, the
    /// lock and the version rows go through `client`), with `schemas` as
    /// its `search_path` while the driver lives ([`super::schemas::lend`]).
    /// Ending the driver releases the lock and leaves the client as it was,
    /// its own `search_path` too.
    pub(crate) fn on_client(
        client: &'c mut Client,
        url: &PgUrl,
        version_table: &str,
        lock_timeout: Duration,
        mask: Capabilities,
        schemas: &[String],
    ) -> Result<Postgres<'c>> {
        let place = connect::resolved(url)?.place();
        let own = super::schemas::lend(client, schemas, &place)?;
        // (Should `on`'s `SELECT version()` fail, the connection is gone
        // and there is no session left to put the setting back on.)
        let mut driver = Postgres::on(
            ClientRef::Lent(client),
            place,
            url,
            version_table,
            lock_timeout,
            mask,
        )?;
        driver.own_search_path = Some(own);
        Ok(driver)
    }

    fn on(
        mut client: ClientRef<'c>,
        place: String,
        url: &PgUrl,
        version_table: &str,
        lock_timeout: Duration,
        mask: Capabilities,
    ) -> Result<Postgres<'c>> {
        let version: String = client
            .query_one("SELECT version()", &[])
            .map_err(|e| Error::database(&place, server_error(&e)))?
            .get(0);
        let server = Server::detect(&version);
        Ok(Postgres {
            client,
            place,
            version_table: version_table.to_string(),
            vt: VersionTable::new(version_table),
            lock_timeout,
            locked: false,
            in_transaction: false,
            url: url.clone(),
            server,
            caps: server.capabilities().and(mask),
            lease: None,
            own_search_path: None,
        })
    }

    /// Takes the migration lock: the advisory lock, or the lease.
    fn lock(&mut self) -> Result<()> {
        let wait = crate::lock_wait::current();
        if self.caps.advisory_locks {
            lock::acquire(&mut self.client, wait, &self.place)
        } else {
            let lease = Lease::acquire(
                &mut self.client,
                &self.url,
                &self.version_table,
                wait,
                &self.place,
            )?;
            self.lease = Some(lease);
            Ok(())
        }
    }

    fn err(&self, e: postgres::Error) -> Error {
        Error::database(&self.place, server_error(&e))
    }

    fn execute(&mut self, sql: &str) -> Result<()> {
        self.client
            .batch_execute(sql)
            .map_err(|e| Error::database(&self.place, server_error(&e)))
    }

    /// `lock_timeout` as PostgreSQL reads it; 0 is no limit.
    fn lock_timeout_sql(&self) -> String {
        format!("'{}ms'", self.lock_timeout.as_millis())
    }
}

/// A command that locks without ending its session (`stamp`, `approve`)
/// still releases the lock: a lease row would otherwise outlive the
/// connection until it expires.
impl Drop for Postgres<'_> {
    fn drop(&mut self) {
        self.end_session();
        // After the ROLLBACK of a failed revision: the setting is the
        // session's, so it is put back whatever the run did.
        if let Some(own) = self.own_search_path.take() {
            super::schemas::give_back(&mut self.client, &own);
        }
    }
}

/// The applied revisions of the database `url` names, read without creating
/// or writing anything.
pub(crate) fn read_applied_at(
    url: &PgUrl,
    schemas: &[String],
    version_table: &str,
) -> Result<Vec<Applied>> {
    // The version table is looked up where the migrating session made it.
    let (mut client, place) = super::schemas::connect(url, schemas)?;
    own_tables::read_applied(&mut client, version_table, &place)
}

impl Driver for Postgres<'_> {
    fn start_session(&mut self) -> Result<()> {
        Ok(())
    }

    fn end_session(&mut self) {
        self.rollback();
        if self.locked {
            match self.lease.take() {
                Some(lease) => lease.release(&mut self.client),
                None => lock::release(&mut self.client),
            }
            self.locked = false;
        }
    }

    fn begin_locked(&mut self) -> Result<()> {
        if !self.locked {
            self.lock()?;
            self.locked = true;
        }
        self.execute("BEGIN")?;
        self.in_transaction = true;
        if let Some(lease) = &self.lease {
            lease.fence(&mut self.client, &self.place)?;
        }
        // Only for this transaction: a statement waiting for a table lock
        // longer than this fails the revision instead of queueing the
        // application's queries behind it.
        let timeout = self.lock_timeout_sql();
        self.execute(&format!("SET LOCAL lock_timeout = {timeout}"))
    }

    fn commit(&mut self) -> Result<()> {
        self.in_transaction = false;
        self.execute("COMMIT")
    }

    fn rebuilds_tables(&self) -> bool {
        false
    }

    fn rollback(&mut self) {
        if self.in_transaction {
            self.in_transaction = false;
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }

    /// Constant: the session holds the migration lock from its first
    /// transaction to its end, so no other migrator commits in between;
    /// the first step of a run reads the applied set anyway.
    fn change_counter(&mut self) -> Result<i64> {
        Ok(0)
    }

    fn ensure_version_table(&mut self) -> Result<()> {
        own_tables::ensure(&mut self.client, &self.version_table, &self.place)?;
        if !self.caps.transactional_ddl {
            progress::ensure(&mut self.client, &self.version_table, &self.place)?;
        }
        Ok(())
    }

    fn applied(&mut self) -> Result<Vec<Applied>> {
        own_tables::read_applied(&mut self.client, &self.version_table, &self.place)
    }

    fn run_section(&mut self, rev: &Revision, direction: Direction) -> Result<()> {
        let section = rev.section(direction);
        // Outside a transaction (a non-transactional revision) the session
        // setting does what SET LOCAL does inside one.
        let session_timeout = !self.in_transaction;
        if session_timeout {
            let timeout = self.lock_timeout_sql();
            self.execute(&format!("SET lock_timeout = {timeout}"))?;
        }
        let result = run_statements(&mut self.client, rev, section);
        if session_timeout {
            let _ = self.client.batch_execute("RESET lock_timeout");
        }
        result
    }

    /// None: PostgreSQL checks foreign keys itself, at each statement (or
    /// at COMMIT for deferred ones, which then fails).
    fn new_violations(&mut self) -> Result<Vec<NewViolation>> {
        Ok(vec![])
    }

    fn record(&mut self, change: RowChange, label: &str, duration_ms: Option<u128>) -> Result<()> {
        let sql = self.vt.record(change, label, duration_ms);
        self.client.batch_execute(&sql).map_err(|e| self.err(e))
    }

    fn capabilities(&self) -> Capabilities {
        self.caps
    }

    fn refuse_steps(&self, steps: &[(&Revision, Direction)]) -> Result<()> {
        if self.caps.concurrently {
            return Ok(());
        }
        for (rev, direction) in steps {
            for (i, stmt) in rev.section(*direction).statements().iter().enumerate() {
                let Some(why) = no_transaction::why_not_in_transaction(&stmt.sql) else {
                    continue;
                };
                if !why.contains("CONCURRENTLY") {
                    continue;
                }
                return Err(Error::Refused(format!(
                    "revision {} ({}, {} statement {} at line {}) uses {why}, which {} does not run as \
                     PostgreSQL does{}. Nothing ran. Remove the word CONCURRENTLY (this server builds \
                     indexes without blocking writes anyway)",
                    rev.id,
                    rev.path.display(),
                    direction.as_str(),
                    i + 1,
                    stmt.line,
                    self.server.name(),
                    match self.server {
                        Server::PostgreSql =>
                            " with `concurrently = false` in [database] capabilities",
                        _ => "",
                    }
                )));
            }
        }
        Ok(())
    }

    fn progress(&mut self) -> Result<Vec<Progress>> {
        progress::read(&mut self.client, &self.version_table, &self.place)
    }

    fn save_progress(&mut self, revision: &str, done: Option<&Progress>) -> Result<()> {
        progress::save(
            &mut self.client,
            &self.version_table,
            revision,
            done,
            &self.place,
        )
    }

    fn run_statement(&mut self, rev: &Revision, number: usize, stmt: &Statement) -> Result<()> {
        let session_timeout = !self.in_transaction;
        if session_timeout {
            let timeout = self.lock_timeout_sql();
            self.execute(&format!("SET lock_timeout = {timeout}"))?;
        }
        let result = self
            .client
            .batch_execute(&stmt.sql)
            .map_err(|e| Error::Statement {
                revision: rev.id.clone(),
                path: rev.path.clone(),
                number,
                line: stmt.line + line_offset(&e, &stmt.sql),
                statement: first_line(&stmt.sql),
                message: server_error(&e),
            });
        if session_timeout {
            let _ = self.client.batch_execute("RESET lock_timeout");
        }
        result
    }
}

/// Sends a section's statements one by one; a failure names the revision
/// file, the statement and the line the server points at.
pub(crate) fn run_statements(client: &mut Client, rev: &Revision, section: &Section) -> Result<()> {
    let statements = sql::check(&section.sql).map_err(|open| Error::Script {
        path: rev.path.clone(),
        line: Some(section.first_line + open.line - 1),
        message: format!(
            "{} is never closed, so every statement after it would be part of it; add the closing {}",
            open.what, open.closer
        ),
    })?;
    for (i, stmt) in statements.iter().enumerate() {
        let line = section.first_line + stmt.line - 1;
        client
            .batch_execute(&stmt.sql)
            .map_err(|e| Error::Statement {
                revision: rev.id.clone(),
                path: rev.path.clone(),
                number: i + 1,
                line: line + line_offset(&e, &stmt.sql),
                statement: first_line(&stmt.sql),
                message: server_error(&e),
            })?;
    }
    Ok(())
}

fn first_line(sql: &str) -> String {
    let mut lines = sql.lines();
    let first = lines.next().unwrap_or("");
    match lines.next() {
        Some(_) => format!("{first} ..."),
        None => first.to_string(),
    }
}
