//! What only one dialect has, as typed values beside the shared model: a
//! table's, column's and index's per-dialect options, and the objects only
//! PostgreSQL has. The shared structs in `schema.rs` carry what every
//! dialect means the same way; a fact that only SQLite (or only
//! PostgreSQL) has lives here, in that dialect's variant.
//!
//! Canonical form: a dialect's all-default value is the same value as
//! `None` (a table without `WITHOUT ROWID`/`STRICT`/`AUTOINCREMENT` says
//! nothing SQLite-only). The constructors ([`TableOptions::sqlite`], ...)
//! give `None` for it, and the `folded()` comparisons (schema.rs) map it
//! to `None` for values built by hand, so the two never differ.

use super::{Index, OnConflict, View};

/// A table's options in one dialect.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TableOptions {
    #[default]
    None,
    Sqlite(SqliteTable),
    Postgres(PostgresTable),
}

/// What a SQLite table declares beside its columns and constraints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SqliteTable {
    /// `WITHOUT ROWID`.
    pub without_rowid: bool,
    /// `STRICT`.
    pub strict: bool,
    /// `INTEGER PRIMARY KEY AUTOINCREMENT` on the primary key's column.
    pub autoincrement: bool,
}

/// What a PostgreSQL table declares beside its columns and constraints.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostgresTable {
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// `CREATE UNLOGGED TABLE`.
    pub unlogged: bool,
    /// Exclusion constraints, by name.
    pub exclusions: Vec<Exclusion>,
}

/// An exclusion constraint: its name and its definition as
/// `pg_get_constraintdef` writes it (`EXCLUDE USING gist (during WITH &&)`,
/// with any `WHERE` and `DEFERRABLE`). Compared as that text: both sides of
/// a comparison are read back from one server, which writes one meaning
/// one way.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Exclusion {
    pub name: String,
    pub definition: String,
}

/// A column's options in one dialect.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ColumnOptions {
    #[default]
    None,
    Sqlite(SqliteColumn),
    Postgres(PostgresColumn),
}

/// What a SQLite column declares that no other dialect has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SqliteColumn {
    /// The NOT NULL's conflict clause; [`OnConflict::Abort`] without NOT NULL.
    pub not_null_on_conflict: OnConflict,
}

/// What a PostgreSQL column declares that no other dialect has.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostgresColumn {
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    pub identity: Option<Identity>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// The identity's sequence settings (`GENERATED ... AS IDENTITY (START
    /// WITH 100)`); all defaults without an identity. Boxed: rarely set,
    /// and every column carries it.
    pub identity_sequence: Box<SequenceSettings>,
}

/// A PostgreSQL identity column's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Identity {
    Always,
    ByDefault,
}

/// An index's options in one dialect (SQLite has none of its own).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IndexOptions {
    #[default]
    None,
    Postgres(PostgresIndex),
}

/// What a PostgreSQL index declares beside its parts and WHERE clause.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostgresIndex {
    /// The access method (`gin`, `gist`, ...); `None` is `btree`, the default.
    pub method: Option<String>,
    /// `INCLUDE (...)` columns.
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// Each part's operator class when one is not the default for its
    /// type and method (`gin_trgm_ops`, `text_pattern_ops`), in part order;
    /// empty when every part has the default. Without it some indexes
    /// cannot be written at all (`USING gin (name)` on text has no default).
    pub opclasses: Vec<Option<String>>,
    /// Storage parameters, `WITH (fillfactor = 70)`, as the catalog keeps
    /// them (`fillfactor=70`), in its order; empty when none is set.
    pub storage: Vec<String>,
}

/// Objects only PostgreSQL has, kept apart from the tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostgresObjects {
    pub enums: Vec<EnumType>,
    pub extensions: Vec<String>,
    pub sequences: Vec<Sequence>,
    /// The configured schemas (`[database] schemas`) the database has, but
    /// `public` (every database has it) and the first (which must be there
    /// before anything); planned as `CREATE SCHEMA` / `DROP SCHEMA` like
    /// extensions.
    pub namespaces: Vec<String>,
    /// `CREATE MATERIALIZED VIEW`s, each with its indexes.
    pub matviews: Vec<MaterializedView>,
    /// `COMMENT ON` an object that is not a table or a column (those are
    /// in [`PostgresTable`] and [`PostgresColumn`]). Kept apart from the
    /// objects so that a comment change never looks like a changed index.
    pub comments: Vec<ObjectComment>,
}

/// A materialized view: its `CREATE MATERIALIZED VIEW` (the whole
/// statement, compared in canonical form like a [`View`]'s) and its
/// indexes. `WITH [NO] DATA` is not part of it: it says whether the rows
/// are there, as `REFRESH` does, and pg_dump never prints it as a property.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MaterializedView {
    pub view: View,
    pub indexes: Vec<Index>,
}

/// A comment on one object other than a table or column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ObjectComment {
    pub on: CommentOn,
    pub text: String,
}

/// The object a comment is on, by kind: an index and a type may share a name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum CommentOn {
    Index(String),
    /// A table's constraint: (table, constraint).
    Constraint(String, String),
    View(String),
    MaterializedView(String),
    /// An enum type.
    Type(String),
    Sequence(String),
}

/// `CREATE TYPE name AS ENUM (labels...)`; the labels keep their order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnumType {
    pub name: String,
    pub labels: Vec<String>,
}

/// A sequence, and the column that owns it (`OWNED BY table.column`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sequence {
    pub name: String,
    /// (table, column).
    pub owned_by: Option<(String, String)>,
    pub settings: SequenceSettings,
}

/// A PostgreSQL sequence's settings, each `None` (or `false`) when it is
/// the default PostgreSQL derives from the type and the direction: `AS`
/// is the sequence's own default type (`bigint`; an identity's column
/// type), MINVALUE is 1 ascending and the type's least descending,
/// MAXVALUE the type's greatest ascending and -1 descending, START the
/// MINVALUE ascending and the MAXVALUE descending, INCREMENT and CACHE 1.
/// So `CREATE SEQUENCE s` and `CREATE SEQUENCE s START 1` are one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SequenceSettings {
    /// `AS smallint | integer | bigint`.
    pub data_type: Option<String>,
    pub increment: Option<i64>,
    pub min_value: Option<i64>,
    pub max_value: Option<i64>,
    pub start: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

/// `wrap(value)`, or `none` when `value` is its type's default.
fn unless_default<T: Default + PartialEq, E>(value: T, wrap: fn(T) -> E, none: E) -> E {
    if value == T::default() {
        none
    } else {
        wrap(value)
    }
}

impl TableOptions {
    /// SQLite's options; `None` when they are all SQLite's defaults.
    pub fn sqlite(options: SqliteTable) -> TableOptions {
        unless_default(options, TableOptions::Sqlite, TableOptions::None)
    }

    /// PostgreSQL's options; `None` when they are all PostgreSQL's defaults.
    pub fn postgres(options: PostgresTable) -> TableOptions {
        unless_default(options, TableOptions::Postgres, TableOptions::None)
    }

    /// The canonical form: a dialect's all-default value is `None`.
    pub fn folded(&self) -> TableOptions {
        match self {
            TableOptions::None => TableOptions::None,
            TableOptions::Sqlite(s) => TableOptions::sqlite(*s),
            TableOptions::Postgres(p) => TableOptions::postgres(p.clone()),
        }
    }
}

impl ColumnOptions {
    /// SQLite's options; `None` when they are all SQLite's defaults.
    pub fn sqlite(options: SqliteColumn) -> ColumnOptions {
        unless_default(options, ColumnOptions::Sqlite, ColumnOptions::None)
    }

    /// PostgreSQL's options; `None` when they are all PostgreSQL's defaults.
    pub fn postgres(options: PostgresColumn) -> ColumnOptions {
        unless_default(options, ColumnOptions::Postgres, ColumnOptions::None)
    }

    /// The canonical form: a dialect's all-default value is `None`.
    pub fn folded(&self) -> ColumnOptions {
        match self {
            ColumnOptions::None => ColumnOptions::None,
            ColumnOptions::Sqlite(s) => ColumnOptions::sqlite(*s),
            ColumnOptions::Postgres(p) => ColumnOptions::postgres(p.clone()),
        }
    }
}

impl IndexOptions {
    /// PostgreSQL's options; `None` when they are all PostgreSQL's defaults.
    pub fn postgres(options: PostgresIndex) -> IndexOptions {
        unless_default(options, IndexOptions::Postgres, IndexOptions::None)
    }

    /// The canonical form: a dialect's all-default value is `None`.
    pub fn folded(&self) -> IndexOptions {
        match self {
            IndexOptions::None => IndexOptions::None,
            IndexOptions::Postgres(p) => IndexOptions::postgres(p.clone()),
        }
    }
}

impl PostgresObjects {
    /// Sorted by name, so equal sets are equal values; enum labels keep
    /// their order (it is the enum's sort order).
    pub fn sort(&mut self) {
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.extensions.sort();
        self.namespaces.sort();
        self.sequences.sort_by(|a, b| a.name.cmp(&b.name));
        self.matviews.sort_by(|a, b| a.view.name.cmp(&b.view.name));
        for m in &mut self.matviews {
            m.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.comments.sort();
    }
}

impl super::Table {
    /// SQLite's options of this table (all defaults when it has none).
    pub fn sqlite(&self) -> SqliteTable {
        match &self.options {
            TableOptions::Sqlite(s) => *s,
            _ => SqliteTable::default(),
        }
    }

    /// PostgreSQL's options of this table (all defaults when it has none).
    pub fn postgres(&self) -> PostgresTable {
        match &self.options {
            TableOptions::Postgres(p) => p.clone(),
            _ => PostgresTable::default(),
        }
    }
}

impl super::Column {
    /// SQLite's options of this column (all defaults when it has none).
    pub fn sqlite(&self) -> SqliteColumn {
        match &self.options {
            ColumnOptions::Sqlite(s) => *s,
            _ => SqliteColumn::default(),
        }
    }

    /// PostgreSQL's options of this column (all defaults when it has none).
    pub fn postgres(&self) -> PostgresColumn {
        match &self.options {
            ColumnOptions::Postgres(p) => p.clone(),
            _ => PostgresColumn::default(),
        }
    }
}

impl super::Index {
    /// PostgreSQL's options of this index (all defaults when it has none).
    pub fn postgres(&self) -> PostgresIndex {
        match &self.options {
            IndexOptions::Postgres(p) => p.clone(),
            IndexOptions::None => PostgresIndex::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialects_defaults_are_the_same_value_as_none() {
        assert_eq!(
            TableOptions::Sqlite(SqliteTable::default()).folded(),
            TableOptions::None
        );
        assert_eq!(
            TableOptions::sqlite(SqliteTable::default()),
            TableOptions::None
        );
        let strict = SqliteTable {
            strict: true,
            ..SqliteTable::default()
        };
        assert_eq!(TableOptions::sqlite(strict), TableOptions::Sqlite(strict));
        assert_eq!(
            ColumnOptions::Postgres(PostgresColumn::default()).folded(),
            ColumnOptions::None
        );
        assert_eq!(
            IndexOptions::Postgres(PostgresIndex::default()).folded(),
            IndexOptions::None
        );
        let gin = PostgresIndex {
            method: Some("gin".into()),
            ..PostgresIndex::default()
        };
        assert_eq!(
            IndexOptions::postgres(gin.clone()).folded(),
            IndexOptions::Postgres(gin)
        );
    }
}
