//! Which database the settings name: `--database`, `MIGRATE_DATABASE_URL`,
//! the config file's `url`, then `DATABASE_URL`; parsed by [`crate::url`],
//! an SQLite path resolved against the right directory.

use std::path::{Path, PathBuf};

use super::Overrides;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::files;
use crate::url::{DatabaseUrl, PgUrl, redact};

/// The database (an SQLite file or a PostgreSQL URL) and which setting named it: `--database`, then
/// `MIGRATE_DATABASE_URL`, then the config file's `url`, then `DATABASE_URL`
/// (last, so an exported production URL never overrides a project's own
/// config). URLs from a flag or the environment resolve from the working
/// directory, as SQLAlchemy's do; one in the config file from the file.
pub(super) fn resolve(
    overrides: &Overrides,
    file_url: Option<&str>,
    cwd: &Path,
    root: &Path,
    file_origin: &str,
) -> Result<(Option<PathBuf>, Option<PgUrl>, String)> {
    let (url, origin, base) = if let Some(url) = &overrides.database {
        // clap merged the flag and the variable; the same text means the variable.
        let from_env = std::env::var("MIGRATE_DATABASE_URL").ok().as_ref() == Some(url);
        let origin = if from_env {
            "MIGRATE_DATABASE_URL"
        } else {
            "--database"
        };
        (url.clone(), origin.to_string(), cwd)
    } else if let Some(url) = file_url {
        (url.to_string(), file_origin.to_string(), root)
    } else if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        (url, "DATABASE_URL".to_string(), cwd)
    } else {
        return Ok((None, None, String::new()));
    };
    let refuse = |message: String| Error::Config {
        path: origin.clone().into(),
        message,
    };
    let parsed = DatabaseUrl::parse(&url).map_err(refuse)?;
    // The one place an engine that is not built yet is refused.
    Engine::of(&parsed).map_err(refuse)?;
    let (path, old_absolute) = match parsed {
        DatabaseUrl::Sqlite { path, old_absolute } => (base.join(path), old_absolute),
        DatabaseUrl::Postgres(url) => return Ok((None, Some(url), origin)),
    };
    // Before, `sqlite:///x` meant `/x`: an old config must not silently get a new, empty database.
    if let Some(old) = old_absolute.filter(|old| !path.exists() && old.is_file()) {
        return Err(refuse(format!(
            "database url {:?} now means {} (relative, as SQLAlchemy reads three slashes), which does not exist, \
             while {} does; for that file write sqlite:///{} (four slashes), or for a new database \
             at {} write sqlite:{}",
            redact(&url),
            path.display(),
            old.display(),
            old.display(),
            path.display(),
            redact(url.split_once(":///").map_or("", |(_, p)| p))
        )));
    }
    files::ensure_regular_if_exists(&path)?;
    Ok((Some(path), None, origin))
}

/// `[database] dev_url`, `--dev-url` or `MIGRATE_DEV_URL` (the flag and the
/// variable first): the PostgreSQL server where scratch databases are made.
/// It must name PostgreSQL; the database in it is only connected to.
pub(super) fn resolve_dev(
    given: Option<&str>,
    file_url: Option<&str>,
    file_origin: &str,
) -> Result<Option<PgUrl>> {
    let (url, origin) = match (given.filter(|u| !u.is_empty()), file_url) {
        (Some(url), _) => (url, "--dev-url or MIGRATE_DEV_URL".to_string()),
        (None, Some(url)) => (url, file_origin.to_string()),
        (None, None) => return Ok(None),
    };
    let refuse = |message: String| Error::Config {
        path: origin.clone().into(),
        message,
    };
    let parsed = DatabaseUrl::parse(url).map_err(refuse)?;
    Engine::of(&parsed).map_err(refuse)?;
    match parsed {
        DatabaseUrl::Postgres(url) => Ok(Some(url)),
        DatabaseUrl::Sqlite { .. } => Err(refuse(format!(
            "dev_url {:?} is not a PostgreSQL URL: it names the PostgreSQL server where scratch \
             databases are made (postgresql://user@host/dbname); SQLite's are made in memory",
            redact(url)
        ))),
    }
}

/// `[database] schemas` (or an environment's): the PostgreSQL schemas
/// migrate manages, `["public"]` when unset. Each is a name as the catalog
/// stores it (case kept, no quotes), listed once. `postgres` is false for
/// an SQLite database, which has no schemas: a list there is refused
/// rather than ignored, since a model that names `billing.invoice` cannot
/// mean the same on SQLite (`["public"]`, which changes nothing, is let be).
pub(super) fn resolve_schemas(
    given: Option<Vec<String>>,
    postgres: bool,
) -> std::result::Result<Vec<String>, String> {
    let Some(schemas) = given else {
        return Ok(vec!["public".to_string()]);
    };
    if !postgres && schemas != ["public"] {
        return Err(format!(
            "[database] schemas = {schemas:?} is a PostgreSQL setting, and the database is \
             SQLite (which has no schemas): remove it, or set it in the [env.NAME] of the \
             PostgreSQL environment only"
        ));
    }
    if schemas.is_empty() {
        return Err(
            "[database] schemas is empty: list at least one schema (the default is \
                    [\"public\"]); its first is where unqualified names go"
                .to_string(),
        );
    }
    for (i, s) in schemas.iter().enumerate() {
        if s.is_empty() || s.len() > 63 {
            return Err(format!(
                "[database] schemas: {s:?} is not a schema name (1 to 63 bytes, as the catalog \
                 stores it: lower case unless it was created quoted)"
            ));
        }
        if schemas[..i].contains(s) {
            return Err(format!(
                "[database] schemas lists {s:?} twice: list each schema once"
            ));
        }
    }
    Ok(schemas)
}

/// Why no database is configured, and the ways to name one (`--env` too
/// when the file has environments).
pub(super) fn none_configured(config_name: &str, env: Option<&str>, envs: &[String]) -> String {
    match (env, envs.is_empty()) {
        (Some(env), _) => format!(
            "no database for environment {env:?}: set url in [env.{env}] of {config_name}, \
             pass --database, or set DATABASE_URL (or MIGRATE_DATABASE_URL)"
        ),
        (None, true) => format!(
            "no database configured: set [database] url in {config_name}, pass --database, or set \
             MIGRATE_DATABASE_URL (or DATABASE_URL)"
        ),
        (None, false) => format!(
            "no database configured: choose an environment with --env ({}), set [database] url \
             in {config_name}, pass --database, or set MIGRATE_DATABASE_URL (or DATABASE_URL)",
            envs.join(", ")
        ),
    }
}
