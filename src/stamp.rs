//! Setting the version table without running any revision: `stamp` (to a
//! target) and `approve` (an edited applied revision's new checksum). Both
//! write under the same lock as [`crate::apply`], through the [`Driver`] seam.

use std::collections::HashSet;
use std::path::Path;

use crate::driver::Driver;
use crate::driver::RowChange;
use crate::engine::Engine;
use crate::error::Result;
use crate::graph::{Graph, Target};
use crate::script::Revision;

/// Sets the version table to exactly `target` without running any revision.
pub fn stamp(
    engine: Engine,
    path: &Path,
    version_table: &str,
    graph: &Graph,
    target: &Target,
) -> Result<Vec<String>> {
    let mut db = engine.open(path, version_table)?;
    db.begin_locked()?;
    let outcome =
        stamp_locked(db.as_mut(), graph, target).and_then(|stamped| db.commit().map(|()| stamped));
    db.rollback();
    outcome
}

fn stamp_locked<D: Driver + ?Sized>(
    db: &mut D,
    graph: &Graph,
    target: &Target,
) -> Result<Vec<String>> {
    db.ensure_version_table()?;
    let want: HashSet<String> = match target {
        Target::Base => HashSet::new(),
        Target::Revisions(ids) => graph.ancestors_inclusive(ids.iter().map(String::as_str)),
    };
    let have: HashSet<String> = db.applied()?.into_iter().map(|a| a.revision).collect();
    for rev in graph
        .in_order()
        .rev()
        .filter(|r| have.contains(&r.id) && !want.contains(&r.id))
    {
        db.record(RowChange::Delete(&rev.id), "unstamp", None)?;
    }
    // Rows for revisions that no longer exist are dropped too.
    for gone in have.iter().filter(|id| graph.get(id).is_none()) {
        db.record(RowChange::Delete(gone), "unstamp", None)?;
    }
    let mut stamped = Vec::new();
    for rev in graph
        .in_order()
        .filter(|r| want.contains(&r.id) && !have.contains(&r.id))
    {
        db.record(RowChange::Insert(rev), "stamp", None)?;
        stamped.push(rev.id.clone());
    }
    Ok(stamped)
}

/// Accepts the current text of an applied revision as its new checksum.
/// False when the revision is not applied.
pub fn approve(engine: Engine, path: &Path, version_table: &str, rev: &Revision) -> Result<bool> {
    let mut db = engine.open(path, version_table)?;
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
