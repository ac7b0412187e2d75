//! The SQLite [`Scratch`]: an in-memory database, empty or a copy of a
//! database file (through the online backup API, never touching the file).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::Connection;

use crate::driver::Applied;
use crate::error::{Error, Result};
use crate::schema::Schema;
use crate::scratch::{ReplayFailed, Scratch};
use crate::script::{Revision, Section};
use crate::sqlite::{backup, carry, driver, inspect, sql};

pub(crate) struct SqliteScratch {
    conn: Connection,
}

impl SqliteScratch {
    /// An empty database with foreign keys off, as `apply` runs: a rebuild
    /// must not cascade (the bundled SQLite enables them).
    pub(crate) fn empty() -> Result<SqliteScratch> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        Ok(SqliteScratch { conn })
    }

    /// An empty database as SQLite opens it (foreign keys on): where a
    /// model is created, so a model's own rows are checked as written.
    pub(crate) fn for_model() -> Result<SqliteScratch> {
        Ok(SqliteScratch {
            conn: Connection::open_in_memory()?,
        })
    }

    /// A copy of the database at `db`, foreign keys off.
    pub(crate) fn copy_of(db: &Path) -> Result<SqliteScratch> {
        let source = inspect::open_read_only(db)?;
        let mut conn = Connection::open_in_memory()?;
        backup::copy(&source, &mut conn).map_err(|e| Error::database(db, e))?;
        drop(source);
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        Ok(SqliteScratch { conn })
    }
}

impl Scratch for SqliteScratch {
    fn execute(&mut self, sql: &str) -> Result<()> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn run_section(&mut self, rev: &Revision, section: &Section) -> Result<()> {
        driver::run_statements(&self.conn, rev, section)
    }

    fn replay(&mut self, section: &Section) -> std::result::Result<(), ReplayFailed> {
        let statements = section.statements();
        let mut carry = carry::Carry::for_section(&statements);
        for (i, stmt) in statements.iter().enumerate() {
            carry
                .before_statement(&self.conn, &stmt.sql)
                .and_then(|()| self.conn.execute_batch(&stmt.sql))
                .map_err(|e| ReplayFailed {
                    statement: Some(i),
                    line: Some(stmt.line),
                    message: e.to_string(),
                })?;
        }
        carry
            .put_back(&self.conn)
            .map(|_| ())
            .map_err(|e| ReplayFailed {
                statement: None,
                line: None,
                message: format!("{}: {}", e.what, e.message),
            })
    }

    fn inspect(&self, own: &str) -> Result<Schema> {
        inspect::inspect(&self.conn, own)
    }

    fn count_rows(&self, table: &str) -> Result<i64> {
        let query = format!("SELECT count(*) FROM {}", sql::quote_ident(table));
        Ok(self.conn.query_row(&query, [], |r| r.get(0))?)
    }

    fn applied(&self, version_table: &str) -> Result<Vec<Applied>> {
        driver::read_applied(&self.conn, version_table)
    }

    fn table_texts_containing(&self, needle: &str) -> Result<HashMap<String, String>> {
        // One scan of the schema table; the caller parses only what it finds.
        let pattern = format!("%{needle}%");
        let found = self
            .conn
            .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE ?1")?
            .query_map([pattern], |r| {
                Ok((r.get::<_, String>(0)?.to_ascii_lowercase(), r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(found)
    }
}
