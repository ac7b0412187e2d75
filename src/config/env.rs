//! Environments: `[env.NAME]` tables (`[tool.migrate.env.NAME]` in
//! `pyproject.toml`), one per database a project deploys to, chosen with
//! `--env NAME` or `MIGRATE_ENV`. Revisions are SQL, so each dialect needs
//! its own history: an environment names its database and its migrations
//! directory, and the model stays shared.
//!
//! Without `--env` the top-level `[database]` and `[migrations]` apply, as
//! before environments existed (Alembic's default section, not Atlas's
//! mandatory `--env`): a one-database project needs none, and scripts
//! written before keep working.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::File;

/// What one `[env.NAME]` may set; the rest comes from the top level.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnvSection {
    /// Not inherited from `[database] url`: that is another database, and
    /// running one environment's history on it would be wrong. Without it
    /// the URL comes from `--database`, `MIGRATE_DATABASE_URL` or
    /// `DATABASE_URL` (the usual way to give a production URL).
    url: Option<String>,
    dev_url: Option<String>,
    /// The migrations directory, relative to the config file; default
    /// `[migrations] dir`.
    migrations: Option<String>,
    lock_timeout: Option<toml::Value>,
    /// PostgreSQL's schemas; default `[database] schemas`.
    schemas: Option<Vec<String>>,
}

pub(super) type Envs = BTreeMap<String, EnvSection>;

/// The names of the settings the resolved file's values came from, for
/// messages (`[env.prod] url in migrate.toml`).
#[derive(Debug)]
pub(super) struct Keys {
    pub url: String,
    pub dev_url: String,
    pub dir: String,
    /// The table `lock_timeout` was read from (`[database]`, `[env.prod]`).
    pub lock_timeout: String,
}

impl Keys {
    fn top_level() -> Keys {
        Keys {
            url: "[database] url".into(),
            dev_url: "[database] dev_url".into(),
            dir: "[migrations] dir".into(),
            lock_timeout: "[database]".into(),
        }
    }
}

/// `file` with environment `name` laid over its top level (`None`: the file
/// as it is). An unknown name is refused with the names that exist.
pub(super) fn apply(mut file: File, name: Option<&str>) -> Result<(File, Keys), String> {
    let Some(name) = name else {
        return Ok((file, Keys::top_level()));
    };
    let Some(env) = file.env.get(name).cloned() else {
        return Err(unknown(name, &file.env));
    };
    let key = |k: &str| format!("[env.{name}] {k}");
    let keys = Keys {
        url: key("url"),
        dev_url: if env.dev_url.is_some() {
            key("dev_url")
        } else {
            "[database] dev_url".into()
        },
        dir: if env.migrations.is_some() {
            key("migrations")
        } else {
            "[migrations] dir".into()
        },
        lock_timeout: if env.lock_timeout.is_some() {
            format!("[env.{name}]")
        } else {
            "[database]".into()
        },
    };
    file.database.url = env.url;
    file.database.dev_url = env.dev_url.or(file.database.dev_url);
    file.database.lock_timeout = env.lock_timeout.or(file.database.lock_timeout);
    file.database.schemas = env.schemas.or(file.database.schemas);
    file.migrations.dir = env.migrations.or(file.migrations.dir);
    Ok((file, keys))
}

/// The message for `--env NAME` that the file does not define.
fn unknown(name: &str, envs: &Envs) -> String {
    if envs.is_empty() {
        format!(
            "--env {name:?} (or MIGRATE_ENV): this config defines no environments; \
             add an [env.{name}] table (url, migrations, dev_url, lock_timeout, schemas), or drop --env"
        )
    } else {
        format!(
            "--env {name:?} (or MIGRATE_ENV): no such environment; the environments are: {}",
            names(envs).join(", ")
        )
    }
}

pub(super) fn names(envs: &Envs) -> Vec<String> {
    envs.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> File {
        toml::from_str(text).unwrap()
    }

    const TWO: &str = r#"
[database]
url = "sqlite:dev.db"
lock_timeout = 3

[migrations]
dir = "migrations"

[env.dev]
url = "sqlite:dev.db"

[env.prod]
migrations = "migrations-postgres"
lock_timeout = 9
"#;

    #[test]
    fn no_env_is_the_top_level() {
        let (f, keys) = apply(file(TWO), None).unwrap();
        assert_eq!(f.database.url.as_deref(), Some("sqlite:dev.db"));
        assert_eq!(keys.url, "[database] url");
    }

    #[test]
    fn an_env_replaces_the_url_and_inherits_the_rest() {
        let (f, keys) = apply(file(TWO), Some("prod")).unwrap();
        // Not inherited: prod's URL comes from DATABASE_URL or --database.
        assert_eq!(f.database.url, None);
        assert_eq!(f.migrations.dir.as_deref(), Some("migrations-postgres"));
        assert_eq!(keys.dir, "[env.prod] migrations");
        assert_eq!(
            f.database.lock_timeout,
            Some(toml::Value::Integer(9)),
            "the env's own"
        );
        let (f, keys) = apply(file(TWO), Some("dev")).unwrap();
        assert_eq!(f.migrations.dir.as_deref(), Some("migrations"));
        assert_eq!(keys.dir, "[migrations] dir");
        assert_eq!(f.database.lock_timeout, Some(toml::Value::Integer(3)));
    }

    #[test]
    fn an_unknown_env_names_the_ones_that_exist() {
        let err = apply(file(TWO), Some("stage")).unwrap_err();
        assert!(err.contains("the environments are: dev, prod"), "{err}");
        let err = apply(file("[database]\nurl = \"x.db\"\n"), Some("dev")).unwrap_err();
        assert!(err.contains("defines no environments"), "{err}");
    }

    #[test]
    fn an_env_with_an_unknown_key_is_refused() {
        let err = toml::from_str::<File>("[env.dev]\nurl = \"a.db\"\ndir = \"m\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field `dir`"), "{err}");
    }
}
