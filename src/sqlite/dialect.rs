//! SQLite's [`Dialect`]: each method is the SQLite module that does the job.

use crate::dialect::Dialect;
use crate::driver::RowChange;
use crate::schema::{NameRule, Schema};
use crate::sqlite::version_table::VersionTable;
use crate::sqlite::{ddl, sql};
use crate::statement::{Splitter, Statement};

/// SQLite's SQL; holds nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl Splitter for SqliteDialect {
    fn split(&self, script: &str) -> Result<Vec<Statement>, (usize, String)> {
        let split = sql::split(script);
        match split.unterminated_trigger {
            Some(line) => Err((
                line,
                "this CREATE TRIGGER has no `END;`, so every statement after it would be read as \
                 part of its body; end the trigger with `END;`"
                    .into(),
            )),
            None => Ok(split.statements),
        }
    }

    fn checksum_text(&self, section: &str) -> String {
        sql::significant_text(section)
    }
}

impl Dialect for SqliteDialect {
    fn name_rule(&self) -> NameRule {
        crate::sqlite::names::NAMES
    }

    fn quote_ident(&self, name: &str) -> String {
        sql::quote_ident(name)
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

    fn migration_of(
        &self,
        from: &Schema,
        to: &Schema,
        changes: Vec<crate::diff::Change>,
    ) -> crate::plan::Migration {
        crate::sqlite::plan::migration_of(from, to, changes)
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
