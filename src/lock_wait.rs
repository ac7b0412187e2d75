//! `lock_wait`: how long any connection of this run waits for another
//! connection's lock (a migrator's write lock blocks readers too): one
//! setting, read from `--lock-wait` / `MIGRATE_LOCK_WAIT`, the old
//! `MIGRATE_LOCK_TIMEOUT`, `[database] lock_wait`, else 60 s. (PostgreSQL's
//! per-statement `lock_timeout` is another thing, kept apart by its name.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};

/// How long a command waits for another connection's lock, unless `lock_wait` says.
pub const DEFAULT: Duration = Duration::from_secs(60);
/// The longest `lock_wait`: one day.
const MAX_SECS: f64 = 86_400.0;

/// The lock wait of this run, set once by [`crate::config::Config::load`]: every connection
/// opened anywhere reads it, and passing it down to each of them would thread
/// one number through most modules. Milliseconds.
static LOCK_WAIT_MS: AtomicU64 = AtomicU64::new(DEFAULT.as_millis() as u64);

/// Sets the wait for the rest of the run (from [`crate::config::Config::load`]).
pub fn set(wait: Duration) {
    LOCK_WAIT_MS.store(wait.as_millis() as u64, Ordering::Relaxed);
}

/// How long to wait for another connection's lock, as this run was told.
pub fn current() -> Duration {
    Duration::from_millis(LOCK_WAIT_MS.load(Ordering::Relaxed))
}

/// `lock_wait`: `--lock-wait` / `MIGRATE_LOCK_WAIT`, then the old name
/// `MIGRATE_LOCK_TIMEOUT`, then `[database] lock_wait`, then 60 s. Seconds
/// (fractions allowed) from 0 to one day; anything else is refused rather
/// than guessed at (`1e300` once panicked).
pub fn resolve(
    given: Option<&str>,
    from_file: Option<toml::Value>,
    config_name: &str,
) -> Result<Duration> {
    if let Some(text) = given {
        return parse_seconds("--lock-wait (or MIGRATE_LOCK_WAIT)", text, MAX_SECS);
    }
    match std::env::var("MIGRATE_LOCK_TIMEOUT") {
        Err(std::env::VarError::NotPresent) => {}
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(Error::Usage(
                "MIGRATE_LOCK_TIMEOUT is not text; give seconds, e.g. 60 or 0.5".into(),
            ));
        }
        Ok(text) => return parse_seconds("MIGRATE_LOCK_TIMEOUT", &text, MAX_SECS),
    }
    let text = match from_file {
        None => return Ok(DEFAULT),
        Some(toml::Value::Integer(n)) => n.to_string(),
        Some(toml::Value::Float(x)) => x.to_string(),
        Some(other) => other.to_string(),
    };
    parse_seconds("lock_wait", &text, MAX_SECS).map_err(|e| Error::Config {
        path: config_name.into(),
        message: format!("[database] {e}"),
    })
}

/// A number of seconds from 0 to `max`, named `name` in the message.
fn parse_seconds(name: &str, text: &str, max: f64) -> Result<Duration> {
    let secs = text.trim().parse::<f64>().ok();
    match secs.filter(|s| (0.0..=max).contains(s)) {
        Some(s) => Ok(Duration::from_secs_f64(s)),
        None => Err(Error::Usage(format!(
            "{name}={text:?}: give a number of seconds from 0 to {max} (one day), e.g. 60 or 0.5"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_within_limits() {
        let max = MAX_SECS;
        assert_eq!(
            parse_seconds("T", " 0.5 ", max).unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(parse_seconds("T", "0", max).unwrap(), Duration::ZERO);
        assert_eq!(
            parse_seconds("T", "86400", max).unwrap(),
            Duration::from_secs(86_400)
        );
        for bad in ["1e300", "86401", "-1", "NaN", "inf", "", "ten"] {
            let err = parse_seconds("T", bad, max).unwrap_err().to_string();
            assert!(err.contains("seconds from 0 to"), "{bad}: {err}");
        }
    }
}
