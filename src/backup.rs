//! Copies of the database taken with SQLite's online backup API: before a
//! destructive upgrade (kept in the backup folder, newest N), and as scratch
//! copies for `verify --data`. A copy is checked with `PRAGMA integrity_check`
//! before anything relies on it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use crate::error::{Error, Result};
use crate::inspect;

/// Copies every page of `from` into `to` (which is overwritten), waiting for
/// another connection's lock as long as `lock_wait` says.
pub fn copy(from: &Connection, to: &mut Connection) -> rusqlite::Result<()> {
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
pub fn verify_integrity(conn: &Connection) -> rusqlite::Result<bool> {
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok(result == "ok")
}

/// Backs `db` up into `dir` as `<stem>-<time>-<label>.db`, checks the copy,
/// and keeps only the `keep` newest backups of this database.
pub fn take(db: &Path, dir: &Path, keep: usize, label: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let stem = stem(db);
    let stamp = crate::script::utc_now().replace([':', '-'], "");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or(0);
    let path = dir.join(format!(
        "{stem}-{}{nanos:03}-{label}.db",
        stamp.trim_end_matches('Z')
    ));
    let source = inspect::open_read_only(db)?;
    let mut target = Connection::open(&path).map_err(|e| Error::database(&path, e))?;
    copy(&source, &mut target)
        .map_err(|e| Error::database(&path, format!("backup failed: {e}")))?;
    let sound = verify_integrity(&target).map_err(|e| Error::database(&path, e))?;
    drop(target);
    if !sound {
        let _ = std::fs::remove_file(&path);
        return Err(Error::Refused(format!(
            "the backup of {} failed PRAGMA integrity_check; nothing was migrated. Check the database itself with `sqlite3 {} 'PRAGMA integrity_check'`",
            db.display(),
            db.display()
        )));
    }
    prune(dir, &stem, keep)?;
    Ok(path)
}

fn stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "database".into())
}

/// Deletes all but the `keep` newest backups of one database.
fn prune(dir: &Path, stem: &str, keep: usize) -> Result<()> {
    let prefix = format!("{stem}-");
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.starts_with(&prefix) && name.ends_with(".db")
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep.max(1));
    for old in &backups[..excess] {
        std::fs::remove_file(old).map_err(|e| Error::io(old, e))?;
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
        assert!(err.to_string().contains("database is locked"), "{err}");
        holder.execute_batch("ROLLBACK").unwrap();
        copy_waiting(&source, &mut target, Duration::ZERO).unwrap();
        let rows: i64 = target
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }
}
