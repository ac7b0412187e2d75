//! PostgreSQL's [`Dialect`]: each method is the PostgreSQL module that does
//! the job (names, the lexer, the DDL writer, the version table's SQL).

use crate::dialect::Dialect;
use crate::driver::RowChange;
use crate::schema::{NameRule, Schema};
use crate::statement::{Splitter, Statement};

use super::names;
use super::sql;
use super::version_table::VersionTable;

/// The session-level advisory lock key every migrate run on a database
/// takes (`pg_try_advisory_lock`), online and in `--sql` output: the bytes
/// of "migrate!" as a big-endian number. Advisory locks are per database,
/// so one constant serves every database on a server.
pub const LOCK_KEY: i64 = i64::from_be_bytes(*b"migrate!");

/// How long a revision waits for a table lock before it fails, when the
/// config does not say (`lock_timeout`): long enough for a busy table's
/// short transactions, short enough that the application's queries never
/// queue behind a waiting `ALTER TABLE` for long.
pub(crate) const DEFAULT_LOCK_TIMEOUT: &str = "5s";

/// PostgreSQL's SQL; holds nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostgresDialect;

impl Splitter for PostgresDialect {
    /// As psql sends them; something left open (a string, a dollar quote,
    /// a `BEGIN ATOMIC` body) is refused at the line it opens.
    fn split(&self, script: &str) -> Result<Vec<Statement>, (usize, String)> {
        // `advice`, not Display: the caller places the line (`file:line:`).
        sql::check(script).map_err(|open| (open.line, open.advice()))
    }

    fn checksum_text(&self, section: &str) -> String {
        sql::significant_text(section)
    }
}

impl Dialect for PostgresDialect {
    fn pre_count<'r>(&self, risk: &'r crate::risk::Risk) -> Option<crate::risk::PreCount<'r>> {
        super::plan::precount::read(risk)
    }

    /// Exact: names are folded ([`names::fold`]) when they are read.
    fn name_rule(&self) -> NameRule {
        NameRule::Exact
    }

    fn quote_ident(&self, name: &str) -> String {
        names::quote_ident(name)
    }

    fn create_schema(&self, schema: &Schema) -> Vec<String> {
        super::ddl::create_schema(schema)
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
        offline_preamble(DEFAULT_LOCK_TIMEOUT)
    }

    fn migration_of(
        &self,
        from: &Schema,
        to: &Schema,
        changes: Vec<crate::diff::Change>,
    ) -> crate::plan::Migration {
        super::plan::migration_of(from, to, changes)
    }
}

/// What a `--sql` script starts with: how to run it (psql stopping at the
/// first error), then the settings a real run makes: `lock_timeout`, and
/// the migration lock taken without waiting (a run that finds another one
/// stops instead of queueing behind it). `lock_timeout` is a PostgreSQL
/// interval text such as `5s`.
pub fn offline_preamble(lock_timeout: &str) -> String {
    format!(
        "run with: psql \"$DATABASE_URL\" --no-psqlrc -v ON_ERROR_STOP=1 -f this-file\n\
         SET lock_timeout = {};\n\
         DO $migrate$ BEGIN\n    \
         IF NOT pg_try_advisory_lock({LOCK_KEY}) THEN\n        \
         RAISE EXCEPTION 'another migrate run holds the migration lock (advisory lock {LOCK_KEY}); nothing ran';\n    \
         END IF;\n\
         END $migrate$;",
        names::quote_str(lock_timeout)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_rule_is_exact() {
        let d = PostgresDialect;
        assert!(d.same_name("track", "track"));
        assert!(!d.same_name("Track", "track"));
        assert_eq!(d.quote_ident("order"), "\"order\"");
        assert_eq!(
            d.checksum_text("SELECT 1; -- x\n"),
            d.checksum_text("SELECT  1;")
        );
    }

    #[test]
    fn the_preamble_splits_into_its_statements() {
        let text = offline_preamble("3s");
        let statements = sql::check(text.split_once('\n').unwrap().1).unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].sql, "SET lock_timeout = '3s'");
        assert!(statements[1].sql.contains(&LOCK_KEY.to_string()));
    }
}
