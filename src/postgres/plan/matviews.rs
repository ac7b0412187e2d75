//! Materialized views in the plan. PostgreSQL has no `ALTER` for a
//! materialized view's query, so a changed one is dropped and created again
//! (with its indexes; its comments come back with the other comments,
//! `plan/comments.rs`). They are ordered with the plain views, as one list:
//! a materialized view may select from a view and the reverse. The indexes
//! of one that is kept are changed in place.

use std::collections::HashSet;

use crate::plan::Statement;
use crate::schema::Schema;

use super::super::ddl::create_index;
use super::super::matview_ddl::matview as find;
use super::super::names::quote_ident;

/// The materialized views of `from` that must go: gone from `to`, or
/// with another query.
pub(super) fn changed(from: &Schema, to: &Schema) -> Vec<String> {
    from.postgres
        .matviews
        .iter()
        .filter(|m| find(to, &m.view.name).is_none_or(|t| t.view != m.view))
        .map(|m| m.view.name.clone())
        .collect()
}

/// The materialized views of `to` that `from` does not have.
pub(super) fn added(from: &Schema, to: &Schema) -> HashSet<String> {
    to.postgres
        .matviews
        .iter()
        .filter(|m| find(from, &m.view.name).is_none())
        .map(|m| m.view.name.clone())
        .collect()
}

/// `DROP VIEW` or `DROP MATERIALIZED VIEW`, as `name` is in `s`.
pub(super) fn drop_sql(s: &Schema, name: &str) -> String {
    let kind = if find(s, name).is_some() {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    format!("DROP {kind} {}", quote_ident(name))
}

/// The index changes of the materialized views both sides keep and the
/// plan does not make again (`remade`): lost and changed ones dropped,
/// then new and changed ones created.
pub(super) fn index_changes(
    from: &Schema,
    to: &Schema,
    remade: &HashSet<String>,
) -> Vec<Statement> {
    let mut drops = Vec::new();
    let mut creates = Vec::new();
    for m in &to.postgres.matviews {
        let Some(was) = find(from, &m.view.name).filter(|_| !remade.contains(&m.view.name)) else {
            continue;
        };
        for i in &was.indexes {
            if !m.indexes.contains(i) {
                drops.push(format!("DROP INDEX {}", quote_ident(&i.name)));
            }
        }
        for i in &m.indexes {
            if !was.indexes.contains(i) {
                creates.push(create_index(&m.view.name, i));
            }
        }
    }
    drops
        .into_iter()
        .chain(creates)
        .map(Statement::plain)
        .collect()
}
