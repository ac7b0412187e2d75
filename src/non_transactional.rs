//! What a `-- transactional: false` revision may not do. Such a revision
//! runs statement by statement with no rollback, which suits VACUUM or a
//! long index build, but not a table rebuild (copy, drop, rename): the
//! application's writes between the copy and the drop would be lost, and a
//! kill would leave a half-built table that nothing points out.

use crate::error::{Error, Result};
use crate::script::Direction;
use crate::script::Revision;
use crate::sqlite::sql;

/// Refuses, before any step runs, a `-- transactional: false` revision that
/// drops or renames a table (the steps of every table rebuild): outside a
/// transaction the application's writes between the copy and the drop are
/// lost, and a kill leaves a half-built table with nothing to say so.
/// `rebuilds_tables` false (PostgreSQL, which ALTERs in place): a drop or a
/// rename alone is one atomic statement and runs; only a section that both
/// drops and renames a table (a rebuild by hand) is refused.
pub(crate) fn refuse_rebuilds(
    steps: &[(&Revision, Direction)],
    rebuilds_tables: bool,
) -> Result<()> {
    for (rev, direction) in steps.iter().filter(|(r, _)| !r.transactional) {
        let found: Vec<(usize, usize, &str)> = rev
            .section(*direction)
            .statements()
            .iter()
            .enumerate()
            .filter_map(|(i, stmt)| table_step(&stmt.sql).map(|what| (i, stmt.line, what)))
            .collect();
        let rebuild = found.iter().any(|f| f.2 == DROPS) && found.iter().any(|f| f.2 == RENAMES);
        if let Some(&(i, line, what)) = found.first().filter(|_| rebuilds_tables || rebuild) {
            return Err(Error::Refused(format!(
                "revision {} ({}, {} statement {} at line {}) {what}, but it is marked `transactional: false`: \
                 outside a transaction a table rebuild loses the application's concurrent writes, and if \
                 interrupted leaves a half-built table. Nothing ran. Remove the `-- transactional: false` \
                 line, or move this statement into a transactional revision",
                rev.id,
                rev.path.display(),
                direction.as_str(),
                i + 1,
                line
            )));
        }
    }
    Ok(())
}

const DROPS: &str = "drops a table";
const RENAMES: &str = "renames a table";

/// What a statement does to a table that a rebuild does: drop it, rename it.
fn table_step(statement: &str) -> Option<&'static str> {
    let words: Vec<String> = sql::tokenize(statement)
        .iter()
        .filter(|t| !t.is_trivia())
        .take(8)
        .map(|t| t.text.to_ascii_uppercase())
        .collect();
    let at = |i: usize| words.get(i).map_or("", String::as_str);
    match (at(0), at(1)) {
        ("DROP", "TABLE") => Some(DROPS),
        ("ALTER", "TABLE") if words.windows(2).any(|w| w[0] == "RENAME" && w[1] == "TO") => {
            Some(RENAMES)
        }
        _ => None,
    }
}
