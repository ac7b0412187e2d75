//! DDL for what PostgreSQL has beside tables and plain views that both
//! [`super::ddl::create_schema`] and the planner write: materialized views
//! (ordered with the plain views, as one list: either may select from the
//! other; [`super::ddl::create_view`] adds their indexes), and `COMMENT ON`
//! the objects that are not tables or columns.

use super::names::{quote_ident, quote_one, quote_str};
use crate::schema::{CommentOn, MaterializedView, Schema, View};

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
