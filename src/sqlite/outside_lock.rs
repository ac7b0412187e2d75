//! The lock a `-- transactional: false` revision holds while its statements
//! run outside any transaction, where SQLite's own write lock (`BEGIN
//! IMMEDIATE`) cannot be held. Without it a second migrator took the write
//! lock as soon as the first let it go, found the revision not recorded yet,
//! and ran its statements a second time.
//!
//! It is an advisory file lock (`flock`, through `std::fs::File::lock`) on
//! `<database>-migrate-lock` beside the database, so the OS releases it when
//! a migrator dies. Never the database file itself: closing a second
//! descriptor of it would drop SQLite's own POSIX locks in this process. The
//! lock is only taken while the write lock is held, and every migrator looks
//! for it only while holding the write lock, so the look cannot race with a
//! migrator about to take it. The file exists only while a revision runs
//! (it is removed before the lock is let go); a stale one (a killed run) is
//! unlocked and means nothing.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Held from before a non-transactional revision's transaction ends until
/// its version row is committed (or the run fails).
pub(crate) struct OutsideLock {
    file: File,
    path: PathBuf,
}

/// `<database>-migrate-lock`, beside the file the path leads to (as SQLite
/// puts its journal), so that two migrators given two paths to one database
/// (a symbolic link) meet at one lock.
pub fn lock_path(db: &Path) -> PathBuf {
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let mut name = db.into_os_string();
    name.push("-migrate-lock");
    PathBuf::from(name)
}

impl OutsideLock {
    /// Takes the lock for the database at `db`; the caller holds the write
    /// lock, so only another migrator's momentary look can be in the way.
    pub(crate) fn take(db: &Path) -> io::Result<OutsideLock> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok(OutsideLock { file, path })
    }

    /// Removes the file, then lets the lock go (a migrator waiting on the
    /// removed file looks again and finds none).
    pub(crate) fn release(self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// True while another migrator runs a non-transactional revision on `db`.
pub(crate) fn held_by_another(db: &Path) -> bool {
    let Ok(file) = File::open(lock_path(db)) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock) => true,
        // A file system without locks: nothing to wait for.
        Err(TryLockError::Error(_)) => false,
    }
}

/// Waits until no migrator runs a non-transactional revision on `db`, or
/// `until`; false when the time ran out.
pub(crate) fn wait_until_free(db: &Path, until: Instant) -> bool {
    while held_by_another(db) {
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}
