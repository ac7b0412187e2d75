//! The apply loop (`apply::run_with`) against a fake in-memory driver, without
//! SQLite or the binary: the fake records every call the loop makes and can be
//! told to fail at a chosen point (a failing statement, a lost lock, new
//! foreign-key violations) or to let "another migrator" commit a revision
//! just before the loop takes the lock. Each test asserts the exact call
//! sequence and the applied set left behind, so a change to the loop's
//! contract (rollback on error, re-read inside the lock, `prepare` after a
//! replan) shows up here first.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use migrate::Result;
use migrate::internal::apply::{self, Direction, Pending, Plan};
use migrate::internal::driver::{Applied, Driver, NewViolation, RowChange};
use migrate::internal::graph::{Graph, Target};
use migrate::internal::script::{self, Revision};
use migrate::{DatabaseProblem, Error};

/// The call log, shared with the `prepare` hook so that its calls land in
/// the same sequence.
type Log = Rc<RefCell<Vec<String>>>;

/// What the fake is told to do wrong.
#[derive(Default)]
struct Faults {
    /// `run_section` fails for this revision.
    statement_fails: Option<&'static str>,
    /// The n-th `begin_locked` (1-based) fails as a lost lock.
    lock_lost_at: Option<usize>,
    /// `new_violations` reports a broken reference after this revision.
    violations_after: Option<&'static str>,
    /// Just before the n-th `begin_locked` succeeds, another migrator
    /// commits these revisions (and the change counter moves).
    other_commits: Option<(usize, Vec<&'static str>)>,
}

struct Fake {
    log: Log,
    faults: Faults,
    revisions: Vec<Revision>,
    /// The version table as committed.
    committed: Vec<Applied>,
    /// Version-table changes of the open transaction; `None` when none is open.
    pending: Option<Vec<Change>>,
    counter: i64,
    begins: usize,
    last_section: Option<String>,
}

enum Change {
    Insert(String),
    Delete(String),
}

impl Fake {
    fn new(graph: &Graph, log: &Log, faults: Faults) -> Fake {
        Fake {
            log: log.clone(),
            faults,
            revisions: graph.in_order().cloned().collect(),
            committed: Vec::new(),
            pending: None,
            counter: 0,
            begins: 0,
            last_section: None,
        }
    }

    fn call(&self, what: impl Into<String>) {
        self.log.borrow_mut().push(what.into());
    }

    fn row(&self, id: &str) -> Applied {
        let rev = self.revisions.iter().find(|r| r.id == id).unwrap();
        Applied {
            revision: id.to_string(),
            checksum: rev.checksum().to_string(),
            applied_at: "2026-01-01 00:00:00".to_string(),
            parents: rev.parents.clone(),
            message: rev.message.clone(),
        }
    }

    fn applied_ids(&self) -> Vec<String> {
        self.committed.iter().map(|a| a.revision.clone()).collect()
    }
}

impl Driver for Fake {
    fn start_session(&mut self) -> Result<()> {
        self.call("start_session");
        Ok(())
    }

    fn end_session(&mut self) {
        self.call("end_session");
    }

    fn begin_locked(&mut self) -> Result<()> {
        self.call("begin_locked");
        assert!(self.pending.is_none(), "begin_locked inside a transaction");
        self.begins += 1;
        if self.faults.lock_lost_at == Some(self.begins) {
            return Err(Error::database("fake.db", DatabaseProblem::Locked));
        }
        if let Some((at, ids)) = &self.faults.other_commits
            && *at == self.begins
        {
            let rows: Vec<Applied> = ids.iter().map(|id| self.row(id)).collect();
            self.committed.extend(rows);
            self.counter += 1;
        }
        self.pending = Some(Vec::new());
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        self.call("commit");
        let changes = self.pending.take().expect("commit without a transaction");
        for change in changes {
            match change {
                Change::Insert(id) => {
                    let row = self.row(&id);
                    self.committed.push(row);
                }
                Change::Delete(id) => self.committed.retain(|a| a.revision != id),
            }
        }
        // Our own commits leave the counter alone, as SQLite's data_version does.
        Ok(())
    }

    fn rollback(&mut self) {
        self.call("rollback");
        self.pending = None;
    }

    fn change_counter(&mut self) -> Result<i64> {
        self.call("change_counter");
        Ok(self.counter)
    }

    fn ensure_version_table(&mut self) -> Result<()> {
        self.call("ensure_version_table");
        Ok(())
    }

    fn applied(&mut self) -> Result<Vec<Applied>> {
        self.call("applied");
        Ok(self.committed.clone())
    }

    fn run_section(&mut self, rev: &Revision, direction: Direction) -> Result<()> {
        self.call(format!("run_section {} {}", rev.id, direction.as_str()));
        assert!(self.pending.is_some() || !rev.transactional);
        self.last_section = Some(rev.id.clone());
        if self.faults.statement_fails == Some(rev.id.as_str()) {
            return Err(Error::Statement {
                revision: rev.id.clone(),
                path: rev.path.clone(),
                number: 1,
                line: 6,
                statement: "SELECT 1".to_string(),
                message: "fake failure".to_string(),
            });
        }
        Ok(())
    }

    fn new_violations(&mut self) -> Result<Vec<NewViolation>> {
        self.call("new_violations");
        if self.faults.violations_after.is_some()
            && self.faults.violations_after == self.last_section.as_deref()
        {
            return Ok(vec![NewViolation {
                child: "child".to_string(),
                parent: "parent".to_string(),
                rows: 3,
            }]);
        }
        Ok(Vec::new())
    }

    fn record(&mut self, change: RowChange, label: &str, _ms: Option<u128>) -> Result<()> {
        let change = match change {
            RowChange::Insert(rev) => Change::Insert(rev.id.clone()),
            RowChange::Delete(id) => Change::Delete(id.to_string()),
            RowChange::Approve(_) => panic!("the apply loop never approves"),
        };
        let id = match &change {
            Change::Insert(id) | Change::Delete(id) => id.clone(),
        };
        self.call(format!("record {label} {id}"));
        self.pending
            .as_mut()
            .expect("record outside a transaction")
            .push(change);
        Ok(())
    }
}

fn revision(id: &str, parents: &[&str], transactional: bool) -> Revision {
    let path = format!("migrations/versions/{id}_step.sql");
    let text = format!(
        "-- revision: {id}\n-- down_revision: {}\n-- message: step {id}\n-- transactional: {transactional}\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 1;\n",
        parents.join(", ")
    );
    script::parse(
        Path::new(&path),
        &text,
        migrate::internal::engine::Engine::Sqlite.dialect(),
    )
    .unwrap()
}

/// Three revisions in a line: 1a - 2b - 3c; 2b transactional or not.
fn line_with(middle_transactional: bool) -> Graph {
    Graph::new(vec![
        revision("1a", &[], true),
        revision("2b", &["1a"], middle_transactional),
        revision("3c", &["2b"], true),
    ])
    .unwrap()
}

fn line() -> Graph {
    line_with(true)
}

fn upgrade_all(graph: &Graph) -> Plan {
    Plan::upgrade(graph, &Target::Revisions(vec!["3c".to_string()]))
}

/// Runs `plan` on `fake`; `prepare` logs the pending ids.
fn run(fake: &mut Fake, graph: &Graph, plan: &Plan) -> Result<Vec<String>> {
    let log = fake.log.clone();
    let prepare = move |pending: Pending| -> Result<()> {
        let ids: Vec<&str> = pending.iter().map(|(r, _)| r.id.as_str()).collect();
        log.borrow_mut().push(format!("prepare {}", ids.join(",")));
        Ok(())
    };
    apply::run_with(fake, graph, plan, prepare, |_, _| {}, |_| {})
        .map(|steps| steps.into_iter().map(|s| s.revision).collect())
}

/// Runs every revision of [`line`] up on a fake with `faults`: what the
/// run returned, every call it made, and the applied set it left.
fn upgrade_with(faults: Faults) -> (Result<Vec<String>>, Vec<String>, Vec<String>) {
    let graph = line();
    let log = Log::default();
    let mut fake = Fake::new(&graph, &log, faults);
    let result = run(&mut fake, &graph, &upgrade_all(&graph));
    (result, calls(&log), fake.applied_ids())
}

fn calls(log: &Log) -> Vec<String> {
    log.borrow().clone()
}

/// The calls that run one transactional revision up to its commit, after
/// the loop read the applied set.
fn committed_up(id: &str) -> Vec<String> {
    vec![
        format!("run_section {id} up"),
        "new_violations".into(),
        format!("record up {id}"),
        "commit".into(),
    ]
}

/// Taking the lock and reading the applied set for the first time.
fn first_read() -> Vec<String> {
    [
        "begin_locked",
        "change_counter",
        "ensure_version_table",
        "applied",
    ]
    .map(String::from)
    .to_vec()
}

/// Taking the lock when nobody else committed since the last read.
fn relock() -> Vec<String> {
    ["begin_locked", "change_counter"]
        .map(String::from)
        .to_vec()
}

fn seq(parts: Vec<Vec<String>>) -> Vec<String> {
    parts.concat()
}

fn one(s: &str) -> Vec<String> {
    vec![s.to_string()]
}

/// A run's calls up to the commit of 1a, the first of [`line`].
fn first_revision_committed() -> Vec<String> {
    seq(vec![
        one("start_session"),
        first_read(),
        one("prepare 1a,2b,3c"),
        committed_up("1a"),
    ])
}

#[test]
fn a_clean_run_applies_every_revision_and_prepares_once() {
    let (result, calls, applied) = upgrade_with(Faults::default());
    let ran = result.unwrap();
    assert_eq!(ran, ["1a", "2b", "3c"]);
    assert_eq!(
        calls,
        seq(vec![
            first_revision_committed(),
            relock(),
            committed_up("2b"),
            relock(),
            committed_up("3c"),
            // Nothing left: no lock is taken just to learn that.
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a", "2b", "3c"]);
}

#[test]
fn a_failing_statement_rolls_back_its_revision_and_stops() {
    let (result, calls, applied) = upgrade_with(Faults {
        statement_fails: Some("2b"),
        ..Faults::default()
    });
    let err = result.unwrap_err();
    match &err {
        Error::Statement { revision, path, .. } => {
            assert_eq!(revision, "2b");
            assert_eq!(path, &PathBuf::from("migrations/versions/2b_step.sql"));
        }
        other => panic!("expected a statement error naming 2b, got {other:?}"),
    }
    assert!(err.to_string().contains("revision 2b"), "{err}");
    assert_eq!(
        calls,
        seq(vec![
            first_revision_committed(),
            relock(),
            one("run_section 2b up"),
            one("rollback"),
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a"]);
}

#[test]
fn a_lost_lock_keeps_what_committed_and_runs_nothing_else() {
    let (result, calls, applied) = upgrade_with(Faults {
        lock_lost_at: Some(2),
        ..Faults::default()
    });
    let err = result.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Database {
                problem: DatabaseProblem::Locked,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("locked by another connection"),
        "{err}"
    );
    assert_eq!(
        calls,
        seq(vec![
            first_revision_committed(),
            one("begin_locked"),
            // No transaction opened, so none to roll back; the session ends.
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a"]);
}

#[test]
fn a_revision_that_breaks_foreign_keys_is_refused_and_rolled_back() {
    let (result, calls, applied) = upgrade_with(Faults {
        violations_after: Some("2b"),
        ..Faults::default()
    });
    let err = result.unwrap_err();
    let Error::Refused(message) = &err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert!(message.contains("revision 2b"), "{message}");
    assert!(message.contains("2b_step.sql"), "{message}");
    assert!(
        message.contains("3 row(s) of child reference missing rows of parent"),
        "{message}"
    );
    assert!(message.contains("rolled back"), "{message}");
    assert_eq!(
        calls,
        seq(vec![
            first_revision_committed(),
            relock(),
            one("run_section 2b up"),
            one("new_violations"),
            // Refused before its version row is written.
            one("rollback"),
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a"]);
}

#[test]
fn another_migrators_commit_is_seen_and_its_revision_not_run_again() {
    let (result, calls, applied) = upgrade_with(Faults {
        other_commits: Some((2, vec!["2b"])),
        ..Faults::default()
    });
    let ran = result.unwrap();
    assert_eq!(ran, ["1a", "3c"]);
    assert_eq!(
        calls,
        seq(vec![
            first_revision_committed(),
            // The counter moved: re-read inside the lock, replan, and
            // prepare again because what is pending changed.
            first_read(),
            one("prepare 3c"),
            committed_up("3c"),
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a", "2b", "3c"]);
    let runs: HashSet<String> = calls
        .into_iter()
        .filter(|c| c.starts_with("run_section"))
        .collect();
    assert!(!runs.contains("run_section 2b up"));
}

#[test]
fn prepare_runs_again_only_when_a_replan_changed_the_queue() {
    // Another migrator commits 1a before our first lock: the first read
    // already sees it, so prepare sees [2b, 3c] once.
    let (result, calls, _) = upgrade_with(Faults {
        other_commits: Some((1, vec!["1a"])),
        ..Faults::default()
    });
    assert_eq!(result.unwrap(), ["2b", "3c"]);
    let prepares: Vec<String> = calls
        .into_iter()
        .filter(|c| c.starts_with("prepare"))
        .collect();
    assert_eq!(prepares, ["prepare 2b,3c"]);

    // The counter moves between our revisions but the other migrator's
    // commit left what is pending alone (it committed nothing of ours):
    // the loop re-reads, the queue is the same, prepare is not called again.
    let (result, calls, applied) = upgrade_with(Faults {
        other_commits: Some((2, vec![])),
        ..Faults::default()
    });
    assert_eq!(result.unwrap(), ["1a", "2b", "3c"]);
    assert_eq!(
        calls,
        seq(vec![
            first_revision_committed(),
            first_read(),
            committed_up("2b"),
            relock(),
            committed_up("3c"),
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a", "2b", "3c"]);
}

#[test]
fn an_error_from_prepare_stops_the_run_before_any_revision() {
    let graph = line();
    let log = Log::default();
    let mut fake = Fake::new(&graph, &log, Faults::default());
    let prepare = |_: Pending| -> Result<()> { Err(Error::Refused("not today".into())) };
    let err = apply::run_with(
        &mut fake,
        &graph,
        &upgrade_all(&graph),
        prepare,
        |_, _| {},
        |_| {},
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "not today");
    assert_eq!(
        calls(&log),
        seq(vec![
            one("start_session"),
            first_read(),
            one("rollback"),
            one("end_session"),
        ])
    );
    assert!(fake.applied_ids().is_empty());
}

#[test]
fn a_non_transactional_revision_whose_version_row_is_not_written_says_so() {
    // 2b's statements run outside a transaction; the lock to record its
    // version row is then lost (begin 1: 1a, 2: 2b's empty one, 3: its row).
    let graph = line_with(false);
    let log = Log::default();
    let faults = Faults {
        lock_lost_at: Some(3),
        ..Faults::default()
    };
    let mut fake = Fake::new(&graph, &log, faults);
    let err = run(&mut fake, &graph, &upgrade_all(&graph)).unwrap_err();
    assert_eq!(
        calls(&log),
        seq(vec![
            first_revision_committed(),
            relock(),
            one("rollback"), // ends the empty transaction before the statements
            one("run_section 2b up"),
            one("begin_locked"),
            one("rollback"),
            one("end_session"),
        ])
    );
    assert_eq!(fake.applied_ids(), ["1a"]);
    // Its statements stayed applied but the version table says 1a: a plain
    // "locked, try again" would run them a second time.
    let Error::Refused(message) = &err else {
        panic!("expected a refusal naming 2b, got {err:?}");
    };
    assert!(message.contains("revision 2b"), "{message}");
    assert!(message.contains("statements ran"), "{message}");
    assert!(
        message.contains("locked by another connection"),
        "{message}"
    );
    assert!(message.contains("migrate stamp"), "{message}");
}

#[test]
fn a_run_that_applied_its_last_revision_does_not_lock_again_to_learn_it_is_done() {
    // Begins 1-3 run 1a, 2b and 3c; a 4th would only find the queue empty,
    // and failing to get the lock then would report a failure for a run
    // that applied everything.
    let (result, calls, applied) = upgrade_with(Faults {
        lock_lost_at: Some(4),
        ..Faults::default()
    });
    assert_eq!(result.unwrap(), ["1a", "2b", "3c"]);
    assert_eq!(applied, ["1a", "2b", "3c"]);
    assert_eq!(calls.last().map(String::as_str), Some("end_session"));
    assert_eq!(calls.iter().filter(|c| *c == "begin_locked").count(), 3);
}

#[test]
fn a_run_with_nothing_pending_reads_under_the_lock_and_runs_nothing() {
    let (result, calls, applied) = upgrade_with(Faults {
        other_commits: Some((1, vec!["1a", "2b", "3c"])),
        ..Faults::default()
    });
    assert!(result.unwrap().is_empty());
    assert_eq!(
        calls,
        seq(vec![
            one("start_session"),
            first_read(),
            // No prepare: nothing is pending.
            one("commit"),
            one("end_session"),
        ])
    );
    assert_eq!(applied, ["1a", "2b", "3c"]);
}
