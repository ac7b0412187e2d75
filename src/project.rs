//! `migrate init`: a new project from one of the templates in `templates/`.
//!
//! Templates are compiled into the binary, so `migrate` stays one file.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A template: the files it writes, as (path in the project, contents).
struct Template {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
}

const TEMPLATES: &[Template] = &[
    Template {
        name: "generic",
        files: &[
            (
                "migrate.toml",
                include_str!("../templates/generic/migrate.toml"),
            ),
            (
                "models.toml",
                include_str!("../templates/generic/models.toml"),
            ),
            ("migrations/script.sql.tmpl", DEFAULT_SCRIPT_TEMPLATE),
        ],
    },
    // SQLAlchemy models as the model: `[model] sqlalchemy = "models:Base"`.
    Template {
        name: "sqlalchemy",
        files: &[
            (
                "migrate.toml",
                include_str!("../templates/sqlalchemy/migrate.toml"),
            ),
            (
                "models.py",
                include_str!("../templates/sqlalchemy/models.py"),
            ),
            ("migrations/script.sql.tmpl", DEFAULT_SCRIPT_TEMPLATE),
        ],
    },
];

/// The script template a project gets when its own is missing.
pub(crate) const DEFAULT_SCRIPT_TEMPLATE: &str =
    include_str!("../templates/generic/script.sql.tmpl");

pub(crate) fn template_names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|t| t.name).collect()
}

/// Each template with one line on what it sets up (`migrate list-templates`).
pub(crate) fn template_list() -> Vec<(&'static str, &'static str)> {
    let about = |name: &str| match name {
        "generic" => "a TOML model (models.toml), SQLite database app.db, migrations/",
        "sqlalchemy" => "SQLAlchemy models in models.py as the model, migrations/",
        _ => "",
    };
    TEMPLATES.iter().map(|t| (t.name, about(t.name))).collect()
}

/// Writes the template into `dir`; refuses, changing nothing, when any of its
/// files exists already. Returns the files written.
pub(crate) fn init(dir: &Path, template: &str) -> Result<Vec<PathBuf>> {
    let t = TEMPLATES
        .iter()
        .find(|t| t.name == template)
        .ok_or_else(|| {
            Error::Usage(format!(
                "unknown template {template:?}; available: {}",
                template_names().join(", ")
            ))
        })?;
    if let Some((existing, _)) = t.files.iter().find(|(p, _)| dir.join(p).exists()) {
        return Err(Error::Refused(format!(
            "{} exists already; `migrate init` only creates new projects (nothing was changed)",
            dir.join(existing).display()
        )));
    }
    let versions = dir.join("migrations").join("versions");
    std::fs::create_dir_all(&versions).map_err(|e| Error::io(&versions, e))?;
    let mut written = vec![versions];
    for (rel, contents) in t.files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        crate::files::write_atomic(&path, contents.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
