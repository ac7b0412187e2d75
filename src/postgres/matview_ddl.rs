//! DDL for what PostgreSQL has beside tables and plain views that both
//! [`super::ddl::create_schema`] and the planner write: materialized views
//! (ordered with the plain views, as one list: either may select from the
//! other; [`super::ddl::create_view`] adds their indexes), and `COMMENT ON`
//! the objects that are not tables or columns, and which object a comment
//! names (an index of a schema but the first: `schema.index`).

use super::names::{qualify, quote_ident, quote_one, quote_str, split_qualified};
use crate::schema::{CommentOn, Index, MaterializedView, Schema, View};

/// The views and the materialized views of `s`, as one list of views (a
/// materialized view's text is its `CREATE MATERIALIZED VIEW`).
pub(crate) fn all_views(s: &Schema) -> Vec<View> {
    let mut out = s.views.clone();
    out.extend(s.postgres.matviews.iter().map(|m| m.view.clone()));
    out
}

/// The materialized view `name` of `s`, if it is one.
pub(crate) fn matview<'a>(s: &'a Schema, name: &str) -> Option<&'a MaterializedView> {
    s.postgres.matviews.iter().find(|m| m.view.name == name)
}

/// `COMMENT ON ... IS 'text'`, or `IS NULL`.
pub(crate) fn comment_sql(on: &CommentOn, text: Option<&str>) -> String {
    let target = match on {
        CommentOn::Index(name) => format!("INDEX {}", quote_ident(name)),
        CommentOn::Constraint(table, name) => {
            format!("CONSTRAINT {} ON {}", quote_one(name), quote_ident(table))
        }
        CommentOn::View(name) => format!("VIEW {}", quote_ident(name)),
        CommentOn::MaterializedView(name) => format!("MATERIALIZED VIEW {}", quote_ident(name)),
        CommentOn::Type(name) => format!("TYPE {}", quote_ident(name)),
        CommentOn::Sequence(name) => format!("SEQUENCE {}", quote_ident(name)),
    };
    let text = text.map_or_else(|| "NULL".to_string(), quote_str);
    format!("COMMENT ON {target} IS {text}")
}

/// Whether `s` has the object `on` names (a constraint: its table, since
/// not every kind of constraint is in the model).
pub(crate) fn has_object(s: &Schema, on: &CommentOn) -> bool {
    let pg = &s.postgres;
    match on {
        CommentOn::Index(name) => index_named(s, name).is_some(),
        CommentOn::Constraint(table, _) => s.table(table).is_some(),
        CommentOn::View(name) => s.views.iter().any(|v| &v.name == name),
        CommentOn::MaterializedView(name) => matview(s, name).is_some(),
        CommentOn::Type(name) => pg.enums.iter().any(|e| &e.name == name),
        CommentOn::Sequence(name) => pg.sequences.iter().any(|q| &q.name == name),
    }
}

/// The name a comment gives index `index` of the table or materialized
/// view `owner`: bare in the first schema, `schema.index` in another (an
/// index is in its table's schema), as the inspector reads it
/// (`inspect/comments.sql`), so that `COMMENT ON INDEX` names the right one.
pub(crate) fn index_name(owner: &str, index: &str) -> String {
    match split_qualified(owner) {
        Some((schema, _)) => qualify(&schema, index),
        None => index.to_string(),
    }
}

/// The index of `s` a comment names `name` ([`index_name`]), and the
/// table or materialized view it is on.
pub(crate) fn index_named<'a>(s: &'a Schema, name: &str) -> Option<(&'a String, &'a Index)> {
    let on_tables = s.tables.iter().find_map(|t| {
        let i = t
            .indexes
            .iter()
            .find(|i| index_name(&t.name, &i.name) == name)?;
        Some((&t.name, i))
    });
    on_tables.or_else(|| {
        s.postgres.matviews.iter().find_map(|m| {
            let owner = &m.view.name;
            let i = m
                .indexes
                .iter()
                .find(|i| index_name(owner, &i.name) == name)?;
            Some((owner, i))
        })
    })
}
