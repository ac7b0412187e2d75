//! An Alembic history as `import-alembic` needs it: the revisions, their
//! parents and messages, and each one's upgrade and downgrade SQL as
//! Alembic's offline mode renders it (or why it could not). Read by running
//! `helper.py`, shipped inside the binary, with the project's Python.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::{Error, Result};

const HELPER: &str = include_str!("helper.py");

/// What the helper prints.
#[derive(Debug, Deserialize)]
pub(super) struct History {
    /// The dialect env.py configured (`sqlite`, `postgresql`, ...).
    pub dialect: Option<String>,
    /// Alembic's version table (env.py's `version_table`, else `alembic_version`).
    pub version_table: String,
    /// Parents before children.
    pub revisions: Vec<AlembicRevision>,
}

#[derive(Debug, Deserialize)]
pub(super) struct AlembicRevision {
    pub id: String,
    pub parents: Vec<String>,
    /// `branch_labels` and `depends_on` (revision ids or labels), as written.
    #[serde(default)]
    pub branch_labels: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    pub message: String,
    /// The revision's Python file.
    pub path: PathBuf,
    pub up: Option<String>,
    pub up_error: Option<String>,
    pub down: Option<String>,
    pub down_error: Option<String>,
}

/// The interpreter: `--python`, else the active virtualenv's, else `python3`.
pub(super) fn python(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        let p = Path::new(&venv).join("bin/python");
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("python3")
}

/// Runs the helper on `ini` (in its directory, where Alembic resolves
/// `script_location`). Env.py's own logging is shown only when it fails.
pub(super) fn read(python: &Path, ini: &Path) -> Result<History> {
    if !ini.is_file() {
        return Err(Error::Usage(format!(
            "{}: no such file; pass --alembic-config PATH to the project's alembic.ini",
            ini.display()
        )));
    }
    let ini = std::fs::canonicalize(ini).map_err(|e| Error::io(ini, e))?;
    let dir = ini.parent().unwrap_or(Path::new("/"));
    let output = Command::new(python)
        .arg("-c")
        .arg(HELPER)
        .arg(&ini)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot run {} ({e}); pass --python PATH to the interpreter that has Alembic",
                python.display()
            ))
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        return Err(Error::Usage(format!(
            "{}; install it (`{} -m pip install alembic`) or pass --python PATH",
            stderr.trim(),
            python.display()
        )));
    }
    if !output.status.success() {
        return Err(Error::Usage(format!(
            "Alembic could not read the history of {} (with {}):\n{}",
            ini.display(),
            python.display(),
            tail(&stderr, 40)
        )));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| {
        Error::Usage(format!(
            "the Alembic helper printed something other than its JSON ({e}); env.py's output:\n{}",
            tail(&stderr, 40)
        ))
    })
}

/// The last `n` lines: a traceback's end says what went wrong.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
