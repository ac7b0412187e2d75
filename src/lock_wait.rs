//! `lock_wait`: how long any connection of this run waits for another
//! connection's lock (a migrator's write lock blocks readers too). One value
//! for the run, set once from the setting (read in `config::lock_wait`).
//! (PostgreSQL's per-statement `lock_timeout` is another thing, kept apart by
//! its name.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a command waits for another connection's lock, unless `lock_wait` says.
pub(crate) const DEFAULT: Duration = Duration::from_secs(60);

/// The lock wait of this run, set once by [`crate::config::Config::load`]: every connection
/// opened anywhere reads it, and passing it down to each of them would thread
/// one number through most modules. Milliseconds.
static LOCK_WAIT_MS: AtomicU64 = AtomicU64::new(DEFAULT.as_millis() as u64);

/// Sets the wait for the rest of the run (from [`crate::config::Config::load`]).
pub(crate) fn set(wait: Duration) {
    LOCK_WAIT_MS.store(wait.as_millis() as u64, Ordering::Relaxed);
}

/// How long to wait for another connection's lock, as this run was told.
pub(crate) fn current() -> Duration {
    Duration::from_millis(LOCK_WAIT_MS.load(Ordering::Relaxed))
}
