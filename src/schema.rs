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

mod hints;
mod normalize;
mod on_conflict;
mod options;
pub use hints::RenameHints;
pub use normalize::{normalize_action, normalize_collation, normalize_expr, normalize_type};
pub use on_conflict::OnConflict;
pub use options::{
    ColumnOptions, EnumType, Identity, IndexOptions, PostgresColumn, PostgresIndex,
    PostgresObjects, PostgresTable, Sequence, SequenceSettings, SqliteColumn, SqliteTable,
    TableOptions,
};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    pub triggers: Vec<Trigger>,
    /// What only SQLite has (virtual tables), kept apart from [`Table`].
    pub sqlite: SqliteObjects,
    /// What only PostgreSQL has (enum types, extensions, sequences).
    pub postgres: PostgresObjects,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub expr: String,
    pub stored: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// SQLite's conflict clause; kept on the constraint because it is part
    /// of it, and its default ([`OnConflict::Abort`]) is "no clause", what
    /// every constraint of a dialect without the clause has.
    pub on_conflict: OnConflict,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unique {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// SQLite's conflict clause (see [`PrimaryKey::on_conflict`]).
    pub on_conflict: OnConflict,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    pub name: Option<String>,
    pub expr: String,
    /// PostgreSQL's `NOT VALID`: existing rows were not checked.
    pub not_valid: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub parts: Vec<IndexPart>,
    /// Canonical WHERE expression of a partial index.
    pub where_clause: Option<String>,
    /// What only one dialect declares (PostgreSQL: method, INCLUDE, ...).
    pub options: IndexOptions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPart {
    pub target: IndexTarget,
    pub desc: bool,
    pub collation: Option<String>,
    /// PostgreSQL's `NULLS FIRST`/`NULLS LAST`; `None` is the default
    /// (first when descending), the same value as saying the default.
    pub nulls_first: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexTarget {
    Column(String),
    /// Canonical expression.
    Expr(String),
}

/// A view; its SQL is kept as written and compared in canonical form.
#[derive(Debug, Clone, Eq)]
pub struct View {
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone, Eq)]
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

/// The order of [`Schema::sort`]: by name, ignoring ASCII case.
fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Names in SQLite are case-insensitive for ASCII letters.
pub fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl Schema {
    /// The table called `name` (any ASCII case). Tables are kept sorted by
    /// [`Schema::sort`], so this is a binary search; an unsorted schema (a
    /// model still being built) falls back to a scan.
    pub fn table(&self, name: &str) -> Option<&Table> {
        match self
            .tables
            .binary_search_by(|t| cmp_ignore_case(&t.name, name))
        {
            Ok(i) => Some(&self.tables[i]),
            Err(_) => self.tables.iter().find(|t| same_name(&t.name, name)),
        }
    }

    /// Sorts everything that has no meaningful order, so equal schemas are equal values.
    pub fn sort(&mut self) {
        self.tables.sort_by_key(|t| t.name.to_ascii_lowercase());
        for t in &mut self.tables {
            t.indexes.sort_by_key(|i| i.name.to_ascii_lowercase());
            t.foreign_keys.sort_by(|a, b| {
                (&a.columns, &a.ref_table, &a.ref_columns).cmp(&(
                    &b.columns,
                    &b.ref_table,
                    &b.ref_columns,
                ))
            });
            t.uniques.sort_by(|a, b| a.columns.cmp(&b.columns));
            t.checks
                .sort_by(|a, b| (&a.expr, &a.name).cmp(&(&b.expr, &b.name)));
        }
        self.views.sort_by_key(|v| v.name.to_ascii_lowercase());
        self.triggers.sort_by_key(|t| t.name.to_ascii_lowercase());
        self.sqlite.sort();
        self.postgres.sort();
    }

    /// True when the two schemas mean the same to SQLite: names compared without ASCII case (SQLite's rule for identifiers).
    pub fn same_as(&self, other: &Schema) -> bool {
        self.folded() == other.folded()
    }

    /// Every name lower-cased: the form [`Schema::same_as`] compares.
    pub fn folded(&self) -> Schema {
        let mut s = self.clone();
        for t in &mut s.tables {
            *t = t.folded();
        }
        for v in &mut s.views {
            v.name.make_ascii_lowercase();
        }
        for t in &mut s.triggers {
            t.name.make_ascii_lowercase();
            t.table.make_ascii_lowercase();
        }
        s.sqlite.fold();
        s.sort();
        s
    }
}

fn fold_all(names: &mut [String]) {
    names.iter_mut().for_each(|n| n.make_ascii_lowercase());
}

fn fold_opt(name: &mut Option<String>) {
    if let Some(n) = name {
        n.make_ascii_lowercase();
    }
}

fn fold_column(c: &Column, rowid_alias: Option<&str>) -> Column {
    let mut c = c.clone();
    c.default = c.default.as_deref().map(normalize_expr);
    if rowid_alias.is_some_and(|alias| same_name(alias, &c.name)) {
        c.not_null = false;
        if let ColumnOptions::Sqlite(s) = &mut c.options {
            s.not_null_on_conflict = OnConflict::Abort;
        }
    }
    c.options = c.options.folded();
    c.name.make_ascii_lowercase();
    c
}

impl Index {
    pub fn folded(&self) -> Index {
        let mut i = self.clone();
        i.name.make_ascii_lowercase();
        i.options = i.options.folded();
        for p in &mut i.parts {
            if let IndexTarget::Column(c) = &mut p.target {
                c.make_ascii_lowercase();
            }
            // Saying the default null order is not saying one.
            if p.nulls_first == Some(p.desc) {
                p.nulls_first = None;
            }
        }
        i
    }
}

impl Table {
    /// Names lower-cased, a dialect's default options as none, columns in
    /// name order, NOT NULL on the rowid alias cleared: the form every comparison uses.
    pub fn folded(&self) -> Table {
        let mut t = self.clone();
        t.name.make_ascii_lowercase();
        t.options = t.options.folded();
        let alias = self.rowid_alias();
        t.columns = self
            .columns
            .iter()
            .map(|c| fold_column(c, alias.as_deref()))
            .collect();
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(pk) = &mut t.primary_key {
            fold_all(&mut pk.columns);
            fold_opt(&mut pk.name);
        }
        for fk in &mut t.foreign_keys {
            fold_all(&mut fk.columns);
            fold_all(&mut fk.ref_columns);
            fk.ref_table.make_ascii_lowercase();
            fold_opt(&mut fk.name);
        }
        for u in &mut t.uniques {
            fold_all(&mut u.columns);
            fold_opt(&mut u.name);
        }
        for c in &mut t.checks {
            fold_opt(&mut c.name);
        }
        t.indexes = t.indexes.iter().map(Index::folded).collect();
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.foreign_keys.sort_by(|a, b| {
            (&a.columns, &a.ref_table, &a.ref_columns).cmp(&(
                &b.columns,
                &b.ref_table,
                &b.ref_columns,
            ))
        });
        t.uniques.sort_by(|a, b| a.columns.cmp(&b.columns));
        t
    }

    /// One column of this table as comparisons see it: name lower-cased,
    /// default in canonical form, and NOT NULL cleared on the rowid alias (SQLite ignores it
    /// there: a NULL becomes the next rowid).
    pub fn folded_column(&self, c: &Column) -> Column {
        fold_column(c, self.rowid_alias().as_deref())
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| same_name(&c.name, name))
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| same_name(&i.name, name))
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
            index(false, Some(false)).folded(),
            index(false, None).folded()
        );
        assert_eq!(index(true, Some(true)).folded(), index(true, None).folded());
        assert_ne!(
            index(false, Some(true)).folded(),
            index(false, None).folded()
        );
    }
}
