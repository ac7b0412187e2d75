//! The version table's row changes as SQL text, shared by the engines:
//! the revision row inserted, deleted or re-checksummed, and its log row.
//! Only the names (quoted by each engine) and the clock expression differ.

use crate::driver::RowChange;

/// The tool's own tables by their quoted names, and the engine's SQL for "now".
pub(crate) struct RowSql<'a> {
    pub table: &'a str,
    pub log: &'a str,
    pub now: &'a str,
}

impl RowSql<'_> {
    /// The version-table change and its log row, as SQL text (the same text
    /// runs online and is printed by `--sql`). `label` is the log's direction.
    pub(crate) fn record(
        &self,
        change: RowChange,
        label: &str,
        duration_ms: Option<u128>,
    ) -> String {
        let (table, now) = (self.table, self.now);
        let (revision, sql) = match change {
            RowChange::Insert(rev) => (
                rev.id.as_str(),
                format!(
                    "INSERT INTO {table} (revision, parents, message, checksum, applied_at) VALUES ({}, {}, {}, {}, {now})",
                    quote_str(&rev.id),
                    quote_str(&rev.parents.join(",")),
                    quote_str(&rev.message),
                    quote_str(rev.checksum())
                ),
            ),
            RowChange::Delete(id) => (
                id,
                format!("DELETE FROM {table} WHERE revision = {}", quote_str(id)),
            ),
            RowChange::Approve(rev) => (
                rev.id.as_str(),
                format!(
                    "UPDATE {table} SET checksum = {} WHERE revision = {}",
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

/// A standard SQL string literal (both engines: only `'` is doubled).
fn quote_str(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}
