//! Setting the version table without running any revision: `stamp` (to a
//! target) and `approve` (an edited applied revision's new checksum). Both
//! write under the same lock as [`crate::apply`], through the [`Driver`] seam.

use std::collections::HashSet;

use crate::dialect::Dialect;
use crate::driver::Driver;
use crate::driver::RowChange;
use crate::engine::Database;
use crate::error::Result;
use crate::graph::{Graph, Target};
use crate::script::Revision;

/// Sets the version table to exactly `target` without running any revision.
#[cfg(all(feature = "cli", feature = "sqlalchemy"))]
pub(crate) fn stamp(
    db: &Database,
    version_table: &str,
    graph: &Graph,
    target: &Target,
) -> Result<Vec<String>> {
    stamp_with(db, version_table, graph, target, false)
}

/// [`stamp`]; `purge` (Alembic's `stamp --purge`) first empties the version
/// table, so every row is written anew (checksums of the files as they are now).
pub(crate) fn stamp_with(
    db: &Database,
    version_table: &str,
    graph: &Graph,
    target: &Target,
    purge: bool,
) -> Result<Vec<String>> {
    let mut db = db.open(version_table)?;
    db.begin_locked()?;
    let outcome = stamp_locked(db.as_mut(), graph, target, purge)
        .and_then(|stamped| db.commit().map(|()| stamped));
    db.rollback();
    outcome
}

fn stamp_locked<D: Driver + ?Sized>(
    db: &mut D,
    graph: &Graph,
    target: &Target,
    purge: bool,
) -> Result<Vec<String>> {
    db.ensure_version_table()?;
    let have: HashSet<String> = db.applied()?.into_iter().map(|a| a.revision).collect();
    let changes = stamp_changes(graph, &have, target, purge);
    let mut stamped = Vec::new();
    for change in changes {
        match change {
            RowChange::Insert(rev) => {
                db.record(change, "stamp", None)?;
                stamped.push(rev.id.clone());
            }
            other => db.record(other, "unstamp", None)?,
        }
    }
    Ok(stamped)
}

/// The version-table rows that take `have` to exactly `target`: deletions
/// (children first), then insertions (parents first).
pub(crate) fn stamp_changes<'g>(
    graph: &'g Graph,
    have: &'g HashSet<String>,
    target: &Target,
    purge: bool,
) -> Vec<RowChange<'g>> {
    let want: HashSet<String> = match target {
        Target::Base => HashSet::new(),
        Target::Revisions(ids) => graph.required_inclusive(ids.iter().map(String::as_str)),
    };
    let keeps = |id: &str| !purge && want.contains(id);
    let mut changes: Vec<RowChange> = graph
        .in_order()
        .rev()
        .filter(|r| have.contains(&r.id) && !keeps(&r.id))
        .map(|r| RowChange::Delete(&r.id))
        .collect();
    // Rows for revisions that no longer exist are dropped too.
    let mut gone: Vec<&String> = have.iter().filter(|id| graph.get(id).is_none()).collect();
    gone.sort();
    changes.extend(gone.into_iter().map(|id| RowChange::Delete(id)));
    changes.extend(
        graph
            .in_order()
            .filter(|r| want.contains(&r.id) && (purge || !have.contains(&r.id)))
            .map(RowChange::Insert),
    );
    changes
}

/// `stamp --sql`: the version-table statements that take `have` to
/// `target` (no revision's SQL). A script knows nothing of the rows there:
/// a purge deletes the row of every revision, then writes the target's anew.
pub(crate) fn stamp_script(
    dialect: &dyn Dialect,
    version_table: &str,
    graph: &Graph,
    have: &HashSet<String>,
    target: &Target,
    purge: bool,
) -> String {
    let all: HashSet<String>;
    let have = match purge {
        true => {
            all = graph.in_order().map(|r| r.id.clone()).collect();
            &all
        }
        false => have,
    };
    let mut text = format!(
        "\n{};\n\nBEGIN;\n",
        dialect.version_table_sql(version_table)
    );
    for change in stamp_changes(graph, have, target, purge) {
        let label = match change {
            RowChange::Insert(_) => "stamp",
            _ => "unstamp",
        };
        text.push_str(&dialect.record_sql(version_table, change, label, None));
        text.push_str(";\n");
    }
    text.push_str("COMMIT;\n");
    text
}

/// Accepts the current text of an applied revision as its new checksum.
/// False when the revision is not applied.
pub(crate) fn approve(db: &Database, version_table: &str, rev: &Revision) -> Result<bool> {
    let mut db = db.open(version_table)?;
    db.begin_locked()?;
    // Every writer upgrades the tables first: rows are written in this
    // build's format only (the upgrade rolls back with a `false`).
    let outcome = db
        .ensure_version_table()
        .and_then(|()| db.applied())
        .and_then(|applied| {
            if !applied.iter().any(|a| a.revision == rev.id) {
                return Ok(false);
            }
            db.record(RowChange::Approve(rev), "approve", None)?;
            db.commit()?;
            Ok(true)
        });
    db.rollback();
    outcome
}
