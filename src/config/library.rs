//! The settings a [`crate::Migrator`] works from: a [`Config`] built from
//! the calls an application makes instead of from `migrate.toml`, and where
//! its revisions come from (a migrations directory, or texts compiled into
//! the binary). The commands read revisions and the sum through
//! [`Config::read_revisions`] and [`Config::ensure_sum_current`], so the CLI
//! and the library walk one path.

use std::path::{Path, PathBuf};

use super::{Config, DEFAULT_VERSION_TABLE, Overrides, check_values, database, lock_wait};
use crate::capabilities::Capabilities;
use crate::embedded::EmbeddedMigrations;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::script::{self, Revision};
use crate::sum;

/// Where an embedded revision says it came from, in messages.
const EMBEDDED: &str = "embedded";

impl Config {
    /// The settings of a library migrator: no config file is read; the
    /// defaults are the CLI's (version table, lock waits, five backups in
    /// `backups/` beside `migrations_dir`).
    pub fn for_library(
        migrations_dir: PathBuf,
        embedded: Option<&'static EmbeddedMigrations>,
    ) -> Result<Config> {
        let name = "the Migrator";
        Ok(Config {
            path: None,
            pyproject: false,
            database: None,
            postgres: None,
            dev_url: None,
            database_origin: String::new(),
            backup_dir: migrations_dir
                .parent()
                .unwrap_or(Path::new("."))
                .join("backups"),
            migrations_dir,
            migrations_dir_origin: "Migrator::from_dir".into(),
            version_table: DEFAULT_VERSION_TABLE.into(),
            model: None,
            filter: Filter::new(None, &[]).map_err(Error::Usage)?,
            backup_keep: 5,
            lock_wait: crate::lock_wait::DEFAULT,
            lock_timeout: lock_wait::resolve_lock_timeout(None, "[database]", name)?,
            data_check_timeout: lock_wait::resolve_data_check_timeout(None, "[database]", name)?,
            capabilities: Capabilities::ALL,
            schemas: vec!["public".into()],
            env: None,
            envs: vec![],
            embedded,
        })
    }

    /// Points the settings at the database `url` names (any URL the CLI
    /// takes; a relative SQLite path from the working directory).
    pub fn set_database_url(&mut self, url: &str) -> Result<()> {
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let overrides = Overrides {
            database: Some(url.to_string()),
            ..Overrides::default()
        };
        let (path, postgres, _) = database::resolve(&overrides, None, &cwd, &cwd, "")?;
        self.database = path;
        self.postgres = postgres;
        self.database_origin = "Migrator::database".into();
        Ok(())
    }

    /// Sets the version table, refused as `[migrations] version_table` is.
    pub fn set_version_table(&mut self, name: &str) -> Result<()> {
        check_values(name, self.backup_keep).map_err(Error::Usage)?;
        self.version_table = name.to_string();
        Ok(())
    }

    /// Sets the PostgreSQL schemas, refused as `[database] schemas` is.
    pub fn set_schemas(&mut self, schemas: Vec<String>) -> Result<()> {
        if self.postgres.is_none() {
            return Err(Error::Usage(
                "Migrator::schemas: name a PostgreSQL database with .database(\"postgresql://...\") \
                 first (schemas are PostgreSQL's; SQLite has none)"
                    .into(),
            ));
        }
        self.schemas = database::resolve_schemas(Some(schemas), true).map_err(Error::Usage)?;
        Ok(())
    }

    /// Sets where backups go and how many stay, refused as `[backup] keep` is.
    pub fn set_backups(&mut self, dir: &Path, keep: usize) -> Result<()> {
        check_values(&self.version_table, keep).map_err(Error::Usage)?;
        self.backup_dir = dir.to_path_buf();
        self.backup_keep = keep;
        Ok(())
    }

    /// Every revision, from the compiled-in texts or the versions directory.
    pub fn read_revisions(&self) -> Result<Vec<Revision>> {
        let dialect = self.engine().dialect();
        match self.embedded {
            None => script::read_dir(&self.versions_dir(), dialect),
            Some(e) => e
                .revisions
                .iter()
                .map(|r| {
                    let path = Path::new(EMBEDDED).join("versions").join(r.file_name);
                    script::parse(&path, r.text, dialect)
                })
                .collect(),
        }
    }

    /// The revision ids the file names claim, without reading the files
    /// (compiled-in ones: their file names).
    pub fn revision_ids(&self) -> Result<std::collections::HashSet<String>> {
        match self.embedded {
            None => script::revision_ids(&self.versions_dir()),
            Some(e) => Ok(e
                .revisions
                .iter()
                .map(|r| script::id_of_file(Path::new(r.file_name)).to_string())
                .filter(|id| !id.is_empty())
                .collect()),
        }
    }

    /// Refuses, naming every file, when `migrate.sum` does not match the
    /// revisions (compiled-in ones too: a binary built from a stale sum).
    pub fn ensure_sum_current(&self) -> Result<()> {
        match self.embedded {
            None => sum::ensure_current(&self.migrations_dir),
            Some(e) => {
                let texts = e.revisions.iter().map(|r| (r.file_name, r.text));
                let stale = sum::validate_texts(texts, Some(e.sum).filter(|s| !s.is_empty()));
                sum::refuse_stale(&format!("the embedded {}", sum::FILE_NAME), &stale)
            }
        }
    }
}
