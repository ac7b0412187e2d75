//! Comments on objects other than tables and columns (indexes,
//! constraints, views, materialized views, enum types, sequences), read
//! from `pg_description` (`comments.sql`) and kept in the schema when the
//! schema holds the object. Comments on functions, domains and triggers
//! are not read: the schema has none of those objects.

use postgres::GenericClient;

use crate::postgres::matview_ddl::has_object;
use crate::schema::{CommentOn, ObjectComment, Schema};

const COMMENTS: &str = include_str!("comments.sql");

/// One row: (kind, table, name, text).
pub(super) type CommentRow = (String, Option<String>, String, String);

/// The comments of `schemas`' objects, as rows.
pub(super) fn read(
    client: &mut impl GenericClient,
    schemas: &[String],
) -> Result<Vec<CommentRow>, postgres::Error> {
    Ok(client
        .query(COMMENTS, &[&schemas])?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect())
}

/// Adds to `schema` the comments of `rows` on objects it holds (the
/// tool's own tables' are not, nor the index behind a key: that index is
/// the constraint here).
pub(super) fn add(schema: &mut Schema, rows: Vec<CommentRow>) {
    let mut comments: Vec<ObjectComment> = rows
        .into_iter()
        .filter_map(|(kind, table, name, text)| {
            let on = match (kind.as_str(), table) {
                ("index", _) => CommentOn::Index(name),
                ("constraint", Some(table)) => CommentOn::Constraint(table, name),
                ("view", _) => CommentOn::View(name),
                ("matview", _) => CommentOn::MaterializedView(name),
                ("type", _) => CommentOn::Type(name),
                ("sequence", _) => CommentOn::Sequence(name),
                _ => return None,
            };
            has_object(schema, &on).then_some(ObjectComment { on, text })
        })
        .collect();
    comments.sort();
    schema.postgres.comments = comments;
}
