//! The apply loop's mode for an engine without transactional DDL
//! (CockroachDB, YugabyteDB, or PostgreSQL with `transactional_ddl = false`):
//! a revision runs one statement per transaction, each transaction also
//! recording how far the revision got in the tool's own progress table, and
//! the last statement's transaction writing the version row. A run killed
//! between two statements leaves the progress row saying which committed;
//! the next run resumes at the first that did not, never running a
//! committed statement twice. The engine's DDL may commit outside the
//! transaction, but then it commits at most with its progress row, not
//! after a whole revision's worth of other statements.

use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::driver::{Driver, Progress, RowChange};
use crate::error::{Error, Result};
use crate::script::{Direction, Revision};

/// The checksum of the section a progress row is about: the whole text, so
/// any edit (even to a comment between statements) is caught before a
/// resume could skip the wrong statements.
pub(crate) fn section_checksum(rev: &Revision, direction: Direction) -> String {
    crate::script::hex(&Sha256::digest(rev.section(direction).sql.as_bytes()))
}

/// Refuses, under the lock and before anything runs, a revision left
/// halfway that the pending steps would not finish as it was started: not
/// pending, pending the other way, or edited since.
pub(crate) fn check(progress: &[Progress], steps: &[(&Revision, Direction)]) -> Result<()> {
    for p in progress {
        let step = steps
            .iter()
            .find(|(r, d)| r.id == p.revision && d.as_str() == p.direction);
        let problem = match step {
            None => "this command does not run it that way",
            Some((rev, d)) if section_checksum(rev, *d) != p.checksum => {
                "its file was edited since, so which statements ran is no longer known"
            }
            Some(_) => continue,
        };
        let finish = match p.direction.as_str() {
            "up" => format!("migrate upgrade {}", p.revision),
            _ => "the same downgrade".to_string(),
        };
        return Err(Error::Refused(format!(
            "revision {} stopped going {} after statement {} of {} (a run was interrupted, and \
             this database has no transactional DDL, so those statements stayed applied); {problem}. \
             Nothing ran. Finish it with the unedited file: `{finish}`; or repair the database by \
             hand, delete its row from the progress table and `migrate stamp`",
            p.revision, p.direction, p.done, p.total
        )));
    }
    Ok(())
}

/// How many statements of `rev` going `direction` a previous run committed.
pub(crate) fn resume_at(progress: &[Progress], rev: &Revision, direction: Direction) -> usize {
    progress
        .iter()
        .find(|p| p.revision == rev.id && p.direction == direction.as_str())
        .map_or(0, |p| p.done)
}

/// Runs `rev` going `direction` from statement `from` (0-based), one
/// statement per transaction; called in the transaction the loop opened
/// under the lock, which the first statement uses. A `-- transactional:
/// false` revision's statements run outside any transaction, each followed
/// by its progress row in a transaction of its own.
pub(crate) fn run<D: Driver + ?Sized>(
    db: &mut D,
    rev: &Revision,
    direction: Direction,
    from: usize,
    started: Instant,
) -> Result<()> {
    let statements = rev.section(direction).statements();
    let total = statements.len();
    // Whether a transaction is open: the loop's, at first.
    let mut open = true;
    for (i, stmt) in statements.iter().enumerate().skip(from) {
        if !rev.transactional && open {
            db.leave_transaction_keeping_lock()?;
            open = false;
        } else if rev.transactional && !open {
            db.begin_locked()?;
            open = true;
        }
        db.run_statement(rev, i + 1, stmt)
            .map_err(|e| stopped(e, rev, direction, i))?;
        if !open {
            db.begin_locked()?;
            open = true;
        }
        if i + 1 < total {
            let done = Progress {
                revision: rev.id.clone(),
                direction: direction.as_str().to_string(),
                checksum: section_checksum(rev, direction),
                done: i + 1,
                total,
            };
            db.save_progress(&rev.id, Some(&done))?;
            db.commit()?;
            open = false;
            crate::test_hooks::stop_after_statement(i + 1);
        }
    }
    // The last statement's transaction (or, for an empty section, the one
    // the loop opened) writes the version row and drops the progress row.
    if !open {
        db.begin_locked()?;
    }
    db.save_progress(&rev.id, None)?;
    let duration = Some(started.elapsed().as_millis());
    db.record(RowChange::of(rev, direction), direction.as_str(), duration)?;
    db.commit()
}

/// A statement's failure, saying what stayed applied and how the next run
/// goes on. `i` statements (0-based index of the failed one) committed.
fn stopped(e: Error, rev: &Revision, direction: Direction, i: usize) -> Error {
    let Error::Statement {
        number,
        line,
        statement,
        message,
        ..
    } = e
    else {
        return e;
    };
    let before = match i {
        0 => "no statement of it had run".to_string(),
        1 => "its first statement stayed applied and is recorded".to_string(),
        n => format!("its first {n} statements stayed applied and are recorded"),
    };
    Error::Refused(format!(
        "revision {} ({}, {} statement {number} at line {line}) failed: {message}\n  statement: {statement}\n  \
         this database runs revisions one statement per transaction (no transactional DDL): {before}. \
         Fix the cause, then run the command again: it resumes at statement {number}",
        rev.id,
        rev.path.display(),
        direction.as_str(),
    ))
}
