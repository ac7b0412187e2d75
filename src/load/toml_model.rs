//! The TOML model format (docs/model.md describes it): its serde types,
//! the conversion to a [`Schema`], and the writer used by
//! `migrate inspect --format toml` ([`write()`]). Reading and writing are exact inverses.

use serde::{Deserialize, Serialize};

mod write;
pub use write::{from_schema, write};

use super::Model;
use crate::schema::{
    Check, Column, ColumnOptions, ForeignKey, Generated, Index, IndexOptions, IndexPart,
    IndexTarget, OnConflict, PrimaryKey, RenameHints, Schema, SqliteColumn, SqliteTable, Table,
    TableOptions, Trigger, Unique, View, normalize_action, normalize_collation, normalize_expr,
    normalize_type,
};
use crate::sqlite::virtual_table::VirtualTable;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    #[serde(default, rename = "table")]
    pub tables: Vec<TableDef>,
    #[serde(default, rename = "view")]
    pub views: Vec<ViewDef>,
    #[serde(default, rename = "trigger")]
    pub triggers: Vec<TriggerDef>,
    /// SQLite virtual tables: the full `CREATE VIRTUAL TABLE` statement.
    #[serde(default, rename = "virtual_table")]
    pub virtual_tables: Vec<VirtualTableDef>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    #[serde(default)]
    pub columns: Vec<ColumnDef>,
    /// Composite (or named) primary key; a single one is usually set on the column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primary_key: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_name: Option<String>,
    /// The conflict clause of `primary_key = [...]` (`"REPLACE"`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_on_conflict: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKeyDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckDef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexDef>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub without_rowid: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    pub name: String,
    #[serde(default, rename = "type", skip_serializing_if = "String::is_empty")]
    pub decl_type: String,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub autoincrement: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collate: Option<String>,
    /// Expression of a generated column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub stored: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// The conflict clause of every constraint declared here that takes one:
    /// NOT NULL (`nullable = false`), `primary_key` and `unique`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_conflict: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// `"table.column"` (or `"table"` for its primary key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKeyDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub references: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ref_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    /// `DEFERRABLE INITIALLY DEFERRED`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferred: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UniqueDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_conflict: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expr: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndexDef {
    pub name: String,
    pub columns: Vec<IndexTerm>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub where_clause: Option<String>,
}

/// A plain column name, or a table for an expression, a direction or a collation.
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum IndexTerm {
    Column(String),
    Detailed(IndexTermDef),
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndexTermDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub desc: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collate: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ViewDef {
    pub name: String,
    pub sql: String,
}

/// `[[virtual_table]] name, sql`: the same two keys as a view.
pub(crate) type VirtualTableDef = ViewDef;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerDef {
    pub name: String,
    pub sql: String,
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
fn is_false(b: &bool) -> bool {
    !*b
}

/// An `on_conflict` value of the model; any case, absent is SQLite's default.
fn on_conflict(value: Option<&str>) -> Result<OnConflict, String> {
    let Some(word) = value else {
        return Ok(OnConflict::Abort);
    };
    OnConflict::from_keyword(word).ok_or_else(|| {
        format!(
            "on_conflict = {word:?} is not one of \"ROLLBACK\", \"ABORT\", \"FAIL\", \"IGNORE\", \"REPLACE\""
        )
    })
}

/// The model as a schema, before SQLite has normalized it, and its rename
/// hints. Errors name the table.
pub(crate) fn to_model(model: ModelFile) -> Result<Model, String> {
    let mut schema = Schema::default();
    let mut hints = RenameHints::default();
    for def in model.tables {
        if let Some(old) = &def.renamed_from {
            hints.tables.push((def.name.clone(), old.clone()));
        }
        for c in &def.columns {
            if let Some(old) = &c.renamed_from {
                hints
                    .columns
                    .push((def.name.clone(), c.name.clone(), old.clone()));
            }
        }
        schema.tables.push(table(def)?);
    }
    schema.views = model
        .views
        .into_iter()
        .map(|v| View {
            name: v.name,
            sql: v.sql,
        })
        .collect();
    schema.triggers = model
        .triggers
        .into_iter()
        .map(|t| Trigger {
            name: t.name,
            table: String::new(),
            sql: t.sql,
        })
        .collect();
    schema.sqlite.virtual_tables = model
        .virtual_tables
        .into_iter()
        .map(|v| VirtualTable::declared(v.name, v.sql))
        .collect::<Result<_, _>>()?;
    Ok(Model { schema, hints })
}

// Long: one field of a TOML table after another, each with its own error.
fn table(def: TableDef) -> Result<Table, String> {
    let where_ = |what: &str| format!("table {:?}: {what}", def.name);
    if def.name.is_empty() {
        return Err("a [[table]] has an empty name".into());
    }
    let mut t = Table {
        name: def.name.clone(),
        ..Table::default()
    };
    let mut pk_columns = def.primary_key.clone();
    let mut pk_on_conflict = on_conflict(def.primary_key_on_conflict.as_deref())
        .map_err(|e| where_(&format!("primary_key_on_conflict: {e}")))?;
    if def.primary_key.is_empty() && pk_on_conflict != OnConflict::Abort {
        return Err(where_(
            "primary_key_on_conflict needs primary_key = [...]; on a column, say on_conflict",
        ));
    }
    let mut autoincrement = false;
    for c in def.columns {
        let name = c.name.clone();
        let key = column(&mut t, c).map_err(|e| where_(&e))?;
        if key.primary_key {
            if !def.primary_key.is_empty() {
                return Err(where_(&format!(
                    "column {name:?} sets primary_key, and the table sets primary_key = [...] too; keep one"
                )));
            }
            pk_columns.push(name);
            pk_on_conflict = key.on_conflict;
        }
        autoincrement |= key.autoincrement;
    }
    if !pk_columns.is_empty() {
        t.primary_key = Some(PrimaryKey {
            name: def.primary_key_name,
            columns: pk_columns,
            on_conflict: pk_on_conflict,
        });
    } else if autoincrement {
        return Err(where_("autoincrement needs an INTEGER primary_key column"));
    }
    t.options = TableOptions::sqlite(SqliteTable {
        without_rowid: def.without_rowid,
        strict: def.strict,
        autoincrement,
    });
    for fk in def.foreign_keys {
        t.foreign_keys.push(ForeignKey {
            name: fk.name,
            columns: fk.columns,
            ref_table: fk.references,
            ref_columns: fk.ref_columns,
            on_delete: fk.on_delete.as_deref().and_then(normalize_action),
            on_update: fk.on_update.as_deref().and_then(normalize_action),
            deferred: fk.deferred,
            not_valid: false,
        });
    }
    for u in def.uniques {
        let clause = on_conflict(u.on_conflict.as_deref())
            .map_err(|e| where_(&format!("unique {:?}: {e}", u.columns)))?;
        t.uniques.push(Unique {
            name: u.name,
            columns: u.columns,
            on_conflict: clause,
            ..Unique::default()
        });
    }
    t.checks.extend(def.checks.into_iter().map(|c| Check {
        name: c.name,
        expr: normalize_expr(&c.expr),
        not_valid: false,
        no_inherit: false,
    }));
    for ix in def.indexes {
        let parts = ix
            .columns
            .into_iter()
            .map(|term| index_part(term).map_err(|e| where_(&format!("index {:?}: {e}", ix.name))))
            .collect::<Result<Vec<_>, _>>()?;
        t.indexes.push(Index {
            name: ix.name,
            unique: ix.unique,
            parts,
            where_clause: ix.where_clause.as_deref().map(normalize_expr),
            options: IndexOptions::None,
        });
    }
    Ok(t)
}

/// What a column says about its table's primary key.
struct ColumnKey {
    primary_key: bool,
    on_conflict: OnConflict,
    autoincrement: bool,
}

/// One column into `t`, with the constraints it declares inline. Errors name the column.
fn column(t: &mut Table, c: ColumnDef) -> Result<ColumnKey, String> {
    let clause =
        on_conflict(c.on_conflict.as_deref()).map_err(|e| format!("column {:?}: {e}", c.name))?;
    if c.on_conflict.is_some() && c.nullable && !c.primary_key && !c.unique {
        return Err(format!(
            "column {:?} sets on_conflict but declares nothing it applies to; \
             it needs nullable = false, primary_key = true or unique = true",
            c.name
        ));
    }
    if c.unique {
        t.uniques.push(Unique {
            name: None,
            columns: vec![c.name.clone()],
            on_conflict: clause,
            ..Unique::default()
        });
    }
    if let Some(expr) = &c.check {
        t.checks.push(Check {
            name: None,
            expr: normalize_expr(expr),
            not_valid: false,
            no_inherit: false,
        });
    }
    if let Some(target) = &c.references {
        let (ref_table, ref_columns) = match target.rsplit_once('.') {
            Some((tbl, col)) => (tbl.to_string(), vec![col.to_string()]),
            None => (target.clone(), vec![]),
        };
        t.foreign_keys.push(ForeignKey {
            name: None,
            columns: vec![c.name.clone()],
            ref_table,
            ref_columns,
            on_delete: c.on_delete.as_deref().and_then(normalize_action),
            on_update: c.on_update.as_deref().and_then(normalize_action),
            deferred: false,
            not_valid: false,
        });
    } else if c.on_delete.is_some() || c.on_update.is_some() {
        return Err(format!(
            "column {:?} has on_delete/on_update but no references",
            c.name
        ));
    }
    t.columns.push(Column {
        name: c.name,
        decl_type: normalize_type(&c.decl_type),
        not_null: !c.nullable,
        // As written, so the database declares it so (schema.rs).
        default: c.default.as_deref().map(|d| d.trim().to_string()),
        collation: c.collate.as_deref().and_then(normalize_collation),
        generated: c.generated.as_deref().map(|e| Generated {
            expr: normalize_expr(e),
            stored: c.stored,
        }),
        options: ColumnOptions::sqlite(SqliteColumn {
            not_null_on_conflict: if c.nullable {
                OnConflict::Abort
            } else {
                clause
            },
        }),
    });
    Ok(ColumnKey {
        primary_key: c.primary_key,
        on_conflict: clause,
        autoincrement: c.autoincrement,
    })
}

fn index_part(term: IndexTerm) -> Result<IndexPart, String> {
    Ok(match term {
        IndexTerm::Column(c) => IndexPart {
            target: IndexTarget::Column(c),
            desc: false,
            collation: None,
            nulls_first: None,
        },
        IndexTerm::Detailed(d) => IndexPart {
            target: match (d.column, d.expr) {
                (Some(c), None) => IndexTarget::Column(c),
                (None, Some(e)) => IndexTarget::Expr(normalize_expr(&e)),
                _ => return Err("each term needs exactly one of `column` or `expr`".into()),
            },
            desc: d.desc,
            collation: d.collate.as_deref().and_then(normalize_collation),
            nulls_first: None,
        },
    })
}
