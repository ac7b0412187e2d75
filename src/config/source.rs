//! Which config file applies (`--config`, else the one [`discover::find`]
//! finds) and what it says, parsed.

use std::path::{Path, PathBuf};

use super::{File, PyProject};
use crate::discover;
use crate::error::Result;
use crate::files;

/// The config file that applies and what it says.
pub(super) struct Source {
    pub path: PathBuf,
    /// Where relative paths in it start.
    pub dir: PathBuf,
    pub pyproject: bool,
    pub file: File,
}

impl Source {
    pub(super) fn name(&self) -> String {
        let name = self.path.display().to_string();
        if self.pyproject {
            format!("{name} [tool.migrate]")
        } else {
            name
        }
    }
}

/// `--config` when given (a `pyproject.toml` by that name is read under
/// `[tool.migrate]`), otherwise the file [`discover::find`] finds.
pub(super) fn read_config(given: Option<&Path>, cwd: &Path) -> Result<Option<Source>> {
    let (path, dir, text, pyproject) = match given {
        Some(p) => {
            let text = files::read_text(p)?;
            let dir = cwd.join(p.parent().unwrap_or(Path::new("")));
            let pyproject = p.file_name() == Some(discover::PYPROJECT_TOML.as_ref());
            (p.to_path_buf(), dir, text, pyproject)
        }
        None => match discover::find(cwd)? {
            Some(found) => (found.path, found.dir, found.text, found.pyproject),
            None => return Ok(None),
        },
    };
    let file = if pyproject {
        files::parse_toml::<PyProject>(&path, &text)?.tool.migrate
    } else {
        files::parse_toml(&path, &text)?
    };
    Ok(Some(Source {
        path,
        dir,
        pyproject,
        file,
    }))
}
