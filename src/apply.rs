//! Moving a database along the revision graph.
//!
//! Each revision runs in one transaction together with its version-table row
//! and log row, under SQLite's own write lock (`BEGIN IMMEDIATE`): a failure
//! leaves the database at the previous revision, and two migrators at once
//! never apply a revision twice, because the applied set is re-read inside
//! the lock before every step. `PRAGMA foreign_keys` is switched off outside
//! the transaction (it is inert inside one), and `foreign_key_check` runs
//! before every COMMIT.
//!
//! An engine without transactional DDL (see [`crate::capabilities`]) runs
//! each revision one statement per transaction instead ([`crate::stepwise`]).
//!
//! Everything SQLite-specific about the version table lives in [`VersionTable`];
//! [`run`] and [`offline_sql`] share the same step selection, so `--sql`
//! prints exactly what a real run would execute.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, Instant};

pub(crate) use crate::driver::Applied;
use crate::driver::Driver;
pub(crate) use crate::driver::RowChange;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::graph::{Graph, Target};
pub use crate::script::Direction;
use crate::script::Revision;
pub(crate) use crate::stamp::approve;
#[cfg(all(feature = "cli", feature = "sqlalchemy"))]
pub(crate) use crate::stamp::stamp;

/// The steps still pending when a run first holds the lock: what the
/// checks before anything runs (and a backup) must be about.
pub type Pending<'a, 'g> = &'a [(&'g Revision, Direction)];

/// What a run calls under the lock before the first revision, and again
/// when a replan changed what is pending (see [`run`]).
type Prepare<'a> = &'a mut dyn FnMut(Pending) -> Result<()>;

/// What a command asks for, fixed before anything runs.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Apply these revisions (those not applied yet), parents first.
    Up(HashSet<String>),
    /// Revert these revisions (those applied), children first.
    Down(HashSet<String>),
}

impl Plan {
    pub fn upgrade(graph: &Graph, target: &Target) -> Plan {
        Plan::Up(match target {
            Target::Base => HashSet::new(),
            Target::Revisions(ids) => graph.required_inclusive(ids.iter().map(String::as_str)),
        })
    }

    /// Reverting to `target` reverts everything above it.
    pub fn downgrade(graph: &Graph, target: &Target, applied: &HashSet<String>) -> Plan {
        Plan::Down(match target {
            Target::Base => applied.clone(),
            Target::Revisions(ids) => {
                let keep = graph.required_inclusive(ids.iter().map(String::as_str));
                applied
                    .iter()
                    .filter(|r| !keep.contains(*r))
                    .cloned()
                    .collect()
            }
        })
    }

    /// Every step the plan takes from `applied`, in order: parents first
    /// going up, children first going down. One pass over the graph.
    pub fn steps<'g>(
        &self,
        graph: &'g Graph,
        applied: &HashSet<String>,
    ) -> Vec<(&'g Revision, Direction)> {
        match self {
            Plan::Up(want) => graph
                .in_order()
                .filter(|r| want.contains(&r.id) && !applied.contains(&r.id))
                .map(|r| (r, Direction::Up))
                .collect(),
            Plan::Down(remove) => graph
                .in_order()
                .rev()
                .filter(|r| remove.contains(&r.id) && applied.contains(&r.id))
                .map(|r| (r, Direction::Down))
                .collect(),
        }
    }
}

/// Refuses when the database records a revision that has no file, or one
/// whose up section changed since it was applied.
pub(crate) fn verify_applied(graph: &Graph, applied: &[Applied]) -> Result<()> {
    refuse_midway_pruned(graph, applied)?;
    for a in applied {
        // A pruned revision: its file, and so its text, is gone; its squash stands for it.
        if graph.replaced_by(&a.revision).is_some() {
            continue;
        }
        let Some(rev) = graph.get(&a.revision) else {
            return Err(Error::Refused(format!(
                "the database records revision {} (applied {}), which is not in the versions directory; \
                 restore its file, or `migrate stamp` the database to a revision that exists",
                a.revision, a.applied_at
            )));
        };
        if rev.checksum() != a.checksum {
            return Err(Error::Refused(format!(
                "revision {} ({}) was edited after it was applied on {}: its up section no longer matches. \
                 Undo the edit, or if the database already matches the new text, accept it with \
                 `migrate approve {}`",
                a.revision,
                rev.path.display(),
                a.applied_at,
                a.revision
            )));
        }
    }
    Ok(())
}

/// A database that stopped in the middle of a squashed range whose files
/// were pruned has no way through it: it needs them back.
fn refuse_midway_pruned(graph: &Graph, applied: &[Applied]) -> Result<()> {
    let recorded: HashSet<&str> = applied.iter().map(|a| a.revision.as_str()).collect();
    for a in applied {
        let Some(squash) = graph.replaced_by(&a.revision) else {
            continue;
        };
        let replaced: Vec<&str> = graph.aliases_of(squash).collect();
        let missing: Vec<&str> = replaced
            .iter()
            .copied()
            .filter(|id| !recorded.contains(id))
            .collect();
        if !missing.is_empty() && !recorded.contains(squash) {
            return Err(Error::Refused(format!(
                "the database records {}, one of the revisions squash {squash} replaced, but not {}: it stopped in the middle of that range, whose files were pruned; restore the replaced files (from version control) to finish the range through them",
                a.revision,
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

/// One step that ran.
#[derive(Debug, Clone)]
pub struct Step {
    pub revision: String,
    /// The revision's parents (for the library's report).
    pub parents: Vec<String>,
    pub message: String,
    pub direction: Direction,
    pub duration: Duration,
}

/// The apply loop, for any [`Driver`]: runs `plan` on `db`, one
/// transaction per revision: lock, re-read what is applied when another
/// migrator committed, run the next revision with its version row, check
/// integrity, commit; on any error roll back and stop.
/// `prepare` is called under the lock and before the first revision, with
/// the steps still pending then (not called when none is): another migrator
/// may have applied some since the command planned. It is called again when
/// another migrator commits between two of our revisions and what is
/// pending changes, since the rows it checked may have changed with it. An
/// error from it stops the run before the next revision. `on_step` is called before each
/// revision runs and `on_done` after each one that ran (to print progress).
pub fn run_with<D: Driver + ?Sized>(
    db: &mut D,
    graph: &Graph,
    plan: &Plan,
    mut prepare: impl FnMut(Pending) -> Result<()>,
    mut on_step: impl FnMut(&Revision, Direction),
    mut on_done: impl FnMut(&Step),
) -> Result<Vec<Step>> {
    db.start_session()?;
    let mut run = Run {
        graph,
        plan,
        queue: None,
        seen_version: -1,
        prepare: &mut prepare,
        prepared: false,
        recorded: HashSet::new(),
        progress: Vec::new(),
    };
    let result = run.all(db, &mut on_step, &mut on_done);
    db.end_session();
    result
}

/// The state of one `run`, fixed at its start except for what is applied.
struct Run<'a> {
    graph: &'a Graph,
    plan: &'a Plan,
    /// The steps left, as planned from the applied set of `seen_version`.
    queue: Option<VecDeque<(&'a Revision, Direction)>>,
    seen_version: i64,
    /// Called the first time the run holds the lock, and after a replan
    /// that changed the queue.
    prepare: Prepare<'a>,
    /// False until `prepare` has seen the queue as it is.
    prepared: bool,
    /// The version table's ids as last read (a pruned id is not in the graph).
    recorded: HashSet<String>,
    /// The revisions an interrupted run left halfway (read at each replan).
    progress: Vec<crate::driver::Progress>,
}

impl Run<'_> {
    /// Runs every step left, one revision at a time.
    fn all<D: Driver + ?Sized>(
        &mut self,
        db: &mut D,
        on_step: &mut impl FnMut(&Revision, Direction),
        on_done: &mut impl FnMut(&Step),
    ) -> Result<Vec<Step>> {
        let mut done = Vec::new();
        while let Some(step) = self.step(db, on_step)? {
            on_done(&step);
            done.push(step);
            crate::test_hooks::wait_between_steps();
            // Our last revision committed: locking again would only learn
            // that nothing is left, and a lock wait timing out then would
            // report a failure for a run that applied everything.
            if self.queue.as_ref().is_some_and(VecDeque::is_empty) {
                break;
            }
        }
        Ok(done)
    }

    /// Runs the next revision under the write lock; `None` when there is none.
    fn step<D: Driver + ?Sized>(
        &mut self,
        db: &mut D,
        on_step: &mut impl FnMut(&Revision, Direction),
    ) -> Result<Option<Step>> {
        db.begin_locked()?;
        let outcome = self.step_locked(db, on_step);
        if outcome.is_err() {
            db.rollback();
        }
        outcome
    }

    fn step_locked<D: Driver + ?Sized>(
        &mut self,
        db: &mut D,
        on_step: &mut impl FnMut(&Revision, Direction),
    ) -> Result<Option<Step>> {
        // Re-read the applied set only when another connection committed.
        // `seen_version` is only ever read inside the lock: our own commits do
        // not change it, and reading it after one would hide a commit another
        // migrator makes in between.
        let version = db.change_counter()?;
        if self.queue.is_none() || version != self.seen_version {
            db.ensure_version_table()?;
            let rows = db.applied()?;
            verify_applied(self.graph, &rows)?;
            self.recorded = rows.iter().map(|a| a.revision.clone()).collect();
            let applied = self.graph.applied_set(rows.into_iter().map(|a| a.revision));
            let steps = self.plan.steps(self.graph, &applied);
            crate::non_transactional::refuse_rebuilds(&steps, db.rebuilds_tables())?;
            db.refuse_steps(&steps)?;
            self.progress = db.progress()?;
            crate::stepwise::check(&self.progress, &steps)?;
            let same = |q: &VecDeque<(&Revision, Direction)>| {
                q.len() == steps.len()
                    && q.iter()
                        .zip(&steps)
                        .all(|(a, b)| a.0.id == b.0.id && a.1 == b.1)
            };
            self.prepared &= self.queue.as_ref().is_some_and(same);
            self.queue = Some(steps.into());
            self.seen_version = version;
        }
        if !self.prepared {
            self.prepared = true;
            let pending: Vec<_> = self.queue.iter().flatten().copied().collect();
            if !pending.is_empty() {
                (self.prepare)(&pending)?;
            }
        }
        let next = self.queue.as_mut().and_then(VecDeque::pop_front);
        let Some((rev, direction)) = next else {
            db.commit()?;
            return Ok(None);
        };
        on_step(rev, direction);
        let started = Instant::now();
        let resume = crate::stepwise::resume_at(&self.progress, rev, direction);
        if !db.capabilities().transactional_ddl || resume > 0 {
            crate::stepwise::run(db, rev, direction, resume, started)?;
        } else if rev.transactional {
            db.run_section(rev, direction)?;
            check_integrity(db, rev)?;
            let duration = Some(started.elapsed().as_millis());
            db.record(RowChange::of(rev, direction), direction.as_str(), duration)?;
            let recorded = &self.recorded;
            for id in alias_rows(self.graph, rev, direction).filter(|id| recorded.contains(*id)) {
                db.record(RowChange::Delete(id), direction.as_str(), None)?;
            }
            db.commit()?;
        } else {
            // Ends the empty transaction; other migrators stay out until
            // the version row is committed.
            db.leave_transaction_keeping_lock()?;
            run_non_transactional(db, rev, direction)?;
        }
        Ok(Some(Step {
            revision: rev.id.clone(),
            parents: rev.parents.clone(),
            message: rev.message.clone(),
            direction,
            duration: started.elapsed(),
        }))
    }
}

/// Reverting a squash whose range was pruned also removes the version rows
/// of the replaced ids that stood for it (a database that was past the range).
fn alias_rows<'g>(
    graph: &'g Graph,
    rev: &'g Revision,
    direction: Direction,
) -> impl Iterator<Item = &'g str> {
    graph
        .aliases_of(&rev.id)
        .filter(move |_| direction == Direction::Down)
}

/// A revision marked `-- transactional: false`: statements one by one, then
/// the version row in its own transaction.
fn run_non_transactional<D: Driver + ?Sized>(
    db: &mut D,
    rev: &Revision,
    direction: Direction,
) -> Result<()> {
    db.run_section(rev, direction).map_err(|e| match e {
        Error::Statement { revision, path, number, line, statement, message } => Error::Refused(format!(
            "revision {revision} ({}, statement {number} at line {line}) failed: {message}\n  statement: {statement}\n  \
             this revision is not transactional: statements before it stayed applied, and the version table \
             still says the revision before it. Fix the database by hand, then `migrate stamp`.",
            path.display()
        )),
        other => other,
    })?;
    crate::test_hooks::wait_in_non_transactional();
    // From here on the statements have run: an error must say so, or the
    // user's retry would run them a second time.
    let recorded = db.begin_locked().and_then(|()| {
        db.record(RowChange::of(rev, direction), direction.as_str(), None)
            .and_then(|()| db.commit())
            .inspect_err(|_| db.rollback())
    });
    recorded.map_err(|e| {
        Error::Refused(format!(
            "revision {} ({}) is not transactional: its statements ran, but writing its version row failed: {e}\n  \
             the version table still says the revision before it, so running it again would repeat its statements. \
             Check the database, then `migrate stamp` it to where it now is.",
            rev.id,
            rev.path.display()
        ))
    })
}

/// Fails when the revision left rows whose parent is missing (beyond any
/// that were there before it ran).
fn check_integrity<D: Driver + ?Sized>(db: &mut D, rev: &Revision) -> Result<()> {
    let new: Vec<String> = db
        .new_violations()?
        .iter()
        .map(|v| {
            format!(
                "{} row(s) of {} reference missing rows of {}",
                v.rows, v.child, v.parent
            )
        })
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "revision {} ({}) would break foreign keys: {}; it was rolled back and the database is unchanged",
        rev.id,
        rev.path.display(),
        new.join("; ")
    )))
}

/// The SQL a run of `plan` would execute from `applied` on `engine`, for a
/// DBA to read or run; without `transactional_ddl` no revision is wrapped
/// in a BEGIN/COMMIT the server would not honour.
pub(crate) fn offline_sql(
    engine: Engine,
    lock_timeout: Duration,
    version_table: &str,
    graph: &Graph,
    plan: &Plan,
    applied: &HashSet<String>,
    transactional_ddl: bool,
) -> String {
    let dialect = engine.dialect();
    let mut out = format!(
        "-- generated by migrate {}; {}\n\n{};\n\n",
        env!("CARGO_PKG_VERSION"),
        engine.offline_preamble(lock_timeout),
        dialect.version_table_sql(version_table)
    );
    for (rev, direction) in plan.steps(graph, applied) {
        let section = rev.section(direction);
        out.push_str(&format!(
            "-- {} {}: {} ({})\n",
            if direction == Direction::Up {
                "upgrade to"
            } else {
                "downgrade from"
            },
            rev.id,
            rev.message,
            rev.file_name()
        ));
        // Without transactional DDL (`[database] capabilities`) the server
        // would not honour a BEGIN around DDL: its statements commit one by
        // one, as a `transactional: false` revision's do.
        let wrap = rev.transactional && transactional_ddl;
        if wrap {
            out.push_str("BEGIN;\n");
        } else if !rev.transactional {
            out.push_str("-- transactional: false (statements run one by one)\n");
        } else {
            out.push_str(
                "-- no transactional DDL ([database] capabilities): statements commit one by one\n",
            );
        }
        for stmt in engine.statements(section) {
            out.push_str(&stmt);
            out.push_str(";\n");
        }
        out.push_str(&dialect.record_sql(
            version_table,
            RowChange::of(rev, direction),
            direction.as_str(),
            None,
        ));
        out.push_str(";\n");
        for id in alias_rows(graph, rev, direction) {
            out.push_str(&dialect.record_sql(version_table, RowChange::Delete(id), "down", None));
            out.push_str(";\n");
        }
        if wrap {
            out.push_str("COMMIT;\n");
        }
        out.push('\n');
    }
    out
}
