//! `migrate.toml` (or `[tool.migrate]` of `pyproject.toml`, found by
//! [`crate::discover`]) and its overrides: flag > environment variable >
//! file > default.
//!
//! Paths in the file are relative to the file; paths given as flags or
//! environment variables are relative to the working directory, as a user
//! typing them expects (database URLs too, parsed by [`crate::url`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::capabilities::Capabilities;
use crate::discover;
use crate::engine::{Database, Dev, Engine};
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::load::ModelSource;
use crate::url::PgUrl;

mod database;
mod env;
mod library;
mod lock_wait;
mod model_source;
mod source;

use model_source::model_source;
use source::read_config;

pub(crate) const DEFAULT_CONFIG: &str = discover::MIGRATE_TOML;
/// `[backup] keep` runs from one backup to this many.
const MAX_BACKUP_KEEP: usize = 10_000;
pub(crate) const DEFAULT_VERSION_TABLE: &str = "migrate_version";

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
    /// `[env.NAME]`: environments ([`env`]).
    #[serde(default)]
    env: env::Envs,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
    /// Seconds, a number as `--lock-wait` takes; checked in [`lock_wait::resolve`]
    /// so that `"5s"` gets a message naming the key.
    lock_wait: Option<toml::Value>,
    /// Seconds; PostgreSQL only ([`lock_wait::resolve_lock_timeout`]).
    lock_timeout: Option<toml::Value>,
    /// PostgreSQL only: the server scratch databases are made on ([`database::resolve_dev`]).
    dev_url: Option<String>,
    /// Seconds; PostgreSQL only ([`lock_wait::resolve_data_check_timeout`]).
    data_check_timeout: Option<toml::Value>,
    /// PostgreSQL only: capabilities to switch off ([`Capabilities::from_config`]).
    capabilities: Option<toml::Value>,
    /// PostgreSQL only: the schemas migrate manages ([`database::resolve_schemas`]).
    schemas: Option<Vec<String>>,
}

/// `pyproject.toml`: the same settings under `[tool.migrate]`; the other
/// tools' tables are not looked at.
#[derive(Debug, Deserialize)]
struct PyProject {
    tool: PyTool,
}

#[derive(Debug, Deserialize)]
struct PyTool {
    migrate: File,
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
    /// `"package.module:Base"`: SQLAlchemy models ([`crate::load::sqlalchemy`]).
    sqlalchemy: Option<String>,
    /// The interpreter for `sqlalchemy`.
    python: Option<String>,
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
    /// `--lock-wait` or `MIGRATE_LOCK_WAIT`, as given (checked in [`Config::load`]).
    pub lock_wait: Option<String>,
    /// `--dev-url` or `MIGRATE_DEV_URL`, as given.
    pub dev_url: Option<String>,
    /// `--env` or `MIGRATE_ENV`: the `[env.NAME]` to use.
    pub env: Option<String>,
}

/// The resolved settings every command works from.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, when one was found.
    pub path: Option<PathBuf>,
    /// The settings are `[tool.migrate]` of a `pyproject.toml`.
    pub pyproject: bool,
    /// The SQLite database file (`None` for PostgreSQL: see `postgres`).
    pub database: Option<PathBuf>,
    /// The PostgreSQL database, when the URL names one.
    pub postgres: Option<PgUrl>,
    /// PostgreSQL: the server scratch databases are made on, when it is not
    /// the database's own (`--dev-url`, `MIGRATE_DEV_URL`, `[database] dev_url`).
    pub dev_url: Option<PgUrl>,
    /// Which setting named the database (`--database`, `DATABASE_URL`, ...).
    pub database_origin: String,
    pub migrations_dir: PathBuf,
    /// Which setting chose `migrations_dir`, for messages about it.
    pub migrations_dir_origin: String,
    pub version_table: String,
    pub model: Option<ModelSource>,
    /// `[model] include` / `exclude`: what is compared, created and dropped.
    pub filter: Filter,
    pub backup_dir: PathBuf,
    pub backup_keep: usize,
    /// How long to wait for another connection's lock.
    pub lock_wait: Duration,
    /// PostgreSQL: how long a revision's statement waits for a table lock.
    pub lock_timeout: Duration,
    /// PostgreSQL: how long one pre-count query may run.
    pub data_check_timeout: Duration,
    /// PostgreSQL: the capabilities `[database] capabilities` leaves on (all
    /// unless it switches some off); the driver ands them with the server's.
    pub capabilities: Capabilities,
    /// PostgreSQL: the schemas migrate manages, in `search_path` order
    /// (`[database] schemas`, default `["public"]`); the first one's
    /// objects are named without it, the others' as `schema.name`.
    pub schemas: Vec<String>,
    /// The environment in use (`--env`), if any.
    pub env: Option<String>,
    /// The names of the file's `[env.NAME]` tables.
    pub envs: Vec<String>,
    /// Revisions compiled into the application (a [`crate::Migrator`]
    /// made by `Migrator::embedded`), read instead of `migrations_dir`.
    pub embedded: Option<&'static crate::embedded::EmbeddedMigrations>,
}

impl Config {
    // Long: every setting's precedence (flag, environment, file, default), read top to bottom in
    // one place.
    pub fn load(overrides: &Overrides) -> Result<Config> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let source = read_config(overrides.config.as_deref(), &cwd)?;
        let root = source
            .as_ref()
            .map_or_else(|| cwd.clone(), |s| s.dir.clone());
        let config_name = source
            .as_ref()
            .map_or_else(|| DEFAULT_CONFIG.to_string(), |s| s.name());
        let (path, pyproject, file) = match source {
            Some(s) => (Some(s.path), s.pyproject, s.file),
            None => (None, false, File::default()),
        };
        let envs = env::names(&file.env);
        let (file, keys) =
            env::apply(file, overrides.env.as_deref()).map_err(|message| Error::Config {
                path: config_name.clone().into(),
                message,
            })?;
        let (database, postgres, database_origin) = database::resolve(
            overrides,
            file.database.url.as_deref(),
            &cwd,
            &root,
            &format!("{} in {config_name}", keys.url),
        )?;
        let dev_url = database::resolve_dev(
            overrides.dev_url.as_deref(),
            file.database.dev_url.as_deref(),
            &format!("{} in {config_name}", keys.dev_url),
        )?;
        let (migrations_dir, migrations_dir_origin) = match (&overrides.dir, &file.migrations.dir) {
            (Some(d), _) => (cwd.join(d), "--dir or MIGRATE_DIR".to_string()),
            (None, Some(d)) => (root.join(d), format!("{} in {config_name}", keys.dir)),
            (None, None) => (
                root.join("migrations"),
                match &path {
                    Some(_) => format!("the default, beside {config_name}"),
                    None => "the default, no migrate.toml found here or above".to_string(),
                },
            ),
        };
        let version_table = file
            .migrations
            .version_table
            .unwrap_or_else(|| DEFAULT_VERSION_TABLE.to_string());
        let backup_keep = file.backup.keep.unwrap_or(5);
        check_values(&version_table, backup_keep).map_err(|message| Error::Config {
            path: config_name.clone().into(),
            message,
        })?;
        let model =
            model_source(overrides, &file.model, &cwd, &root).map_err(|message| Error::Config {
                path: config_name.clone().into(),
                message,
            })?;
        let filter = Filter::new(
            file.model.include.as_deref(),
            file.model.exclude.as_deref().unwrap_or_default(),
        )
        .map_err(|message| Error::Config {
            path: config_name.clone().into(),
            message,
        })?;
        // Refused here, before any command starts; every connection reads it.
        let lock_wait = lock_wait::resolve(
            overrides.lock_wait.as_deref(),
            file.database.lock_wait.clone(),
            &config_name,
        )?;
        crate::lock_wait::set(lock_wait);
        let capabilities = match &file.database.capabilities {
            None => Capabilities::ALL,
            Some(v) => Capabilities::from_config(v, &keys.capabilities).map_err(|message| {
                Error::Config {
                    path: config_name.clone().into(),
                    message,
                }
            })?,
        };
        let lock_timeout = lock_wait::resolve_lock_timeout(
            file.database.lock_timeout.clone(),
            &keys.lock_timeout,
            &config_name,
        )?;
        let data_check_timeout = lock_wait::resolve_data_check_timeout(
            file.database.data_check_timeout.clone(),
            &keys.data_check_timeout,
            &config_name,
        )?;
        let schemas = database::resolve_schemas(
            file.database.schemas,
            postgres.is_some() || database.is_none(),
        )
        .map_err(|message| Error::Config {
            path: config_name.clone().into(),
            message,
        })?;
        Ok(Config {
            path,
            pyproject,
            database,
            postgres,
            dev_url,
            database_origin,
            migrations_dir,
            migrations_dir_origin,
            version_table,
            model,
            filter,
            backup_dir: root.join(file.backup.dir.as_deref().unwrap_or("backups")),
            backup_keep,
            lock_wait,
            lock_timeout,
            data_check_timeout,
            capabilities,
            schemas,
            env: overrides.env.clone(),
            envs,
            embedded: None,
        })
    }

    /// The database path, or an error that says how to configure one. The
    /// one place a command not built for PostgreSQL yet says so: every
    /// command that is reaches its database through [`Config::target`].
    pub fn database(&self) -> Result<&Path> {
        self.sqlite_only()?;
        self.database.as_deref().ok_or_else(|| {
            Error::Usage(database::none_configured(
                &self.config_name(),
                self.env.as_deref(),
                &self.envs,
            ))
        })
    }

    /// Refuses a PostgreSQL database for a command built for SQLite only
    /// (the schema side: autogenerate, check, lint, verify, restore).
    pub fn sqlite_only(&self) -> Result<()> {
        match &self.postgres {
            None => Ok(()),
            Some(url) => Err(Error::Usage(format!(
                "this command is not built yet for PostgreSQL (database {url}); on PostgreSQL, \
                 migrate runs upgrade, downgrade (and their --sql), current, history, stamp, \
                 approve, revision (--autogenerate too), inspect, check, verify (--data too) \
                 and lint; to go back to a backup, pg_restore the file upgrade --backup made"
            ))),
        }
    }

    /// The database a command that runs on every engine works on, or an
    /// error that says how to configure one.
    pub fn target(&self) -> Result<Database<'_>> {
        match self.target_if_set() {
            Some(db) => Ok(db),
            None => self.database().map(Database::Sqlite),
        }
    }

    /// The engine of the database URL, chosen once, where the URL is
    /// parsed ([`Engine::of`] in `database::resolve`): the engine of
    /// [`Config::target`]. SQLite when no database is named (its scratch
    /// databases need no server).
    pub fn engine(&self) -> Engine {
        self.target_if_set()
            .map_or(Engine::Sqlite, |db| db.engine())
    }

    /// Where scratch databases are made: in memory for SQLite (and when no
    /// database is configured), on the dev server for PostgreSQL (by
    /// default the database's own server).
    pub fn dev(&self) -> Dev<'_> {
        match &self.postgres {
            Some(url) => Dev::Postgres(self.dev_url.as_ref().unwrap_or(url), &self.schemas),
            None => Dev::Sqlite,
        }
    }

    /// The database, when one is configured.
    pub fn target_if_set(&self) -> Option<Database<'_>> {
        match (&self.postgres, &self.database) {
            (Some(url), _) => Some(Database::Postgres {
                url,
                lock_timeout: self.lock_timeout,
                capabilities: self.capabilities,
                schemas: &self.schemas,
            }),
            (None, Some(path)) => Some(Database::Sqlite(path)),
            (None, None) => None,
        }
    }

    pub fn model(&self) -> Result<&ModelSource> {
        self.model.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "no model configured: set [model] path, command or sqlalchemy in {}, or pass --model",
                self.config_name()
            ))
        })
    }

    pub fn config_name(&self) -> String {
        let name = self
            .path
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_CONFIG))
            .display()
            .to_string();
        if self.pyproject {
            format!("{name} [tool.migrate]")
        } else {
            name
        }
    }

    /// Says on stderr which config file was used when it may surprise, and
    /// where a database that does not exist yet would be (`current`, `check`).
    pub fn where_notes(&self) {
        for note in [self.config_note(), self.database_note()]
            .into_iter()
            .flatten()
        {
            crate::noteln!("{note}");
        }
    }

    /// Where the database is and which setting said so, for `current` and
    /// `check` when the file does not exist yet (a wrong guess shows here).
    pub fn database_note(&self) -> Option<String> {
        let db = self.database.as_deref()?;
        (!db.exists()).then(|| {
            format!(
                "no database yet at {} (from {}); `migrate upgrade` creates it",
                db.display(),
                self.database_origin
            )
        })
    }

    /// Names the config file when it was not `./migrate.toml` (found above
    /// the working directory, or a `pyproject.toml`), so a surprise shows.
    pub fn config_note(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        // Found above the working directory means an absolute path.
        (self.pyproject || path.is_absolute()).then(|| format!("using {}", self.config_name()))
    }

    /// Refuses a migrations directory that does not exist, naming it and the
    /// setting that points there (a wrong path, not lost revision files).
    pub fn require_migrations_dir(&self) -> Result<()> {
        if self.embedded.is_some() || self.migrations_dir.is_dir() {
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
