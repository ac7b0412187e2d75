//! `migrate verify`: prove on a scratch database that every revision reverses
//! exactly. For each revision, base to head: up, down, up; the down must give
//! back the schema from before the up, and the second up the schema of the
//! first. `--data` does the same on a copy of the configured database
//! (never the database itself: SQLite's in memory, PostgreSQL's a scratch
//! database filled by `pg_dump | pg_restore`) for the revisions it has not
//! applied yet, and counts the rows each step loses per table.

use std::collections::{BTreeMap, HashSet};

use crate::apply::{self, Direction};
use crate::check;
use crate::engine::{Dev, Engine};
use crate::error::Result;
use crate::filter::Filter;
use crate::graph::Graph;
use crate::schema::{RenameHints, Schema};
use crate::scratch::Scratch;
use crate::script::Revision;

/// The outcome of one revision's round trip.
#[derive(Debug, Clone)]
pub(crate) struct RoundTrip {
    pub revision: String,
    pub message: String,
    /// `None` when the revision reverses exactly; otherwise what went wrong.
    pub failure: Option<String>,
    /// Rows lost by up, then down, per table (only with data).
    pub rows_lost: Vec<(String, i64)>,
}

fn run(
    scratch: &mut dyn Scratch,
    rev: &Revision,
    direction: Direction,
) -> std::result::Result<(), String> {
    // As upgrade runs it: what a rebuild does not know about is carried.
    let section = rev.section(direction);
    scratch
        .replay(section)
        .map_err(|e| match (e.statement, e.line) {
            (Some(i), Some(line)) => format!(
                "{} statement {} (line {line}) failed: {}",
                direction.as_str(),
                i + 1,
                e.message
            ),
            _ => format!("{} {}", direction.as_str(), e.message),
        })
}

fn counts(scratch: &dyn Scratch, schema: &Schema) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in &schema.tables {
        let n = scratch.count_rows(&t.name)?;
        out.insert(t.name.to_ascii_lowercase(), n);
    }
    Ok(out)
}

/// The unified diff between what `filter` manages of `a` and of `b`, when
/// they differ: objects migrate does not manage are not its to prove.
fn managed_diff(
    engine: Engine,
    filter: &Filter,
    (a_name, a): (&str, &Schema),
    (b_name, b): (&str, &Schema),
) -> Option<String> {
    let (a, b) = (filter.managed(a), filter.managed(b));
    (!a.same_as(&b))
        .then(|| check::compare(engine, a_name, &a, b_name, &b, &RenameHints::default()).diff)
}

/// Up, down, up for one revision on `scratch`; `own` names the tool's tables.
/// Rows are counted in every table, managed or not: data is never lost quietly.
fn round_trip(
    engine: Engine,
    scratch: &mut dyn Scratch,
    rev: &Revision,
    own: &str,
    filter: &Filter,
    data: bool,
) -> Result<RoundTrip> {
    let mut result = RoundTrip {
        revision: rev.id.clone(),
        message: rev.message.clone(),
        failure: None,
        rows_lost: vec![],
    };
    let start = scratch.inspect(own)?;
    let rows_before = if data {
        counts(scratch, &start)?
    } else {
        BTreeMap::new()
    };
    if let Err(e) = run(scratch, rev, Direction::Up) {
        result.failure = Some(e);
        return Ok(result);
    }
    let after_up = scratch.inspect(own)?;
    let rows_up = if data {
        counts(scratch, &after_up)?
    } else {
        BTreeMap::new()
    };
    if let Err(e) = run(scratch, rev, Direction::Down) {
        result.failure = Some(e);
        return Ok(result);
    }
    let after_down = scratch.inspect(own)?;
    if let Some(diff) = managed_diff(
        engine,
        filter,
        ("before up", &start),
        ("after down", &after_down),
    ) {
        result.failure = Some(format!(
            "down does not restore the schema from before up:\n{diff}"
        ));
        return Ok(result);
    }
    if data {
        let rows_down = counts(scratch, &after_down)?;
        for (table, before) in &rows_before {
            let after = rows_down.get(table).copied().unwrap_or(0);
            let through_up = rows_up.get(table).copied();
            if after < *before {
                result.rows_lost.push((table.clone(), before - after));
            } else if let Some(up) = through_up.filter(|up| up < before) {
                result.rows_lost.push((table.clone(), before - up));
            }
        }
    }
    if let Err(e) = run(scratch, rev, Direction::Up) {
        result.failure = Some(format!("the second up failed: {e}"));
        return Ok(result);
    }
    let again = scratch.inspect(own)?;
    if let Some(diff) = managed_diff(
        engine,
        filter,
        ("first up", &after_up),
        ("second up", &again),
    ) {
        result.failure = Some(format!("up after down gives a different schema:\n{diff}"));
    }
    Ok(result)
}

/// Every revision from base to head on an empty scratch database made on `dev`.
pub(crate) fn verify_empty(
    dev: Dev,
    graph: &Graph,
    own: &str,
    filter: &Filter,
) -> Result<Vec<RoundTrip>> {
    let mut scratch = dev.scratch()?;
    walk(
        dev.engine(),
        scratch.as_mut(),
        graph.in_order(),
        own,
        filter,
        false,
    )
}

/// The revisions the database has not applied yet (or, when it is at head,
/// its current heads), on `copy`, a scratch copy of it with its rows
/// ([`Dev::copy_of`]).
pub(crate) fn verify_data(
    engine: Engine,
    graph: &Graph,
    mut copy: Box<dyn Scratch>,
    own: &str,
    filter: &Filter,
) -> Result<Vec<RoundTrip>> {
    let scratch = copy.as_mut();
    let rows = scratch.applied(own)?;
    apply::verify_applied(graph, &rows)?;
    let applied: HashSet<String> = rows.into_iter().map(|a| a.revision).collect();
    let pending: Vec<&Revision> = graph
        .in_order()
        .filter(|r| !applied.contains(&r.id))
        .collect();
    if !pending.is_empty() {
        return walk(engine, scratch, pending.into_iter(), own, filter, true);
    }
    // At head: take each head down and up again, and see what the data kept.
    let mut out = Vec::new();
    for id in graph.current_heads(&applied) {
        // Current heads come from the graph, so each is found.
        let Some(rev) = graph.get(&id) else { continue };
        let start = scratch.inspect(own)?;
        let before = counts(scratch, &start)?;
        let mut r = RoundTrip {
            revision: rev.id.clone(),
            message: rev.message.clone(),
            failure: None,
            rows_lost: vec![],
        };
        if let Err(e) =
            run(scratch, rev, Direction::Down).and_then(|()| run(scratch, rev, Direction::Up))
        {
            r.failure = Some(e);
        } else {
            let end = scratch.inspect(own)?;
            let (before_down, after) = (("before down", &start), ("after down and up", &end));
            if let Some(diff) = managed_diff(engine, filter, before_down, after) {
                r.failure = Some(format!("down then up does not restore the schema:\n{diff}"));
            }
            let after = counts(scratch, &end)?;
            for (table, n) in &before {
                let left = after.get(table).copied().unwrap_or(0);
                if left < *n {
                    r.rows_lost.push((table.clone(), n - left));
                }
            }
        }
        out.push(r);
    }
    Ok(out)
}

fn walk<'a>(
    engine: Engine,
    scratch: &mut dyn Scratch,
    revisions: impl Iterator<Item = &'a Revision>,
    own: &str,
    filter: &Filter,
    data: bool,
) -> Result<Vec<RoundTrip>> {
    let mut out = Vec::new();
    for rev in revisions {
        let r = round_trip(engine, scratch, rev, own, filter, data)?;
        let failed = r.failure.is_some();
        out.push(r);
        if failed {
            break;
        }
    }
    Ok(out)
}
