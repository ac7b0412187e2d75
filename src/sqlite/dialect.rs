//! SQLite's [`Dialect`]: each method is the SQLite module that does the job.

use crate::dialect::Dialect;
use crate::driver::RowChange;
use crate::schema::{Schema, same_name};
use crate::sqlite::version_table::VersionTable;
use crate::sqlite::{ddl, sql};
use crate::statement::Lexer;

/// SQLite's SQL; holds nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn same_name(&self, a: &str, b: &str) -> bool {
        same_name(a, b)
    }

    fn quote_ident(&self, name: &str) -> String {
        sql::quote_ident(name)
    }

    fn checksum_text(&self, section: &str) -> String {
        sql::significant_text(section)
    }

    fn lexer(&self) -> &'static Lexer {
        &sql::LEXER
    }

    fn create_schema(&self, schema: &Schema) -> Vec<String> {
        ddl::create_schema(schema)
    }

    fn version_table_sql(&self, table: &str) -> String {
        VersionTable::new(table).create()
    }

    fn record_sql(
        &self,
        table: &str,
        change: RowChange,
        label: &str,
        duration_ms: Option<u128>,
    ) -> String {
        VersionTable::new(table).record(change, label, duration_ms)
    }

    fn offline_preamble(&self) -> String {
        "run with: sqlite3 DATABASE < this-file\nPRAGMA foreign_keys = OFF;".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_rule_ignores_ascii_case_only() {
        let d = SqliteDialect;
        assert!(d.same_name("Track", "TRACK"));
        assert!(!d.same_name("é", "É"));
        assert_eq!(d.quote_ident("order"), "\"order\"");
    }
}
