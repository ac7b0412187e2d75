//! The dialect seam: what knows the SQL of one engine and holds no
//! connection (pure, so it is tested without a database). The name rule,
//! quoting, the text a checksum is taken over, DDL for a schema, and the
//! version table's SQL. Built by [`crate::engine::Engine::dialect`];
//! [`crate::sqlite::dialect::SqliteDialect`] is the one implementation.
//!
//! Not every caller goes through it yet: the data checks and the script
//! text of a plan (`render`) are still called by their SQLite paths (see the README's
//! "Layout" section for what is left).

use crate::diff::Change;
use crate::driver::RowChange;
use crate::plan::Migration;
use crate::risk::{PreCount, Risk};
use crate::schema::{NameRule, Schema};
use crate::statement::Splitter;

/// Splitting and checksum text ([`Splitter`]) are the part revision files
/// need; the rest is here.
pub trait Dialect: Splitter {
    /// When two identifiers name the same object (SQLite: ASCII case does
    /// not matter; PostgreSQL: exact, unquoted names being folded already).
    /// A schema this engine builds carries it ([`Schema::name_rule`]).
    fn name_rule(&self) -> NameRule;
    /// Whether two identifiers name the same object, by [`Dialect::name_rule`].
    fn same_name(&self, a: &str, b: &str) -> bool {
        self.name_rule().same(a, b)
    }
    /// A name as an identifier in SQL text, quoted when it must be.
    fn quote_ident(&self, name: &str) -> String;
    /// The statements that create `schema` in an empty database.
    fn create_schema(&self, schema: &Schema) -> Vec<String>;
    /// The statements that create the version table `table` and its log.
    fn version_table_sql(&self, table: &str) -> String;
    /// One change of the version table and its log row, as SQL text.
    fn record_sql(
        &self,
        table: &str,
        change: RowChange,
        label: &str,
        duration_ms: Option<u128>,
    ) -> String;
    /// What a script printed by `--sql` starts with: how to run it, and
    /// the session settings a real run makes.
    fn offline_preamble(&self) -> String;
    /// `changes` (the diff `from` -> `to`) planned up and down in this
    /// engine's statements (SQLite: ALTER or a table rebuild; PostgreSQL:
    /// ALTER form only).
    fn migration_of(&self, from: &Schema, to: &Schema, changes: Vec<Change>) -> Migration;
    /// The query a planned statement's risk carries to count the rows it
    /// would fail on, run before `upgrade` and by `lint` (PostgreSQL's
    /// planner writes one into the review comment; SQLite's data checks
    /// compare schemas instead, so it has none).
    fn pre_count<'r>(&self, risk: &'r Risk) -> Option<PreCount<'r>> {
        let _ = risk;
        None
    }
}
