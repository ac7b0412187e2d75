//! [`Change`]s to PostgreSQL statements, up and down, in ALTER form: no
//! table is ever rebuilt (PostgreSQL alters columns, keys and types in
//! place, inside the revision's transaction).
//!
//! The order is the plan: views in the way down (the ones the changes drop,
//! and the ones over a column whose type changes: `ALTER COLUMN TYPE`
//! refuses while a view depends on it), dropped triggers;
//! extensions, enum types and sequences (`plan/types.rs`, from the schemas,
//! since the diff does not list them); table renames; foreign keys
//! dropped, then indexes (a foreign key may use a unique one) and tables
//! (children first), then the other lost constraints; new tables (parents
//! first);
//! (exclusion constraints dropped and added around the columns,
//! `plan/exclusion.rs`);
//! column changes (`plan/columns.rs`); new keys and checks, indexes, then
//! foreign keys (`plan/constraints.rs`); then the types and extensions nobody uses; views and triggers back.
//! The down is the plan of the reversed changes between the swapped
//! schemas, so it returns exactly to the start. Every step rows could fail
//! carries a data-dependent [`crate::risk::Risk`] with its pre-count query
//! (`plan/precount.rs`).

use std::collections::HashSet;

use crate::diff::{Change, ChangeKind, ColumnChange, added_tables, dropped_tables};
use crate::plan::{Migration, ModifiedTable, Statement, parents_first, serving};
use crate::risk::Risk;
use crate::schema::{NameRule, Schema, Table, View};

use super::ddl::{self, add_foreign_key, comments, create_index, create_table, mentions};
use super::matview_ddl;
use super::names::{self, quote_ident};

mod columns;
mod comments;
mod constraints;
mod exclusion;
mod matviews;
pub(crate) mod precount;
mod types;

/// Plans both directions of `changes`, the diff `from` -> `to`.
pub fn migration_of(from: &Schema, to: &Schema, changes: Vec<Change>) -> Migration {
    Migration::both_ways(NameRule::Exact, from, to, changes, plan)
}

/// The statements that take a database from `from` to `to` through `changes`.
// Long: the order of its steps is the plan; each step is a few lines.
pub(crate) fn plan(from: &Schema, to: &Schema, changes: &[Change]) -> Vec<Statement> {
    let mut out = Vec::new();
    let taken_down = views_taken_down(from, to, changes);
    let from_views = matview_ddl::all_views(from);
    for v in ddl::views_in_dependency_order(&from_views)
        .into_iter()
        .rev()
    {
        if taken_down.contains(&v.name) {
            let drop = Statement::plain(matviews::drop_sql(from, &v.name));
            out.extend(serving_one(
                changes,
                drop,
                |c| matches!(c, Change::DropView(d) if d.name == v.name),
            ));
        }
    }
    for c in changes {
        if let Change::DropTrigger(t) = c {
            out.extend(serving(
                c,
                [Statement::plain(format!(
                    "DROP TRIGGER {} ON {}",
                    quote_ident(&t.name),
                    quote_ident(&t.table)
                ))],
            ));
        }
    }
    out.extend(types::creates(from, to));
    for c in changes {
        if let Change::RenameTable { from, to } = c {
            let sql = format!(
                "ALTER TABLE {} RENAME TO {}",
                quote_ident(from),
                // The new name takes no schema: the table stays in its own.
                quote_ident(&names::local_name(to))
            );
            out.extend(serving(c, [Statement::plain(sql)]));
        }
    }
    let modified: Vec<(&Change, ModifiedTable)> = changes
        .iter()
        .filter_map(|c| Some((c, ModifiedTable::of(c)?)))
        .collect();
    for (c, m) in &modified {
        out.extend(serving(
            c,
            constraints::drop_foreign_keys(m.to, m.constraints),
        ));
    }
    // After the foreign keys: a unique index may be what one of them uses.
    for c in changes {
        if let Change::DropIndex { table, index } = c {
            // An index is in its table's schema.
            let sql = format!("DROP INDEX {}", names::in_schema_of(table, &index.name));
            out.extend(serving(c, [Statement::plain(sql)]));
        }
    }
    // Tables go once no kept table's key points at them, and before the
    // keys their own foreign keys use are dropped.
    for t in parents_first(&dropped_tables(changes)).into_iter().rev() {
        let drop = Statement::with_risk(
            format!("DROP TABLE {}", quote_ident(&t.name)),
            Risk::Destructive(format!("drops table {} and every row in it", t.name)),
        );
        out.extend(serving(&Change::DropTable(t.clone()), [drop]));
    }
    for (c, m) in &modified {
        let drops = constraints::drop_others(m.from, m.to, m.kind, m.constraints);
        out.extend(serving(c, drops));
        out.extend(serving(c, exclusion::drops(m.from, m.to)));
    }
    let added = parents_first(&added_tables(changes));
    for t in &added {
        let made = std::iter::once(create_table(t)).chain(comments(t));
        out.extend(serving(
            &Change::AddTable((*t).clone()),
            made.map(Statement::plain),
        ));
    }
    for (c, m) in &modified {
        out.extend(serving(c, columns::alter(m.from, m.to, m.columns)));
    }
    for (c, m) in &modified {
        out.extend(serving(
            c,
            constraints::add_others(m.from, m.to, m.kind, m.constraints),
        ));
        out.extend(serving(c, exclusion::adds(m.from, m.to)));
    }
    for t in &added {
        out.extend(serving(&Change::AddTable((*t).clone()), later_parts(t)));
    }
    for c in changes {
        if let Change::AddIndex { table, index } = c {
            let mut s = Statement::plain(create_index(table, index));
            if index.unique {
                s.risks.push(unique_index_risk(table, index));
            }
            out.extend(serving(c, [s]));
        }
    }
    for t in &added {
        let fks = t
            .foreign_keys
            .iter()
            .map(|fk| Statement::plain(add_foreign_key(&t.name, fk)));
        out.extend(serving(&Change::AddTable((*t).clone()), fks));
    }
    for (c, m) in &modified {
        out.extend(serving(
            c,
            constraints::add_foreign_keys(m.to, m.constraints, to),
        ));
    }
    out.extend(types::owners(from, to));
    out.extend(types::drops(from, to));
    // Views and materialized views made: new ones, and the ones taken down.
    let mut made_views: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddView(v) => Some(v.name.clone()),
            _ => None,
        })
        .collect();
    made_views.extend(matviews::added(from, to));
    made_views.extend(taken_down.iter().cloned());
    let to_views = matview_ddl::all_views(to);
    for v in ddl::views_in_dependency_order(&to_views) {
        if made_views.contains(&v.name) {
            // A view taken down around a retype serves no change.
            let source = changes
                .iter()
                .find(|c| matches!(c, Change::AddView(a) if a.name == v.name));
            out.extend(ddl::create_view(to, v).into_iter().map(|sql| {
                let mut s = Statement::plain(sql);
                s.source = source.cloned();
                s
            }));
        }
    }
    out.extend(matviews::index_changes(from, to, &made_views));
    for c in changes {
        if let Change::AddTrigger(t) = c {
            out.extend(serving(c, [Statement::plain(t.sql.clone())]));
        }
    }
    out.extend(comments::statements(from, to, &made_views));
    out
}

/// What a new table needs once it exists, beside its foreign keys: the
/// UNIQUEs `CREATE TABLE` would merge, `NOT VALID` checks, indexes,
/// exclusion constraints.
fn later_parts(t: &Table) -> Vec<Statement> {
    let table = quote_ident(&t.name);
    let mut out = Vec::new();
    for u in ddl::repeated_uniques(t) {
        out.push(format!(
            "ALTER TABLE {table} ADD {}UNIQUE ({})",
            u.name
                .as_ref()
                .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
                .unwrap_or_default(),
            ddl::ident_list(&u.columns)
        ));
    }
    for c in t.checks.iter().filter(|c| c.not_valid) {
        out.push(format!(
            "ALTER TABLE {table} ADD {}CHECK ({}) NOT VALID",
            c.name
                .as_ref()
                .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
                .unwrap_or_default(),
            c.expr
        ));
    }
    out.extend(t.indexes.iter().map(|i| create_index(&t.name, i)));
    let mut out: Vec<Statement> = out.into_iter().map(Statement::plain).collect();
    out.extend(exclusion::all(t));
    out
}

fn unique_index_risk(table: &str, index: &crate::schema::Index) -> Risk {
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| match &p.target {
            crate::schema::IndexTarget::Column(c) => quote_ident(c),
            crate::schema::IndexTarget::Expr(e) => format!("({e})"),
        })
        .collect();
    precount::risk(
        format!(
            "fails if {table} has duplicate values for unique index {}",
            index.name
        ),
        precount::duplicates(table, &parts),
    )
}

/// The views of `from` to drop before the changes: the ones the changes
/// drop, the ones over a table whose column types change (by an ALTER or
/// an enum type recreated) or that is dropped (a view of the same name
/// may replace it, so a view over it is kept in `to`), and every view
/// over one of those.
fn views_taken_down(from: &Schema, to: &Schema, changes: &[Change]) -> HashSet<String> {
    let mut retyped: Vec<String> = types::recreated_type_tables(from, to);
    for c in changes {
        if let Change::DropTable(t) = c {
            retyped.push(t.name.clone());
        }
        if let Some(m) = ModifiedTable::of(c)
            && m.columns.iter().any(|cc| {
                matches!(cc, ColumnChange::Modify { kind, .. }
                    if kind.intersects(ChangeKind::TYPE | ChangeKind::COLLATION))
            })
        {
            retyped.push(m.from.name.clone());
        }
    }
    let mut down: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView(v) => Some(v.name.clone()),
            _ => None,
        })
        .collect();
    down.extend(matviews::changed(from, to));
    let from_views = matview_ddl::all_views(from);
    loop {
        let over = |v: &&View| {
            !down.contains(&v.name)
                && (retyped.iter().any(|t| mentions(&v.sql, t))
                    || down.iter().any(|d| mentions(&v.sql, d)))
        };
        let more: Vec<String> = from_views
            .iter()
            .filter(over)
            .map(|v| v.name.clone())
            .collect();
        if more.is_empty() {
            return down;
        }
        down.extend(more);
    }
}

/// `statement` serving the change `is_it` finds, if there is one (a view
/// taken down around a retype serves none).
fn serving_one(
    changes: &[Change],
    mut statement: Statement,
    is_it: impl Fn(&Change) -> bool,
) -> [Statement; 1] {
    statement.source = changes.iter().find(|c| is_it(c)).cloned();
    [statement]
}
