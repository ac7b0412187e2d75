//! `[model]` and `--model` read into one [`ModelSource`]: a file, a
//! command whose output is the model, or SQLAlchemy models. Apart from
//! config.rs because its rules (one of three, `python` only with
//! `sqlalchemy`) are the model's, not the file format's.

use std::path::Path;

use super::{ModelSection, Overrides};
use crate::load::ModelSource;

/// Where the model comes from: `--model`, else the one of `[model] path`,
/// `command` or `sqlalchemy` the file sets.
pub(super) fn model_source(
    overrides: &Overrides,
    section: &ModelSection,
    cwd: &Path,
    root: &Path,
) -> std::result::Result<Option<ModelSource>, String> {
    if section.python.is_some() && section.sqlalchemy.is_none() {
        return Err(
            "[model] python is the interpreter for `sqlalchemy = \"module:Base\"`; set that too, or remove python"
                .into(),
        );
    }
    if let Some(p) = &overrides.model {
        return Ok(Some(ModelSource::File(cwd.join(p))));
    }
    match (&section.path, &section.command, &section.sqlalchemy) {
        (None, None, None) => Ok(None),
        (Some(p), None, None) => Ok(Some(ModelSource::File(root.join(p)))),
        (None, Some(c), None) => Ok(Some(ModelSource::Command {
            command: c.clone(),
            dir: root.to_path_buf(),
        })),
        (None, None, Some(target)) => {
            crate::load::sqlalchemy::check_target(target)?;
            Ok(Some(ModelSource::Sqlalchemy {
                target: target.clone(),
                python: section.python.clone(),
                dir: root.to_path_buf(),
            }))
        }
        _ => {
            Err("[model] sets more than one of `path`, `command` and `sqlalchemy`; keep one".into())
        }
    }
}
