//! Reading the `lock_wait` setting from `--lock-wait` / `MIGRATE_LOCK_WAIT`,
//! the old `MIGRATE_LOCK_TIMEOUT`, `[database] lock_wait`, else 60 s; and
//! PostgreSQL's `[database] lock_timeout` (a different wait: see
//! [`resolve_lock_timeout`]). The
//! value itself lives in [`crate::lock_wait`], apart from this reader so
//! that the error type can name it without a circle.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::lock_wait::DEFAULT;

/// The longest `lock_wait`: one day.
const MAX_SECS: f64 = 86_400.0;

/// `lock_wait`: `--lock-wait` / `MIGRATE_LOCK_WAIT`, then the old name
/// `MIGRATE_LOCK_TIMEOUT`, then `[database] lock_wait`, then 60 s. Seconds
/// (fractions allowed) from 0 to one day; anything else is refused rather
/// than guessed at (`1e300` once panicked).
pub(super) fn resolve(
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

/// `[database] lock_timeout`: how long one PostgreSQL statement of a
/// revision waits for a table lock (`SET LOCAL lock_timeout`) before the
/// revision fails, so that the application's queries never queue behind a
/// waiting `ALTER TABLE` for long. Seconds from 0 (no limit) to one day;
/// 5 s when not set.
pub(super) fn resolve_lock_timeout(
    from_file: Option<toml::Value>,
    table: &str,
    config_name: &str,
) -> Result<Duration> {
    seconds_setting(
        "lock_timeout",
        from_file,
        DEFAULT_LOCK_TIMEOUT,
        table,
        config_name,
    )
}

/// `[database] data_check_timeout`: how long one PostgreSQL pre-count query
/// (`upgrade`'s and `lint`'s data checks) may run (`SET LOCAL
/// statement_timeout`) before the command stops, saying the check could not
/// finish. Seconds from 0 (no limit) to one day; 60 s when not set.
pub(super) fn resolve_data_check_timeout(
    from_file: Option<toml::Value>,
    table: &str,
    config_name: &str,
) -> Result<Duration> {
    seconds_setting(
        "data_check_timeout",
        from_file,
        Duration::from_secs(60),
        table,
        config_name,
    )
}

/// A setting in seconds read from `table`, `default` when not set.
fn seconds_setting(
    key: &str,
    from_file: Option<toml::Value>,
    default: Duration,
    table: &str,
    config_name: &str,
) -> Result<Duration> {
    let text = match from_file {
        None => return Ok(default),
        Some(toml::Value::Integer(n)) => n.to_string(),
        Some(toml::Value::Float(x)) => x.to_string(),
        Some(other) => other.to_string(),
    };
    parse_seconds(key, &text, MAX_SECS).map_err(|e| Error::Config {
        path: config_name.into(),
        message: format!("{table} {e}"),
    })
}

/// `lock_timeout` when the config does not say.
pub(super) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

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
