//! The questions the PostgreSQL inspector asks `pg_catalog`, and their
//! answers as plain rows. The SQL lives beside this file (`*.sql`), one
//! query per kind of object, each taking the inspected schemas or the
//! inspected objects' oids as `$1`: names are always bound, never formatted
//! into SQL. Turning rows into a [`crate::schema::Schema`] is
//! [`super::assemble`]'s job, so it is tested without a server.

use postgres::types::Oid;
use postgres::{GenericClient, Row};

/// Everything the inspector reads, in one snapshot.
#[derive(Debug, Default)]
pub(super) struct Catalog {
    pub tables: Vec<TableRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub index_columns: Vec<IndexColumnRow>,
    pub sequences: Vec<SequenceRow>,
    /// (name, labels in order).
    pub enums: Vec<(String, Vec<String>)>,
    /// (name, the query as `pg_get_viewdef` prints it).
    pub views: Vec<(String, String)>,
    pub extensions: Vec<String>,
    /// The inspected schemas the database has but `public` and the first
    /// (set by the caller).
    pub namespaces: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct TableRow {
    pub oid: Oid,
    pub name: String,
    pub unlogged: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct ColumnRow {
    pub table: Oid,
    pub name: String,
    /// `format_type`'s spelling (`character varying(30)`, `"Order Status"`).
    pub type_name: String,
    pub not_null: bool,
    /// `pg_get_expr` of the default, or of the generation expression.
    pub default: Option<String>,
    /// `a` (ALWAYS), `d` (BY DEFAULT) or empty.
    pub identity: String,
    /// `s` (STORED) or empty.
    pub generated: String,
    /// Named only when it is not the type's own collation.
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// An identity column's sequence.
    pub identity_sequence: Option<SequenceRow>,
}

#[derive(Debug, Clone)]
pub(super) struct ConstraintRow {
    pub table: Oid,
    pub name: String,
    /// `p`, `u`, `c`, `f` or `x`.
    pub kind: String,
    pub columns: Vec<String>,
    pub ref_table: Option<String>,
    pub ref_columns: Vec<String>,
    /// `confupdtype` / `confdeltype`: `a` (no action), `r`, `c`, `n`, `d`.
    pub on_update: String,
    pub on_delete: String,
    pub deferrable: bool,
    pub deferred: bool,
    pub validated: bool,
    pub check_expr: Option<String>,
    /// `NO INHERIT` (a CHECK's).
    pub no_inherit: bool,
    /// A UNIQUE's `NULLS NOT DISTINCT` (PostgreSQL 15).
    pub nulls_not_distinct: bool,
    /// An exclusion constraint's definition, as `pg_get_constraintdef`
    /// writes it (`EXCLUDE USING gist (during WITH &&)`).
    pub definition: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct IndexRow {
    pub oid: Oid,
    pub table: Oid,
    pub name: String,
    pub unique: bool,
    pub method: String,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    /// `pg_class.reloptions`: `fillfactor=70`, ...
    pub storage: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct IndexColumnRow {
    pub index: Oid,
    /// False for an `INCLUDE` column.
    pub is_key: bool,
    /// The table column, when the part is one.
    pub column: Option<String>,
    /// The expression, when the part is one.
    pub expr: Option<String>,
    pub descending: bool,
    pub nulls_first: bool,
    pub collation: Option<String>,
    pub opclass: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SequenceRow {
    pub name: String,
    /// The name as `regclass` prints it (quoted when it must be), which is
    /// how a `nextval(...)` default names it.
    pub regclass: String,
    pub type_name: String,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
    /// The column that owns it (`OWNED BY`): (table, column).
    pub owned_by: Option<(String, String)>,
}

const TABLES: &str = include_str!("tables.sql");
const COLUMNS: &str = include_str!("columns.sql");
const CONSTRAINTS: &str = include_str!("constraints.sql");
const INDEXES: &str = include_str!("indexes.sql");
const INDEX_COLUMNS: &str = include_str!("index_columns.sql");
const SEQUENCES: &str = include_str!("sequences.sql");
const ENUMS: &str = include_str!("enums.sql");
const VIEWS: &str = include_str!("views.sql");
const EXTENSIONS: &str = include_str!("extensions.sql");
const MISSING_SCHEMAS: &str = "SELECT s FROM unnest($1::text[]) AS s \
     WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s)";

/// The schemas of `schemas` the database does not have.
pub(super) fn missing_schemas(
    client: &mut impl GenericClient,
    schemas: &[String],
) -> Result<Vec<String>, postgres::Error> {
    let rows = client.query(MISSING_SCHEMAS, &[&schemas])?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Reads the catalog of `schemas`; `keep` says which tables are the
/// user's (the tool's own are left out before their columns are read).
pub(super) fn read(
    client: &mut impl GenericClient,
    schemas: &[String],
    keep: impl Fn(&str) -> bool,
) -> Result<Catalog, postgres::Error> {
    let tables: Vec<TableRow> = client
        .query(TABLES, &[&schemas])?
        .iter()
        .map(table_row)
        .filter(|t| keep(&t.name))
        .collect();
    let oids: Vec<Oid> = tables.iter().map(|t| t.oid).collect();
    let (indexes, index_columns) = indexes_of(client, &oids)?;
    let mut list = |sql: &str, arg: &(dyn postgres::types::ToSql + Sync)| client.query(sql, &[arg]);
    let columns = list(COLUMNS, &oids)?.iter().map(column_row).collect();
    let constraints = list(CONSTRAINTS, &oids)?
        .iter()
        .map(constraint_row)
        .collect();
    // A sequence owned by a table left out goes with it.
    let sequences = list(SEQUENCES, &schemas)?
        .iter()
        .map(sequence_row)
        .filter(|s| s.owned_by.as_ref().is_none_or(|(table, _)| keep(table)))
        .collect();
    let enums = list(ENUMS, &schemas)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let views = list(VIEWS, &schemas)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let extensions = client
        .query(EXTENSIONS, &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(Catalog {
        tables,
        columns,
        constraints,
        indexes,
        index_columns,
        sequences,
        enums,
        views,
        extensions,
        namespaces: Vec::new(),
    })
}

/// The indexes of the relations `oids` (tables or materialized views)
/// that no constraint owns, and their parts.
pub(super) fn indexes_of(
    client: &mut impl GenericClient,
    oids: &[Oid],
) -> Result<(Vec<IndexRow>, Vec<IndexColumnRow>), postgres::Error> {
    let indexes: Vec<IndexRow> = client
        .query(INDEXES, &[&oids])?
        .iter()
        .map(index_row)
        .collect();
    let index_oids: Vec<Oid> = indexes.iter().map(|i| i.oid).collect();
    let parts = client
        .query(INDEX_COLUMNS, &[&index_oids])?
        .iter()
        .map(index_column_row)
        .collect();
    Ok((indexes, parts))
}

fn table_row(r: &Row) -> TableRow {
    TableRow {
        oid: r.get(0),
        name: r.get(2),
        unlogged: r.get(3),
        comment: r.get(4),
    }
}

fn column_row(r: &Row) -> ColumnRow {
    ColumnRow {
        table: r.get(0),
        name: r.get(1),
        type_name: r.get(2),
        not_null: r.get(3),
        default: r.get(4),
        identity: r.get(5),
        generated: r.get(6),
        collation: r.get(7),
        comment: r.get(8),
        identity_sequence: r.get::<_, Option<String>>(9).map(|name| SequenceRow {
            regclass: name.clone(),
            name,
            type_name: r.get(10),
            start: r.get(11),
            increment: r.get(12),
            min: r.get(13),
            max: r.get(14),
            cache: r.get(15),
            cycle: r.get(16),
            owned_by: None,
        }),
    }
}

fn constraint_row(r: &Row) -> ConstraintRow {
    ConstraintRow {
        table: r.get(0),
        name: r.get(1),
        kind: r.get(2),
        columns: r.get(3),
        ref_table: r.get(4),
        ref_columns: r.get(5),
        on_update: r.get(6),
        on_delete: r.get(7),
        deferrable: r.get(8),
        deferred: r.get(9),
        validated: r.get(10),
        check_expr: r.get(11),
        no_inherit: r.get(12),
        nulls_not_distinct: r.get(13),
        definition: r.get(14),
    }
}

fn index_row(r: &Row) -> IndexRow {
    IndexRow {
        oid: r.get(0),
        table: r.get(1),
        name: r.get(2),
        unique: r.get(3),
        method: r.get(4),
        predicate: r.get(5),
        nulls_not_distinct: r.get(6),
        storage: r.get(7),
    }
}

fn index_column_row(r: &Row) -> IndexColumnRow {
    IndexColumnRow {
        index: r.get(0),
        is_key: r.get(1),
        column: r.get(2),
        expr: r.get(3),
        descending: r.get(4),
        nulls_first: r.get(5),
        collation: r.get(6),
        opclass: r.get(7),
    }
}

fn sequence_row(r: &Row) -> SequenceRow {
    let owner_table: Option<String> = r.get(9);
    let owner_column: Option<String> = r.get(10);
    SequenceRow {
        name: r.get(0),
        regclass: r.get(1),
        type_name: r.get(2),
        start: r.get(3),
        increment: r.get(4),
        min: r.get(5),
        max: r.get(6),
        cache: r.get(7),
        cycle: r.get(8),
        owned_by: owner_table.zip(owner_column),
    }
}
