//! `migrate edit REV`: opens a revision file in the user's editor, then
//! checks the edited file at once and rewrites `migrate.sum`, so that an edit
//! needs no second command (`migrate hash`) and its errors come in one round.
//!
//! The editor is found as git finds it: `$VISUAL`, then `$EDITOR`, run through
//! the shell so that it may carry arguments (`EDITOR="code --wait"`).

use std::path::{Path, PathBuf};

use crate::commands::load_graph;
use crate::config::Config;
use crate::driver::Applied;
use crate::error::{Error, Result};
use crate::files::display_rel;
use crate::graph;
use crate::script::{self, Revision};
use crate::sum::{self, Stale};
use crate::{files, noteln, outln};

pub(crate) fn edit(config: &Config, spec: &str) -> Result<()> {
    // From the file names, not the parsed graph: a file that no longer
    // parses is the one most worth opening again.
    let files = script::revision_files(&config.versions_dir())?;
    let path = graph::resolve_prefix(files.iter(), |p: &PathBuf| script::id_of_file(p), spec)?;
    let id = script::id_of_file(path);
    refuse_other_changes(&config.migrations_dir, path)?;
    let editor = choose_editor(var("VISUAL"), var("EDITOR")).ok_or_else(|| {
        Error::Usage(
            "no editor: set VISUAL or EDITOR (e.g. `export EDITOR=vi`), or edit the file by \
             hand and run `migrate hash`"
                .into(),
        )
    })?;
    let before = files::read_bytes(path)?;
    run_editor(&editor, path, id)?;
    if files::read_bytes(path)? == before {
        outln!(
            "{} is unchanged; migrate.sum was left as it was",
            display_rel(path)
        )?;
        return Ok(());
    }
    // The whole graph, so that an edited header (a parent that does not
    // exist, a cycle) is caught now too, not by the next command.
    let graph = load_graph(config).map_err(|e| again(e, id))?;
    let rev = graph
        .get(id)
        .ok_or_else(|| Error::Revision(format!("revision {id} is no longer in the graph")))?;
    // Read before the sum is written: an unreadable database changes nothing.
    let edited_applied = applied_and_changed(config, rev)?;
    let sum_path = sum::write(&config.migrations_dir)?;
    outln!(
        "{} changed; wrote {}",
        display_rel(path),
        display_rel(&sum_path)
    )?;
    if let Some(row) = edited_applied {
        noteln!(
            "note: revision {id} was applied on {} and its up section changed, so `migrate upgrade` \
             and `downgrade` will refuse to run until you undo the edit, or, if the database \
             already matches the new text, accept it with `migrate approve {id}`",
            row.applied_at
        );
    }
    Ok(())
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `$VISUAL`, then `$EDITOR`; an empty value counts as unset (as in git).
fn choose_editor(visual: Option<String>, editor: Option<String>) -> Option<String> {
    [visual, editor]
        .into_iter()
        .flatten()
        .find(|e| !e.trim().is_empty())
}

/// Rewriting the sum accepts every change in the directory, so other files
/// changed since it was written are refused first, before the editor opens.
fn refuse_other_changes(migrations_dir: &Path, path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let stale = sum::validate(migrations_dir)?;
    if stale
        .iter()
        .any(|s| !matches!(s, Stale::Edited(n) if *n == name))
    {
        sum::ensure_current(migrations_dir)?;
    }
    Ok(())
}

/// Runs `editor FILE` through `sh -c`, as git does, with the terminal passed on.
fn run_editor(editor: &str, path: &Path, id: &str) -> Result<()> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(path)
        .status()
        .map_err(|e| Error::io("sh (to run the editor)", e))?;
    if status.success() {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "the editor `{editor}` ended with {status}; migrate.sum was left as it was\n\
         the file is as the editor left it: `migrate edit {id}` to try again, or review it and run `migrate hash`"
    )))
}

/// A file that no longer reads says how to get back into it.
fn again(err: Error, id: &str) -> Error {
    match err {
        Error::Script {
            path,
            line,
            message,
        } => Error::Script {
            path,
            line,
            message: format!(
                "{message}\nmigrate.sum was left as it was: `migrate edit {id}` to fix the file"
            ),
        },
        other => other,
    }
}

/// The version-table row of `rev` when it is applied and its up section no
/// longer matches the checksum stored then.
fn applied_and_changed(config: &Config, rev: &Revision) -> Result<Option<Applied>> {
    let Some(db) = config.target_if_set() else {
        return Ok(None);
    };
    let rows = db.read_applied(&config.version_table)?;
    Ok(rows
        .into_iter()
        .find(|a| a.revision == rev.id && a.checksum != rev.checksum()))
}

#[cfg(test)]
mod tests {
    use super::choose_editor;

    #[test]
    fn visual_comes_before_editor_and_empty_values_count_as_unset() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(choose_editor(s("code --wait"), s("vi")), s("code --wait"));
        assert_eq!(choose_editor(None, s("vi")), s("vi"));
        assert_eq!(choose_editor(s(" "), s("vi")), s("vi"));
        assert_eq!(choose_editor(s(""), s("")), None);
        assert_eq!(choose_editor(None, None), None);
    }
}
