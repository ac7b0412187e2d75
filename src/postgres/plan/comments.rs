//! `COMMENT ON` the objects that are not tables or columns (indexes,
//! constraints, views, materialized views, enum types, sequences), planned
//! from the two schemas' comment lists, last, once every object exists.
//!
//! A comment is set when its text changes, and also when the plan makes
//! its object again (a new or changed index, constraint, view or enum type,
//! a view taken down around a retype): a new object has no comment. A lost
//! comment is set to NULL only on an object that stays; a dropped object
//! takes its comment with it. So the down of a dropped commented index
//! brings the comment back.

use std::collections::HashSet;

use crate::plan::Statement;
use crate::schema::{
    Check, CommentOn, ForeignKey, ObjectComment, PrimaryKey, Schema, Table, Unique,
};

use super::super::enums::{self, EnumChange};
use super::super::matview_ddl::{comment_sql, has_object, index_named};

/// The comment statements from `from` to `to`; `remade_views` are the
/// views and materialized views the plan creates.
pub(super) fn statements(
    from: &Schema,
    to: &Schema,
    remade_views: &HashSet<String>,
) -> Vec<Statement> {
    let old = &from.postgres.comments;
    let new = &to.postgres.comments;
    let text_of = |list: &[ObjectComment], on: &CommentOn| {
        list.iter().find(|c| &c.on == on).map(|c| c.text.clone())
    };
    let mut out = Vec::new();
    for c in new {
        if text_of(old, &c.on).as_ref() != Some(&c.text) || remade(from, to, &c.on, remade_views) {
            out.push(comment_sql(&c.on, Some(&c.text)));
        }
    }
    for c in old {
        if text_of(new, &c.on).is_none()
            && still_there(from, to, &c.on)
            && !remade(from, to, &c.on, remade_views)
        {
            out.push(comment_sql(&c.on, None));
        }
    }
    out.into_iter().map(Statement::plain).collect()
}

/// Whether the object `on` of `from` is still there in `to`, to take a
/// `COMMENT ... IS NULL` (a constraint: one of a kind the model has).
fn still_there(from: &Schema, to: &Schema, on: &CommentOn) -> bool {
    match on {
        CommentOn::Constraint(table, name) => {
            let known = |s: &Schema| s.table(table).and_then(|t| constraint(t, name)).is_some();
            known(to) || (!known(from) && has_object(to, on))
        }
        _ => has_object(to, on),
    }
}

/// Whether the plan from `from` to `to` makes the object `on` of `to`
/// (new, or dropped and created again), so it starts without a comment.
fn remade(from: &Schema, to: &Schema, on: &CommentOn, remade_views: &HashSet<String>) -> bool {
    match on {
        CommentOn::Index(name) => {
            let (was, is) = (index_named(from, name), index_named(to, name));
            is.is_some_and(|(owner, _)| remade_views.contains(owner)) || was != is
        }
        CommentOn::Constraint(table, name) => match (from.table(table), to.table(table)) {
            (Some(f), Some(t)) => constraint(t, name)
                .is_some_and(|is| constraint(f, name).is_none_or(|was| was != is)),
            (None, _) => true,
            (Some(_), None) => false,
        },
        CommentOn::View(name) | CommentOn::MaterializedView(name) => remade_views.contains(name),
        CommentOn::Type(name) => {
            let labels = |s: &Schema| {
                s.postgres
                    .enums
                    .iter()
                    .find(|e| &e.name == name)
                    .map(|e| e.labels.clone())
            };
            match (labels(from), labels(to)) {
                (Some(was), Some(is)) => {
                    matches!(enums::plan(&was, &is), EnumChange::Recreate { .. })
                }
                (was, _) => was.is_none(),
            }
        }
        CommentOn::Sequence(name) => !from.postgres.sequences.iter().any(|s| &s.name == name),
    }
}

/// A table's constraint, of any kind the model keeps.
#[derive(PartialEq)]
enum Constraint<'a> {
    PrimaryKey(&'a PrimaryKey),
    Unique(&'a Unique),
    Check(&'a Check),
    ForeignKey(&'a ForeignKey),
}

fn constraint<'a>(t: &'a Table, name: &str) -> Option<Constraint<'a>> {
    let named = |n: &Option<String>| n.as_deref() == Some(name);
    let pk = t.primary_key.as_ref().filter(|k| named(&k.name));
    pk.map(Constraint::PrimaryKey)
        .or_else(|| {
            t.uniques
                .iter()
                .find(|u| named(&u.name))
                .map(Constraint::Unique)
        })
        .or_else(|| {
            t.checks
                .iter()
                .find(|c| named(&c.name))
                .map(Constraint::Check)
        })
        .or_else(|| {
            t.foreign_keys
                .iter()
                .find(|f| named(&f.name))
                .map(Constraint::ForeignKey)
        })
}
