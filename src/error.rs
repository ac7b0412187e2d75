//! Every failure the tool reports: what went wrong, where, and what to do.
//!
//! Each variant carries the facts (file, line, revision, statement); the CLI
//! prints the message and exits 2. Outcomes that are findings rather than
//! failures (`check` found a difference) are not errors and never come here.

use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },

    #[error("{0}")]
    Usage(String),

    /// A model file (TOML or SQL) or model command that cannot be read.
    #[error("{}: {message}", location(.path, *.line))]
    Model {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },

    /// The database could not be opened or read.
    #[error("database {path}: {message}")]
    Database { path: PathBuf, message: String },

    /// A revision file that cannot be parsed, or a broken revision graph.
    #[error("{}: {message}", location(.path, *.line))]
    Script {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },

    /// A revision name that does not resolve.
    #[error("{0}")]
    Revision(String),

    /// A statement failed while applying a revision; nothing was committed.
    #[error(
        "revision {revision} ({path}, statement {number} at line {line}) failed: {message}\n  statement: {statement}\n  the database is unchanged at the revision before it"
    )]
    Statement {
        revision: String,
        path: PathBuf,
        number: usize,
        line: usize,
        statement: String,
        message: String,
    },

    /// A refusal that protects the user (edited applied revision, stale sum, locked database).
    #[error("{0}")]
    Refused(String),

    /// A schema object migrate cannot represent or read.
    #[error("{0}")]
    Schema(String),

    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("template: {0}")]
    Template(#[from] minijinja::Error),

    /// Standard output was closed by its reader (`| head`): a normal end,
    /// never printed; the CLI exits 0.
    #[error("standard output was closed")]
    OutputClosed,
}

fn location(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn database(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        let path = path.into();
        let text = err.to_string();
        let message = if text.contains("file is not a database") {
            "not an SQLite database (the file exists but its header is not SQLite's); check --database".to_string()
        } else if text.contains("database is locked") {
            format!(
                "locked by another connection (another migrator or the application; waited {}s); \
                 try again when it is done, or wait longer with --lock-wait SECONDS",
                crate::lock_wait::current().as_secs_f64()
            )
        } else if text.contains("readonly") || text.contains("read-only") {
            "is read-only (file permissions, an immutable file or a read-only mount); nothing was changed".to_string()
        } else if text.contains("unable to open") {
            "cannot be opened; check that the path exists and is readable".to_string()
        } else {
            text
        };
        Error::Database { path, message }
    }
}
