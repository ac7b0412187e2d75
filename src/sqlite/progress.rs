//! A progress bar for a long statement of a revision (a rebuild's copy, an
//! index build, a backfill), on stderr, for a person watching a terminal.
//! Installed only then (see [`crate::terminal::progress_wanted`]): a run
//! whose stderr is a file or a pipe pays nothing for it.
//!
//! SQLite does not say how far a statement has got. Its progress handler is
//! called every [`OPS_PER_CALL`] virtual-machine instructions, and a
//! statement that scans a table runs about the same instructions for each
//! row; so the rows done are estimated as instructions run / the length of
//! the loops in the statement's program (from `EXPLAIN`), out of `count(*)`
//! of the table the loop scans. The statement itself is untouched: it stays
//! one statement in its revision's transaction.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rusqlite::Connection;

/// Instructions between two calls of the handler: rare enough to cost
/// nothing measurable, often enough for a bar redrawn a few times a second.
const OPS_PER_CALL: i32 = 10_000;

/// A statement quicker than this shows no bar (it would only flicker).
const DELAY: Duration = Duration::from_millis(500);

/// Test-only: `MIGRATE_TEST_PROGRESS_DELAY_MS` replaces [`DELAY`], so that
/// tests see the bar without a statement that runs for seconds. Not a
/// setting for users.
fn delay() -> Duration {
    std::env::var("MIGRATE_TEST_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .map_or(DELAY, Duration::from_millis)
}

/// What a statement scans: a table, its rows, the instructions per row.
pub(crate) struct Scan {
    table: String,
    total: u64,
    ops_per_row: u64,
}

/// The statement being watched, shared with the progress handler.
struct Watch {
    scan: Scan,
    ops: u64,
    started: Instant,
    delay: Duration,
    bar: Option<ProgressBar>,
}

impl Watch {
    /// One call of the handler: show the bar once the statement has run for
    /// a while, and move it to the estimate.
    fn tick(&mut self) {
        self.ops += OPS_PER_CALL as u64;
        if self.bar.is_none() && self.started.elapsed() >= self.delay {
            self.bar = Some(new_bar(&self.scan.table, self.scan.total));
        }
        if let Some(bar) = &self.bar {
            // The estimate may run past the end; the bar stops short of it.
            let Scan {
                total, ops_per_row, ..
            } = self.scan;
            bar.set_position((self.ops / ops_per_row).min(total.saturating_sub(1)));
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

fn new_bar(table: &str, total: u64) -> ProgressBar {
    let style = ProgressStyle::with_template(
        // The bar takes the width left, so a narrow terminal gets no wrapped line.
        "  {msg} {human_pos}/{human_len} rows, {rate}/s, ETA {eta} [{wide_bar}]",
    )
    .expect("a valid template")
    // Whole rows per second: indicatif's `per_sec` prints four decimals.
    .with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", indicatif::HumanCount(state.per_sec() as u64));
        },
    )
    .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(style);
    bar.set_message(table.to_string());
    bar
}

/// The progress handler of one connection, for one revision's section.
pub(crate) struct Progress {
    current: Arc<Mutex<Option<Watch>>>,
}

impl Progress {
    /// Installs the handler; [`Progress::remove`] takes it off again.
    pub(crate) fn install(conn: &mut Connection) -> rusqlite::Result<Progress> {
        let current: Arc<Mutex<Option<Watch>>> = Arc::default();
        let shared = Arc::clone(&current);
        conn.progress_handler(
            OPS_PER_CALL,
            Some(move || {
                if let Some(watch) = shared
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_mut()
                {
                    watch.tick();
                }
                false // never interrupt
            }),
        )?;
        Ok(Progress { current })
    }

    /// Called once `sql` is prepared: ends the previous statement's bar and
    /// finds what this one scans. Its `EXPLAIN` and `count(*)` run here,
    /// before the statement's other preparations (the foreign-key watch
    /// drains what the authorizer saw of them), and [`Progress::start`]
    /// starts the clock just before the statement runs.
    pub(crate) fn before_statement(&self, conn: &Connection, sql: &str) -> Option<Scan> {
        self.end_statement();
        // Best effort: a statement EXPLAIN cannot describe gets no bar.
        scan_of(conn, sql)
    }

    /// Watches the statement [`Progress::before_statement`] described.
    pub(crate) fn start(&self, scan: Option<Scan>) {
        *self.lock() = scan.map(|scan| Watch {
            scan,
            ops: 0,
            started: Instant::now(),
            delay: delay(),
            bar: None,
        });
    }

    fn end_statement(&self) {
        if let Some(watch) = self.lock().take() {
            watch.finish();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Watch>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Clears the last bar and takes the handler off the connection.
    pub(crate) fn remove(self, conn: &mut Connection) {
        self.end_statement();
        let _ = conn.progress_handler(0, None::<fn() -> bool>);
    }
}

/// One instruction of a program, as `EXPLAIN` lists it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    pub opcode: String,
    pub p1: i64,
    pub p2: i64,
    pub p3: i64,
}

/// The program SQLite runs for `sql`, as `EXPLAIN` lists it.
fn program(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Op>> {
    conn.prepare(&format!("EXPLAIN {sql}"))?
        .query_map([], |r| {
            Ok(Op {
                opcode: r.get(1)?,
                p1: r.get(2)?,
                p2: r.get(3)?,
                p3: r.get(4)?,
            })
        })?
        .collect()
}

/// The table `sql` scans, its rows, and the instructions per row; `None`
/// when it scans none (or none with rows).
fn scan_of(conn: &Connection, sql: &str) -> Option<Scan> {
    let program = program(conn, sql).ok()?;
    let (root, ops_per_row) = analyse(&program)?;
    // A table's or an index's root page names the table either way.
    let table: String = conn
        .query_row(
            "SELECT tbl_name FROM sqlite_schema WHERE rootpage = ?1",
            [root],
            |r| r.get(0),
        )
        .ok()?;
    let total: i64 = conn
        .query_row(
            &format!(
                "SELECT count(*) FROM main.{}",
                crate::sqlite::sql::quote_ident(&table)
            ),
            [],
            |r| r.get(0),
        )
        .ok()?;
    (total > 0).then_some(Scan {
        table,
        total: total as u64,
        ops_per_row,
    })
}

/// From a program: the root page of the first b-tree a loop walks through
/// (`Rewind` or `Last` on a cursor opened on the main database; not
/// `sqlite_schema`, page 1, which schema changes scan), and the
/// instructions run per row, counted as the length of every loop (a jump
/// back to an earlier instruction), less the `Halt`s of its error paths.
pub(crate) fn analyse(program: &[Op]) -> Option<(i64, u64)> {
    // The instructions after `Init`'s target are the prologue, which jumps
    // back to the start once: not a loop.
    let body_end = match program.first() {
        Some(op) if op.opcode == "Init" => usize::try_from(op.p2).ok()?,
        _ => program.len(),
    };
    let root_of = |cursor: i64| {
        program
            .iter()
            .find(|op| {
                (op.opcode == "OpenRead" || op.opcode == "OpenWrite")
                    && op.p1 == cursor
                    && op.p3 == 0
            })
            .map(|op| op.p2)
    };
    let root = program[..body_end.min(program.len())]
        .iter()
        .filter(|op| op.opcode == "Rewind" || op.opcode == "Last")
        .filter_map(|op| root_of(op.p1))
        .find(|root| *root > 1)?;
    let mut per_row = 0u64;
    for (addr, op) in program.iter().enumerate().take(body_end) {
        let jumps_back = matches!(
            op.opcode.as_str(),
            "Next" | "Prev" | "Goto" | "SorterNext" | "VNext"
        ) && op.p2 >= 0
            && (op.p2 as usize) < addr;
        if jumps_back {
            per_row += program[op.p2 as usize..=addr]
                .iter()
                .filter(|o| o.opcode != "Halt")
                .count() as u64;
        }
    }
    (per_row > 0).then_some((root, per_row))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(conn: &Connection, sql: &str) -> Vec<Op> {
        super::program(conn, sql).unwrap()
    }

    /// The estimate is what the bar shows: instructions really run per row
    /// (SQLite's own count, over 10,000 rows) must be close to it.
    #[test]
    fn instructions_per_row_match_what_sqlite_runs() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT);
             CREATE INDEX t_b ON t (b);
             CREATE TABLE n (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT CHECK (b >= 0));
             CREATE INDEX n_b ON n (b);
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000)
             INSERT INTO t SELECT i, 'row ' || i, i % 7 FROM c;",
        )
        .unwrap();
        for sql in [
            "INSERT INTO n (id, a, b) SELECT id, a, b FROM t",
            "UPDATE t SET a = a || '!'",
            "CREATE INDEX t_a ON t (a)",
        ] {
            let (_, per_row) = analyse(&program(&conn, sql)).expect(sql);
            let mut stmt = conn.prepare(sql).unwrap();
            stmt.raw_execute().unwrap();
            let run = stmt.get_status(rusqlite::StatementStatus::VmStep) as f64 / 10_000.0;
            let ratio = per_row as f64 / run;
            assert!((0.8..1.25).contains(&ratio), "{sql}: {per_row} vs {run}");
        }
    }

    #[test]
    fn no_scan_no_bar() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .unwrap();
        assert_eq!(analyse(&program(&conn, "ALTER TABLE t RENAME TO u")), None);
        assert_eq!(analyse(&program(&conn, "DROP TABLE t")), None);
    }
}
