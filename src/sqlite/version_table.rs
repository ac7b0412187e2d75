//! The tool's own tables, as SQL text: `migrate_version` (the applied
//! revisions, with each one's parents, message and checksum) and
//! `migrate_version_log` (every step, when, which way, how long). The same
//! text runs online and is printed by `--sql`. This is the SQLite-specific
//! part of version tracking; the rest of `apply` only calls it.

use crate::driver::RowChange;
use crate::sqlite::sql::{quote_ident, quote_str};

/// The one list of the tool's own tables, for the version table `name`:
/// the version table and its named companions. They are matched exactly
/// (see [`is_own`]), never by prefix: `version_table = "a"` must not hide a
/// table `artist`.
pub fn own_tables(name: &str) -> [String; 2] {
    [name.to_string(), format!("{name}_log")]
}

/// Whether `table` is one of the tool's own tables for the version table
/// `name`: exactly, up to ASCII case (SQLite's rule for names).
pub fn is_own(table: &str, name: &str) -> bool {
    own_tables(name)
        .iter()
        .any(|own| own.eq_ignore_ascii_case(table))
}

/// The SQL of the tool's own tables, as text so that `--sql` prints what runs.
pub struct VersionTable {
    table: String,
    log: String,
}

impl VersionTable {
    pub fn new(name: &str) -> VersionTable {
        let [table, log] = own_tables(name);
        VersionTable {
            table: quote_ident(&table),
            log: quote_ident(&log),
        }
    }

    pub fn create(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (\n    revision TEXT PRIMARY KEY NOT NULL,\n    parents TEXT NOT NULL,\n    message TEXT NOT NULL,\n    checksum TEXT NOT NULL,\n    applied_at TEXT NOT NULL\n) WITHOUT ROWID;\n\
             CREATE TABLE IF NOT EXISTS {} (\n    id INTEGER PRIMARY KEY,\n    revision TEXT NOT NULL,\n    direction TEXT NOT NULL,\n    applied_at TEXT NOT NULL,\n    duration_ms INTEGER\n)",
            self.table, self.log
        )
    }

    /// The applied rows: revision, checksum, applied_at, parents, message.
    pub fn select(&self) -> String {
        format!(
            "SELECT revision, checksum, applied_at, parents, message FROM {}",
            self.table
        )
    }

    /// The version-table change and its log row, as SQL text (the same text
    /// runs online and is printed by `--sql`). `label` is the log's direction.
    pub fn record(&self, change: RowChange, label: &str, duration_ms: Option<u128>) -> String {
        let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
        let (revision, sql) = match change {
            RowChange::Insert(rev) => (
                rev.id.as_str(),
                format!(
                    "INSERT INTO {} (revision, parents, message, checksum, applied_at) VALUES ({}, {}, {}, {}, {now})",
                    self.table,
                    quote_str(&rev.id),
                    quote_str(&rev.parents.join(",")),
                    quote_str(&rev.message),
                    quote_str(rev.checksum())
                ),
            ),
            RowChange::Delete(id) => (
                id,
                format!(
                    "DELETE FROM {} WHERE revision = {}",
                    self.table,
                    quote_str(id)
                ),
            ),
            RowChange::Approve(rev) => (
                rev.id.as_str(),
                format!(
                    "UPDATE {} SET checksum = {} WHERE revision = {}",
                    self.table,
                    quote_str(rev.checksum()),
                    quote_str(&rev.id)
                ),
            ),
        };
        let duration = duration_ms.map_or("NULL".to_string(), |d| d.to_string());
        format!(
            "{sql};\nINSERT INTO {} (revision, direction, applied_at, duration_ms) VALUES ({}, {}, {now}, {duration})",
            self.log,
            quote_str(revision),
            quote_str(label)
        )
    }
}
