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
pub fn refuse_rebuilds(steps: &[(&Revision, Direction)]) -> Result<()> {
    for (rev, direction) in steps.iter().filter(|(r, _)| !r.transactional) {
        for (i, stmt) in rev.section(*direction).statements().iter().enumerate() {
            let words: Vec<String> = sql::tokenize(&stmt.sql)
                .iter()
                .filter(|t| !t.is_trivia())
                .take(8)
                .map(|t| t.text.to_ascii_uppercase())
                .collect();
            let at = |i: usize| words.get(i).map_or("", String::as_str);
            let what = match (at(0), at(1)) {
                ("DROP", "TABLE") => "drops a table",
                ("ALTER", "TABLE")
                    if words.windows(2).any(|w| w[0] == "RENAME" && w[1] == "TO") =>
                {
                    "renames a table"
                }
                _ => continue,
            };
            return Err(Error::Refused(format!(
                "revision {} ({}, {} statement {} at line {}) {what}, but it is marked `transactional: false`: \
                 outside a transaction a table rebuild loses the application's concurrent writes, and if \
                 interrupted leaves a half-built table. Nothing ran. Remove the `-- transactional: false` \
                 line, or move this statement into a transactional revision",
                rev.id,
                rev.path.display(),
                direction.as_str(),
                i + 1,
                stmt.line
            )));
        }
    }
    Ok(())
}
