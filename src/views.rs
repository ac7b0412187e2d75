//! The read-only commands that show where things are: `current`, `heads`,
//! `branches`, `history` and `show`. They never write, and never create the
//! database. (Re-exported from [`crate::commands`].)

use std::collections::HashSet;

use crate::apply;
use crate::commands::{OrBase, load_graph};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::graph::{Graph, Target};
use crate::{files, out, outln, script};

pub fn current(config: &Config) -> Result<()> {
    let db = config.database()?;
    let rows = apply::read_applied_at(db, &config.version_table)?;
    if rows.is_empty() {
        outln!(
            "base (no revision applied{})",
            if db.exists() { "" } else { "; no database yet" }
        )?;
        // After the answer: an error stays the one line on stderr.
        config.where_notes();
        return Ok(());
    }
    config.require_migrations_dir()?;
    // From the version table alone: parsing every revision file is work
    // `current` does not need. The directory listing says what is pending.
    let applied: HashSet<&str> = rows.iter().map(|a| a.revision.as_str()).collect();
    let parents: HashSet<&str> = rows
        .iter()
        .flat_map(|a| a.parents.iter().map(String::as_str))
        .collect();
    let on_disk = script::revision_ids(&config.versions_dir())?;
    let pending = on_disk
        .iter()
        .filter(|id| !applied.contains(id.as_str()))
        .count();
    for row in rows
        .iter()
        .filter(|a| !parents.contains(a.revision.as_str()))
    {
        let mark = if pending == 0 { " (head)" } else { "" };
        outln!("{}{mark}  {}", row.revision, row.message)?;
    }
    for unknown in rows.iter().filter(|a| !on_disk.contains(&a.revision)) {
        outln!("{} (not in the versions directory!)", unknown.revision)?;
    }
    if pending > 0 {
        outln!(
            "{pending} revision(s) not applied: `migrate upgrade` (or `migrate history` to see them)"
        )?;
    }
    config.where_notes();
    Ok(())
}

pub fn heads(config: &Config) -> Result<()> {
    let graph = load_graph(config)?;
    for h in graph.heads() {
        outln!("{} (head)  {}", h.id, h.message)?;
    }
    Ok(())
}

pub fn branches(config: &Config) -> Result<()> {
    let graph = load_graph(config)?;
    for b in graph.branch_points() {
        outln!("{} (branchpoint)  {}", b.id, b.message)?;
        for c in graph.children(&b.id) {
            outln!("  -> {}  {}", c.id, c.message)?;
        }
    }
    Ok(())
}

pub fn history(config: &Config, range: Option<&str>, verbose: bool) -> Result<()> {
    let graph = load_graph(config)?;
    let (lower, upper) = match range {
        Some(r) => {
            let (a, b) = r.split_once(':').ok_or_else(|| {
                Error::Usage(format!(
                    "-r {r:?}: write a range as FROM:TO, e.g. base:head, ab12:, :cd34"
                ))
            })?;
            (
                Some(a).filter(|s| !s.is_empty()),
                Some(b).filter(|s| !s.is_empty()),
            )
        }
        None => (None, None),
    };
    let current = current_for_history(config, &graph)?;
    let keep_below: Option<HashSet<String>> = match upper {
        None => None,
        Some(spec) => match graph.resolve(spec, &current)? {
            Target::Base => Some(HashSet::new()),
            Target::Revisions(ids) => {
                Some(graph.ancestors_inclusive(ids.iter().map(String::as_str)))
            }
        },
    };
    let keep_above: Option<HashSet<String>> = match lower {
        None => None,
        Some(spec) => match graph.resolve(spec, &current)? {
            Target::Base => None,
            Target::Revisions(ids) => Some(
                ids.iter()
                    .flat_map(|id| graph.descendants_inclusive(id))
                    .collect(),
            ),
        },
    };
    let heads: HashSet<&str> = graph.heads().iter().map(|r| r.id.as_str()).collect();
    let current: HashSet<&str> = current.iter().map(String::as_str).collect();
    for rev in graph.in_order().rev() {
        if keep_below.as_ref().is_some_and(|k| !k.contains(&rev.id))
            || keep_above.as_ref().is_some_and(|k| !k.contains(&rev.id))
        {
            continue;
        }
        let mut marks = String::new();
        if heads.contains(rev.id.as_str()) {
            marks.push_str(" (head)");
        }
        if current.contains(rev.id.as_str()) {
            marks.push_str(" (current)");
        }
        if graph.children(&rev.id).len() > 1 {
            marks.push_str(" (branchpoint)");
        }
        if rev.parents.len() > 1 {
            marks.push_str(" (mergepoint)");
        }
        let parents = rev.parents.join(", ");
        if verbose {
            outln!("Revision: {}{marks}", rev.id)?;
            outln!("Parent: {}", parents.as_str().or_base())?;
            outln!("Path: {}", rev.path.display())?;
            outln!("Created: {}", rev.created)?;
            outln!("\n    {}\n", rev.message)?;
        } else {
            outln!(
                "{} -> {}{marks}, {}",
                parents.as_str().or_base(),
                rev.id,
                rev.message
            )?;
        }
    }
    Ok(())
}

/// The database's heads for marking `(current)`, or none when there is no database.
fn current_for_history(config: &Config, graph: &Graph) -> Result<Vec<String>> {
    let Some(db) = config.database.as_deref() else {
        return Ok(vec![]);
    };
    let rows = apply::read_applied_at(db, &config.version_table)?;
    Ok(graph.current_heads(&rows.into_iter().map(|a| a.revision).collect()))
}

pub fn show(config: &Config, spec: &str) -> Result<()> {
    let graph = load_graph(config)?;
    let rev = graph.resolve_id(spec)?;
    let text = files::read_text(&rev.path)?;
    out!("{text}")?;
    Ok(())
}
