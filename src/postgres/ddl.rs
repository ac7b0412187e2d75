//! A [`Schema`] written as PostgreSQL DDL: tables with their columns and
//! keys, then foreign keys (once every table exists, so two tables may
//! reference each other), indexes and views.
//!
//! h34's minimal writer, so that `PostgresDialect::create_schema` has one;
//! h35's full writer (enums, extensions, identity, comments, ...) replaces
//! this file when both branches are merged.

use crate::schema::{Column, ForeignKey, Index, IndexTarget, Schema, Table};

use super::names::quote_ident;

/// Every statement that creates `schema` in an empty database, without `;`.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    let mut out: Vec<String> = schema.tables.iter().map(create_table).collect();
    for t in &schema.tables {
        out.extend(t.foreign_keys.iter().map(|fk| add_foreign_key(&t.name, fk)));
        out.extend(t.indexes.iter().map(|i| create_index(&t.name, i)));
    }
    out.extend(
        schema
            .views
            .iter()
            .map(|v| format!("CREATE VIEW {} AS {}", quote_ident(&v.name), v.sql)),
    );
    out
}

fn create_table(t: &Table) -> String {
    let mut parts: Vec<String> = t.columns.iter().map(column_def).collect();
    if let Some(pk) = &t.primary_key {
        parts.push(format!(
            "{}PRIMARY KEY ({})",
            constraint(pk.name.as_deref()),
            list(&pk.columns)
        ));
    }
    for u in &t.uniques {
        parts.push(format!(
            "{}UNIQUE ({})",
            constraint(u.name.as_deref()),
            list(&u.columns)
        ));
    }
    for c in &t.checks {
        parts.push(format!(
            "{}CHECK ({})",
            constraint(c.name.as_deref()),
            c.expr
        ));
    }
    format!(
        "CREATE TABLE {} (\n    {}\n)",
        quote_ident(&t.name),
        parts.join(",\n    ")
    )
}

fn column_def(c: &Column) -> String {
    let mut def = format!("{} {}", quote_ident(&c.name), c.decl_type);
    if let Some(collation) = &c.collation {
        def.push_str(&format!(" COLLATE {}", quote_ident(collation)));
    }
    if let Some(generated) = &c.generated {
        def.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", generated.expr));
    } else if let Some(default) = &c.default {
        def.push_str(&format!(" DEFAULT {default}"));
    }
    if c.not_null {
        def.push_str(" NOT NULL");
    }
    def
}

fn add_foreign_key(table: &str, fk: &ForeignKey) -> String {
    let mut sql = format!(
        "ALTER TABLE {} ADD {}FOREIGN KEY ({}) REFERENCES {}",
        quote_ident(table),
        constraint(fk.name.as_deref()),
        list(&fk.columns),
        quote_ident(&fk.ref_table)
    );
    if !fk.ref_columns.is_empty() {
        sql.push_str(&format!(" ({})", list(&fk.ref_columns)));
    }
    for (when, action) in [("DELETE", &fk.on_delete), ("UPDATE", &fk.on_update)] {
        if let Some(action) = action {
            sql.push_str(&format!(" ON {when} {action}"));
        }
    }
    if fk.deferred {
        sql.push_str(" DEFERRABLE INITIALLY DEFERRED");
    }
    sql
}

fn create_index(table: &str, index: &Index) -> String {
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| {
            let mut part = match &p.target {
                IndexTarget::Column(c) => quote_ident(c),
                IndexTarget::Expr(e) => format!("({e})"),
            };
            if let Some(collation) = &p.collation {
                part.push_str(&format!(" COLLATE {}", quote_ident(collation)));
            }
            if p.desc {
                part.push_str(" DESC");
            }
            part
        })
        .collect();
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        quote_ident(&index.name),
        quote_ident(table),
        parts.join(", ")
    );
    if let Some(w) = &index.where_clause {
        sql.push_str(&format!(" WHERE {w}"));
    }
    sql
}

fn constraint(name: Option<&str>) -> String {
    name.map_or(String::new(), |n| format!("CONSTRAINT {} ", quote_ident(n)))
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}
