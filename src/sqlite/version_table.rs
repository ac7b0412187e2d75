//! The tool's own tables: `migrate_version` (the applied revisions, with
//! each one's parents, message and checksum), `migrate_version_log` (every
//! step, when, which way, how long) and `migrate_version_format` (the format
//! number of these tables and the migrate that wrote it). Their SQL is text,
//! so the same text runs online and is printed by `--sql`; reading the format
//! and upgrading the tables in place live here too, so that every command
//! that reads the version table refuses a format it does not know. This is
//! the SQLite-specific part of version tracking; the rest of `apply` only
//! calls it.

use rusqlite::{Connection, OptionalExtension};

use crate::driver::RowChange;
use crate::error::{Error, Result};
use crate::sqlite::sql::{one_line, quote_ident, quote_str};
use crate::version_rows::RowSql;

/// The format of the tool's own tables that this build writes and reads.
/// Format 1 is what releases before format numbers wrote: the version table
/// and its log, no format table. Format 2 adds the format table. A change to
/// these tables' shape raises this number and adds a step to
/// [`VersionTable::upgrade`].
pub const FORMAT: i64 = 2;

/// The one list of the tool's own tables, for the version table `name`:
/// the version table and its named companions. They are matched exactly
/// (see [`is_own`]), never by prefix: `version_table = "a"` must not hide a
/// table `artist`.
pub(crate) fn own_tables(name: &str) -> [String; 3] {
    [
        name.to_string(),
        format!("{name}_log"),
        format!("{name}_format"),
    ]
}

/// Whether `table` is one of the tool's own tables for the version table
/// `name`: exactly, up to ASCII case (SQLite's rule for names).
pub(crate) fn is_own(table: &str, name: &str) -> bool {
    own_tables(name)
        .iter()
        .any(|own| own.eq_ignore_ascii_case(table))
}

/// The SQL of the tool's own tables, as text so that `--sql` prints what runs.
pub(crate) struct VersionTable {
    table: String,
    log: String,
    format: String,
}

impl VersionTable {
    pub(crate) fn new(name: &str) -> VersionTable {
        let [table, log, format] = own_tables(name);
        VersionTable {
            table: quote_ident(&table),
            log: quote_ident(&log),
            format: quote_ident(&format),
        }
    }

    /// The tables at [`FORMAT`]. Every statement is a no-op on tables that
    /// are already there, so a DBA can run `--sql` output on a new database
    /// or on one at format 1 (where it is the upgrade to format 2).
    pub(crate) fn create(&self) -> String {
        format!(
            "{};\n{};\n\
             INSERT INTO {} (format, written_by) SELECT {FORMAT}, {} WHERE NOT EXISTS (SELECT 1 FROM {})",
            self.create_format_1(),
            self.create_format_table(),
            self.format,
            quote_str(written_by()),
            self.format
        )
    }

    /// The tables as releases before format numbers made them (format 1).
    fn create_format_1(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    revision TEXT PRIMARY KEY NOT NULL,\n    parents TEXT NOT NULL,\n    message TEXT NOT NULL,\n    checksum TEXT NOT NULL,\n    applied_at TEXT NOT NULL\n) WITHOUT ROWID;\n\
             CREATE TABLE IF NOT EXISTS {} (\n    id INTEGER PRIMARY KEY,\n    revision TEXT NOT NULL,\n    direction TEXT NOT NULL,\n    applied_at TEXT NOT NULL,\n    duration_ms INTEGER\n)",
            self.table, self.log
        )
    }

    /// Format 2's addition: one row, the format and the migrate that wrote it.
    fn create_format_table(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    format INTEGER NOT NULL,\n    written_by TEXT NOT NULL\n)",
            self.format
        )
    }

    /// The SQL that takes tables at format `from` (below [`FORMAT`]) to
    /// [`FORMAT`], one step per format, then records the new number. It runs
    /// inside the caller's transaction.
    pub(crate) fn upgrade(&self, from: i64) -> String {
        let mut sql: Vec<String> = (from..FORMAT)
            .map(|step| match step {
                1 => self.create_format_table(),
                _ => unreachable!("no upgrade step from format {step}"),
            })
            .collect();
        sql.push(format!("DELETE FROM {}", self.format));
        sql.push(format!(
            "INSERT INTO {} (format, written_by) VALUES ({FORMAT}, {})",
            self.format,
            quote_str(written_by())
        ));
        sql.join(";\n")
    }

    /// The format row: the highest one, should a hand edit have added more.
    fn select_format(&self) -> String {
        format!(
            "SELECT format, written_by FROM {} ORDER BY format DESC LIMIT 1",
            self.format
        )
    }

    /// The applied rows: revision, checksum, applied_at, parents, message.
    pub(crate) fn select(&self) -> String {
        format!(
            "SELECT revision, checksum, applied_at, parents, message FROM {}",
            self.table
        )
    }

    /// The version-table change and its log row, as SQL text (the same text
    /// runs online and is printed by `--sql`). `label` is the log's direction.
    pub(crate) fn record(
        &self,
        change: RowChange,
        label: &str,
        duration_ms: Option<u128>,
    ) -> String {
        RowSql {
            table: &self.table,
            log: &self.log,
            now: "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
        .record(change, label, duration_ms)
    }
}

/// Who writes a format row: this build.
fn written_by() -> &'static str {
    concat!("migrate ", env!("CARGO_PKG_VERSION"))
}

/// What a database holds of the tool's own tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// No version table yet.
    Nothing,
    /// The tables at `format`, last created or upgraded by `written_by`.
    At { format: i64, written_by: String },
}

/// The format of the own tables of the version table `name`, refused (see
/// [`readable`]) when this build cannot read it. Reads only.
pub(crate) fn read_format(conn: &Connection, name: &str) -> Result<Found> {
    let [table, _, format_table] = own_tables(name);
    let exists = |t: &str| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get(0),
        )
    };
    let found = if exists(&format_table)? {
        let row = conn
            .query_row(&VersionTable::new(name).select_format(), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((format, written_by)) = row else {
            return Err(Error::Refused(format!(
                "{format_table} holds no row, so the format of migrate's own tables is unknown \
                 and nothing was changed. Restore the database from a backup, or if it was \
                 made by {}, insert its row: INSERT INTO {} VALUES ({FORMAT}, {})",
                written_by(),
                quote_ident(&format_table),
                quote_str(written_by())
            )));
        };
        Found::At { format, written_by }
    } else if exists(&table)? {
        Found::At {
            format: 1,
            written_by: "a migrate from before format numbers".to_string(),
        }
    } else {
        Found::Nothing
    };
    readable(&found, name)?;
    Ok(found)
}

/// Refuses tables at a format this build does not know: a newer migrate
/// wrote them (or a hand edit did), and reading or writing them as an older
/// shape could lose what the newer one records.
pub(crate) fn readable(found: &Found, name: &str) -> Result<()> {
    let Found::At { format, written_by } = found else {
        return Ok(());
    };
    if (1..=FORMAT).contains(format) {
        return Ok(());
    }
    let tables = own_tables(name).join(", ");
    // Read from the file: one line, so it cannot forge lines of the message.
    let written_by = one_line(written_by);
    Err(Error::Refused(if *format > FORMAT {
        format!(
            "this database's own tables ({tables}) are at format {format}, written by {written_by}, \
             and {} reads format {FORMAT} at most; nothing was changed: use {written_by} or a later \
             one with this database",
            self::written_by()
        )
    } else {
        format!(
            "this database's own tables ({tables}) say format {format}, which no migrate writes; \
             nothing was changed: restore the database from a backup"
        )
    }))
}

/// Creates the tables at [`FORMAT`], or upgrades them in place from an older
/// format; refuses a newer one. Runs inside the caller's transaction, so an
/// upgrade commits with the step that needed it or not at all.
pub(crate) fn ensure(conn: &Connection, name: &str) -> Result<()> {
    let vt = VersionTable::new(name);
    let sql = match read_format(conn, name)? {
        Found::Nothing => vt.create(),
        Found::At { format, .. } if format < FORMAT => vt.upgrade(format),
        Found::At { .. } => return Ok(()),
    };
    Ok(conn.execute_batch(&sql)?)
}
