//! What each command does, in terms of the library; printing lives here so
//! that [`crate::cli`] stays argument parsing and exit codes.
//! Results go to stdout, progress and notices to stderr.
//!
//! Long: one function per command; they move to `commands/` when the CLI
//! shell is split (issue 14, part 2).

use std::collections::HashSet;
use std::path::PathBuf;

use crate::apply::{self, Direction, Plan};
use crate::config::Config;
use crate::engine::Database;
use crate::error::{Error, Result};
use crate::files::display_rel;
use crate::graph::{Graph, Target};
use crate::script::{self, NewRevision, Revision};
use crate::{files, lint, project, sum, verify};
use crate::{noteln, out, outln, warnln};

/// Every revision file, as a graph. While a squash's replaced files are
/// there, which of the two the graph holds depends on what the configured
/// database records ([`crate::replaces`]): it is read then, and only then.
pub(crate) fn load_graph(config: &Config) -> Result<Graph> {
    let revisions = config.read_revisions()?;
    let applied = match config.target_if_set().filter(|db| db.exists()) {
        Some(db) if crate::replaces::needs_database(&revisions) => db
            .read_applied(&config.version_table)?
            .into_iter()
            .map(|a| a.revision)
            .collect(),
        _ => HashSet::new(),
    };
    Graph::for_applied(revisions, &applied)
}

/// The project's revision template, or the built-in one.
fn script_template(config: &Config) -> Result<String> {
    let path = config.migrations_dir.join("script.sql.tmpl");
    Ok(files::read_text_if_exists(&path)?
        .unwrap_or_else(|| project::DEFAULT_SCRIPT_TEMPLATE.to_string()))
}

/// The parents of a new revision: `--head` (a revision, `NAME@head`, or
/// `base` for a new root), or the single head.
pub(crate) fn parents_for_new(graph: &Graph, head: Option<&str>) -> Result<Vec<String>> {
    match head {
        Some(h) if h.trim().eq_ignore_ascii_case("base") => Ok(vec![]),
        Some(h) if h.contains('@') => crate::branching::one_revision(graph, h),
        Some(h) => Ok(vec![graph.resolve_id(h)?.id.clone()]),
        None => Ok(match graph.heads().as_slice() {
            [] => vec![],
            [one] => vec![one.id.clone()],
            many => {
                return Err(Error::Revision(format!(
                    "there are {} heads ({}); pass --head REV to extend one, or `migrate merge` them first",
                    many.len(),
                    many.iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }),
    }
}

/// Writes a new revision file and brings migrate.sum up to date.
pub(crate) fn write_revision(
    config: &Config,
    graph: &Graph,
    rev_id: Option<&str>,
    new: NewRevision,
) -> Result<PathBuf> {
    write_revision_on(
        config,
        graph,
        rev_id,
        new,
        &script::BranchHeaders::default(),
    )
}

/// [`write_revision`] with `branch_labels`/`depends_on` headers (checked
/// against `graph` by [`crate::branching::check_new`] first).
pub(crate) fn write_revision_on(
    config: &Config,
    graph: &Graph,
    rev_id: Option<&str>,
    new: NewRevision,
    branch: &script::BranchHeaders,
) -> Result<PathBuf> {
    sum::ensure_current(&config.migrations_dir)?;
    let generated;
    let id = match rev_id {
        Some(id) => {
            if !script::valid_id(id) {
                return Err(Error::Usage(format!(
                    "--rev-id {id:?}: use ASCII letters and digits only"
                )));
            }
            if crate::graph::is_reserved(id) {
                return Err(Error::Usage(format!(
                    "--rev-id {id:?} is a reserved word for targets ({}); choose another id",
                    crate::graph::RESERVED_IDS.join(", ")
                )));
            }
            id
        }
        None => {
            generated = script::new_id(new.message);
            &generated
        }
    };
    if graph.get(id).is_some() {
        return Err(Error::Refused(format!(
            "revision {id} exists already; choose another --rev-id"
        )));
    }
    let text = script::render(&script_template(config)?, &NewRevision { id, ..new })?;
    let text = branch.write_into(&text);
    let dir = config.versions_dir();
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let path = dir.join(script::file_name(id, new.message));
    // The rendered file must read back as the revision it claims to be.
    let parsed = script::parse(&path, &text, config.engine().dialect()).map_err(|e| {
        Error::Usage(format!(
            "the template {} renders a file migrate cannot read: {e}",
            config.migrations_dir.join("script.sql.tmpl").display()
        ))
    })?;
    if parsed.id != id || parsed.parents != new.parents || parsed.branch.labels != branch.labels {
        return Err(Error::Usage(
            "the script template must write the revision and down_revision headers".into(),
        ));
    }
    // All or nothing: a full disk leaves no empty revision behind, and a
    // revision whose sum could not be written is taken back.
    files::write_atomic(&path, text.as_bytes())?;
    if let Err(e) = sum::write(&config.migrations_dir) {
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    Ok(path)
}

/// The graph plus what the database says, refusing a stale sum or an edited
/// applied revision before anything runs.
pub(crate) struct State {
    pub graph: Graph,
    pub applied: HashSet<String>,
    pub current: Vec<String>,
}

/// [`apply::verify_applied`], but a database that records revisions while
/// the migrations directory is missing is told that: the usual cause is a
/// wrong path, not lost files.
pub(crate) fn verify_applied(
    config: &Config,
    graph: &Graph,
    rows: &[apply::Applied],
) -> Result<()> {
    if !rows.is_empty() {
        config.require_migrations_dir()?;
    }
    apply::verify_applied(graph, rows)
}

pub(crate) fn state(config: &Config) -> Result<State> {
    let graph = load_graph(config)?;
    config.ensure_sum_current()?;
    let rows = config.target()?.read_applied(&config.version_table)?;
    verify_applied(config, &graph, &rows)?;
    let applied = graph.applied_set(rows.into_iter().map(|a| a.revision));
    let current = graph.current_heads(&applied);
    Ok(State {
        graph,
        applied,
        current,
    })
}

/// `--sql FROM:TO` states the starting point instead of reading the database.
fn split_range<'a>(
    graph: &Graph,
    spec: &'a str,
    applied: &HashSet<String>,
) -> Result<(&'a str, HashSet<String>)> {
    match spec.split_once(':') {
        Some((from, to)) => {
            let start = match graph.resolve(from, &[])? {
                Target::Base => HashSet::new(),
                Target::Revisions(ids) => graph.required_inclusive(ids.iter().map(String::as_str)),
            };
            Ok((to, start))
        }
        None => Ok((spec, applied.clone())),
    }
}

/// What `upgrade SPEC` or `downgrade SPEC` asks for, from `applied`.
fn plan_for(
    graph: &Graph,
    direction: Direction,
    spec: &str,
    current: &[String],
    applied: &HashSet<String>,
) -> Result<(Target, Plan)> {
    Ok(match direction {
        Direction::Up => {
            let target = graph.resolve(spec, current)?;
            let plan = Plan::upgrade(graph, &target);
            (target, plan)
        }
        Direction::Down => {
            let target = graph.resolve_downgrade(spec, current)?;
            let plan = Plan::downgrade(graph, &target, applied);
            (target, plan)
        }
    })
}

/// `upgrade B:A --sql` with B above A would print an empty script and exit
/// 0: a range that goes the other way is refused, saying which command means it.
fn refuse_reversed_range(
    graph: &Graph,
    direction: Direction,
    plan: &Plan,
    target: &Target,
    start: &HashSet<String>,
    range: &str,
) -> Result<()> {
    if !range.contains(':') || !plan.steps(graph, start).is_empty() {
        return Ok(());
    }
    let wanted = match target {
        Target::Base => HashSet::new(),
        Target::Revisions(ids) => graph.required_inclusive(ids.iter().map(String::as_str)),
    };
    let (reversed, other) = match direction {
        Direction::Up => (wanted.is_subset(start) && wanted != *start, "downgrade"),
        Direction::Down => (start.is_subset(&wanted) && wanted != *start, "upgrade"),
    };
    if !reversed {
        return Ok(());
    }
    let (this, end) = match direction {
        Direction::Up => ("upgrade", "below"),
        Direction::Down => ("downgrade", "above"),
    };
    Err(Error::Usage(format!(
        "`{this} {range} --sql`: the end of the range is {end} its start, so there is nothing \
         to {this}; for the script between them use `migrate {other} {range} --sql`"
    )))
}

/// Whether `upgrade`/`downgrade` back the database up before a risky step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backup {
    /// SQLite: take one; PostgreSQL: print the `pg_dump` command to run.
    Default,
    /// `--no-backup`.
    Skip,
    /// `--backup`: on PostgreSQL too (with `pg_dump`).
    Take,
}

impl Backup {
    pub(crate) fn from_flags(backup: bool, no_backup: bool) -> Backup {
        match (backup, no_backup) {
            (true, _) => Backup::Take,
            (_, true) => Backup::Skip,
            _ => Backup::Default,
        }
    }
}

/// `upgrade`/`downgrade` (with `--sql`: the script instead), printed: the
/// run itself is [`run_migration`], which the library's `Migrator` calls too.
pub(crate) fn migrate(
    config: &Config,
    direction: Direction,
    spec: &str,
    sql: bool,
    backup_choice: Backup,
) -> Result<()> {
    if sql {
        return migrate_sql(config, direction, spec);
    }
    let outcome = run_migration(config, direction, spec, backup_choice, None)?;
    match outcome.ran {
        Ran::Nothing => outln!(
            "nothing to do: the database is at {}",
            describe(&outcome.current)
        ),
        Ran::OtherGotThere => outln!(
            "nothing left to do: another migrator got there first; the database is at {}",
            describe(&outcome.current)
        ),
        Ran::Steps => outln!(
            "{} revision(s) {}; the database is at {}",
            outcome.steps.len(),
            if direction == Direction::Up {
                "applied"
            } else {
                "reverted"
            },
            describe(&outcome.current)
        ),
    }
}

/// `upgrade`/`downgrade --sql`: the script, from the graph alone.
fn migrate_sql(config: &Config, direction: Direction, range: &str) -> Result<()> {
    let st = state(config)?;
    let (spec, applied) = split_range(&st.graph, range, &st.applied)?;
    let current = st.graph.current_heads(&applied);
    let (target, plan) = plan_for(&st.graph, direction, spec, &current, &applied)?;
    let engine = config.engine();
    refuse_unrunnable(config, &st.graph, &plan, &applied)?;
    refuse_reversed_range(&st.graph, direction, &plan, &target, &applied, range)?;
    out!(
        "{}",
        apply::offline_sql(
            engine,
            config.lock_timeout,
            &config.version_table,
            &st.graph,
            &plan,
            &applied,
            config.capabilities.transactional_ddl
        )
    )
}

/// Refuses, before the pre-check, the backup, or printing a script that
/// would do it, steps that cannot run as written.
fn refuse_unrunnable(
    config: &Config,
    graph: &Graph,
    plan: &Plan,
    applied: &HashSet<String>,
) -> Result<()> {
    let engine = config.engine();
    crate::non_transactional::refuse_rebuilds(
        &plan.steps(graph, applied),
        engine == crate::engine::Engine::Sqlite,
    )?;
    engine.refuse_unrunnable(&plan.steps(graph, applied))
}

/// What one [`run_migration`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ran {
    /// Nothing was pending.
    Nothing,
    /// Something was pending, but another migrator applied it first.
    OtherGotThere,
    /// `steps` ran.
    Steps,
}

/// The result of [`run_migration`], for the CLI to print or the library to return.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub ran: Ran,
    /// The steps that ran, in order.
    pub steps: Vec<apply::Step>,
    /// The database's heads afterwards (empty: base).
    pub current: Vec<String>,
    /// The backup taken before a risky step.
    pub backup: Option<PathBuf>,
}

/// Runs `upgrade SPEC` or `downgrade SPEC` on the configured database (or on
/// `own`, a driver on the application's own connection, with the database
/// file or server it is connected to configured): the sum and the applied
/// revisions checked, then under the lock the data checks, the backup, and
/// one transaction per revision. The CLI and the library both run this.
// Long: preflight (lint, backup), the run and its report share one run's locals; to split when the
// commands move to commands/ (issue 14, part 2).
pub(crate) fn run_migration(
    config: &Config,
    direction: Direction,
    spec: &str,
    backup_choice: Backup,
    own: Option<&mut dyn crate::driver::Driver>,
) -> Result<Outcome> {
    let st = state(config)?;
    let applied = st.applied.clone();
    let current = st.graph.current_heads(&applied);
    let (_, plan) = plan_for(&st.graph, direction, spec, &current, &applied)?;
    refuse_unrunnable(config, &st.graph, &plan, &applied)?;
    let db = config.target()?;
    // SQLite's data checks replay on a copy of the file; PostgreSQL's run
    // the planner's pre-count queries on the server (lint::pre_counts).
    let sqlite_file = match db {
        Database::Sqlite(path) => Some(path),
        Database::Postgres { .. } => None,
    };
    if plan.steps(&st.graph, &applied).is_empty() {
        if db.exists() {
            db.clear_leftovers()?;
        }
        return Ok(Outcome {
            ran: Ran::Nothing,
            steps: vec![],
            current,
            backup: None,
        });
    }
    let existed = db.exists();
    let mut backup: Option<PathBuf> = None;
    // Revisions committed, and whether a non-transactional one is running:
    // what a failure may have left applied. Counted as they commit, not as
    // they start: a failure after one committed (a lock timeout, a replan
    // refusal) must still print the restore line.
    let committed = std::cell::Cell::new(0usize);
    let partial = std::cell::Cell::new(false);
    let noted_backup = std::cell::Cell::new(false);
    // The data checks and the backup run under the lock, on the steps still
    // pending then: another migrator may have applied some since `state`,
    // or between two of ours (then apply calls this again).
    let prepare = |pending: apply::Pending| {
        let data = match sqlite_file {
            Some(file) => lint::findings(
                config.engine(),
                file,
                &config.version_table,
                &config.filter,
                pending,
            )?,
            None => lint::pre_counts(&db, pending, config.data_check_timeout)?,
        };
        refuse_lost_data(&data, committed.get() > 0)?;
        // Called again after another migrator changed what is pending: the
        // checks run again; the first backup stays the one to go back to.
        if backup.is_none()
            && backup_choice != Backup::Skip
            && existed
            && pending.iter().any(|(rev, dir)| lint::is_risky(rev, *dir))
        {
            let label = pending
                .last()
                .map(|(r, _)| r.id.clone())
                .unwrap_or_default();
            let label = format!("before-{}-{label}", direction.as_str());
            // PostgreSQL's dump can take long on a big database: run only
            // when asked; otherwise say how to take one.
            if sqlite_file.is_none() && backup_choice == Backup::Default {
                if !noted_backup.replace(true) {
                    let cmd = db.backup_command(&config.backup_dir, &label)?;
                    noteln!(
                        "note: a pending revision drops data; no backup is taken on PostgreSQL \
                         unless asked (--backup runs pg_dump). To take one yourself first: {cmd}"
                    );
                }
                return Ok(());
            }
            let path = db.backup(&config.backup_dir, config.backup_keep, &label)?;
            noteln!(
                "backup: {} (verified; --no-backup skips it)",
                display_rel(&path)
            );
            backup = Some(path);
        }
        Ok(())
    };
    let show_durations = crate::terminal::progress_wanted();
    crate::test_hooks::pause_before_lock();
    let run = |driver: &mut dyn crate::driver::Driver| {
        apply::run_with(
            driver,
            &st.graph,
            &plan,
            prepare,
            |rev, dir| {
                partial.set(!rev.transactional);
                if !rev.transactional {
                    warnln!(
                        "note: revision {} is marked `transactional: false`; its statements run one by one and a failure leaves it half-done",
                        rev.id
                    );
                }
                let arrow = match dir {
                    Direction::Up => {
                        format!("{} -> {}", rev.parents.join(",").as_str().or_base(), rev.id)
                    }
                    Direction::Down => {
                        format!("{} -> {}", rev.id, rev.parents.join(",").as_str().or_base())
                    }
                };
                noteln!("running {} {arrow}: {}", dir.as_str(), rev.message);
            },
            |step| {
                committed.set(committed.get() + 1);
                partial.set(false);
                // For a person watching; a log gets the version table's record.
                if show_durations {
                    noteln!("  done in {}", crate::terminal::duration(step.duration));
                }
            },
        )
    };
    let result = match own {
        Some(driver) => run(driver),
        None => db
            .open(&config.version_table)
            .and_then(|mut driver| run(driver.as_mut())),
    };
    // The restore line only when something stayed applied: a revision
    // committed before the failing one, or a non-transactional one half-done.
    let changed = committed.get() > 0 || partial.get();
    let steps = result.map_err(|e| match &backup {
        Some(path) if changed && path.exists() && sqlite_file.is_none() => Error::Refused(format!(
            "{e}\n  to return to where this command started, while nothing else uses the database: \
             pg_restore --clean --if-exists --single-transaction --dbname=<the database> {}",
            display_rel(path)
        )),
        Some(path) if changed && path.exists() => Error::Refused(format!(
            "{e}\n  to return to where this command started: migrate restore {} \
             (with this command's options), or, while nothing else uses the database: cp {} {}",
            display_rel(path),
            display_rel(path),
            sqlite_file.map(display_rel).unwrap_or_default()
        )),
        _ => e,
    })?;
    if steps.is_empty() {
        return Ok(Outcome {
            ran: Ran::OtherGotThere,
            steps,
            current: state(config)?.current,
            backup,
        });
    }
    let after = db.read_applied(&config.version_table)?;
    let applied = st.graph.applied_set(after.into_iter().map(|a| a.revision));
    Ok(Outcome {
        ran: Ran::Steps,
        steps,
        current: st.graph.current_heads(&applied),
        backup,
    })
}

/// Stops before anything runs when the pending steps would not keep the
/// rows that are there (a new UNIQUE over duplicates, NOT NULL over NULLs...).
/// `midway`: revisions of this run are already committed (the checks run
/// again after another migrator changed what is pending).
fn refuse_lost_data(findings: &[lint::Finding], midway: bool) -> Result<()> {
    let blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.kind == "data")
        .map(|f| format!("  {f}"))
        .collect();
    if blocking.is_empty() {
        return Ok(());
    }
    let stopped = match midway {
        false => "stopped before touching the database",
        true => "stopped before the next revision (those before it stay applied)",
    };
    Err(Error::Refused(format!(
        "{stopped}: the data would not survive these changes:\n{}\n\
         fix the rows first (a hand-written revision before this one), or change the model",
        blocking.join("\n")
    )))
}

// Where the database is, the graph's heads and branches, its history, one
// revision's text: in [`crate::views`] (the CLI calls it directly).

pub(crate) trait OrBase {
    fn or_base(&self) -> &str;
}

impl OrBase for &str {
    fn or_base(&self) -> &str {
        if self.is_empty() { "base" } else { self }
    }
}

fn describe(heads: &[String]) -> String {
    if heads.is_empty() {
        "base".to_string()
    } else {
        heads.join(", ")
    }
}

pub(crate) fn stamp(config: &Config, spec: &str, purge: bool, sql: bool) -> Result<()> {
    let graph = load_graph(config)?;
    sum::ensure_current(&config.migrations_dir)?;
    if sql {
        return stamp_sql(config, &graph, spec, purge);
    }
    let db = config.target()?;
    let rows = db.read_applied(&config.version_table)?;
    // A pruned id counts as its squash, as `upgrade` counts it.
    let applied = graph.applied_set(rows.into_iter().map(|a| a.revision));
    let mut current = graph.current_heads(&applied);
    if purge {
        // Alembic's purge: from an empty table, so no other branch stays.
        current.clear();
    }
    // `REV-N` on one of several heads moves that branch only, as in downgrade.
    let target = graph.resolve_downgrade(spec, &current)?;
    crate::stamp::stamp_with(&db, &config.version_table, &graph, &target, purge)?;
    let label = match &target {
        Target::Base => "base".to_string(),
        Target::Revisions(ids) => ids.join(", "),
    };
    outln!("stamped {} at {label} (no SQL was run)", db.display())?;
    Ok(())
}

/// `stamp [FROM:]TO --sql`: the version-table statements, from FROM (or
/// base) without reading the database, as `upgrade --sql` does.
fn stamp_sql(config: &Config, graph: &Graph, spec: &str, purge: bool) -> Result<()> {
    let (spec, have) = split_range(graph, spec, &HashSet::new())?;
    // A purge starts from an empty table, as a real one does.
    let current = if purge {
        vec![]
    } else {
        graph.current_heads(&have)
    };
    let target = graph.resolve_downgrade(spec, &current)?;
    let dialect = config.engine().dialect();
    let text =
        crate::stamp::stamp_script(dialect, &config.version_table, graph, &have, &target, purge);
    out!(
        "-- generated by migrate {}: stamp {spec}\n{text}",
        env!("CARGO_PKG_VERSION")
    )?;
    Ok(())
}

pub(crate) fn approve(config: &Config, specs: &[String]) -> Result<()> {
    let graph = load_graph(config)?;
    sum::ensure_current(&config.migrations_dir)?;
    let db = config.target()?;
    for spec in specs {
        let rev: &Revision = graph.resolve_id(spec)?;
        if apply::approve(&db, &config.version_table, rev)? {
            outln!(
                "approved the current text of {} ({})",
                rev.id,
                rev.file_name()
            )?;
        } else {
            return Err(Error::Refused(format!(
                "revision {} is not applied to {}; only applied revisions have a stored checksum",
                rev.id,
                db.display()
            )));
        }
    }
    Ok(())
}

pub(crate) fn merge(
    config: &Config,
    message: &str,
    specs: &[String],
    rev_id: Option<&str>,
) -> Result<()> {
    let graph = load_graph(config)?;
    let named = crate::branching::merge_parents(&graph, specs)?;
    if named.len() < 2 {
        return Err(Error::Usage(
            "merge needs two or more revisions, e.g. `migrate merge -m \"merge\" ab12 cd34` \
             (or `migrate merge -m \"merge\" heads` with several heads)"
                .into(),
        ));
    }
    let mut parents: Vec<String> = Vec::new();
    for (id, spec) in named {
        if parents.contains(&id) {
            return Err(Error::Usage(format!(
                "merge names {id} twice ({spec:?}); a revision cannot be merged with itself"
            )));
        }
        parents.push(id);
    }
    // A parent below another joins nothing: the merge would only add a head.
    for a in &parents {
        if let Some(b) = parents
            .iter()
            .find(|b| *b != a && graph.ancestors_inclusive([b.as_str()]).contains(a))
        {
            return Err(Error::Usage(format!(
                "{a} is already below {b}, so merging them joins nothing; \
                 merge the heads (`migrate heads` lists them)"
            )));
        }
    }
    let path = write_revision(
        config,
        &graph,
        rev_id,
        NewRevision {
            id: "",
            parents: &parents,
            message,
            up: "",
            down: "",
            transactional: true,
        },
    )?;
    outln!("created {}", display_rel(&path))?;
    Ok(())
}

pub(crate) fn hash(config: &Config) -> Result<()> {
    // The files must at least parse into a graph before their sum is accepted.
    let graph = load_graph(config)?;
    let path = sum::write(&config.migrations_dir)?;
    outln!("wrote {} ({} revision(s))", display_rel(&path), graph.len())?;
    Ok(())
}

pub(crate) fn lint(config: &Config, json: bool) -> Result<std::process::ExitCode> {
    let st = state(config)?;
    let target = Target::Revisions(st.graph.heads().iter().map(|r| r.id.clone()).collect());
    let steps = Plan::upgrade(&st.graph, &target).steps(&st.graph, &st.applied);
    let findings = match config.target()? {
        Database::Sqlite(db) => lint::findings(
            config.engine(),
            db,
            &config.version_table,
            &config.filter,
            &steps,
        )?,
        db @ Database::Postgres { .. } => {
            let mut all = lint::destructive(&steps);
            all.extend(lint::pre_counts(&db, &steps, config.data_check_timeout)?);
            all
        }
    };
    let code = std::process::ExitCode::from(u8::from(!findings.is_empty()));
    if json {
        crate::json::print(&crate::json::LintReport::new(&findings, steps.len()))?;
        return Ok(code);
    }
    let color = crate::terminal::color_stdout();
    for f in &findings {
        outln!("{}: {f}", crate::terminal::finding_kind(f.kind, color))?;
    }
    if findings.is_empty() {
        outln!(
            "ok: {} pending revision(s), nothing destructive or data-dependent",
            steps.len()
        )?;
    } else {
        outln!(
            "{} finding(s) in {} pending revision(s)",
            findings.len(),
            steps.len()
        )?;
    }
    Ok(code)
}

pub(crate) fn verify(config: &Config, data: bool) -> Result<std::process::ExitCode> {
    let graph = load_graph(config)?;
    sum::ensure_current(&config.migrations_dir)?;
    let results = if data {
        let copy = config.dev().copy_of(&config.target()?)?;
        verify::verify_data(
            config.engine(),
            &graph,
            copy,
            &config.version_table,
            &config.filter,
        )?
    } else {
        let mut results = Vec::new();
        for graph in every_view(config, graph)? {
            let more =
                verify::verify_empty(config.dev(), &graph, &config.version_table, &config.filter)?;
            let failed = more.iter().any(|r| r.failure.is_some());
            let seen: HashSet<String> = results
                .iter()
                .map(|r: &verify::RoundTrip| r.revision.clone())
                .collect();
            results.extend(more.into_iter().filter(|r| !seen.contains(&r.revision)));
            if failed {
                break;
            }
        }
        results
    };
    for r in &results {
        match &r.failure {
            None => outln!("ok    {}  {}", r.revision, r.message)?,
            Some(why) => {
                outln!("FAIL  {}  {}\n{why}", r.revision, r.message)?;
                outln!("revision {} does not reverse exactly", r.revision)?;
                return Ok(std::process::ExitCode::from(1));
            }
        }
        for (table, n) in &r.rows_lost {
            outln!("      {table}: {n} row(s) lost")?;
        }
    }
    outln!(
        "verified {} revision(s){}: every one reverses exactly",
        results.len(),
        if data {
            " on a copy of the database"
        } else {
            " on a scratch database"
        }
    )?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The graphs `verify` walks: the configured database's, and while a
/// squash's replaced files are there, the other one too (the squash, or
/// the replaced revisions), so both ways through the range are proved.
fn every_view(config: &Config, graph: Graph) -> Result<Vec<Graph>> {
    let revisions = script::read_dir(&config.versions_dir(), config.engine().dialect())?;
    if !crate::replaces::needs_database(&revisions) {
        return Ok(vec![graph]);
    }
    let replaced: HashSet<String> = revisions
        .iter()
        .flat_map(|r| r.replaces.iter().cloned())
        .collect();
    Ok(vec![
        Graph::for_applied(revisions.clone(), &HashSet::new())?,
        Graph::for_applied(revisions, &replaced)?,
    ])
}
