//! The one schema model that both sides of every comparison use.
//!
//! A model file and a live database both become a [`Schema`] by the same road
//! (DDL executed in SQLite, then [`crate::sqlite::inspect`]), so "the same meaning"
//! means "the same value". The normalization rules live here, once:
//! - declared types keep their words but not their spelling: `varchar ( 30 )`
//!   is `VARCHAR(30)`. Types are not folded to affinity, because `INT PRIMARY
//!   KEY` and `INTEGER PRIMARY KEY` behave differently in SQLite;
//! - expressions (checks, generated columns, partial-index WHERE, index
//!   expressions) are stored in [`crate::sqlite::sql::canonical`] form, without one
//!   redundant outer pair of parentheses;
//! - a column default is kept as SQLite reports it (`PRAGMA table_info`'s
//!   `dflt_value`: `-1`, `NULL`, `CURRENT_TIMESTAMP`), so the DDL written back
//!   declares it as the model did; it is compared in canonical form
//!   ([`Table::folded_column`]), so `-1` and `- 1` are one default;
//! - collation names are upper-case and `BINARY` (the default) is `None`;
//! - a foreign key action of `NO ACTION` (the default) is `None`;
//! - a conflict clause of `ABORT` (the default) is [`OnConflict::Abort`], the
//!   same value as none; SQLite ignores one on NULL and CHECK, so none is kept;
//! - NOT NULL on a rowid alias (`id INTEGER PRIMARY KEY NOT NULL`) is kept as
//!   declared, so the DDL written back says what the model said (reflection
//!   tools read `PRAGMA table_info`), but it does not count in comparisons:
//!   SQLite ignores it there (a NULL becomes the next rowid). See
//!   [`Table::folded`];
//! - UNIQUE and PRIMARY KEY constraints are table-level values; the indexes
//!   SQLite creates for them (`sqlite_autoindex_*`) are not indexes here;
//! - tables, views, triggers and indexes are sorted by name; columns keep
//!   order in the value (DDL writes them in it), but column order does not
//!   count in comparisons ([`Table::folded`]): SQLite cannot reorder columns
//!   without a rebuild, and two branches that each add a column, applied in
//!   either order, give the same schema.
//!
//! Comparisons (drift, `check`, autogenerate's diff) all go through
//! [`Schema::folded`] / [`Table::folded`] / [`Table::folded_column`], so the
//! rules about what does not count live there and nowhere else.

use crate::sqlite::sql;
use crate::sqlite::virtual_table::SqliteObjects;

mod fold;
mod hints;
mod name_rule;
mod normalize;
mod on_conflict;
mod options;
pub(crate) use hints::{RenameHints, renamed_from_text};
pub use name_rule::NameRule;
pub(crate) use normalize::{normalize_action, normalize_collation, normalize_expr, normalize_type};
pub(crate) use on_conflict::OnConflict;
pub use options::{
    ColumnOptions, EnumType, Identity, IndexOptions, PostgresColumn, PostgresIndex, PostgresTable,
    Sequence, SequenceSettings, TableOptions,
};
#[cfg(feature = "postgres")]
pub(crate) use options::{CommentOn, Exclusion, MaterializedView, ObjectComment};
pub(crate) use options::{PostgresObjects, SqliteColumn, SqliteTable};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    pub triggers: Vec<Trigger>,
    /// What only SQLite has (virtual tables), kept apart from [`Table`].
    pub sqlite: SqliteObjects,
    /// What only PostgreSQL has (enum types, extensions, sequences).
    pub postgres: PostgresObjects,
    /// When two names are one, set by whoever built the schema (SQLite's
    /// rule by default); every table has the same ([`Schema::set_name_rule`]).
    pub name_rule: NameRule,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub foreign_keys: Vec<ForeignKey>,
    pub uniques: Vec<Unique>,
    pub checks: Vec<Check>,
    pub indexes: Vec<Index>,
    /// What only one dialect declares (SQLite: `WITHOUT ROWID`, `STRICT`,
    /// `AUTOINCREMENT`); read SQLite's with [`Table::sqlite`].
    pub options: TableOptions,
    /// The name rule of the schema the table belongs to: how its column,
    /// index and constraint names are looked up and compared.
    pub name_rule: NameRule,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub name: String,
    /// Normalized declared type; empty when none was declared.
    pub decl_type: String,
    pub not_null: bool,
    /// The default expression as declared (SQLite's `dflt_value`); compare
    /// it through [`Table::folded_column`].
    pub default: Option<String>,
    pub collation: Option<String>,
    pub generated: Option<Generated>,
    /// What only one dialect declares (SQLite: the NOT NULL's conflict
    /// clause); read SQLite's with [`Column::sqlite`].
    pub options: ColumnOptions,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Generated {
    pub expr: String,
    pub stored: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// SQLite's conflict clause; kept on the constraint because it is part
    /// of it, and its default ([`OnConflict::Abort`]) is "no clause", what
    /// every constraint of a dialect without the clause has.
    pub on_conflict: OnConflict,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// Empty when the parent's primary key is meant (`REFERENCES artist`).
    pub ref_columns: Vec<String>,
    pub on_delete: Option<String>,
    pub on_update: Option<String>,
    /// `DEFERRABLE INITIALLY DEFERRED`; other spellings are not deferred.
    pub deferred: bool,
    /// PostgreSQL's `NOT VALID`: existing rows were not checked.
    pub not_valid: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unique {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// SQLite's conflict clause (see [`PrimaryKey::on_conflict`]).
    pub on_conflict: OnConflict,
    /// PostgreSQL's `DEFERRABLE`: checked at the end of the statement or
    /// transaction rather than row by row.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (only with `deferrable`): checked at commit.
    pub initially_deferred: bool,
    /// PostgreSQL 15's `NULLS NOT DISTINCT`: two rows with NULL in the same
    /// columns collide.
    pub nulls_not_distinct: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Check {
    pub name: Option<String>,
    pub expr: String,
    /// PostgreSQL's `NOT VALID`: existing rows were not checked.
    pub not_valid: bool,
    /// PostgreSQL's `NO INHERIT`: tables that inherit this one do not get it.
    pub no_inherit: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub parts: Vec<IndexPart>,
    /// Canonical WHERE expression of a partial index.
    pub where_clause: Option<String>,
    /// What only one dialect declares (PostgreSQL: method, INCLUDE, ...).
    pub options: IndexOptions,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexPart {
    pub target: IndexTarget,
    pub desc: bool,
    pub collation: Option<String>,
    /// PostgreSQL's `NULLS FIRST`/`NULLS LAST`; `None` is the default
    /// (first when descending), the same value as saying the default.
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IndexTarget {
    Column(String),
    /// Canonical expression.
    Expr(String),
}

/// A view; its SQL is kept as written and compared in canonical form.
#[derive(Debug, Clone, Eq, serde::Serialize, serde::Deserialize)]
pub struct View {
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone, Eq, serde::Serialize, serde::Deserialize)]
pub struct Trigger {
    pub name: String,
    pub table: String,
    pub sql: String,
}

impl PartialEq for View {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && sql::canonical(&self.sql) == sql::canonical(&other.sql)
    }
}

impl PartialEq for Trigger {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.table.eq_ignore_ascii_case(&other.table)
            && sql::canonical(&self.sql) == sql::canonical(&other.sql)
    }
}

impl Schema {
    /// Makes `rule` the name rule of this schema and of each of its tables:
    /// called by whoever builds a schema for a dialect other than SQLite
    /// (the default rule).
    pub fn set_name_rule(&mut self, rule: NameRule) {
        self.name_rule = rule;
        for t in &mut self.tables {
            t.name_rule = rule;
        }
    }

    /// The table called `name` (by the schema's name rule). Tables are kept
    /// sorted by [`Schema::sort`], so this is a binary search; an unsorted
    /// schema (a model still being built) falls back to a scan.
    pub fn table(&self, name: &str) -> Option<&Table> {
        let rule = self.name_rule;
        match self.tables.binary_search_by(|t| rule.cmp(&t.name, name)) {
            Ok(i) => Some(&self.tables[i]),
            Err(_) => self.tables.iter().find(|t| rule.same(&t.name, name)),
        }
    }

    /// Sorts everything that has no meaningful order, so equal schemas are equal values.
    pub fn sort(&mut self) {
        let rule = self.name_rule;
        self.tables.sort_by_key(|t| rule.key(&t.name));
        for t in &mut self.tables {
            t.indexes.sort_by_key(|i| rule.key(&i.name));
            t.sort_keys();
            t.checks
                .sort_by(|a, b| (&a.expr, &a.name).cmp(&(&b.expr, &b.name)));
        }
        self.views.sort_by_key(|v| rule.key(&v.name));
        self.triggers.sort_by_key(|t| rule.key(&t.name));
        self.sqlite.sort();
        self.postgres.sort();
    }
}

impl Table {
    /// Foreign keys and UNIQUE constraints in one order, so that equal
    /// tables are equal values.
    fn sort_keys(&mut self) {
        self.foreign_keys.sort_by(|a, b| {
            (&a.columns, &a.ref_table, &a.ref_columns).cmp(&(
                &b.columns,
                &b.ref_table,
                &b.ref_columns,
            ))
        });
        self.uniques.sort_by(|a, b| a.columns.cmp(&b.columns));
    }

    /// The column called `name` (by the table's name rule).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| self.name_rule.same(&c.name, name))
    }

    /// The index called `name` (by the table's name rule).
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| self.name_rule.same(&i.name, name))
    }

    /// Whether `a` and `b` name the same object, by the table's name rule.
    pub fn same_name(&self, a: &str, b: &str) -> bool {
        self.name_rule.same(a, b)
    }

    /// The INTEGER PRIMARY KEY column that is the rowid itself, if any.
    pub fn rowid_alias(&self) -> Option<String> {
        let pk = self.primary_key.as_ref()?;
        let col = self.column(pk.columns.first()?)?;
        (pk.columns.len() == 1 && !self.sqlite().without_rowid && col.decl_type == "INTEGER")
            .then(|| col.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_ignore_column_order_and_not_null_on_the_rowid_alias() {
        let col = |name: &str, not_null: bool| Column {
            name: name.into(),
            decl_type: "INTEGER".into(),
            not_null,
            ..Column::default()
        };
        let table = |columns: Vec<Column>| Table {
            name: "t".into(),
            columns,
            primary_key: Some(PrimaryKey {
                columns: vec!["id".into()],
                ..PrimaryKey::default()
            }),
            ..Table::default()
        };
        let a = table(vec![col("id", true), col("a", false), col("b", true)]);
        let b = table(vec![col("id", false), col("b", true), col("a", false)]);
        assert_ne!(a, b, "the values keep what was declared, in order");
        assert_eq!(a.folded(), b.folded());
        // NOT NULL counts everywhere else.
        let c = table(vec![col("id", true), col("a", true), col("b", true)]);
        assert_ne!(a.folded(), c.folded());
    }

    #[test]
    fn a_dialects_default_options_compare_as_none() {
        let plain = Table {
            name: "t".into(),
            columns: vec![Column {
                name: "id".into(),
                decl_type: "INTEGER".into(),
                not_null: true,
                options: ColumnOptions::Sqlite(SqliteColumn {
                    not_null_on_conflict: OnConflict::Replace,
                }),
                ..Column::default()
            }],
            primary_key: Some(PrimaryKey {
                columns: vec!["id".into()],
                ..PrimaryKey::default()
            }),
            options: TableOptions::Sqlite(SqliteTable::default()),
            ..Table::default()
        };
        let mut bare = plain.clone();
        bare.options = TableOptions::None;
        // NOT NULL (and its clause) does not count on the rowid alias.
        bare.columns[0].options = ColumnOptions::None;
        bare.columns[0].not_null = false;
        assert_eq!(plain.folded(), bare.folded());
        let mut strict = plain.clone();
        strict.options = TableOptions::sqlite(SqliteTable {
            strict: true,
            ..SqliteTable::default()
        });
        assert_ne!(plain.folded(), strict.folded());
    }

    #[test]
    fn saying_the_default_null_order_is_not_saying_one() {
        let index = |desc: bool, nulls_first: Option<bool>| Index {
            name: "i".into(),
            parts: vec![IndexPart {
                target: IndexTarget::Column("a".into()),
                desc,
                collation: None,
                nulls_first,
            }],
            ..Index::default()
        };
        assert_eq!(
            index(false, Some(false)).folded(NameRule::default()),
            index(false, None).folded(NameRule::default())
        );
        assert_eq!(
            index(true, Some(true)).folded(NameRule::default()),
            index(true, None).folded(NameRule::default())
        );
        assert_ne!(
            index(false, Some(true)).folded(NameRule::default()),
            index(false, None).folded(NameRule::default())
        );
    }

    #[test]
    fn lookups_and_comparisons_follow_the_schemas_name_rule() {
        let table = |name: &str| Table {
            name: name.into(),
            columns: vec![Column {
                name: "Id".into(),
                ..Column::default()
            }],
            ..Table::default()
        };
        let mut sqlite = Schema {
            tables: vec![table("users")],
            ..Schema::default()
        };
        sqlite.sort();
        assert!(sqlite.table("USERS").is_some());
        assert!(sqlite.tables[0].column("id").is_some());
        let mut postgres = Schema {
            tables: vec![table("users"), table("Users")],
            ..Schema::default()
        };
        postgres.set_name_rule(NameRule::Exact);
        postgres.sort();
        assert_eq!(postgres.table("Users").unwrap().name, "Users");
        assert_eq!(postgres.table("users").unwrap().name, "users");
        assert!(postgres.table("USERS").is_none());
        assert!(postgres.tables[0].column("id").is_none());
        let mut upper = postgres.clone();
        upper.tables.retain(|t| t.name == "Users");
        let mut lower = postgres.clone();
        lower.tables.retain(|t| t.name == "users");
        assert!(!upper.same_as(&lower), "two tables to PostgreSQL");
    }

    #[test]
    #[should_panic(expected = "different name rules")]
    fn schemas_of_two_name_rules_are_not_compared() {
        let mut postgres = Schema::default();
        postgres.set_name_rule(NameRule::Exact);
        Schema::default().same_as(&postgres);
    }
}
