//! `migrate restore [BACKUP]`: list the backups of the configured database,
//! or verify one and copy it in.
//!
//! The copy goes through SQLite's online backup API into the live database,
//! under its write lock: connections that have the file open (and a `-wal`
//! file) see either the old database or the restored one, never a file
//! renamed under them. While another connection holds a lock on the
//! database, restore waits up to the lock timeout and then refuses, changing
//! nothing. The database as it was is backed up first.

use crate::outln;
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};

use crate::config::Config;
use crate::error::{DatabaseProblem, Error, Result};
use crate::files::display_rel;
use crate::graph::Graph;
use crate::sqlite::backup;
use crate::sqlite::inspect;

/// `migrate restore` without an argument lists; with one, restores.
pub(crate) fn run(config: &Config, spec: Option<&str>) -> Result<()> {
    match spec {
        None => list(config),
        Some(spec) => restore(config, spec),
    }
}

fn list(config: &Config) -> Result<()> {
    let db = config.database()?;
    let backups = backup::list(&config.backup_dir, db)?;
    if backups.is_empty() {
        outln!(
            "no backups of {} (they go to {})",
            display_rel(db),
            display_rel(&backup::folder(&config.backup_dir, db))
        )?;
        return Ok(());
    }
    for b in backups.iter().rev() {
        let at = match heads(b, &config.version_table) {
            Ok(revs) if revs.is_empty() => "base".to_string(),
            Ok(revs) => revs.join(", "),
            Err(_) => "unreadable".to_string(),
        };
        outln!("{}  (at {at})", display_rel(b))?;
    }
    outln!("restore one with `migrate restore BACKUP` (a path, or part of a name above)")?;
    Ok(())
}

/// The revisions a backup is at: those no other recorded revision has as
/// a parent (from its version table alone, as `current` does).
fn heads(path: &Path, version_table: &str) -> Result<Vec<String>> {
    let conn = inspect::open_read_only(path)?;
    let rows = crate::sqlite::driver::read_applied(&conn, version_table)
        .map_err(crate::sqlite::driver::at_path(path))?;
    let parents: Vec<&String> = rows.iter().flat_map(|a| &a.parents).collect();
    Ok(rows
        .iter()
        .filter(|a| !parents.contains(&&a.revision))
        .map(|a| a.revision.clone())
        .collect())
}

/// The revisions a backup's version table records (heads and ancestors).
fn recorded(path: &Path, version_table: &str) -> Result<Vec<String>> {
    let conn = inspect::open_read_only(path)?;
    Ok(crate::sqlite::driver::read_applied(&conn, version_table)
        .map_err(crate::sqlite::driver::at_path(path))?
        .into_iter()
        .map(|a| a.revision)
        .collect())
}

/// A path to a file, or a unique part of the name of one of this
/// database's backups.
fn resolve(config: &Config, db: &Path, spec: &str) -> Result<PathBuf> {
    let as_path = Path::new(spec);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    let matches: Vec<PathBuf> = backup::list(&config.backup_dir, db)?
        .into_iter()
        .filter(|b| {
            b.file_name()
                .is_some_and(|n| n.to_string_lossy().contains(spec))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::Usage(format!(
            "no backup {spec:?} of {}: `migrate restore` lists them",
            display_rel(db)
        ))),
        many => Err(Error::Usage(format!(
            "{spec:?} names {} backups ({}); give more of the name",
            many.len(),
            many.iter()
                .map(|b| display_rel(b))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Refuses a file that is not a sound backup of this project's database:
/// `integrity_check` must pass and its version table must name revisions
/// that exist. A backup at base (no revision) is accepted only from this
/// database's own backup folder, where `migrate` put it.
fn verify(config: &Config, graph: &Graph, db: &Path, path: &Path) -> Result<Vec<String>> {
    let conn = inspect::open_read_only(path)?;
    let sound = backup::verify_integrity(&conn).map_err(|e| Error::database(path, e))?;
    if !sound {
        return Err(Error::Refused(format!(
            "{} fails PRAGMA integrity_check; it was not restored",
            display_rel(path)
        )));
    }
    let revisions = recorded(path, &config.version_table)?;
    if let Some(unknown) = revisions.iter().find(|r| graph.get(r).is_none()) {
        return Err(Error::Refused(format!(
            "{} records revision {unknown}, which is not in the versions directory; \
             it is not a backup of this project's database (nothing was restored)",
            display_rel(path)
        )));
    }
    let ours = path.parent().and_then(|p| p.canonicalize().ok())
        == backup::folder(&config.backup_dir, db).canonicalize().ok();
    if revisions.is_empty() && !ours {
        return Err(Error::Refused(format!(
            "{} has no {} table naming a revision of this project; nothing was restored",
            display_rel(path),
            config.version_table
        )));
    }
    Ok(revisions)
}

fn restore(config: &Config, spec: &str) -> Result<()> {
    let db = config.database()?;
    let graph = Graph::read(&config.versions_dir(), config.engine().dialect())?;
    let path = resolve(config, db, spec)?;
    if path.canonicalize().ok() == db.canonicalize().ok() {
        return Err(Error::Usage(format!(
            "{} is the database itself; name a backup (`migrate restore` lists them)",
            display_rel(&path)
        )));
    }
    let revisions = verify(config, &graph, db, &path)?;
    // The database as it is now, kept before it is overwritten; pruned only
    // after the copy, so that it cannot remove the backup being restored.
    let before = if db.exists() {
        Some(backup::take_unpruned(
            db,
            &config.backup_dir,
            "before-restore",
        )?)
    } else {
        None
    };
    let source = inspect::open_read_only(&path)?;
    let mut target = crate::sqlite::driver::open_for_write(db)?;
    let outcome = Backup::new(&source, &mut target).and_then(|b| b.step(-1));
    match outcome {
        Ok(StepResult::Done) => {}
        Ok(StepResult::Busy | StepResult::Locked) => {
            if let Some(b) = &before {
                let _ = std::fs::remove_file(b);
            }
            return Err(Error::Refused(format!(
                "database {} is locked by another migrator or application (waited {}s); \
                 nothing was restored: try again when it is done",
                display_rel(db),
                crate::lock_wait::current().as_secs_f64()
            )));
        }
        Ok(other) => {
            return Err(Error::database(db, format!("restore stopped: {other:?}")));
        }
        Err(e) => {
            let problem = DatabaseProblem::from(e).in_context(|t| format!("restore failed: {t}"));
            return Err(Error::database(db, problem));
        }
    }
    let sound = backup::verify_integrity(&target).map_err(|e| Error::database(db, e))?;
    if !sound {
        return Err(Error::Refused(format!(
            "{} fails PRAGMA integrity_check after the restore{}",
            display_rel(db),
            before.as_ref().map_or(String::new(), |b| format!(
                "; the database as it was is in {}",
                display_rel(b)
            ))
        )));
    }
    backup::prune(&backup::folder(&config.backup_dir, db), config.backup_keep)?;
    let heads = graph.current_heads(&revisions.into_iter().collect());
    outln!(
        "restored {} from {} (at {})",
        display_rel(db),
        display_rel(&path),
        if heads.is_empty() {
            "base".to_string()
        } else {
            heads.join(", ")
        }
    )?;
    if let Some(b) = before.filter(|b| b.exists()) {
        outln!("the database as it was: {}", display_rel(&b))?;
    }
    Ok(())
}
