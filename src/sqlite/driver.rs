//! The SQLite [`Driver`]: `BEGIN IMMEDIATE` as the lock, `PRAGMA
//! data_version` as the change counter, the foreign-key watch as the
//! integrity check, and the rusqlite helpers the other SQLite modules share
//! (opening for write, reading the version table, running a section).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};

use crate::driver::RowChange;
use crate::driver::{Applied, Driver, NewViolation};
use crate::error::{DatabaseProblem, Error, Result};
use crate::script::{Direction, Revision};
use crate::sqlite::carry;
use crate::sqlite::fk_watch::FkWatch;
use crate::sqlite::outside_lock::{self, OutsideLock};
use crate::sqlite::progress::Progress;
use crate::sqlite::version_table::{Found, VersionTable};

/// SQLite through rusqlite: `BEGIN IMMEDIATE` is the lock, `PRAGMA
/// data_version` the change counter, `PRAGMA foreign_key_check` on the
/// tables each revision reaches (see [`crate::sqlite::fk_watch`]) the integrity check.
pub(crate) struct Sqlite {
    conn: Connection,
    path: PathBuf,
    version_table: String,
    vt: VersionTable,
    foreign_keys_were_on: bool,
    /// The session switched a `delete` rollback journal to `persist`.
    journal_persisted: bool,
    /// Installed for the connection's life: what each revision's
    /// statements write, for the integrity check.
    fk_watch: FkWatch,
    /// Held while a non-transactional revision runs (see
    /// [`crate::sqlite::outside_lock`]).
    outside: Option<OutsideLock>,
}

impl Sqlite {
    pub(crate) fn open(path: &Path, version_table: &str) -> Result<Sqlite> {
        let mut conn = open_for_write(path)?;
        let fk_watch = FkWatch::install(&mut conn).map_err(|e| Error::database(path, e))?;
        Ok(Sqlite::with(
            conn,
            path.to_path_buf(),
            version_table,
            fk_watch,
        ))
    }

    fn with(conn: Connection, path: PathBuf, version_table: &str, fk_watch: FkWatch) -> Sqlite {
        Sqlite {
            conn,
            path,
            version_table: version_table.to_string(),
            vt: VersionTable::new(version_table),
            foreign_keys_were_on: false,
            journal_persisted: false,
            fk_watch,
            outside: None,
        }
    }

    /// The driver on a connection the application opened (the library's
    /// `Migrator::sqlite_connection`); [`Sqlite::into_connection`] gives it
    /// back, and so does a failure here. `BEGIN IMMEDIATE` on this
    /// connection is the lock that keeps every other connection out.
    pub(crate) fn on_connection(
        mut conn: Connection,
        version_table: &str,
    ) -> std::result::Result<Sqlite, Box<(Error, Connection)>> {
        let path = match own_connection_path(&conn) {
            Ok(p) => p,
            Err(e) => return Err(Box::new((e, conn))),
        };
        let fk_watch = match conn
            .busy_timeout(crate::lock_wait::current())
            .and_then(|()| FkWatch::install(&mut conn))
        {
            Ok(w) => w,
            Err(e) => return Err(Box::new((Error::database(&path, e), conn))),
        };
        Ok(Sqlite::with(conn, path, version_table, fk_watch))
    }

    /// The connection back, as [`Sqlite::on_connection`] took it (its
    /// authorizer removed; its busy timeout stays the lock wait).
    pub(crate) fn into_connection(mut self) -> Connection {
        self.end_transaction();
        if let Some(lock) = self.outside.take() {
            lock.release();
        }
        // The watch's authorizer goes with the driver; the application's
        // statements should not pay for it.
        let _ = self.conn.authorizer(
            None::<fn(rusqlite::hooks::AuthContext<'_>) -> rusqlite::hooks::Authorization>,
        );
        self.conn
    }

    fn err(&self, e: impl Into<DatabaseProblem>) -> Error {
        Error::database(&self.path, e)
    }

    fn begin_immediate(&mut self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(|e| {
            let problem = DatabaseProblem::from(e);
            if problem == DatabaseProblem::Locked {
                self.locked("")
            } else {
                self.err(problem)
            }
        })
    }

    fn locked(&self, why: &str) -> Error {
        Error::Refused(format!(
            "database {} is locked by another migrator or application{why} (waited {}s); try again when it is done, or wait longer with --lock-wait SECONDS",
            self.path.display(),
            crate::lock_wait::current().as_secs_f64()
        ))
    }

    fn end_transaction(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// The file an application's own connection is to; refused for an
/// in-memory database (the data checks and the backup read the file) and
/// for a connection inside a transaction (each revision runs in its own).
pub(crate) fn own_connection_path(conn: &Connection) -> Result<PathBuf> {
    let path = match conn.path() {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            return Err(Error::Usage(
                "the SQLite connection is to an in-memory database; migrate needs a file \
                 (its data checks and backups read it): open one with Connection::open(PATH)"
                    .into(),
            ));
        }
    };
    if !conn.is_autocommit() {
        return Err(Error::Usage(format!(
            "the SQLite connection to {} is inside a transaction; commit or roll it back \
             before migrating (each revision runs in its own)",
            path.display()
        )));
    }
    Ok(path)
}

/// Removes the rollback journal a killed run may have left beside `db`
/// (a run commits in `persist` mode, so the file stays with a zeroed
/// header until the run ends). A run that finds nothing to do never starts
/// a session, so it calls this to keep the promise that the next run
/// removes it. A journal that still holds an unfinished transaction is
/// rolled back by SQLite when the file is read; switching the mode from
/// `persist` back to `delete` then deletes the file. A database in WAL or
/// another mode is left alone.
pub(crate) fn clear_leftover_journal(db: &Path) -> Result<()> {
    let mut journal = db.as_os_str().to_owned();
    journal.push("-journal");
    if !Path::new(&journal).exists() {
        return Ok(());
    }
    let conn = open_for_write(db)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .map_err(|e| Error::database(db, e))?;
    if mode.eq_ignore_ascii_case("delete") {
        for pragma in [
            "PRAGMA journal_mode = PERSIST",
            "PRAGMA journal_mode = DELETE",
        ] {
            conn.query_row(pragma, [], |_| Ok(()))
                .map_err(|e| Error::database(db, e))?;
        }
    }
    Ok(())
}

impl Driver for Sqlite {
    fn start_session(&mut self) -> Result<()> {
        // Only outside a transaction does this pragma take effect.
        self.foreign_keys_were_on = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("PRAGMA foreign_keys = OFF")
            .map_err(|e| self.err(e))?;
        // A run commits once per revision. In the default `delete` journal
        // mode every commit also creates and unlinks the journal file;
        // `persist` commits by zeroing the journal's header instead, which is
        // as durable and spares that work on each revision. It is a setting of this connection only (unlike WAL it
        // is not stored in the file), and `end_session` puts it back, which
        // removes the journal file. A file in WAL or another mode is left as
        // its owner set it.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if mode.eq_ignore_ascii_case("delete") {
            self.conn
                .query_row("PRAGMA journal_mode = PERSIST", [], |_| Ok(()))
                .map_err(|e| self.err(e))?;
            self.journal_persisted = true;
        }
        Ok(())
    }

    fn end_session(&mut self) {
        self.rollback();
        if self.journal_persisted {
            let _ = self
                .conn
                .query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()));
            self.journal_persisted = false;
        }
        if self.foreign_keys_were_on {
            let _ = self.conn.execute_batch("PRAGMA foreign_keys = ON");
        }
    }

    /// `BEGIN IMMEDIATE`, and no other migrator in the middle of a
    /// non-transactional revision (looked for under the write lock, the only
    /// time one can start: then wait for it, and begin again).
    fn begin_locked(&mut self) -> Result<()> {
        let until = Instant::now() + crate::lock_wait::current();
        loop {
            self.begin_immediate()?;
            if self.outside.is_some() || !outside_lock::held_by_another(&self.path) {
                return Ok(());
            }
            self.end_transaction();
            if !outside_lock::wait_until_free(&self.path, until) {
                return Err(self.locked(" running a non-transactional revision"));
            }
        }
    }

    fn commit(&mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
        if let Some(lock) = self.outside.take() {
            lock.release();
        }
        Ok(())
    }

    fn leave_transaction_keeping_lock(&mut self) -> Result<()> {
        let lock = match OutsideLock::take(&self.path) {
            Ok(lock) => Some(lock),
            // A file system without file locks: as before there was one.
            Err(e) if e.kind() == std::io::ErrorKind::Unsupported => None,
            Err(e) => {
                return Err(Error::Refused(format!(
                    "cannot take the lock file {} that keeps other migrators out while a non-transactional revision runs: {e}. Nothing of the revision ran",
                    outside_lock::lock_path(&self.path).display()
                )));
            }
        };
        self.end_transaction();
        self.outside = lock;
        Ok(())
    }

    fn rollback(&mut self) {
        self.end_transaction();
        if let Some(lock) = self.outside.take() {
            lock.release();
        }
    }

    fn change_counter(&mut self) -> Result<i64> {
        self.conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    fn ensure_version_table(&mut self) -> Result<()> {
        crate::sqlite::version_table::ensure(&self.conn, &self.version_table)
            .map_err(at_path(&self.path))
    }

    fn applied(&mut self) -> Result<Vec<Applied>> {
        read_applied(&self.conn, &self.version_table)
    }

    fn run_section(&mut self, rev: &Revision, direction: Direction) -> Result<()> {
        // A bar only for a person watching: otherwise no handler at all.
        let progress = match crate::terminal::progress_wanted() {
            true => Some(Progress::install(&mut self.conn).map_err(|e| self.err(e))?),
            false => None,
        };
        let watch = &mut self.fk_watch;
        watch.begin_revision();
        let result =
            run_statements_watched(&self.conn, rev, rev.section(direction), |conn, sql| {
                let scan = progress
                    .as_ref()
                    .and_then(|p| p.before_statement(conn, sql));
                watch.before_statement(conn)?;
                if let Some(progress) = &progress {
                    progress.start(scan);
                }
                Ok(())
            });
        if let Some(progress) = progress {
            progress.remove(&mut self.conn);
        }
        result
    }

    fn new_violations(&mut self) -> Result<Vec<NewViolation>> {
        self.fk_watch
            .new_violations(&self.conn)
            .map_err(|e| Error::database(&self.path, e))
    }

    fn record(&mut self, change: RowChange, label: &str, duration_ms: Option<u128>) -> Result<()> {
        let sql = self.vt.record(change, label, duration_ms);
        self.conn.execute_batch(&sql).map_err(|e| self.err(e))
    }
}

/// Opens (creating if needed) the database for writing.
pub(crate) fn open_for_write(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::database(path, e))?;
    conn.busy_timeout(crate::lock_wait::current())
        .map_err(|e| Error::database(path, e))?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| Error::database(path, e))?;
    // SQLite falls back to read-only when it cannot open for writing; say so now.
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return Err(Error::database(path, DatabaseProblem::ReadOnly));
    }
    Ok(conn)
}

/// The applied revisions, or none when the version table does not exist yet;
/// refused when its format is newer than this build reads.
pub(crate) fn read_applied(conn: &Connection, version_table: &str) -> Result<Vec<Applied>> {
    if crate::sqlite::version_table::read_format(conn, version_table)? == Found::Nothing {
        return Ok(vec![]);
    }
    let vt = VersionTable::new(version_table);
    let mut stmt = conn.prepare(&vt.select())?;
    let rows = stmt.query_map([], |r| {
        Ok(Applied {
            revision: r.get(0)?,
            checksum: r.get(1)?,
            applied_at: r.get(2)?,
            parents: r
                .get::<_, String>(3)?
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            message: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Applied revisions, read without creating or writing anything.
pub(crate) fn read_applied_at(path: &Path, version_table: &str) -> Result<Vec<Applied>> {
    if !path.exists() {
        return Ok(vec![]);
    }
    let conn = crate::sqlite::inspect::open_read_only(path)?;
    read_applied(&conn, version_table).map_err(at_path(path))
}

/// Names the database in an SQLite error; any other error (a refusal) is
/// already whole.
pub(crate) fn at_path(path: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::Sqlite(e) => Error::database(path, e),
        other => other,
    }
}

/// Runs a section's statements in order; a failure names the statement and its line.
pub(crate) fn run_statements(
    conn: &Connection,
    rev: &Revision,
    section: &crate::script::Section,
) -> Result<()> {
    run_statements_watched(conn, rev, section, |_, _| Ok(()))
}

/// [`run_statements`], calling `before_each` with each statement's SQL once
/// it is prepared and before it runs: what a statement will write is known
/// then (see [`crate::sqlite::fk_watch`]), and what it will scan (see [`crate::sqlite::progress`]).
pub(crate) fn run_statements_watched(
    conn: &Connection,
    rev: &Revision,
    section: &crate::script::Section,
    mut before_each: impl FnMut(&Connection, &str) -> rusqlite::Result<()>,
) -> Result<()> {
    // What a rebuild would drop without knowing it is carried across.
    let statements = section.statements();
    let mut carry = carry::Carry::for_section(&statements);
    for (i, stmt) in statements.iter().enumerate() {
        let failed = |e: rusqlite::Error| Error::Statement {
            revision: rev.id.clone(),
            path: rev.path.clone(),
            number: i + 1,
            line: stmt.line,
            statement: first_line(&stmt.sql),
            message: e.to_string(),
        };
        let mut prepared = match conn.prepare(&stmt.sql) {
            Ok(prepared) => prepared,
            Err(rusqlite::Error::Empty) => continue, // only a comment
            Err(e) => return Err(failed(e)),
        };
        carry.before_statement(conn, &stmt.sql).map_err(failed)?;
        before_each(conn, &stmt.sql).map_err(failed)?;
        // Every row, for a statement that returns rows (a PRAGMA, RETURNING).
        let mut rows = prepared.raw_query();
        while rows.next().map_err(failed)?.is_some() {}
    }
    carry::report(rev, carry.put_back(conn))
}

fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or("");
    if sql.lines().count() > 1 {
        format!("{line} ...")
    } else {
        line.to_string()
    }
}
