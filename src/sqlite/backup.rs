//! Copies of the database taken with SQLite's online backup API: before a
//! destructive upgrade (kept per database in the backup folder, newest N),
//! and as scratch copies for `verify --data`. A copy is checked with
//! `PRAGMA integrity_check` before anything relies on it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};
use sha2::{Digest, Sha256};

use crate::error::{DatabaseProblem, Error, Result};
use crate::sqlite::inspect;

/// Copies every page of `from` into `to` (which is overwritten), waiting for
/// another connection's lock as long as `lock_wait` says.
pub(crate) fn copy(from: &Connection, to: &mut Connection) -> rusqlite::Result<()> {
    copy_waiting(from, to, crate::lock_wait::current())
}

/// [`copy`], giving up with SQLite's "database is locked" after `wait`
/// (a writer that never lets go would otherwise keep us here forever).
fn copy_waiting(from: &Connection, to: &mut Connection, wait: Duration) -> rusqlite::Result<()> {
    let backup = Backup::new(from, to)?;
    let deadline = std::time::Instant::now() + wait;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // Another connection holds a lock: wait a little, as the API expects.
            StepResult::Busy | StepResult::Locked if std::time::Instant::now() >= deadline => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some("database is locked".into()),
                ));
            }
            StepResult::Busy | StepResult::Locked => std::thread::sleep(Duration::from_millis(20)),
            StepResult::More => {}
            _ => {}
        }
    }
}

/// `PRAGMA integrity_check` says "ok".
pub(crate) fn verify_integrity(conn: &Connection) -> rusqlite::Result<bool> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok(result == "ok")
}

/// The folder of one database's backups: `<dir>/<stem>-<hash>/`, where the
/// hash is of the database's canonical path. Two databases never share a
/// folder (`dev/app.db` and `prod/app.db`, or `app.db` and `app-test.db`), so
/// keeping and pruning are per database; the folder name is relative to the
/// backup directory, so renaming or moving that directory keeps the link.
/// A `database` file in the folder names the database for people.
pub fn folder(dir: &Path, db: &Path) -> PathBuf {
    let canonical = canonical(db);
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{}-{hash}", stem(db)))
}

/// The database's path with symlinks and `..` resolved, also before the file
/// exists (its folder does).
fn canonical(db: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(db) {
        return p;
    }
    let parent = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), db.file_name()) {
        (Ok(p), Some(name)) => p.join(name),
        _ => db.to_path_buf(),
    }
}

/// Backs `db` up into its folder under `dir` as
/// `<stem>-<time>-p<pid>-<label>.db`, checks the copy, and keeps only the
/// `keep` newest backups of this database.
///
/// The copy is written under a hidden temporary name (`.<name>.partial`) and
/// renamed only once `integrity_check` passed, so a failed or interrupted
/// backup never looks like a real one, and pruning (which only looks at
/// finished names) never touches a file another process is still writing.
/// The process id keeps names unique between migrators started in the same
/// millisecond.
pub(crate) fn take(db: &Path, dir: &Path, keep: usize, label: &str) -> Result<PathBuf> {
    let path = take_unpruned(db, dir, label)?;
    prune(&folder(dir, db), keep)?;
    Ok(path)
}

/// [`take`] without pruning: the caller prunes once it no longer needs the
/// older backups (`restore` reads one while it takes this one).
pub(crate) fn take_unpruned(db: &Path, dir: &Path, label: &str) -> Result<PathBuf> {
    let folder = folder(dir, db);
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    record_database(&folder, db)?;
    let stamp = crate::script::utc_now().replace([':', '-'], "");
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or(0);
    let name = format!(
        "{}-{}{millis:03}-p{}-{label}.db",
        stem(db),
        stamp.trim_end_matches('Z'),
        std::process::id()
    );
    let path = folder.join(&name);
    let partial = folder.join(format!(".{name}.partial"));
    let written = write_verified(db, &partial);
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written?;
    std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Copies `db` into `to` and checks the copy; an error leaves `to` for the
/// caller to remove.
fn write_verified(db: &Path, to: &Path) -> Result<()> {
    let source = inspect::open_read_only(db)?;
    let mut target = Connection::open(to).map_err(|e| Error::database(to, e))?;
    copy(&source, &mut target).map_err(|e| {
        Error::database(
            to,
            DatabaseProblem::from(e).in_context(|t| format!("backup failed: {t}")),
        )
    })?;
    let sound = verify_integrity(&target).map_err(|e| Error::database(to, e))?;
    if !sound {
        return Err(Error::Refused(format!(
            "the backup of {} failed PRAGMA integrity_check; nothing was migrated. Check the database itself with `sqlite3 {} 'PRAGMA integrity_check'`",
            db.display(),
            db.display()
        )));
    }
    Ok(())
}

/// Writes the folder's `database` file (the canonical path of the database
/// it holds backups of), once.
fn record_database(folder: &Path, db: &Path) -> Result<()> {
    let file = folder.join("database");
    if file.exists() {
        return Ok(());
    }
    // Another migrator may write it at the same moment: write aside, rename.
    let tmp = folder.join(format!(".database.{}", std::process::id()));
    let text = format!("{}\n", canonical(db).display());
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &file).map_err(|e| Error::io(&file, e))
}

fn stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".into())
}

/// The finished backups of `db`, oldest first (names sort by time).
pub fn list(dir: &Path, db: &Path) -> Result<Vec<PathBuf>> {
    finished(&folder(dir, db))
}

fn finished(folder: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(Error::io(folder, e)),
    };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = file_name(p);
            !name.starts_with('.') && name.ends_with(".db")
        })
        .collect();
    backups.sort();
    Ok(backups)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A partial copy untouched this long belongs to a process that died.
const STALE_PARTIAL: Duration = Duration::from_secs(3600);

/// Deletes all but the `keep` newest finished backups in one database's
/// folder, and partial copies left by a process that died. A file another
/// process deleted first is no error.
pub(crate) fn prune(folder: &Path, keep: usize) -> Result<()> {
    let backups = finished(folder)?;
    let excess = backups.len().saturating_sub(keep.max(1));
    for old in &backups[..excess] {
        match std::fs::remove_file(old) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(old, e));
            }
            _ => {}
        }
    }
    let stale = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| file_name(&e.path()).ends_with(".partial"))
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_PARTIAL)
        });
    for e in stale {
        let _ = std::fs::remove_file(e.path());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_gives_up_on_a_lock_held_past_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let holder = Connection::open(&path).unwrap();
        holder
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let source = Connection::open(&path).unwrap();
        source.busy_timeout(Duration::ZERO).unwrap();
        holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let mut target = Connection::open_in_memory().unwrap();
        let err = copy_waiting(&source, &mut target, Duration::from_millis(100)).unwrap_err();
        assert!(
            matches!(&err, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DatabaseBusy),
            "{err}"
        );
        holder.execute_batch("ROLLBACK").unwrap();
        copy_waiting(&source, &mut target, Duration::ZERO).unwrap();
        let rows: i64 = target
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }
}
