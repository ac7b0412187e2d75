//! What PostgreSQL has beside tables, planned from the two schemas'
//! [`PostgresObjects`] (the diff does not list them): extensions, enum
//! types and sequences. Created before the tables (columns use types,
//! defaults call sequences), dropped after them.
//!
//! An enum type gains labels in place (`ALTER TYPE ... ADD VALUE`); a
//! removed or reordered label needs the type recreated
//! ([`enums::recreate_sql`]), guarded by a block that counts the rows still
//! holding a removed label and refuses, naming the count, before anything
//! is converted. That is also the down of an added label.

use crate::plan::Statement;
use crate::risk::Risk;
use crate::schema::{EnumType, Schema};

use super::super::ddl;
use super::super::enums::{self, EnumChange, EnumColumn};
use super::super::names::{quote_ident, quote_one, quote_str};

/// Extensions, new enum types and labels, recreated types and new
/// sequences: everything the tables of `to` may need, before they change.
pub(super) fn creates(from: &Schema, to: &Schema) -> Vec<Statement> {
    let (old, new) = (&from.postgres, &to.postgres);
    let mut out: Vec<Statement> = new
        .namespaces
        .iter()
        .filter(|n| !old.namespaces.contains(n))
        .map(|n| Statement::plain(ddl::create_namespace(n)))
        .collect();
    for ext in new
        .extensions
        .iter()
        .filter(|e| !old.extensions.contains(e))
    {
        out.push(Statement::plain(format!(
            "CREATE EXTENSION IF NOT EXISTS {}",
            quote_ident(ext)
        )));
    }
    for e in &new.enums {
        match old.enums.iter().find(|o| o.name == e.name) {
            None => out.push(Statement::plain(enums::create_sql(&e.name, &e.labels))),
            Some(o) => out.extend(change_enum(from, to, o, e)),
        }
    }
    out.extend(sequences(from, to));
    out
}

/// New sequences with their settings; kept ones altered in place (so
/// their position is kept) and let go by an owner they leave, before that
/// owner may be dropped with them.
fn sequences(from: &Schema, to: &Schema) -> Vec<Statement> {
    let old = &from.postgres.sequences;
    let mut out = Vec::new();
    for s in &to.postgres.sequences {
        let name = quote_ident(&s.name);
        let Some(was) = old.iter().find(|o| o.name == s.name) else {
            out.push(Statement::plain(format!(
                "CREATE SEQUENCE {name}{}",
                ddl::sequence_settings(&s.settings)
            )));
            continue;
        };
        if was.owned_by.is_some() && was.owned_by != s.owned_by {
            out.push(Statement::plain(format!(
                "ALTER SEQUENCE {name} OWNED BY NONE"
            )));
        }
        let changes = ddl::sequence_changes(&was.settings, &s.settings, true);
        if !changes.is_empty() {
            out.push(Statement::plain(format!(
                "ALTER SEQUENCE {name} {}",
                changes.join(" ")
            )));
        }
    }
    out
}

/// Sequence owners, once the tables exist: new sequences' and moved ones'.
pub(super) fn owners(from: &Schema, to: &Schema) -> Vec<Statement> {
    let old = &from.postgres.sequences;
    let mut out = Vec::new();
    for s in &to.postgres.sequences {
        let was = old.iter().find(|o| o.name == s.name);
        if was.is_some_and(|w| w.owned_by == s.owned_by) {
            continue;
        }
        if let Some((table, column)) = &s.owned_by {
            out.push(Statement::plain(format!(
                "ALTER SEQUENCE {} OWNED BY {}.{}",
                quote_ident(&s.name),
                quote_ident(table),
                quote_ident(column)
            )));
        }
    }
    out
}

/// Enum types, sequences and extensions `to` no longer has, after the
/// tables that used them are gone (a sequence owned by a dropped table
/// went with it).
pub(super) fn drops(from: &Schema, to: &Schema) -> Vec<Statement> {
    let (old, new) = (&from.postgres, &to.postgres);
    let mut out = Vec::new();
    for s in old
        .sequences
        .iter()
        .filter(|s| !new.sequences.iter().any(|n| n.name == s.name))
    {
        // A sequence goes with the column that owns it.
        let owner_dropped = s
            .owned_by
            .as_ref()
            .is_some_and(|(t, c)| to.table(t).is_none_or(|t| t.column(c).is_none()));
        if !owner_dropped {
            out.push(Statement::with_risk(
                format!("DROP SEQUENCE {}", quote_ident(&s.name)),
                Risk::Destructive(format!("drops sequence {} and its position", s.name)),
            ));
        }
    }
    for e in old
        .enums
        .iter()
        .filter(|e| !new.enums.iter().any(|n| n.name == e.name))
    {
        out.push(Statement::plain(format!(
            "DROP TYPE {}",
            quote_ident(&e.name)
        )));
    }
    for ext in old
        .extensions
        .iter()
        .filter(|e| !new.extensions.contains(e))
    {
        out.push(Statement::with_risk(
            format!("DROP EXTENSION {}", quote_ident(ext)),
            Risk::Destructive(format!("drops extension {ext} and what it provides")),
        ));
    }
    // Last, once what was in it is gone; never CASCADE: a schema that
    // still holds something (objects migrate does not manage) is refused
    // by the server rather than emptied.
    for ns in old
        .namespaces
        .iter()
        .filter(|n| !new.namespaces.contains(n))
    {
        out.push(Statement::plain(format!("DROP SCHEMA {}", quote_one(ns))));
    }
    out
}

/// The tables of `from` whose columns change type because an enum type
/// they use is recreated: views on them must be taken down around it.
pub(super) fn recreated_type_tables(from: &Schema, to: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for e in &to.postgres.enums {
        let Some(old) = from.postgres.enums.iter().find(|o| o.name == e.name) else {
            continue;
        };
        if matches!(
            enums::plan(&old.labels, &e.labels),
            EnumChange::Recreate { .. }
        ) {
            out.extend(enum_columns(from, &e.name).into_iter().map(|c| c.table));
        }
    }
    out
}

/// The columns of `schema` whose type is the enum `name`.
fn enum_columns(schema: &Schema, name: &str) -> Vec<EnumColumn> {
    let mut out = Vec::new();
    for t in &schema.tables {
        for c in t.columns.iter().filter(|c| t.same_name(&c.decl_type, name)) {
            out.push(EnumColumn {
                table: t.name.clone(),
                column: c.name.clone(),
                default: c.default.clone(),
                default_after: None,
            });
        }
    }
    out
}

fn change_enum(from: &Schema, to: &Schema, old: &EnumType, new: &EnumType) -> Vec<Statement> {
    match enums::plan(&old.labels, &new.labels) {
        EnumChange::Unchanged => vec![],
        EnumChange::Add(adds) => adds
            .iter()
            .map(|a| {
                let mut s = Statement::plain(enums::add_value_sql(&new.name, a));
                s.comments.push(format!(
                    "PostgreSQL cannot use a new enum label in the transaction that added it: if a \
                     later statement of this revision uses {}, mark the revision -- transactional: false",
                    quote_str(&a.label)
                ));
                s
            })
            .collect(),
        EnumChange::Recreate { removed, .. } => {
            let columns: Vec<EnumColumn> = enum_columns(from, &new.name)
                .into_iter()
                .map(|c| EnumColumn {
                    default_after: Some(default_after_recreate(from, to, &c)),
                    ..c
                })
                .collect();
            let mut out = Vec::new();
            if !removed.is_empty() && !columns.is_empty() {
                out.push(guard(&new.name, &removed, &columns));
            }
            for sql in enums::recreate_sql(&new.name, &new.labels, &columns) {
                out.push(Statement::plain(sql));
            }
            out
        }
    }
}

/// The default `c` gets back once its type is recreated: the one it ends
/// with when it keeps its type (its old one may name a removed label),
/// none when it changes type (the type change sets it), and its old one
/// when `to` has no such column (renamed, or dropped later).
fn default_after_recreate(from: &Schema, to: &Schema, c: &EnumColumn) -> Option<String> {
    let was = from.table(&c.table).and_then(|t| t.column(&c.column));
    match (was, to.table(&c.table).and_then(|t| t.column(&c.column))) {
        (Some(was), Some(will)) if was.decl_type == will.decl_type => will.default.clone(),
        (Some(_), Some(_)) => None,
        _ => c.default.clone(),
    }
}

/// A block that refuses, with the number of rows, when any row of
/// `columns` holds one of the `removed` labels: PostgreSQL has no
/// `DROP VALUE`, and the recreate would fail on such a row anyway.
fn guard(type_name: &str, removed: &[String], columns: &[EnumColumn]) -> Statement {
    let counts: Vec<String> = columns
        .iter()
        .map(|c| format!("({})", enums::rows_using_sql(&c.table, &c.column, removed)))
        .collect();
    let places: Vec<String> = columns
        .iter()
        .map(|c| format!("{}.{}", c.table, c.column))
        .collect();
    // `%` is RAISE's placeholder: the names' own are doubled, the count's is not.
    let escape = |s: String| s.replace('%', "%%");
    let message = quote_str(&format!(
        "cannot remove label {} from enum type {}: % rows of {} still use it; change those rows first",
        escape(removed.join(", ")),
        escape(type_name.to_string()),
        escape(places.join(", "))
    ));
    // A column may be named `n` too: in the counts, names are columns.
    let mut s = Statement::plain(format!(
        "DO $migrate$ #variable_conflict use_column\nDECLARE n bigint; BEGIN n := {}; IF n > 0 THEN RAISE EXCEPTION {message}, n; END IF; END $migrate$",
        counts.join(" + ")
    ));
    s.risks.push(Risk::DataDependent(format!(
        "refuses when rows still hold label {} of enum type {type_name}",
        removed.join(", ")
    )));
    s
}
