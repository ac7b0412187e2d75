//! A [`Schema`] as a TOML model (`migrate inspect --format toml`): the
//! inverse of [`super::to_schema`], in the layout docs/model.md describes.

use super::{
    CheckDef, ColumnDef, ForeignKeyDef, IndexDef, IndexTerm, IndexTermDef, ModelFile, TableDef,
    TriggerDef, UniqueDef, ViewDef, VirtualTableDef,
};
use crate::schema::{ForeignKey, Index, IndexTarget, OnConflict, Schema, Table};

/// The schema as a TOML model that [`super::to_model`] reads back to the same schema.
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

// Long: one field of a table's TOML after another, in the order they are written.
fn table_def(t: &Table) -> TableDef {
    // A column's on_conflict is said once for its NOT NULL and its primary
    // key: a key whose clause differs is written at table level.
    let single_pk = t
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.len() == 1 && pk.name.is_none())
        .filter(|pk| {
            t.column(&pk.columns[0])
                .is_none_or(|c| !c.not_null || c.sqlite().not_null_on_conflict == pk.on_conflict)
        })
        .map(|pk| pk.columns[0].clone());
    let mut def = TableDef {
        name: t.name.clone(),
        without_rowid: t.sqlite().without_rowid,
        strict: t.sqlite().strict,
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
                .filter(|o| t.same_name(&o.columns[0], &fk.columns[0]))
                .count()
                == 1
    };
    for c in &t.columns {
        let fk = t
            .foreign_keys
            .iter()
            .find(|fk| inline_fk(fk) && t.same_name(&fk.columns[0], &c.name));
        let is_pk = single_pk
            .as_deref()
            .is_some_and(|p| t.same_name(p, &c.name));
        let clause = match &t.primary_key {
            _ if c.not_null => c.sqlite().not_null_on_conflict,
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
                t.sqlite().autoincrement
                    && pk.columns.len() == 1
                    && t.same_name(&pk.columns[0], &c.name)
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

/// Writes the model in the layout of docs/model.md: one `[[table]]` per table,
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
