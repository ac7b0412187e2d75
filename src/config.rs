//! `migrate.toml` and its overrides: flag > environment variable > file > default.
//!
//! Paths in the file are relative to the file; paths given as flags or
//! environment variables are relative to the working directory, as a user
//! typing them expects.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::files;
use crate::filter::Filter;
use crate::load::ModelSource;

pub const DEFAULT_CONFIG: &str = "migrate.toml";
/// How long a migrator waits for another one's lock, unless `MIGRATE_LOCK_TIMEOUT` says.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest wait `MIGRATE_LOCK_TIMEOUT` may ask for: one day.
const MAX_LOCK_TIMEOUT_SECS: f64 = 86_400.0;
/// `[backup] keep` runs from one backup to this many.
const MAX_BACKUP_KEEP: usize = 10_000;
pub const DEFAULT_VERSION_TABLE: &str = "migrate_version";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    database: DatabaseSection,
    #[serde(default)]
    migrations: MigrationsSection,
    #[serde(default)]
    model: ModelSection,
    #[serde(default)]
    backup: BackupSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MigrationsSection {
    dir: Option<String>,
    version_table: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelSection {
    path: Option<String>,
    command: Option<String>,
    /// Glob patterns on object names: what migrate manages ([`Filter`]).
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupSection {
    dir: Option<String>,
    keep: Option<usize>,
}

/// What the command line and environment say (already merged by clap).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub database: Option<String>,
    pub model: Option<PathBuf>,
    pub dir: Option<PathBuf>,
}

/// The resolved settings every command works from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, when one was found.
    pub path: Option<PathBuf>,
    pub database: Option<PathBuf>,
    pub migrations_dir: PathBuf,
    /// Which setting chose `migrations_dir`, for messages about it.
    pub migrations_dir_origin: String,
    pub version_table: String,
    pub model: Option<ModelSource>,
    /// `[model] include` / `exclude`: what is compared, created and dropped.
    pub filter: Filter,
    pub backup_dir: PathBuf,
    pub backup_keep: usize,
}

impl Config {
    pub fn load(overrides: &Overrides) -> Result<Config> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let (path, file) = match &overrides.config {
            Some(p) => {
                let text = files::read_text(p)?;
                (Some(p.clone()), parse_file(p, &text)?)
            }
            None => {
                let p = cwd.join(DEFAULT_CONFIG);
                match files::read_text_if_exists(&p)? {
                    Some(text) => (Some(PathBuf::from(DEFAULT_CONFIG)), parse_file(&p, &text)?),
                    None => (None, File::default()),
                }
            }
        };
        let root = path
            .as_deref()
            .and_then(Path::parent)
            .map(|p| cwd.join(p))
            .unwrap_or_else(|| cwd.clone());
        let config_name = path
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));

        let database = match (&overrides.database, &file.database.url) {
            (Some(url), _) => Some(cwd.join(database_path(url, Path::new("--database"))?)),
            (None, Some(url)) => Some(root.join(database_path(url, &config_name)?)),
            (None, None) => None,
        };
        if let Some(db) = &database {
            files::ensure_regular_if_exists(db)?;
        }
        let (migrations_dir, migrations_dir_origin) = match (&overrides.dir, &file.migrations.dir) {
            (Some(d), _) => (cwd.join(d), "--dir or MIGRATE_DIR".to_string()),
            (None, Some(d)) => (
                root.join(d),
                format!("[migrations] dir in {}", config_name.display()),
            ),
            (None, None) => (
                root.join("migrations"),
                match &path {
                    Some(_) => format!("the default, beside {}", config_name.display()),
                    None => "the default, no migrate.toml found here".to_string(),
                },
            ),
        };
        let version_table = file
            .migrations
            .version_table
            .unwrap_or_else(|| DEFAULT_VERSION_TABLE.to_string());
        let backup_keep = file.backup.keep.unwrap_or(5);
        check_values(&version_table, backup_keep).map_err(|message| Error::Config {
            path: config_name.clone(),
            message,
        })?;
        let model = match (&overrides.model, &file.model.path, &file.model.command) {
            (Some(p), _, _) => Some(ModelSource::File(cwd.join(p))),
            (None, Some(_), Some(_)) => {
                return Err(Error::Config {
                    path: config_name,
                    message: "[model] has both `path` and `command`; keep one".into(),
                });
            }
            (None, Some(p), None) => Some(ModelSource::File(root.join(p))),
            (None, None, Some(c)) => Some(ModelSource::Command {
                command: c.clone(),
                dir: root.clone(),
            }),
            (None, None, None) => None,
        };
        let filter = Filter::new(
            file.model.include.as_deref(),
            file.model.exclude.as_deref().unwrap_or_default(),
        )
        .map_err(|message| Error::Config {
            path: config_name.clone(),
            message,
        })?;
        // Read where the lock is taken; refused here, before any command starts.
        lock_timeout_from_env()?;
        Ok(Config {
            path,
            database,
            migrations_dir,
            migrations_dir_origin,
            version_table,
            model,
            filter,
            backup_dir: root.join(file.backup.dir.as_deref().unwrap_or("backups")),
            backup_keep,
        })
    }

    /// The database path, or an error that says how to configure one.
    pub fn database(&self) -> Result<&Path> {
        self.database.as_deref().ok_or_else(|| {
            Error::Usage(format!(
                "no database configured: set [database] url in {}, pass --database, or set MIGRATE_DATABASE_URL",
                self.config_name()
            ))
        })
    }

    pub fn model(&self) -> Result<&ModelSource> {
        self.model.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "no model configured: set [model] path or command in {}, or pass --model",
                self.config_name()
            ))
        })
    }

    pub fn config_name(&self) -> String {
        self.path
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_CONFIG))
            .display()
            .to_string()
    }

    /// Refuses a migrations directory that does not exist, naming it and the
    /// setting that points there (a wrong path, not lost revision files).
    pub fn require_migrations_dir(&self) -> Result<()> {
        if self.migrations_dir.is_dir() {
            return Ok(());
        }
        Err(Error::Config {
            path: self.migrations_dir.clone(),
            message: format!(
                "the migrations directory does not exist (set by {}); fix that path, \
                 or run `migrate init` for a new project",
                self.migrations_dir_origin
            ),
        })
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.migrations_dir.join("versions")
    }
}

/// The file's values that have limits: a version table SQLite allows, and a
/// number of backups to keep.
fn check_values(version_table: &str, keep: usize) -> std::result::Result<(), String> {
    if version_table.trim().is_empty() {
        return Err("[migrations] version_table must not be empty".into());
    }
    if version_table.contains('\0') {
        return Err(
            "[migrations] version_table has a NUL byte (SQLite would cut the name there); remove it"
                .into(),
        );
    }
    if version_table.to_ascii_lowercase().starts_with("sqlite_") {
        return Err(format!(
            "[migrations] version_table = {version_table:?}: names starting with sqlite_ are SQLite's own"
        ));
    }
    if !(1..=MAX_BACKUP_KEEP).contains(&keep) {
        return Err(format!(
            "[backup] keep = {keep}: keep from 1 to {MAX_BACKUP_KEEP} backups"
        ));
    }
    Ok(())
}

/// `MIGRATE_LOCK_TIMEOUT` in seconds (fractions allowed), from 0 to one day;
/// anything else is refused rather than guessed at (`1e300` once panicked).
pub fn lock_timeout_from_env() -> Result<Duration> {
    match std::env::var("MIGRATE_LOCK_TIMEOUT") {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_LOCK_TIMEOUT),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::Usage(
            "MIGRATE_LOCK_TIMEOUT is not text; give seconds, e.g. 60 or 0.5".into(),
        )),
        Ok(text) => parse_seconds("MIGRATE_LOCK_TIMEOUT", &text, MAX_LOCK_TIMEOUT_SECS),
    }
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

fn parse_file(path: &Path, text: &str) -> Result<File> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(" (line {})", 1 + text[..s.start].matches('\n').count()))
            .unwrap_or_default();
        Error::Config {
            path: path.to_path_buf(),
            message: format!("{}{line}", e.message()),
        }
    })
}

/// `sqlite:music.db`, `sqlite://music.db`, `sqlite:///abs/music.db` or a plain path.
pub fn database_path(url: &str, origin: &Path) -> Result<PathBuf> {
    let path = if let Some(rest) = url.strip_prefix("sqlite:") {
        rest.strip_prefix("//").unwrap_or(rest)
    } else if let Some((scheme, _)) = url.split_once("://") {
        return Err(Error::Config {
            path: origin.to_path_buf(),
            message: format!(
                "database url {url:?}: the {scheme} scheme is not supported yet; use sqlite:PATH"
            ),
        });
    } else {
        url
    };
    if path.is_empty() || path == ":memory:" {
        return Err(Error::Config {
            path: origin.to_path_buf(),
            message: format!("database url {url:?} names no file; use sqlite:PATH"),
        });
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        let o = Path::new("x");
        assert_eq!(
            database_path("sqlite:music.db", o).unwrap(),
            PathBuf::from("music.db")
        );
        assert_eq!(
            database_path("sqlite://a/b.db", o).unwrap(),
            PathBuf::from("a/b.db")
        );
        assert_eq!(
            database_path("sqlite:///tmp/b.db", o).unwrap(),
            PathBuf::from("/tmp/b.db")
        );
        assert_eq!(
            database_path("plain.db", o).unwrap(),
            PathBuf::from("plain.db")
        );
        assert!(database_path("postgres://h/db", o).is_err());
        assert!(database_path("sqlite::memory:", o).is_err());
    }

    #[test]
    fn seconds_within_limits() {
        let max = MAX_LOCK_TIMEOUT_SECS;
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
