//! A [`Schema`] (or one object of it) written back as SQLite DDL.
//!
//! Rendering is the inverse of inspection: for every schema `s`,
//! `inspect(execute(render(s))) == s`. That round trip is what lets a TOML
//! model and a database compare equal, and it is tested on every conformance
//! schema. Statements are returned without the trailing `;`.

use crate::schema::{Column, ForeignKey, Index, IndexPart, IndexTarget, Schema, Table, View};
use crate::sqlite::names::same_name;
use crate::sqlite::sql::{self, Kind, quote_ident};

/// Every statement that creates `schema` in an empty database, in an order
/// SQLite accepts: tables, their indexes, virtual tables, views (dependencies
/// first), triggers.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for table in &schema.tables {
        out.push(create_table(table));
        for index in &table.indexes {
            out.push(create_index(&table.name, index));
        }
    }
    // After the tables: an FTS table may name one as its content.
    for vt in &schema.sqlite.virtual_tables {
        out.push(vt.sql.clone());
    }
    for view in views_in_dependency_order(&schema.views) {
        out.push(view.sql.clone());
    }
    for trigger in &schema.triggers {
        out.push(trigger.sql.clone());
    }
    out
}

pub(crate) fn create_table(t: &Table) -> String {
    let mut items: Vec<String> = t.columns.iter().map(|c| column_def(t, c)).collect();
    if let Some(pk) = &t.primary_key
        && (pk.columns.len() > 1 || inline_pk_column(t).is_none())
    {
        items.push(format!(
            "{}PRIMARY KEY ({}){}",
            constraint_name(&pk.name),
            ident_list(&pk.columns),
            pk.on_conflict.clause()
        ));
    }
    for u in &t.uniques {
        items.push(format!(
            "{}UNIQUE ({}){}",
            constraint_name(&u.name),
            ident_list(&u.columns),
            u.on_conflict.clause()
        ));
    }
    for c in &t.checks {
        items.push(format!("{}CHECK ({})", constraint_name(&c.name), c.expr));
    }
    for fk in &t.foreign_keys {
        items.push(format!(
            "{}FOREIGN KEY ({}) {}",
            constraint_name(&fk.name),
            ident_list(&fk.columns),
            references(&ForeignKey {
                name: None,
                ..fk.clone()
            })
        ));
    }
    let mut options = Vec::new();
    if t.sqlite().strict {
        options.push("STRICT");
    }
    if t.sqlite().without_rowid {
        options.push("WITHOUT ROWID");
    }
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" {}", options.join(", "))
    };
    format!(
        "CREATE TABLE {} (\n    {}\n){options}",
        quote_ident(&t.name),
        items.join(",\n    ")
    )
}

/// The single primary-key column written inline (`id INTEGER PRIMARY KEY`),
/// which AUTOINCREMENT requires.
fn inline_pk_column(t: &Table) -> Option<&str> {
    let pk = t.primary_key.as_ref()?;
    (pk.columns.len() == 1).then(|| pk.columns[0].as_str())
}

/// A column definition as used in CREATE TABLE and ALTER TABLE ADD COLUMN.
pub(crate) fn column_def(t: &Table, c: &Column) -> String {
    let mut s = quote_ident(&c.name);
    if !c.decl_type.is_empty() {
        s.push(' ');
        s.push_str(&c.decl_type);
    }
    let inline_pk = inline_pk_column(t)
        .filter(|name| same_name(name, &c.name))
        .and(t.primary_key.as_ref());
    if let Some(pk) = inline_pk {
        s.push_str(&format!(
            " {}PRIMARY KEY{}",
            constraint_name(&pk.name),
            pk.on_conflict.clause()
        ));
        if t.sqlite().autoincrement {
            s.push_str(" AUTOINCREMENT");
        }
    }
    if c.not_null {
        s.push_str(" NOT NULL");
        s.push_str(&c.sqlite().not_null_on_conflict.clause());
    }
    if let Some(d) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(&default_expr(d));
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    if let Some(g) = &c.generated {
        let kind = if g.stored { "STORED" } else { "VIRTUAL" };
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {kind}", g.expr));
    }
    s
}

/// A default needs parentheses unless it is a literal (SQLite's grammar).
pub(crate) fn default_expr(expr: &str) -> String {
    let toks: Vec<_> = sql::tokenize(expr)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let literal = match toks.as_slice() {
        [t] => {
            matches!(t.kind, Kind::Number | Kind::String | Kind::Blob)
                || [
                    "null",
                    "true",
                    "false",
                    "current_time",
                    "current_date",
                    "current_timestamp",
                ]
                .iter()
                .any(|w| t.is_word(w))
        }
        [sign, n] => (sign.is_punct("-") || sign.is_punct("+")) && n.kind == Kind::Number,
        _ => false,
    };
    if literal {
        expr.to_string()
    } else {
        format!("({expr})")
    }
}

/// `[CONSTRAINT n] REFERENCES parent (cols) [ON DELETE ..] [ON UPDATE ..] [DEFERRABLE ..]`
pub(crate) fn references(fk: &ForeignKey) -> String {
    let mut s = format!(
        "{}REFERENCES {}",
        constraint_name(&fk.name),
        quote_ident(&fk.ref_table)
    );
    if !fk.ref_columns.is_empty() {
        s.push_str(&format!(" ({})", ident_list(&fk.ref_columns)));
    }
    if let Some(a) = &fk.on_delete {
        s.push_str(&format!(" ON DELETE {a}"));
    }
    if let Some(a) = &fk.on_update {
        s.push_str(&format!(" ON UPDATE {a}"));
    }
    if fk.deferred {
        s.push_str(" DEFERRABLE INITIALLY DEFERRED");
    }
    s
}

/// What one part of an index compares: its column or expression under its
/// collation. The same text builds the index and, in lint's pre-check, groups
/// the rows a new UNIQUE index would find equal, so the two cannot disagree
/// over which rows are duplicates.
pub(crate) fn index_key(part: &IndexPart) -> String {
    let mut s = match &part.target {
        IndexTarget::Column(c) => quote_ident(c),
        IndexTarget::Expr(e) => e.clone(),
    };
    if let Some(coll) = &part.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    s
}

pub(crate) fn create_index(table: &str, index: &Index) -> String {
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| {
            let mut s = index_key(p);
            if p.desc {
                s.push_str(" DESC");
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        quote_ident(&index.name),
        quote_ident(table),
        parts.join(", ")
    );
    if let Some(w) = &index.where_clause {
        s.push_str(&format!(" WHERE {w}"));
    }
    s
}

fn constraint_name(name: &Option<String>) -> String {
    name.as_ref()
        .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
        .unwrap_or_default()
}

pub fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names that `sql` mentions as identifiers (lower-cased).
pub fn referenced_names(sql_text: &str) -> Vec<String> {
    sql::tokenize(sql_text)
        .into_iter()
        .filter(|t| matches!(t.kind, Kind::Word | Kind::QuotedIdent))
        .filter_map(|t| t.ident())
        .map(|n| n.to_ascii_lowercase())
        .collect()
}

/// Views ordered so that a view comes after every view it selects from.
pub(crate) fn views_in_dependency_order(views: &[View]) -> Vec<&View> {
    let mut done: Vec<&View> = Vec::new();
    let mut pending: Vec<&View> = views.iter().collect();
    while !pending.is_empty() {
        let ready = pending.iter().position(|v| {
            let refs = referenced_names(&v.sql);
            pending.iter().all(|other| {
                same_name(&other.name, &v.name) || !refs.contains(&other.name.to_ascii_lowercase())
            })
        });
        // A cycle cannot exist in a valid database; keep the given order then.
        done.push(pending.remove(ready.unwrap_or(0)));
    }
    done
}
