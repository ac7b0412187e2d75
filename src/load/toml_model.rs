//! The TOML model format (see DESIGN.md and the README): its serde types,
//! the conversion to a [`Schema`], and the writer used by
//! `migrate inspect --format toml`. Reading and writing are exact inverses.

use serde::{Deserialize, Serialize};

use crate::schema::{
    Check, Column, ForeignKey, Generated, Index, IndexPart, IndexTarget, OnConflict, PrimaryKey,
    Schema, Table, Trigger, Unique, View, normalize_action, normalize_collation, normalize_expr, normalize_type,
    same_name,
};
use crate::virtual_table::VirtualTable;

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
pub type VirtualTableDef = ViewDef;

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

/// The model as a schema, before SQLite has normalized it. Errors name the table.
pub fn to_schema(model: ModelFile) -> Result<Schema, String> {
    let mut schema = Schema::default();
    for def in model.tables {
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
    Ok(schema)
}

fn table(def: TableDef) -> Result<Table, String> {
    let where_ = |what: &str| format!("table {:?}: {what}", def.name);
    if def.name.is_empty() {
        return Err("a [[table]] has an empty name".into());
    }
    let mut t = Table {
        name: def.name.clone(),
        renamed_from: def.renamed_from,
        without_rowid: def.without_rowid,
        strict: def.strict,
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
        let clause = on_conflict(c.on_conflict.as_deref())
            .map_err(|e| where_(&format!("column {:?}: {e}", c.name)))?;
        if c.on_conflict.is_some() && c.nullable && !c.primary_key && !c.unique {
            return Err(where_(&format!(
                "column {:?} sets on_conflict but declares nothing it applies to; \
                 it needs nullable = false, primary_key = true or unique = true",
                c.name
            )));
        }
        if c.primary_key {
            if !def.primary_key.is_empty() {
                return Err(where_(&format!(
                    "column {:?} sets primary_key, and the table sets primary_key = [...] too; keep one",
                    c.name
                )));
            }
            pk_columns.push(c.name.clone());
            pk_on_conflict = clause;
        }
        autoincrement |= c.autoincrement;
        if c.unique {
            t.uniques.push(Unique {
                name: None,
                columns: vec![c.name.clone()],
                on_conflict: clause,
            });
        }
        if let Some(expr) = &c.check {
            t.checks.push(Check {
                name: None,
                expr: normalize_expr(expr),
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
            });
        } else if c.on_delete.is_some() || c.on_update.is_some() {
            return Err(where_(&format!(
                "column {:?} has on_delete/on_update but no references",
                c.name
            )));
        }
        t.columns.push(Column {
            name: c.name,
            decl_type: normalize_type(&c.decl_type),
            not_null: !c.nullable,
            not_null_on_conflict: if c.nullable {
                OnConflict::Abort
            } else {
                clause
            },
            // As written, so the database declares it so (schema.rs).
            default: c.default.as_deref().map(|d| d.trim().to_string()),
            collation: c.collate.as_deref().and_then(normalize_collation),
            generated: c.generated.as_deref().map(|e| Generated {
                expr: normalize_expr(e),
                stored: c.stored,
            }),
            renamed_from: c.renamed_from,
        });
    }
    if !pk_columns.is_empty() {
        t.primary_key = Some(PrimaryKey {
            name: def.primary_key_name,
            columns: pk_columns,
            autoincrement,
            on_conflict: pk_on_conflict,
        });
    } else if autoincrement {
        return Err(where_("autoincrement needs an INTEGER primary_key column"));
    }
    for fk in def.foreign_keys {
        t.foreign_keys.push(ForeignKey {
            name: fk.name,
            columns: fk.columns,
            ref_table: fk.references,
            ref_columns: fk.ref_columns,
            on_delete: fk.on_delete.as_deref().and_then(normalize_action),
            on_update: fk.on_update.as_deref().and_then(normalize_action),
            deferred: fk.deferred,
        });
    }
    for u in def.uniques {
        let clause = on_conflict(u.on_conflict.as_deref())
            .map_err(|e| where_(&format!("unique {:?}: {e}", u.columns)))?;
        t.uniques.push(Unique {
            name: u.name,
            columns: u.columns,
            on_conflict: clause,
        });
    }
    t.checks.extend(def.checks.into_iter().map(|c| Check {
        name: c.name,
        expr: normalize_expr(&c.expr),
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
        });
    }
    Ok(t)
}

fn index_part(term: IndexTerm) -> Result<IndexPart, String> {
    Ok(match term {
        IndexTerm::Column(c) => IndexPart {
            target: IndexTarget::Column(c),
            desc: false,
            collation: None,
        },
        IndexTerm::Detailed(d) => IndexPart {
            target: match (d.column, d.expr) {
                (Some(c), None) => IndexTarget::Column(c),
                (None, Some(e)) => IndexTarget::Expr(normalize_expr(&e)),
                _ => return Err("each term needs exactly one of `column` or `expr`".into()),
            },
            desc: d.desc,
            collation: d.collate.as_deref().and_then(normalize_collation),
        },
    })
}

/// The schema as a TOML model that [`to_schema`] reads back to the same schema.
pub fn from_schema(schema: &Schema) -> ModelFile {
    ModelFile {
        tables: schema.tables.iter().map(table_def).collect(),
        views: schema
            .views
            .iter()
            .map(|v| ViewDef {
                name: v.name.clone(),
                sql: v.sql.clone(),
            })
            .collect(),
        triggers: schema
            .triggers
            .iter()
            .map(|t| TriggerDef {
                name: t.name.clone(),
                sql: t.sql.clone(),
            })
            .collect(),
        virtual_tables: schema
            .sqlite
            .virtual_tables
            .iter()
            .map(|v| VirtualTableDef {
                name: v.name.clone(),
                sql: v.sql.clone(),
            })
            .collect(),
    }
}

fn table_def(t: &Table) -> TableDef {
    // A column's on_conflict is said once for its NOT NULL and its primary
    // key: a key whose clause differs is written at table level.
    let single_pk = t
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1 && pk.name.is_none())
        .filter(|pk| {
            t.column(&pk.columns[0])
                .is_none_or(|c| !c.not_null || c.not_null_on_conflict == pk.on_conflict)
        })
        .map(|pk| pk.columns[0].clone());
    let mut def = TableDef {
        name: t.name.clone(),
        without_rowid: t.without_rowid,
        strict: t.strict,
        ..TableDef::default()
    };
    if single_pk.is_none()
        && let Some(pk) = &t.primary_key
    {
        def.primary_key = pk.columns.clone();
        def.primary_key_name = pk.name.clone();
        def.primary_key_on_conflict = pk.on_conflict.declared().map(String::from);
    }
    // Single-column, unnamed foreign keys read best on their column.
    let inline_fk = |fk: &ForeignKey| {
        fk.columns.len() == 1
            && fk.ref_columns.len() <= 1
            && fk.name.is_none()
            && !fk.deferred
            && !fk.ref_table.contains('.')
            && t.foreign_keys
                .iter()
                .filter(|o| same_name(&o.columns[0], &fk.columns[0]))
                .count()
                == 1
    };
    for c in &t.columns {
        let fk = t
            .foreign_keys
            .iter()
            .find(|fk| inline_fk(fk) && same_name(&fk.columns[0], &c.name));
        let is_pk = single_pk.as_deref().is_some_and(|p| same_name(p, &c.name));
        let clause = match &t.primary_key {
            _ if c.not_null => c.not_null_on_conflict,
            Some(pk) if is_pk => pk.on_conflict,
            _ => OnConflict::Abort,
        };
        def.columns.push(ColumnDef {
            name: c.name.clone(),
            decl_type: c.decl_type.clone(),
            nullable: !c.not_null,
            primary_key: is_pk,
            on_conflict: clause.declared().map(String::from),
            autoincrement: t.primary_key.as_ref().is_some_and(|pk| {
                pk.autoincrement && pk.columns.len() == 1 && same_name(&pk.columns[0], &c.name)
            }),
            default: c.default.clone(),
            collate: c.collation.clone(),
            generated: c.generated.as_ref().map(|g| g.expr.clone()),
            stored: c.generated.as_ref().is_some_and(|g| g.stored),
            references: fk.map(|fk| match fk.ref_columns.first() {
                Some(col) => format!("{}.{col}", fk.ref_table),
                None => fk.ref_table.clone(),
            }),
            on_delete: fk.and_then(|fk| fk.on_delete.clone()),
            on_update: fk.and_then(|fk| fk.on_update.clone()),
            ..ColumnDef::default()
        });
    }
    def.foreign_keys = t
        .foreign_keys
        .iter()
        .filter(|fk| !inline_fk(fk))
        .map(|fk| ForeignKeyDef {
            name: fk.name.clone(),
            columns: fk.columns.clone(),
            references: fk.ref_table.clone(),
            ref_columns: fk.ref_columns.clone(),
            on_delete: fk.on_delete.clone(),
            on_update: fk.on_update.clone(),
            deferred: fk.deferred,
        })
        .collect();
    def.uniques = t
        .uniques
        .iter()
        .map(|u| UniqueDef {
            name: u.name.clone(),
            columns: u.columns.clone(),
            on_conflict: u.on_conflict.declared().map(String::from),
        })
        .collect();
    def.checks = t
        .checks
        .iter()
        .map(|c| CheckDef {
            name: c.name.clone(),
            expr: c.expr.clone(),
        })
        .collect();
    def.indexes = t.indexes.iter().map(index_def).collect();
    def
}

fn index_def(ix: &Index) -> IndexDef {
    IndexDef {
        name: ix.name.clone(),
        unique: ix.unique,
        where_clause: ix.where_clause.clone(),
        columns: ix
            .parts
            .iter()
            .map(|p| match (&p.target, p.desc, &p.collation) {
                (IndexTarget::Column(c), false, None) => IndexTerm::Column(c.clone()),
                (target, desc, collation) => IndexTerm::Detailed(IndexTermDef {
                    column: match target {
                        IndexTarget::Column(c) => Some(c.clone()),
                        IndexTarget::Expr(_) => None,
                    },
                    expr: match target {
                        IndexTarget::Expr(e) => Some(e.clone()),
                        IndexTarget::Column(_) => None,
                    },
                    desc,
                    collate: collation.clone(),
                }),
            })
            .collect(),
    }
}

/// Writes the model in the layout of DESIGN.md: one `[[table]]` per table,
/// with columns and indexes as arrays of inline tables.
pub fn write(model: &ModelFile) -> Result<String, toml::ser::Error> {
    let mut out = String::new();
    for t in &model.tables {
        out.push_str("[[table]]\n");
        let value = toml::Value::try_from(t)?;
        let toml::Value::Table(map) = value else {
            unreachable!("a struct is a table")
        };
        for (key, value) in map {
            match value {
                toml::Value::Array(items) if !items.is_empty() && items[0].is_table() => {
                    out.push_str(&format!("{key} = [\n"));
                    for item in items {
                        out.push_str(&format!("  {},\n", inline(&item)));
                    }
                    out.push_str("]\n");
                }
                other => out.push_str(&format!("{key} = {}\n", inline(&other))),
            }
        }
        out.push('\n');
    }
    let views = model.views.iter().map(|v| ("view", &v.name, &v.sql));
    let triggers = model.triggers.iter().map(|t| ("trigger", &t.name, &t.sql));
    let virtual_tables = model
        .virtual_tables
        .iter()
        .map(|v| ("virtual_table", &v.name, &v.sql));
    for (header, name, sql) in virtual_tables.chain(views).chain(triggers) {
        let name = inline(&toml::Value::String(name.clone()));
        out.push_str(&format!(
            "[[{header}]]\nname = {name}\nsql = {}\n\n",
            multiline(sql)
        ));
    }
    Ok(out)
}

fn inline(value: &toml::Value) -> String {
    value.to_string()
}

/// A literal multi-line string when that is exact, otherwise a basic string.
fn multiline(text: &str) -> String {
    if text.contains("'''") || text.ends_with('\'') || text.contains('\r') {
        inline(&toml::Value::String(text.to_string()))
    } else {
        format!("'''\n{text}'''")
    }
}
