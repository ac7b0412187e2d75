//! The dialect seam: what knows the SQL of one engine and holds no
//! connection (pure, so it is tested without a database). The name rule,
//! quoting, the text a checksum is taken over, DDL for a schema, and the
//! version table's SQL. Built by [`crate::engine::Engine::dialect`];
//! [`crate::sqlite::dialect::SqliteDialect`] is the one implementation.
//!
//! Not every caller goes through it yet: the planner, the splitter and the
//! data checks are still called by their SQLite paths (see the README's
//! "Layout" section for what is left).

use crate::driver::RowChange;
use crate::schema::Schema;
use crate::statement::Lexer;

pub trait Dialect {
    /// Whether two identifiers name the same object (SQLite: ASCII case
    /// does not matter; PostgreSQL: exact once unquoted names are folded).
    fn same_name(&self, a: &str, b: &str) -> bool;
    /// A name as an identifier in SQL text, quoted when it must be.
    fn quote_ident(&self, name: &str) -> String;
    /// The text a section's checksum is taken over: its significant tokens,
    /// so comments and layout may change without changing the checksum.
    fn checksum_text(&self, section: &str) -> String;
    /// How revision files are read: sections split into statements (or a
    /// construct left open refused) and checksummed by this engine's rules
    /// (`crate::script::read_dir`).
    fn lexer(&self) -> &'static Lexer;
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
}
