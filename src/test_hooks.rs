//! Test-only pauses in the apply loop, set by environment variables that
//! the integration tests use to line up migrators at a chosen point (two
//! cores rarely interleave processes on their own). Not settings for users:
//! unset, each is one environment lookup.

use std::path::Path;
use std::time::{Duration, Instant};

/// Test-only: `MIGRATE_TEST_PAUSE_BEFORE_LOCK_MS` makes a run sleep between
/// planning and taking the lock, so that tests can line up many migrators
/// that all planned from the same state (two cores rarely interleave them
/// on their own). Not a setting for users.
pub(crate) fn pause_before_lock() {
    if let Some(ms) = std::env::var("MIGRATE_TEST_PAUSE_BEFORE_LOCK_MS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Test-only: `MIGRATE_TEST_WAIT_BETWEEN_STEPS` names a file; after each
/// revision a run waits (60 s at most) until that file exists, so that a
/// test can take the lock between two revisions of one run. Not a setting
/// for users.
pub(crate) fn wait_between_steps() {
    if let Some(file) = std::env::var_os("MIGRATE_TEST_WAIT_BETWEEN_STEPS") {
        wait_for(Path::new(&file));
    }
}

/// Test-only: `MIGRATE_TEST_WAIT_IN_NON_TRANSACTIONAL` names a file; after a
/// `-- transactional: false` revision's statements ran and before its
/// version row is written, a run waits (60 s at most) until that file
/// exists, so that a test can start a second migrator right then. Not a
/// setting for users.
pub(crate) fn wait_in_non_transactional() {
    if let Some(file) = std::env::var_os("MIGRATE_TEST_WAIT_IN_NON_TRANSACTIONAL") {
        wait_for(Path::new(&file));
    }
}

fn wait_for(file: &Path) {
    let until = Instant::now() + Duration::from_secs(60);
    while !file.exists() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Test-only: `MIGRATE_TEST_STOP_AFTER_STATEMENT=N` (or `N:MS`): on an
/// engine without transactional DDL, once the `N`th statement of a revision
/// (counted from 1, not its last) has committed, a run sleeps 60 s (or `MS`
/// milliseconds), so that a test can kill it, or take its lease, between
/// two statements. Not a setting for users.
pub(crate) fn stop_after_statement(number: usize) {
    let Ok(value) = std::env::var("MIGRATE_TEST_STOP_AFTER_STATEMENT") else {
        return;
    };
    let (n, ms) = value.split_once(':').unwrap_or((&value, "60000"));
    if n.trim().parse::<usize>().ok() == Some(number) {
        let ms = ms.trim().parse::<u64>().unwrap_or(60_000);
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Test-only: `MIGRATE_TEST_LEASE_MS` shortens the migration lease (see
/// `crate::postgres::lease`), so that a test sees a killed holder's lease
/// expire without waiting the default. Not a setting for users.
#[cfg(feature = "postgres")]
pub(crate) fn lease_duration(default: Duration) -> Duration {
    std::env::var("MIGRATE_TEST_LEASE_MS")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(default, Duration::from_millis)
}
