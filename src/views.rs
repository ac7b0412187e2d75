//! The read-only commands that show where things are: `current`, `heads`,
//! `branches`, `history` and `show`. They never write, and never create the
//! database. (Re-exported from [`crate::commands`].)

use std::collections::HashSet;

use crate::commands::{OrBase, load_graph};
use crate::config::Config;
use crate::driver::Applied;
use crate::engine::Database;
use crate::error::{Error, Result};
use crate::graph::{Graph, Target};
use crate::{files, json, out, outln, script};

pub(crate) fn current(config: &Config, json: bool, verbose: bool) -> Result<()> {
    let db = config.target()?;
    let rows = db.read_applied(&config.version_table)?;
    if json {
        return print_current_json(config, &db, &rows);
    }
    for p in db.read_progress(&config.version_table)? {
        crate::noteln!(
            "revision {} is halfway: {} of its {} statements going {} committed before a run stopped \
             (this database has no transactional DDL); the next run that applies it resumes at statement {}",
            p.revision,
            p.done,
            p.total,
            p.direction,
            p.done + 1
        );
    }
    if rows.is_empty() {
        outln!(
            "base (no revision applied{})",
            if db.exists() { "" } else { "; no database yet" }
        )?;
        // After the answer: an error stays the one line on stderr.
        config.where_notes();
        return Ok(());
    }
    let (position, graph) = position(config, &rows, verbose)?;
    for row in &position.current {
        match graph.as_ref().filter(|_| verbose) {
            // As `history --verbose` shows it, with when it was applied.
            Some(graph) => {
                let heads: HashSet<&str> = graph.heads().iter().map(|r| r.id.as_str()).collect();
                if let Some(rev) = graph.get(&row.revision) {
                    print_history_entry(graph, &entry(graph, rev, &heads, true), true)?;
                    outln!("Applied: {}\n", row.applied_at)?;
                }
            }
            None => {
                let mark = if position.pending == 0 { " (head)" } else { "" };
                outln!("{}{mark}  {}", row.revision, row.message)?;
            }
        }
    }
    // One footer for both forms: rows without a file, then what is pending.
    for unknown in &position.unknown {
        outln!("{unknown} (not in the versions directory!)")?;
    }
    if position.pending > 0 {
        outln!(
            "{} revision(s) not applied: `migrate upgrade` (or `migrate history` to see them)",
            position.pending
        )?;
    }
    config.where_notes();
    Ok(())
}

/// Where a database is, as `upgrade` sees it: its current revisions (as
/// version rows), the rows no revision file stands for, and how many
/// revisions are pending.
pub(crate) struct Position {
    pub current: Vec<Applied>,
    pub unknown: Vec<String>,
    pub pending: usize,
}

/// The [`Position`] of the database whose version rows are `rows`: what
/// `current` prints and `Migrator::current` returns (one function, so the
/// two cannot disagree). A database that records revisions needs its
/// migrations to be there. `graph_wanted`: as [`locate`].
pub(crate) fn position(
    config: &Config,
    rows: &[Applied],
    graph_wanted: bool,
) -> Result<(Position, Option<Graph>)> {
    if !rows.is_empty() {
        config.require_migrations_dir()?;
    }
    locate(config, rows, graph_wanted)
}

/// The database's [`Position`], with the graph when one was read. The
/// version table and the file names answer alone (no file parsed) when
/// every file is applied and every row has its file; otherwise a squash may
/// stand in for the ids it replaced, and only the graph ([`load_graph`],
/// as `upgrade` reads it) says which. `--verbose` always wants the graph.
fn locate(
    config: &Config,
    rows: &[Applied],
    graph_wanted: bool,
) -> Result<(Position, Option<Graph>)> {
    let on_disk = config.revision_ids()?;
    let pending = pending(rows, &on_disk);
    let unknown: Vec<String> = rows
        .iter()
        .filter(|a| !on_disk.contains(&a.revision))
        .map(|a| a.revision.clone())
        .collect();
    if !graph_wanted && pending == 0 && unknown.is_empty() {
        let current = tips(rows).cloned().collect();
        return Ok((
            Position {
                current,
                unknown,
                pending,
            },
            None,
        ));
    }
    let graph = load_graph(config)?;
    // A pruned id counts as its squash, as `upgrade` counts it.
    let applied = graph.applied_set(rows.iter().map(|a| a.revision.clone()));
    let unknown: Vec<String> = rows
        .iter()
        .filter(|a| graph.get(&a.revision).is_none() && graph.replaced_by(&a.revision).is_none())
        .map(|a| a.revision.clone())
        .collect();
    // A row without a file is still where the table says it is.
    let lost_tips = tips(rows)
        .filter(|a| unknown.contains(&a.revision))
        .cloned();
    let position = Position {
        current: graph
            .current_heads(&applied)
            .iter()
            .filter_map(|id| row_of(&graph, rows, id))
            .chain(lost_tips)
            .collect(),
        unknown,
        pending: graph
            .in_order()
            .filter(|r| !applied.contains(&r.id))
            .count(),
    };
    Ok((position, Some(graph)))
}

/// The version row of current revision `id`. A squash that stands for
/// pruned ids has no row of its own: it is shown from its file, applied
/// when the last of those rows was.
fn row_of(graph: &Graph, rows: &[Applied], id: &str) -> Option<Applied> {
    if let Some(row) = rows.iter().find(|a| a.revision == id) {
        return Some(row.clone());
    }
    let rev = graph.get(id)?;
    let applied_at = rows
        .iter()
        .filter(|a| graph.replaced_by(&a.revision) == Some(id))
        .map(|a| a.applied_at.clone())
        .max()?;
    Some(Applied {
        revision: rev.id.clone(),
        checksum: rev.checksum().to_string(),
        applied_at,
        parents: rev.parents.clone(),
        message: rev.message.clone(),
    })
}

fn entry<'g>(
    graph: &Graph,
    rev: &'g script::Revision,
    heads: &HashSet<&str>,
    current: bool,
) -> json::HistoryEntry<'g> {
    json::HistoryEntry {
        head: heads.contains(rev.id.as_str()),
        current,
        branchpoint: graph.children(&rev.id).len() > 1,
        mergepoint: rev.parents.len() > 1,
        revision: rev.into(),
    }
}

/// The applied revisions no other applied revision builds on.
pub(crate) fn tips(rows: &[Applied]) -> impl Iterator<Item = &Applied> {
    let parents: HashSet<&str> = rows
        .iter()
        .flat_map(|a| a.parents.iter().map(String::as_str))
        .collect();
    rows.iter()
        .filter(move |a| !parents.contains(a.revision.as_str()))
}

/// How many revision files are not applied.
fn pending(rows: &[Applied], on_disk: &HashSet<String>) -> usize {
    let applied: HashSet<&str> = rows.iter().map(|a| a.revision.as_str()).collect();
    on_disk
        .iter()
        .filter(|id| !applied.contains(id.as_str()))
        .count()
}

/// `current --format json`: at base too it counts the pending files (when
/// the versions directory exists), since a program asks "is it up to date?".
fn print_current_json(config: &Config, db: &Database, rows: &[Applied]) -> Result<()> {
    let (position, _) = position(config, rows, false)?;
    json::print(&json::CurrentReport {
        database: db.display(),
        exists: db.exists(),
        current: position.current.iter().map(Into::into).collect(),
        pending: position.pending,
        unknown: position.unknown.iter().map(String::as_str).collect(),
    })
}

pub(crate) fn heads(config: &Config, json: bool, verbose: bool) -> Result<()> {
    let graph = load_graph(config)?;
    if json {
        let heads: Vec<json::RevisionInfo> = graph.heads().into_iter().map(Into::into).collect();
        return json::print(&json::HeadsReport { heads });
    }
    let ids: HashSet<&str> = graph.heads().iter().map(|r| r.id.as_str()).collect();
    for h in graph.heads() {
        if verbose {
            print_history_entry(&graph, &entry(&graph, h, &ids, false), true)?;
        } else {
            outln!("{}{} (head)  {}", h.id, labels(&graph, &h.id), h.message)?;
        }
    }
    Ok(())
}

/// ` (NAME, ...)`: the branch labels a revision carries, as Alembic prints them.
fn labels(graph: &Graph, id: &str) -> String {
    match graph.labels_of(id).as_slice() {
        [] => String::new(),
        names => format!(" ({})", names.join(", ")),
    }
}

pub(crate) fn branches(config: &Config) -> Result<()> {
    let graph = load_graph(config)?;
    for b in graph.branch_points() {
        outln!(
            "{}{} (branchpoint)  {}",
            b.id,
            labels(&graph, &b.id),
            b.message
        )?;
        for c in graph.children(&b.id) {
            outln!("  -> {}{}  {}", c.id, labels(&graph, &c.id), c.message)?;
        }
    }
    // Labelled branches, branch point or not (a new root has none).
    for label in graph.label_names() {
        let heads: Vec<&str> = graph
            .branch_heads(label)?
            .iter()
            .map(|h| h.id.as_str())
            .collect();
        outln!("branch {label}: head {}", heads.join(", "))?;
    }
    Ok(())
}

pub(crate) fn history(
    config: &Config,
    range: Option<&str>,
    verbose: bool,
    json: bool,
) -> Result<()> {
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
    let revisions: Vec<json::HistoryEntry> = graph
        .in_order()
        .rev()
        .filter(|rev| {
            keep_below.as_ref().is_none_or(|k| k.contains(&rev.id))
                && keep_above.as_ref().is_none_or(|k| k.contains(&rev.id))
        })
        .map(|rev| entry(&graph, rev, &heads, current.contains(rev.id.as_str())))
        .collect();
    if json {
        return json::print(&json::HistoryReport { revisions });
    }
    for entry in &revisions {
        print_history_entry(&graph, entry, verbose)?;
    }
    Ok(())
}

fn print_history_entry(graph: &Graph, entry: &json::HistoryEntry, verbose: bool) -> Result<()> {
    let mut marks = labels(graph, entry.revision.revision);
    for (set, mark) in [
        (entry.head, " (head)"),
        (entry.current, " (current)"),
        (entry.branchpoint, " (branchpoint)"),
        (entry.mergepoint, " (mergepoint)"),
    ] {
        if set {
            marks.push_str(mark);
        }
    }
    let rev = &entry.revision;
    let parents = rev.parents.join(", ");
    if verbose {
        outln!("Revision: {}{marks}", rev.revision)?;
        outln!("Parent: {}", parents.as_str().or_base())?;
        let labels = graph.labels_of(rev.revision);
        if !labels.is_empty() {
            outln!("Branch names: {}", labels.join(", "))?;
        }
        let depends: Vec<&str> = graph
            .dependencies(rev.revision)
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        if !depends.is_empty() {
            outln!("Depends on: {}", depends.join(", "))?;
        }
        outln!("Path: {}", rev.path)?;
        outln!("Created: {}", rev.created)?;
        outln!("\n    {}\n", rev.message)?;
    } else {
        outln!(
            "{} -> {}{marks}, {}",
            parents.as_str().or_base(),
            rev.revision,
            rev.message
        )?;
    }
    Ok(())
}

/// The database's heads for marking `(current)`, or none when there is no database.
fn current_for_history(config: &Config, graph: &Graph) -> Result<Vec<String>> {
    let Some(db) = config.target_if_set() else {
        return Ok(vec![]);
    };
    let rows = db.read_applied(&config.version_table)?;
    // A pruned id counts as its squash, as `upgrade` counts it.
    Ok(graph.current_heads(&graph.applied_set(rows.into_iter().map(|a| a.revision))))
}

/// `show REV`; `show head`, `show heads` and `show NAME@head` print the
/// files of the revisions they name, one after another.
pub(crate) fn show(config: &Config, spec: &str) -> Result<()> {
    let graph = load_graph(config)?;
    let ids = if spec.contains('@') || crate::graph::is_reserved(spec) {
        match graph.resolve(spec, &[])? {
            Target::Base => {
                return Err(Error::Usage(format!(
                    "`show {spec}`: base is before every revision; there is no file to show"
                )));
            }
            Target::Revisions(ids) => ids,
        }
    } else {
        vec![graph.resolve_id(spec)?.id.clone()]
    };
    for (i, id) in ids.iter().enumerate() {
        let rev = graph
            .get(id)
            .ok_or_else(|| Error::Revision(format!("no revision {id}")))?;
        if i > 0 {
            outln!()?;
        }
        out!("{}", files::read_text(&rev.path)?)?;
    }
    Ok(())
}
