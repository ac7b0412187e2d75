//! A modified table's column changes as `ALTER TABLE` statements: add,
//! drop, rename, and each changed fact of a column in the order PostgreSQL
//! accepts them (a default off before its type changes, NOT NULL before an
//! identity is added and after one is dropped). Table-level options
//! (comment, UNLOGGED) are here too: they are the table's own facts.

use crate::diff::{ChangeKind, ColumnChange};
use crate::plan::Statement;
use crate::risk::Risk;
use crate::schema::{Column, Identity, Table};

use super::super::casts::{self, CastContext};
use super::super::ddl::{column_def, sequence_changes, sequence_settings};
use super::super::inspect::default_name;
use super::super::names::{quote_ident, quote_str};
use super::precount;

/// The statements for the column changes of `from` -> `to` (already
/// renamed to `to.name`), and the table's own options.
pub(super) fn alter(from: &Table, to: &Table, columns: &[ColumnChange]) -> Vec<Statement> {
    let t = quote_ident(&to.name);
    let mut out = Vec::new();
    for c in columns {
        match c {
            ColumnChange::Rename { from, to } => out.push(Statement::plain(format!(
                "ALTER TABLE {t} RENAME COLUMN {} TO {}",
                quote_ident(from),
                quote_ident(to)
            ))),
            ColumnChange::Drop(col) => out.push(drop_column(&to.name, col)),
            ColumnChange::Add(col) => out.extend(add_column(&to.name, col)),
            ColumnChange::Modify {
                from,
                to: col,
                kind,
            } => {
                // The diff reports a modified column's name folded by the
                // schemas' name rule (lower case under SQLite's, which a
                // schema built by hand may carry); ALTER needs the stored name.
                // A column this change also renames is named by its name
                // before the rename (so in a down, by the up's new name):
                // ALTER runs after the rename, under the name it gives.
                let stored = to
                    .column(&col.name)
                    .map(|c| &c.name)
                    .or_else(|| renamed_to(columns, &col.name))
                    .unwrap_or(&col.name);
                let named = |c: &Column| Column {
                    name: stored.clone(),
                    ..c.clone()
                };
                out.extend(modify(&to.name, &named(from), &named(col), *kind));
            }
        }
    }
    out.extend(table_options(from, to));
    out
}

/// The new name of the column `name`, when `columns` renames it.
fn renamed_to<'a>(columns: &'a [ColumnChange], name: &str) -> Option<&'a String> {
    columns.iter().find_map(|c| match c {
        ColumnChange::Rename { from, to } if from == name => Some(to),
        _ => None,
    })
}

fn drop_column(table: &str, col: &Column) -> Statement {
    Statement::with_risk(
        format!(
            "ALTER TABLE {} DROP COLUMN {}",
            quote_ident(table),
            quote_ident(&col.name)
        ),
        Risk::Destructive(format!("drops column {table}.{} and its data", col.name)),
    )
}

fn add_column(table: &str, col: &Column) -> Vec<Statement> {
    let mut add = Statement::plain(format!(
        "ALTER TABLE {} ADD COLUMN {}",
        quote_ident(table),
        column_def(col)
    ));
    if col.not_null && col.default.is_none() && col.postgres().identity.is_none() {
        add.risks.push(precount::risk(
            format!(
                "fails if {table} has rows: {} is NOT NULL without a default",
                col.name
            ),
            format!("SELECT count(*) FROM {}", quote_ident(table)),
        ));
    }
    let mut out = vec![add];
    out.extend(column_comment(table, col));
    out
}

/// One column's changed facts, in an order PostgreSQL accepts.
fn modify(table: &str, from: &Column, to: &Column, kind: ChangeKind) -> Vec<Statement> {
    let alter = |what: String| alter_column(table, &to.name, &what);
    let mut out = Vec::new();
    if kind.contains(ChangeKind::GENERATED) {
        if to.generated.is_some() {
            // No ALTER makes a column generated or changes its expression
            // before PostgreSQL 17: the column is made again, its values
            // computed from the row.
            let mut drop = drop_column(table, from);
            if from.generated.is_some() {
                drop.risks.clear();
            }
            out.push(drop);
            out.extend(add_column(table, to));
            return out;
        }
        out.push(alter("DROP EXPRESSION".into()));
    }
    let retype = kind.intersects(ChangeKind::TYPE | ChangeKind::COLLATION);
    let (was, will) = (from.postgres().identity, to.postgres().identity);
    // PostgreSQL refuses an identity on a column that has a default.
    let default_off = (retype || (was.is_none() && will.is_some())) && from.default.is_some();
    if default_off {
        out.push(alter("DROP DEFAULT".into()));
    }
    if retype {
        out.push(retype_column(table, from, to));
        out.extend(retype_serial_sequence(table, from, to));
    }
    if was.is_some() && will.is_none() {
        out.push(alter("DROP IDENTITY".into()));
    }
    if kind.contains(ChangeKind::NULL) {
        if to.not_null {
            let mut s = alter("SET NOT NULL".into());
            s.risks.push(precount::risk(
                format!("fails if {table}.{} has NULLs", to.name),
                precount::nulls(table, &to.name),
            ));
            out.push(s);
        } else {
            out.push(alter("DROP NOT NULL".into()));
        }
    }
    out.extend(identity_changes(table, from, to));
    if kind.contains(ChangeKind::DEFAULT) || default_off {
        match &to.default {
            Some(d) => out.push(alter(format!("SET DEFAULT {d}"))),
            None if !default_off => out.push(alter("DROP DEFAULT".into())),
            None => {}
        }
    }
    if from.postgres().comment != to.postgres().comment {
        out.push(comment_on_column(table, to));
    }
    out
}

/// An identity added (with its sequence settings, the sequence moved past
/// the rows), or a kept one's kind and settings changed.
fn identity_changes(table: &str, from: &Column, to: &Column) -> Vec<Statement> {
    let alter = |what: String| alter_column(table, &to.name, &what);
    let mut out = Vec::new();
    match (from.postgres().identity, to.postgres().identity) {
        (None, Some(id)) => {
            let settings = sequence_settings(&to.postgres().identity_sequence);
            let settings = if settings.is_empty() {
                settings
            } else {
                format!(" ({})", settings.trim_start())
            };
            out.push(alter(format!("ADD {}{settings}", identity(id))));
            // The new sequence starts at 1: past the values the rows hold.
            out.push(Statement::plain(format!(
                "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({}), 0) + 1, false) FROM {}",
                quote_str(&quote_ident(table)),
                quote_str(&to.name),
                quote_ident(&to.name),
                quote_ident(table)
            )));
        }
        (Some(a), Some(b)) => {
            let mut sets = Vec::new();
            if a != b {
                // `SET GENERATED ...` takes no `AS IDENTITY`.
                sets.push(identity(b).trim_end_matches(" AS IDENTITY").to_string());
            }
            sets.extend(sequence_changes(
                &from.postgres().identity_sequence,
                &to.postgres().identity_sequence,
                false,
            ));
            if !sets.is_empty() {
                let sets: Vec<String> = sets.iter().map(|s| format!("SET {s}")).collect();
                out.push(alter(sets.join(" ")));
            }
        }
        _ => {}
    }
    out
}

/// `ALTER TABLE table ALTER COLUMN column what`.
fn alter_column(table: &str, column: &str, what: &str) -> Statement {
    Statement::plain(format!(
        "ALTER TABLE {} ALTER COLUMN {} {what}",
        quote_ident(table),
        quote_ident(column)
    ))
}

fn identity(id: Identity) -> &'static str {
    match id {
        Identity::Always => "GENERATED ALWAYS AS IDENTITY",
        Identity::ByDefault => "GENERATED BY DEFAULT AS IDENTITY",
    }
}

/// `ALTER COLUMN ... TYPE` (with `USING` and its review note where no
/// implicit or assignment cast exists); data-dependent unless the cast is
/// implicit, with the rows it converts as the pre-count.
fn retype_column(table: &str, from: &Column, to: &Column) -> Statement {
    let to_type = serial_storage(&to.decl_type).unwrap_or(&to.decl_type);
    let (mut sql, note) = casts::alter_column_type(table, &to.name, &from.decl_type, to_type);
    if let Some(coll) = &to.collation {
        sql = sql.replacen(
            &format!(" TYPE {to_type}"),
            &format!(" TYPE {to_type} COLLATE {}", quote_ident(coll)),
            1,
        );
    } else if from.collation.is_some() {
        sql = sql.replacen(
            &format!(" TYPE {to_type}"),
            &format!(" TYPE {to_type} COLLATE \"default\""),
            1,
        );
    }
    let mut s = Statement::plain(sql);
    s.comments.extend(note);
    if casts::cast_context(&from.decl_type, &to.decl_type) != Some(CastContext::Implicit) {
        s.risks.push(precount::conversion(
            format!(
                "{table}.{} changes type {} -> {}: values that do not convert fail it",
                to.name, from.decl_type, to.decl_type
            ),
            precount::values(table, &to.name),
        ));
    }
    s
}

/// The integer type a `serial` pseudo-type stores (`serial` is not a
/// type `ALTER COLUMN ... TYPE` accepts: it is an integer column, its
/// sequence and default).
fn serial_storage(decl: &str) -> Option<&'static str> {
    match decl.to_ascii_lowercase().as_str() {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

/// A serial column that becomes another serial keeps its sequence, whose
/// type must follow the column's (its bounds follow: `AS` moves a maximum
/// that was the old type's to the new type's).
fn retype_serial_sequence(table: &str, from: &Column, to: &Column) -> Option<Statement> {
    serial_storage(&from.decl_type)?;
    let to_type = serial_storage(&to.decl_type)?;
    Some(Statement::plain(format!(
        "ALTER SEQUENCE {} AS {to_type}",
        quote_ident(&default_name(table, &to.name, "seq"))
    )))
}

fn column_comment(table: &str, col: &Column) -> Option<Statement> {
    col.postgres()
        .comment
        .is_some()
        .then(|| comment_on_column(table, col))
}

fn comment_on_column(table: &str, col: &Column) -> Statement {
    let text = col
        .postgres()
        .comment
        .map_or_else(|| "NULL".to_string(), |c| quote_str(&c));
    Statement::plain(format!(
        "COMMENT ON COLUMN {}.{} IS {text}",
        quote_ident(table),
        quote_ident(&col.name)
    ))
}

/// The table's comment and UNLOGGED, when they changed.
fn table_options(from: &Table, to: &Table) -> Vec<Statement> {
    let (a, b) = (from.postgres(), to.postgres());
    let t = quote_ident(&to.name);
    let mut out = Vec::new();
    if a.unlogged != b.unlogged {
        let how = if b.unlogged { "UNLOGGED" } else { "LOGGED" };
        out.push(Statement::plain(format!("ALTER TABLE {t} SET {how}")));
    }
    if a.comment != b.comment {
        let text = b
            .comment
            .map_or_else(|| "NULL".to_string(), |c| quote_str(&c));
        out.push(Statement::plain(format!("COMMENT ON TABLE {t} IS {text}")));
    }
    out
}
