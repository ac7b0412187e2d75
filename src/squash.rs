//! `migrate squash FROM TO -m MSG` and `migrate squash --prune`: one revision
//! in place of a range (as Django's squashmigrations), and the removal of
//! the replaced files once no database needs them. Which of the two a
//! database then sees is [`crate::replaces`]'s job.
//!
//! The squash's up is the plan from the schema below FROM to TO's schema,
//! both replayed in scratch databases, and its down the plan back; both are
//! replayed again before the file is written, and must land exactly on those
//! schemas. Hand-written data statements (anything but CREATE, DROP, ALTER
//! and the copy statements of a table rebuild) cannot be carried into a plan
//! in order, so the command refuses and names them.

use std::collections::HashSet;

use crate::check;
use crate::commands;
use crate::config::Config;
use crate::dialect::Dialect;
use crate::diff::{self, RenameCandidate};
use crate::error::{Error, Result};
use crate::files::{self, display_rel};
use crate::graph::Graph;
use crate::renames::parse_renames;
use crate::schema::Schema;
use crate::script::{self, NewRevision, Revision};
use crate::sum;
use crate::{noteln, outln};

/// What `migrate squash FROM TO` was given.
pub(crate) struct SquashArgs<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub message: &'a str,
    pub rev_id: Option<&'a str>,
    pub renames: &'a [String],
}

pub(crate) fn squash(config: &Config, args: SquashArgs) -> Result<()> {
    let graph = commands::load_graph(config)?;
    sum::ensure_current(&config.migrations_dir)?;
    let range = range(&graph, args.from, args.to)?;
    refuse_data_statements(&range)?;
    let (from, to) = (range[0], range[range.len() - 1]);
    let dev = config.dev();
    let vt = &config.version_table;
    let below: HashSet<String> = graph.ancestors_inclusive(from.parents.iter().map(String::as_str));
    let before = check::replayed_schema(dev, &graph, &below, vt)?;
    let after = check::replayed_schema(
        dev,
        &graph,
        &graph.ancestors_inclusive([to.id.as_str()]),
        vt,
    )?;
    let renames = parse_renames(args.renames, &before, &after)?;
    let changes = diff::diff(&before, &after, &renames);
    refuse_rename_guesses(&diff::rename_candidates(&changes))?;
    let migration = Dialect::migration_of(config.engine().dialect(), &before, &after, changes);
    let up = crate::autogen::render(&migration.up);
    let down = crate::autogen::render(&migration.down);
    // Proof before anything is written: the up lands on TO's schema, the down back below FROM.
    let mut scratch = check::replay(dev, &graph, &below)?;
    let lands = |scratch: &mut Box<dyn crate::scratch::Scratch>, sql: &str, want: &Schema| {
        scratch.execute(sql)?;
        Ok::<_, Error>(scratch.inspect(vt)?.same_as(want))
    };
    if !lands(&mut scratch, &up, &after)? || !lands(&mut scratch, &down, &before)? {
        return Err(Error::Refused(format!(
            "the plan from below {} to {} does not reproduce the range's schema exactly (a change \
             the planner cannot express); nothing was written",
            from.id, to.id
        )));
    }
    let in_transaction = |ss: &[crate::plan::Statement]| {
        let ss: Vec<&str> = ss.iter().map(|s| s.sql.as_str()).collect();
        config.engine().plan_runs_in_transaction(&ss)
    };
    let path = commands::write_revision(
        config,
        &graph,
        args.rev_id,
        NewRevision {
            id: "",
            parents: &from.parents,
            message: args.message,
            up: &up,
            down: &down,
            transactional: in_transaction(&migration.up) && in_transaction(&migration.down),
        },
    )?;
    let ids: Vec<&str> = range.iter().map(|r| r.id.as_str()).collect();
    add_replaces_header(config, &path, &ids)?;
    outln!(
        "created {} replacing {} revision(s): {}",
        display_rel(&path),
        ids.len(),
        ids.join(", ")
    )?;
    noteln!(
        "a database below {} takes the squash; one in the range or past it keeps the replaced \
         files, which `migrate squash --prune` removes once no database needs them",
        from.id
    );
    Ok(())
}

/// FROM..TO in graph order (TO last), refused unless it is a closed piece of
/// the graph: entered only through FROM, left only through TO.
fn range<'g>(graph: &'g Graph, from: &str, to: &str) -> Result<Vec<&'g Revision>> {
    let from = graph.resolve_id(from)?;
    let to = graph.resolve_id(to)?;
    let inside: HashSet<String> = graph
        .descendants_inclusive(&from.id)
        .intersection(&graph.ancestors_inclusive([to.id.as_str()]))
        .cloned()
        .collect();
    if !inside.contains(&to.id) {
        return Err(Error::Usage(format!(
            "squash {} {}: {} is not below {} (FROM comes first: `migrate history` lists them \
             newest first)",
            from.id, to.id, from.id, to.id
        )));
    }
    if from.id == to.id {
        return Err(Error::Usage(format!(
            "squash {0} {0}: a range of one revision; name the first and the last of several",
            from.id
        )));
    }
    let range: Vec<&Revision> = graph
        .in_order()
        .filter(|r| inside.contains(&r.id))
        .collect();
    for r in &range {
        if !r.replaces.is_empty() {
            return Err(Error::Usage(format!(
                "revision {} is itself a squash; a squash cannot take part in another one",
                r.id
            )));
        }
        let outside_parent = r.parents.iter().find(|p| !inside.contains(*p));
        if let Some(p) = outside_parent.filter(|_| r.id != from.id) {
            return Err(Error::Usage(format!(
                "revision {} in the range also descends from {p}, outside it; choose a range \
                 that only FROM enters",
                r.id
            )));
        }
        let outside_child = graph
            .children(&r.id)
            .into_iter()
            .find(|c| !inside.contains(&c.id));
        if let Some(c) = outside_child.filter(|_| r.id != to.id) {
            return Err(Error::Usage(format!(
                "revision {} outside the range descends from {}, inside it; choose a range that \
                 only TO leaves",
                c.id, r.id
            )));
        }
    }
    Ok(range)
}

/// Refuses, naming each (revision, section, line), the statements a plan
/// would drop: anything that is not schema.
fn refuse_data_statements(range: &[&Revision]) -> Result<()> {
    let mut found = Vec::new();
    for rev in range {
        for direction in [script::Direction::Up, script::Direction::Down] {
            let section = rev.section(direction);
            for s in section.statements() {
                if !is_schema_statement(&s.sql) {
                    found.push(format!(
                        "{} {} line {}: {}",
                        rev.file_name(),
                        direction.as_str(),
                        s.line,
                        first_line(&s.sql)
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "the range holds statements that are not schema changes, which a squash cannot keep in \
         order; nothing was written:\n  {}\n  squash the revisions before or after them instead",
        found.join("\n  ")
    )))
}

/// CREATE, DROP, ALTER (COMMENT on PostgreSQL), and what a table rebuild
/// writes: the copy into `_migrate_new_*` and the `sqlite_sequence` moves.
fn is_schema_statement(sql: &str) -> bool {
    let words: Vec<String> = significant(sql)
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty())
        .take(3)
        .map(|w| w.trim_matches(['"', '`', '[', ']']).to_ascii_lowercase())
        .collect();
    match words.first().map(String::as_str) {
        Some("create" | "drop" | "alter" | "comment") => true,
        Some("insert") => words
            .get(2)
            .is_some_and(|t| t.starts_with("_migrate_new_") || t == "sqlite_sequence"),
        Some("update") | Some("delete") => words.iter().skip(1).any(|t| t == "sqlite_sequence"),
        _ => false,
    }
}

/// The statement without leading comments.
fn significant(sql: &str) -> &str {
    let mut rest = sql.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("--") {
            rest = r
                .split_once('\n')
                .map_or("", |(_, after)| after)
                .trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r
                .split_once("*/")
                .map_or("", |(_, after)| after)
                .trim_start();
        } else {
            return rest;
        }
    }
}

fn first_line(sql: &str) -> String {
    let text = significant(sql);
    let line = text.lines().next().unwrap_or("");
    if text.lines().nth(1).is_some() {
        format!("{line} ...")
    } else {
        line.to_string()
    }
}

/// A dropped and an added table (or column) that may be a rename inside the
/// range: a squash never guesses, since drop + add would lose the rows of a
/// database below FROM.
fn refuse_rename_guesses(candidates: &[RenameCandidate]) -> Result<()> {
    if candidates.is_empty() {
        return Ok(());
    }
    let hints: Vec<String> = candidates
        .iter()
        .map(|c| match c {
            RenameCandidate::Table { from, to } => format!("--rename {from}={to}"),
            RenameCandidate::Column { table, from, to } => {
                format!("--rename {table}.{from}={table}.{to}")
            }
        })
        .collect();
    Err(Error::Usage(format!(
        "the range drops and adds what may be a rename ({}); say which with {} (or, if they \
         really are a drop and an add, squash the revisions on either side of it)",
        candidates
            .iter()
            .map(RenameCandidate::question)
            .collect::<Vec<_>>()
            .join(" "),
        hints.join(" ")
    )))
}

/// The `-- replaces:` line after the `down_revision` header (the template
/// writes that one; see [`commands::write_revision`]), and migrate.sum again.
fn add_replaces_header(config: &Config, path: &std::path::Path, ids: &[&str]) -> Result<()> {
    let text = files::read_text(path)?;
    let mut out = String::with_capacity(text.len() + 64);
    let mut added = false;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if !added && line.trim_start().starts_with("-- down_revision:") {
            out.push_str(&format!("-- replaces: {}\n", ids.join(", ")));
            added = true;
        }
    }
    files::write_atomic(path, out.as_bytes())?;
    sum::write(&config.migrations_dir)?;
    Ok(())
}

/// `migrate squash --prune`: removes the files of every squashed range the
/// configured database does not stand in the middle of.
pub(crate) fn prune(config: &Config) -> Result<()> {
    sum::ensure_current(&config.migrations_dir)?;
    let revisions = script::read_dir(&config.versions_dir(), config.engine().dialect())?;
    let applied: HashSet<String> = match config.target_if_set().filter(|db| db.exists()) {
        Some(db) => db
            .read_applied(&config.version_table)?
            .into_iter()
            .map(|a| a.revision)
            .collect(),
        None => HashSet::new(),
    };
    let ids: HashSet<&str> = revisions.iter().map(|r| r.id.as_str()).collect();
    let mut doomed: Vec<&Revision> = Vec::new();
    for squash in revisions.iter().filter(|r| !r.replaces.is_empty()) {
        let replaced: Vec<&String> = squash
            .replaces
            .iter()
            .filter(|id| ids.contains(id.as_str()))
            .collect();
        if replaced.is_empty() {
            continue;
        }
        let recorded = squash
            .replaces
            .iter()
            .filter(|id| applied.contains(*id))
            .count();
        if recorded > 0 && recorded < squash.replaces.len() {
            return Err(Error::Refused(format!(
                "the database ({}) is in the middle of the range squash {} replaces ({} of {} \
                 applied); `migrate upgrade` it past {} first, then prune; nothing was removed",
                config.target()?.display(),
                squash.id,
                recorded,
                squash.replaces.len(),
                squash.replaces.last().map_or("", String::as_str)
            )));
        }
        let top = squash.replaces.last().expect("not empty");
        let hanging = revisions.iter().find(|r| {
            !squash.replaces.contains(&r.id)
                && r.parents
                    .iter()
                    .any(|p| p != top && squash.replaces.contains(p))
        });
        if let Some(r) = hanging {
            return Err(Error::Refused(format!(
                "revision {} descends from a revision inside the range squash {} replaces; \
                 it needs the replaced files; nothing was removed",
                r.id, squash.id
            )));
        }
        doomed.extend(revisions.iter().filter(|r| replaced.contains(&&r.id)));
    }
    if doomed.is_empty() {
        outln!("nothing to prune: no squash has replaced files left")?;
        return Ok(());
    }
    for r in &doomed {
        std::fs::remove_file(&r.path).map_err(|e| Error::io(&r.path, e))?;
    }
    sum::write(&config.migrations_dir)?;
    for r in &doomed {
        outln!("removed {}", display_rel(&r.path))?;
    }
    Ok(())
}
