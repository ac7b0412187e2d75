//! Renames for autogenerate, which are asked, never guessed: `--rename`
//! flags parsed and checked against both schemas, rename candidates asked
//! about on a terminal, and the model's hints that name nothing, said.

use std::io::{BufRead, IsTerminal};

use crate::diff::{self, Change, RenameCandidate, Renames};
use crate::error::{Error, Result};
use crate::schema::{RenameHints, Schema};

/// Parses `--rename track=song` and `--rename artist.name=artist.full_name`.
pub(crate) fn parse_renames(specs: &[String], from: &Schema, to: &Schema) -> Result<Renames> {
    let rule = to.name_rule;
    let mut renames = Renames::default();
    for spec in specs {
        let bad = |why: &str| Error::Usage(format!("--rename {spec:?}: {why}"));
        let (old, new) = spec
            .split_once('=')
            .ok_or_else(|| bad("write OLD=NEW, e.g. track=song or artist.name=artist.full_name"))?;
        match (old.rsplit_once('.'), new.rsplit_once('.')) {
            (None, None) => {
                if from.table(old).is_none() {
                    return Err(bad(&format!("the database has no table {old:?}")));
                }
                if to.table(new).is_none() {
                    return Err(bad(&format!("the model has no table {new:?}")));
                }
                if !rule.same(old, new) && from.table(new).is_some() {
                    return Err(bad(&format!(
                        "the database already has a table {new:?}; the rename would fail \
                         (drop or rename that table first, in its own revision)"
                    )));
                }
                renames.tables.push((old.to_string(), new.to_string()));
            }
            (Some((old_table, old_col)), Some((new_table, new_col))) => {
                let source_table = renames.old_table_name(rule, new_table);
                let source_table = if from.table(&source_table).is_some() {
                    source_table
                } else {
                    old_table.to_string()
                };
                if from
                    .table(&source_table)
                    .and_then(|t| t.column(old_col))
                    .is_none()
                {
                    return Err(bad(&format!(
                        "the database has no column {old_table}.{old_col}"
                    )));
                }
                if !rule.same(old_col, new_col)
                    && from
                        .table(&source_table)
                        .and_then(|t| t.column(new_col))
                        .is_some()
                {
                    return Err(bad(&format!(
                        "the database's table {source_table:?} already has a column {new_col:?}; \
                         the rename would fail"
                    )));
                }
                if to
                    .table(new_table)
                    .and_then(|t| t.column(new_col))
                    .is_none()
                {
                    return Err(bad(&format!(
                        "the model has no column {new_table}.{new_col}"
                    )));
                }
                renames.columns.push((
                    new_table.to_string(),
                    old_col.to_string(),
                    new_col.to_string(),
                ));
            }
            _ => {
                return Err(bad(
                    "rename a table to a table, or a column (table.column) to a column",
                ));
            }
        }
    }
    Ok(renames)
}

/// Rename hints of the model that name nothing where autogenerate starts:
/// neither the old name nor the new one is there. Said, since they do nothing.
/// (A hint whose new name is there already has been applied: a no-op that
/// may stay in the model.)
pub(crate) fn idle_hints(from: &Schema, to: &Schema, hints: &RenameHints) -> Vec<String> {
    let rule = to.name_rule;
    let mut idle = Vec::new();
    for t in &to.tables {
        if let Some(old) = hints.table(rule, &t.name) {
            let (old_there, new_there) = (from.table(old).is_some(), from.table(&t.name).is_some());
            if let Some(why) = idle_why(old_there, new_there, to.table(old).is_some()) {
                idle.push(format!(
                    "table {:?} is renamed_from {old:?}, but {why}: the hint is ignored",
                    t.name
                ));
            }
        }
        let Some(ft) = from
            .table(&t.name)
            .or_else(|| from.table(hints.table(rule, &t.name)?))
        else {
            continue;
        };
        for c in &t.columns {
            if let Some(old) = hints.column(rule, &t.name, &c.name) {
                let (old_there, new_there) =
                    (ft.column(old).is_some(), ft.column(&c.name).is_some());
                if let Some(why) = idle_why(old_there, new_there, t.column(old).is_some()) {
                    idle.push(format!(
                        "column {:?}.{:?} is renamed_from {old:?}, but in table {:?} {why}: the hint is ignored",
                        t.name, c.name, ft.name
                    ));
                }
            }
        }
    }
    idle
}

/// Why a rename hint does nothing, from what the starting schema has (the
/// old name, the new name) and whether the model keeps the old name.
fn idle_why(old_there: bool, new_there: bool, old_kept: bool) -> Option<&'static str> {
    match (old_there, new_there) {
        (false, false) => Some("neither name is there (the new one is created)"),
        (true, true) if !old_kept => Some("both names are there (the old one is dropped)"),
        _ => None,
    }
}

/// Asks about each rename candidate on a terminal; without one, nothing is
/// assumed. Returns the changes under the renames settled, and the
/// candidates left for a warning.
pub(crate) fn settle_renames(
    from: &Schema,
    to: &Schema,
    renames: &mut Renames,
) -> Result<(Vec<Change>, Vec<RenameCandidate>)> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let mut unanswered = Vec::new();
    let mut changes = diff::diff(from, to, renames);
    while let Some(c) = diff::rename_candidates(&changes)
        .into_iter()
        .find(|c| !unanswered.contains(c))
    {
        if !interactive {
            unanswered.push(c);
            continue;
        }
        crate::output::prompt(format_args!("{} [y/N] ", c.question()));
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| Error::io("stdin", e))?;
        if answer.trim().eq_ignore_ascii_case("y") || answer.trim().eq_ignore_ascii_case("yes") {
            match c {
                RenameCandidate::Table { from, to } => renames.tables.push((from, to)),
                RenameCandidate::Column { table, from, to } => {
                    renames.columns.push((table, from, to))
                }
            }
            // A declared rename changes the changes, and with them the candidates.
            changes = diff::diff(from, to, renames);
        } else {
            unanswered.push(c);
        }
    }
    Ok((changes, if interactive { vec![] } else { unanswered }))
}
