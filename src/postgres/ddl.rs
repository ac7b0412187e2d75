//! A [`Schema`] (or one object of it) written as PostgreSQL DDL.
//!
//! The inverse of [`crate::postgres::inspect`]: for every schema `s` it
//! reads, `inspect(execute(create_schema(s))) == s` (tested on the real
//! server, tests/postgres_roundtrip.rs). Statements are returned without
//! the trailing `;`. Names are quoted by the server's rule
//! ([`super::names::quote_ident`]), so `Order` stays `Order`.

use std::collections::HashSet;

use super::matview_ddl;
use super::names::{ident, quote_ident, quote_one, quote_str};
pub(crate) use super::sequence_ddl::{sequence_changes, sequence_settings};
use super::sql::tokenize;
use crate::schema::{
    Check, Column, ForeignKey, Identity, Index, IndexTarget, Schema, Table, Unique, View,
};

/// Every statement that creates `schema` in an empty database, in an order
/// PostgreSQL accepts: extensions and enum types (columns use them),
/// sequences (defaults call them), tables with their keys and checks,
/// sequence owners, then foreign keys once every table exists (so two
/// tables may reference each other), `NOT VALID` checks, indexes,
/// comments, views and materialized views after the views they select
/// from (with their indexes), then the other objects' comments.
pub fn create_schema(schema: &Schema) -> Vec<String> {
    let pg = &schema.postgres;
    let mut out: Vec<String> = Vec::new();
    for ns in &pg.namespaces {
        out.push(create_namespace(ns));
    }
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
        out.push(format!(
            "CREATE SEQUENCE {}{}",
            quote_ident(&s.name),
            sequence_settings(&s.settings)
        ));
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
                "ALTER TABLE {} ADD {}{}",
                quote_ident(&t.name),
                constraint_name(&u.name),
                unique_clause(u)
            ));
        }
        for c in t.checks.iter().filter(|c| c.not_valid) {
            out.push(format!(
                "ALTER TABLE {} ADD {}{} NOT VALID",
                quote_ident(&t.name),
                constraint_name(&c.name),
                check_clause(c)
            ));
        }
    }
    for t in &schema.tables {
        out.extend(t.indexes.iter().map(|i| create_index(&t.name, i)));
    }
    for t in &schema.tables {
        out.extend(comments(t));
    }
    let views = matview_ddl::all_views(schema);
    for v in views_in_dependency_order(&views) {
        out.extend(create_view(schema, v));
    }
    out.extend(
        pg.comments
            .iter()
            .map(|c| matview_ddl::comment_sql(&c.on, Some(&c.text))),
    );
    out.extend(schema.triggers.iter().map(|t| t.sql.clone()));
    out
}

/// The view `v` of `s` made, and a materialized view's indexes after it.
pub(crate) fn create_view(s: &Schema, v: &View) -> Vec<String> {
    let mut out = vec![v.sql.clone()];
    if let Some(m) = matview_ddl::matview(s, &v.name) {
        out.extend(m.indexes.iter().map(|i| create_index(&v.name, i)));
    }
    out
}

/// `CREATE TABLE` with the columns, primary key, UNIQUE constraints and
/// the checks that hold for existing rows; foreign keys, `NOT VALID`
/// checks (PostgreSQL validates every check in a `CREATE TABLE`, whatever
/// it says) and [`repeated_uniques`] are added after.
/// A configured schema (a namespace), made before anything goes into it.
pub(crate) fn create_namespace(name: &str) -> String {
    format!(
        "CREATE SCHEMA IF NOT EXISTS {}",
        super::names::quote_one(name)
    )
}

pub(crate) fn create_table(t: &Table) -> String {
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
        items.push(format!("{}{}", constraint_name(&u.name), unique_clause(u)));
    }
    for c in t.checks.iter().filter(|c| !c.not_valid) {
        items.push(format!("{}{}", constraint_name(&c.name), check_clause(c)));
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
pub(crate) fn repeated_uniques(t: &Table) -> Vec<&Unique> {
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
pub(crate) fn column_def(c: &Column) -> String {
    let mut s = format!("{} {}", quote_one(&c.name), c.decl_type);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", quote_ident(coll)));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) STORED", g.expr));
    }
    let pg = c.postgres();
    let kind = match pg.identity {
        Some(Identity::Always) => "ALWAYS",
        Some(Identity::ByDefault) => "BY DEFAULT",
        None => "",
    };
    if !kind.is_empty() {
        s.push_str(&format!(" GENERATED {kind} AS IDENTITY"));
        let settings = sequence_settings(&pg.identity_sequence);
        if !settings.is_empty() {
            s.push_str(&format!(" ({})", settings.trim_start()));
        }
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
pub(crate) fn add_foreign_key(table: &str, fk: &ForeignKey) -> String {
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

pub(crate) fn create_index(table: &str, index: &Index) -> String {
    let pg = index.postgres();
    let parts: Vec<String> = index
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut s = match &p.target {
                IndexTarget::Column(c) => quote_one(c),
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
    if !pg.storage.is_empty() {
        s.push_str(&format!(" WITH ({})", storage_parameters(&pg.storage)));
    }
    if let Some(w) = &index.where_clause {
        s.push_str(&format!(" WHERE {w}"));
    }
    s
}

/// The catalog's `name=value` storage parameters as `WITH` takes them,
/// each value quoted (`fillfactor='70'`, as pg_dump writes them).
fn storage_parameters(storage: &[String]) -> String {
    storage
        .iter()
        .map(|p| match p.split_once('=') {
            Some((name, value)) => format!("{name}={}", quote_str(value)),
            None => p.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `UNIQUE (columns)`, with its `DEFERRABLE` and `INITIALLY DEFERRED`.
pub(crate) fn unique_clause(u: &Unique) -> String {
    let deferral = match (u.deferrable, u.initially_deferred) {
        (false, _) => "",
        (true, false) => " DEFERRABLE",
        (true, true) => " DEFERRABLE INITIALLY DEFERRED",
    };
    let nulls = if u.nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    };
    format!("UNIQUE{nulls} ({}){deferral}", ident_list(&u.columns))
}

/// `CHECK (expr)`, with `NO INHERIT` when it has it.
pub(crate) fn check_clause(c: &Check) -> String {
    let no_inherit = if c.no_inherit { " NO INHERIT" } else { "" };
    format!("CHECK ({}){no_inherit}", c.expr)
}

/// `COMMENT ON` the table and each commented column.
pub(crate) fn comments(t: &Table) -> Vec<String> {
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
                quote_one(&c.name),
                quote_str(text)
            ));
        }
    }
    out
}

fn constraint_name(name: &Option<String>) -> String {
    name.as_ref()
        .map(|n| format!("CONSTRAINT {} ", quote_one(n)))
        .unwrap_or_default()
}

pub(crate) fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_one(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Views ordered so that a view comes after every view it selects from:
/// one that names another view (as PostgreSQL folds names; a string
/// literal is not a name) waits for it. A column named like a view counts
/// too, which only orders more than needed.
pub(crate) fn views_in_dependency_order(views: &[View]) -> Vec<&View> {
    let names: Vec<HashSet<String>> = views.iter().map(|v| names_in(&v.sql)).collect();
    let mut done: Vec<&View> = Vec::new();
    let mut pending: Vec<usize> = (0..views.len()).collect();
    while !pending.is_empty() {
        let ready = pending.iter().position(|&v| {
            pending
                .iter()
                .all(|&other| other == v || !names[v].contains(&views[other].name))
        });
        // A cycle cannot exist in a valid database; keep the given order then.
        done.push(&views[pending.remove(ready.unwrap_or(0))]);
    }
    done
}

/// Whether `sql` names `name` (as PostgreSQL folds names; a string
/// literal is not a name): the planner's test for a view over a table.
pub(crate) fn mentions(sql: &str, name: &str) -> bool {
    names_in(sql).contains(name)
}

/// The names `sql` mentions, as stored names; `a.b` also as the name of
/// `b` in schema `a` ([`super::names::qualify`]), as an object of a schema
/// but the first is named.
fn names_in(sql: &str) -> HashSet<String> {
    let tokens = tokenize(sql);
    let mut out: HashSet<String> = tokens.iter().filter_map(ident).collect();
    for w in tokens.windows(3) {
        if let (Some(schema), ".", Some(name)) = (ident(&w[0]), w[1].text, ident(&w[2])) {
            out.insert(super::names::qualify(&schema, &name));
        }
    }
    out
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
    fn a_view_of_another_schema_comes_after_the_view_it_reads() {
        let views = [
            view("a.top", "CREATE VIEW a.top AS SELECT * FROM b.\"Mid\""),
            view("b.\"Mid\"", "CREATE VIEW b.\"Mid\" AS SELECT 1"),
        ];
        let order: Vec<&str> = views_in_dependency_order(&views)
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(order, ["b.\"Mid\"", "a.top"]);
    }

    #[test]
    fn views_come_after_the_views_they_read() {
        let views = [
            view("a", "CREATE VIEW \"a\" AS SELECT * FROM b_2"),
            view("b_2", "CREATE VIEW b_2 AS SELECT 'a' FROM \"Base\""),
            view("Base", "CREATE VIEW \"Base\" AS SELECT 1 AS b"),
        ];
        let order: Vec<&str> = views_in_dependency_order(&views)
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(order, ["Base", "b_2", "a"]);
    }
}
