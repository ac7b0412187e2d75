//! A [`Schema`] (or one object of it) written as PostgreSQL DDL.
//!
//! The inverse of [`crate::postgres::inspect`]: for every schema `s` it
//! reads, `inspect(execute(create_schema(s))) == s` (tested on the real
//! server, tests/postgres_roundtrip.rs). Statements are returned without
//! the trailing `;`. Names are quoted by the server's rule
//! ([`super::names::quote_ident`]), so `Order` stays `Order`.

use super::names::{quote_ident, quote_str};
use crate::schema::{
    Column, ForeignKey, Identity, Index, IndexTarget, Schema, Table, Unique, View,
};

/// Every statement that creates `schema` in an empty database, in an order
/// PostgreSQL accepts: extensions and enum types (columns use them),
/// sequences (defaults call them), tables with their keys and checks,
/// sequence owners, then foreign keys once every table exists (so two
/// tables may reference each other), `NOT VALID` checks, indexes,
/// comments, and views after the views they select from.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    let pg = &schema.postgres;
    let mut out: Vec<String> = Vec::new();
    for ext in &pg.extensions {
        out.push(format!(
            "CREATE EXTENSION IF NOT EXISTS {}",
            quote_ident(ext)
        ));
    }
    for e in &pg.enums {
        let labels: Vec<String> = e.labels.iter().map(|l| quote_str(l)).collect();
        out.push(format!(
            "CREATE TYPE {} AS ENUM ({})",
            quote_ident(&e.name),
            labels.join(", ")
        ));
    }
    for s in &pg.sequences {
        out.push(format!("CREATE SEQUENCE {}", quote_ident(&s.name)));
    }
    out.extend(schema.tables.iter().map(create_table));
    for s in &pg.sequences {
        if let Some((table, column)) = &s.owned_by {
            out.push(format!(
                "ALTER SEQUENCE {} OWNED BY {}.{}",
                quote_ident(&s.name),
                quote_ident(table),
                quote_ident(column)
            ));
        }
    }
    for t in &schema.tables {
        out.extend(t.foreign_keys.iter().map(|fk| add_foreign_key(&t.name, fk)));
    }
    for t in &schema.tables {
        for u in repeated_uniques(t) {
            out.push(format!(
                "ALTER TABLE {} ADD {}UNIQUE ({})",
                quote_ident(&t.name),
                constraint_name(&u.name),
                ident_list(&u.columns)
            ));
        }
        for c in t.checks.iter().filter(|c| c.not_valid) {
            out.push(format!(
                "ALTER TABLE {} ADD {}CHECK ({}) NOT VALID",
                quote_ident(&t.name),
                constraint_name(&c.name),
                c.expr
            ));
        }
    }
    for t in &schema.tables {
        out.extend(t.indexes.iter().map(|i| create_index(&t.name, i)));
    }
    for t in &schema.tables {
        out.extend(comments(t));
    }
    out.extend(
        views_in_dependency_order(&schema.views)
            .into_iter()
            .map(|v| v.sql.clone()),
    );
    out.extend(schema.triggers.iter().map(|t| t.sql.clone()));
    out
}

/// `CREATE TABLE` with the columns, primary key, UNIQUE constraints and
/// the checks that hold for existing rows; foreign keys, `NOT VALID`
/// checks (PostgreSQL validates every check in a `CREATE TABLE`, whatever
/// it says) and [`repeated_uniques`] are added after.
pub fn create_table(t: &Table) -> String {
    let mut items: Vec<String> = t.columns.iter().map(column_def).collect();
    if let Some(pk) = &t.primary_key {
        items.push(format!(
            "{}PRIMARY KEY ({})",
            constraint_name(&pk.name),
            ident_list(&pk.columns)
        ));
    }
    let repeated = repeated_uniques(t);
    for u in t.uniques.iter().filter(|u| !repeated.contains(u)) {
        items.push(format!(
            "{}UNIQUE ({})",
            constraint_name(&u.name),
            ident_list(&u.columns)
        ));
    }
    for c in t.checks.iter().filter(|c| !c.not_valid) {
        items.push(format!("{}CHECK ({})", constraint_name(&c.name), c.expr));
    }
    let unlogged = if t.postgres().unlogged {
        "UNLOGGED "
    } else {
        ""
    };
    format!(
        "CREATE {unlogged}TABLE {} (\n    {}\n)",
        quote_ident(&t.name),
        items.join(",\n    ")
    )
}

/// The UNIQUE constraints on the same columns as the primary key or an
/// earlier UNIQUE: `CREATE TABLE` silently makes only one of them, while
/// `ALTER TABLE ... ADD` makes each, so a database can have both.
pub fn repeated_uniques(t: &Table) -> Vec<&Unique> {
    let mut seen: Vec<&[String]> = t.primary_key.iter().map(|pk| &pk.columns[..]).collect();
    let mut out = Vec::new();
    for u in &t.uniques {
        if seen.contains(&&u.columns[..]) {
            out.push(u);
        } else {
            seen.push(&u.columns);
        }
    }
    out
}

/// A column definition as used in CREATE TABLE and ALTER TABLE ADD COLUMN.
pub fn column_def(c: &Column) -> String {
    let mut s = format!("{} {}", quote_ident(&c.name), c.decl_type);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expr));
    }
    match c.postgres().identity {
        Some(Identity::Always) => s.push_str(" GENERATED ALWAYS AS IDENTITY"),
        Some(Identity::ByDefault) => s.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
        None => {}
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

/// `ALTER TABLE t ADD [CONSTRAINT n] FOREIGN KEY (..) REFERENCES ..`.
pub fn add_foreign_key(table: &str, fk: &ForeignKey) -> String {
    let mut s = format!(
        "ALTER TABLE {} ADD {}FOREIGN KEY ({}) REFERENCES {}",
        quote_ident(table),
        constraint_name(&fk.name),
        ident_list(&fk.columns),
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
    if fk.not_valid {
        s.push_str(" NOT VALID");
    }
    s
}

pub fn create_index(table: &str, index: &Index) -> String {
    let pg = index.postgres();
    let parts: Vec<String> = index
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut s = match &p.target {
                IndexTarget::Column(c) => quote_ident(c),
                IndexTarget::Expr(e) => format!("({e})"),
            };
            if let Some(coll) = &p.collation {
                s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
            }
            if let Some(Some(opclass)) = pg.opclasses.get(i) {
                s.push_str(&format!(" {}", quote_ident(opclass)));
            }
            if p.desc {
                s.push_str(" DESC");
            }
            match p.nulls_first {
                Some(true) => s.push_str(" NULLS FIRST"),
                Some(false) => s.push_str(" NULLS LAST"),
                None => {}
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {} ON {}",
        if index.unique { "UNIQUE " } else { "" },
        quote_ident(&index.name),
        quote_ident(table)
    );
    if let Some(method) = &pg.method {
        s.push_str(&format!(" USING {}", quote_ident(method)));
    }
    s.push_str(&format!(" ({})", parts.join(", ")));
    if !pg.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&pg.include)));
    }
    if pg.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(w) = &index.where_clause {
        s.push_str(&format!(" WHERE {w}"));
    }
    s
}

/// `COMMENT ON` the table and each commented column.
pub fn comments(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(text) = &t.postgres().comment {
        out.push(format!(
            "COMMENT ON TABLE {} IS {}",
            quote_ident(&t.name),
            quote_str(text)
        ));
    }
    for c in &t.columns {
        if let Some(text) = &c.postgres().comment {
            out.push(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                quote_ident(&t.name),
                quote_ident(&c.name),
                quote_str(text)
            ));
        }
    }
    out
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

/// Views ordered so that a view comes after every view it selects from.
/// A view's text names another view as a word, or quoted; a mention in a
/// string literal orders it too, which is harmless.
pub fn views_in_dependency_order(views: &[View]) -> Vec<&View> {
    let mut done: Vec<&View> = Vec::new();
    let mut pending: Vec<&View> = views.iter().collect();
    while !pending.is_empty() {
        let ready = pending.iter().position(|v| {
            pending
                .iter()
                .all(|other| other.name == v.name || !mentions(&v.sql, &other.name))
        });
        // A cycle cannot exist in a valid database; keep the given order then.
        done.push(pending.remove(ready.unwrap_or(0)));
    }
    done
}

/// Whether `sql` mentions the identifier `name`: quoted, or as a whole
/// word when `name` needs no quotes.
pub fn mentions(sql: &str, name: &str) -> bool {
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    if sql.contains(&quoted) {
        return true;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    sql.split(|c: char| !word(c)).any(|w| w == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str, sql: &str) -> View {
        View {
            name: name.into(),
            sql: sql.into(),
        }
    }

    #[test]
    fn views_come_after_the_views_they_read() {
        let views = [
            view("a", "CREATE VIEW \"a\" AS SELECT * FROM b_2"),
            view("b_2", "CREATE VIEW \"b_2\" AS SELECT * FROM \"Base\""),
            view("Base", "CREATE VIEW \"Base\" AS SELECT 1 AS b"),
        ];
        let order: Vec<&str> = views_in_dependency_order(&views)
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(order, ["Base", "b_2", "a"]);
    }
}
