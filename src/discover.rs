//! Finding the config file when `--config` does not name one: `migrate.toml`,
//! or `pyproject.toml` with a `[tool.migrate]` table, in the working directory
//! or the nearest directory above it, as cargo and git find theirs. The walk
//! stops at the repository root (a directory holding `.git`) or the
//! filesystem root, so a project never picks up a file from outside its
//! repository. In one directory, `migrate.toml` wins.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Result;
use crate::files;

pub(crate) const MIGRATE_TOML: &str = "migrate.toml";
pub(crate) const PYPROJECT_TOML: &str = "pyproject.toml";

/// A config file found by the walk.
#[derive(Debug)]
pub(crate) struct Found {
    /// As the user should see it: the bare name in the working directory,
    /// the full path above it.
    pub path: PathBuf,
    /// The directory holding it: relative paths in it start here.
    pub dir: PathBuf,
    pub text: String,
    /// The settings are under `[tool.migrate]` of a `pyproject.toml`.
    pub pyproject: bool,
}

/// Only what tells whether a `pyproject.toml` is ours; other tools' tables are
/// not looked at.
#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    migrate: Option<toml::Value>,
}

/// Walks up from `cwd` (absolute); `None` when no directory up to the
/// repository root has a config.
pub(crate) fn find(cwd: &Path) -> Result<Option<Found>> {
    for dir in cwd.ancestors() {
        let shown = |name: &str| {
            if dir == cwd {
                PathBuf::from(name)
            } else {
                dir.join(name)
            }
        };
        if let Some(text) = files::read_text_if_exists(&dir.join(MIGRATE_TOML))? {
            return Ok(Some(Found {
                path: shown(MIGRATE_TOML),
                dir: dir.to_path_buf(),
                text,
                pyproject: false,
            }));
        }
        let pyproject = dir.join(PYPROJECT_TOML);
        // Another tool's broken pyproject.toml is not ours to refuse: only
        // one that mentions us is parsed (and then a mistake in it is said).
        if let Some(text) = files::read_text_if_exists(&pyproject)?
            && text.contains("migrate")
        {
            let parsed: PyProject = files::parse_toml(&pyproject, &text)?;
            if parsed.tool.and_then(|t| t.migrate).is_some() {
                return Ok(Some(Found {
                    path: shown(PYPROJECT_TOML),
                    dir: dir.to_path_buf(),
                    text,
                    pyproject: true,
                }));
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Ok(None)
}
