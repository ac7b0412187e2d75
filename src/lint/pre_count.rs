//! `lint`'s and `upgrade`'s data checks where the dialect's planner wrote
//! the counting queries into the revision's review comments (PostgreSQL):
//! each query is read back through [`crate::dialect::Dialect::pre_count`]
//! and run on the live database under a timeout ([`Database::count_rows`]).

use std::time::Duration;

use super::{Finding, has_data_changes, review_risks};
use crate::apply::Direction;
use crate::driver::Count;
use crate::engine::Database;
use crate::error::{Error, Result};
use crate::script::Revision;

/// Data findings for `steps` from the pre-count queries the dialect's
/// planner wrote into their review comments (PostgreSQL), counted on the
/// live database under `timeout`. As with SQLite's checks, from the first
/// step that changes rows on nothing is counted: the live rows no longer
/// say what a later step meets. A count that runs out of time refuses.
pub(crate) fn pre_counts(
    db: &Database,
    steps: &[(&Revision, Direction)],
    timeout: Duration,
) -> Result<Vec<Finding>> {
    let dialect = db.engine().dialect();
    let mut asked = Vec::new();
    for (rev, direction) in steps {
        if has_data_changes(rev, *direction) {
            break;
        }
        for (stmt, risks) in review_risks(rev, *direction) {
            for pre in risks.iter().filter_map(|r| dialect.pre_count(r)) {
                let message = format!(
                    "line {}: {} ({})",
                    stmt.line,
                    pre.reason,
                    excerpt(&stmt.sql)
                );
                asked.push((*rev, pre.table, message, pre.query.to_string()));
            }
        }
    }
    let queries: Vec<String> = asked.iter().map(|a| a.3.clone()).collect();
    let counts = db.count_rows(&queries, timeout)?;
    let mut out = Vec::new();
    for ((rev, table, message, query), count) in asked.into_iter().zip(counts) {
        match count {
            Count::Rows(0) | Count::Unknown => {}
            Count::Rows(n) => out.push(Finding {
                revision: rev.id.clone(),
                file: rev.file_name(),
                kind: "data",
                table,
                message,
                rows: Some(n),
            }),
            Count::TimedOut => {
                return Err(Error::Refused(format!(
                    "the data check of revision {} ({}, {message}) did not finish within {} s \
                     (statement_timeout), so it is not known whether the rows allow it; nothing was \
                     changed. Raise [database] data_check_timeout (seconds; 0 = no limit), or run \
                     the count yourself: {query}",
                    rev.id,
                    rev.file_name(),
                    timeout.as_secs_f64()
                )));
            }
        }
    }
    Ok(out)
}

/// A statement on one line, cut short: enough to name its constraint.
fn excerpt(statement: &str) -> String {
    let line = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(120) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line,
    }
}
