//! Every failure the tool reports: what went wrong, where, and what to do.
//!
//! Each variant carries the facts (file, line, revision, statement); the CLI
//! prints the message and exits 2. Outcomes that are findings rather than
//! failures (`check` found a difference) are not errors and never come here.

use std::path::PathBuf;

/// What every fallible call of the crate returns.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong, each with the facts a message needs; its
/// `Display` is the message the command-line tool prints (what, where, what
/// to do). Nothing was changed unless the message says so (a revision
/// failing after others committed names them).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// A setting that cannot be used (a database URL, a config key).
    #[error("{path}: {message}")]
    Config {
        /// The config file, or the setting's name.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// A call or command line that asks for something impossible.
    #[error("{0}")]
    Usage(String),

    /// A model file (TOML or SQL) or model command that cannot be read.
    #[error("{}: {message}", location(.path, *.line))]
    Model {
        /// The model file (or a description of the model's source).
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// The database could not be opened or read.
    #[error("database {path}: {problem}")]
    Database {
        /// The database file, or the server's URL without its password.
        path: PathBuf,
        /// Why.
        problem: DatabaseProblem,
    },

    /// A revision file that cannot be parsed, or a broken revision graph.
    #[error("{}: {message}", location(.path, *.line))]
    Script {
        /// The revision file.
        path: PathBuf,
        /// The line, when known.
        line: Option<usize>,
        /// What is wrong.
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
        /// The revision's id.
        revision: String,
        /// Its file.
        path: PathBuf,
        /// Which statement of the section (from 1).
        number: usize,
        /// The statement's line in the file.
        line: usize,
        /// The statement, shortened.
        statement: String,
        /// The database's error.
        message: String,
    },

    /// A refusal that protects the user (edited applied revision, stale sum, locked database).
    #[error("{0}")]
    Refused(String),

    /// A schema object migrate cannot represent or read.
    #[error("{0}")]
    Schema(String),

    /// An error of the SQLite library not placed in a file (rare: most are
    /// [`Error::Database`] or [`Error::Statement`]).
    #[error("{0}")]
    Sqlite(#[from] crate::sqlite::EngineError),

    /// The revision template could not be rendered.
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
    /// An [`Error::Io`] on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Database`] on `path`.
    pub fn database(path: impl Into<PathBuf>, problem: impl Into<DatabaseProblem>) -> Self {
        Error::Database {
            path: path.into(),
            problem: problem.into(),
        }
    }
}

/// Why the database could not be opened or read. The engine's module makes
/// it from the engine's error codes (never its message text; see
/// `crate::sqlite::problem`), so this type names no engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseProblem {
    /// The file is not an SQLite database.
    #[error(
        "not an SQLite database (the file exists but its header is not SQLite's); check --database"
    )]
    NotADatabase,
    #[error(
        "locked by another connection (another migrator or the application; waited {}s); \
         try again when it is done, or wait longer with --lock-wait SECONDS",
        crate::lock_wait::current().as_secs_f64()
    )]
    /// Another connection held the lock longer than the lock wait.
    Locked,
    #[error(
        "is read-only (file permissions, an immutable file or a read-only mount); nothing was changed"
    )]
    /// The database cannot be written.
    ReadOnly,
    /// Only where reading must not create the file.
    #[error("no such file (a database is created by the first `migrate upgrade`)")]
    Missing,
    /// The database cannot be opened.
    #[error("cannot be opened; check that the path exists and is readable")]
    CannotOpen,
    #[error("the disk (or the database's size limit) is full; free some space, then run again")]
    /// No space left.
    Full,
    /// Anything else, in the engine's own words (with context).
    #[error("{0}")]
    Other(String),
}

impl DatabaseProblem {
    /// Words the engine's own text with `wrap` ("backup failed: {text}"); a
    /// classified problem keeps its message, which already says what to do.
    pub fn in_context(self, wrap: impl FnOnce(String) -> String) -> Self {
        match self {
            DatabaseProblem::Other(text) => DatabaseProblem::Other(wrap(text)),
            known => known,
        }
    }
}

impl From<String> for DatabaseProblem {
    fn from(text: String) -> Self {
        DatabaseProblem::Other(text)
    }
}

/// The parts of an error a program reads (`--format json`): see
/// [`crate::json::ErrorBody`].
impl Error {
    /// A stable name for the variant.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Config { .. } => "config",
            Error::Usage(_) => "usage",
            Error::Model { .. } => "model",
            Error::Database { .. } => "database",
            Error::Script { .. } => "script",
            Error::Revision(_) => "revision",
            Error::Statement { .. } => "statement",
            Error::Refused(_) => "refused",
            Error::Schema(_) => "schema",
            Error::Sqlite(_) => "sqlite",
            Error::Template(_) => "template",
            Error::OutputClosed => "output_closed",
        }
    }

    /// The file (and line) at fault, when there is one.
    pub fn location(&self) -> Option<String> {
        match self {
            Error::Io { path, .. } | Error::Config { path, .. } | Error::Database { path, .. } => {
                Some(path.display().to_string())
            }
            Error::Model { path, line, .. } | Error::Script { path, line, .. } => {
                Some(location(path, *line))
            }
            Error::Statement { path, line, .. } => Some(location(path, Some(*line))),
            _ => None,
        }
    }

    /// What went wrong and what to do about it, without the location: the
    /// message split at its hint (see [`split_hint`]).
    pub fn what_and_hint(&self) -> (String, Option<String>) {
        let message = match self {
            Error::Io { source, .. } => source.to_string(),
            Error::Config { message, .. }
            | Error::Model { message, .. }
            | Error::Script { message, .. } => message.clone(),
            Error::Database { problem, .. } => problem.to_string(),
            // Its last line says where the database is, not what to do.
            Error::Statement {
                revision,
                number,
                statement,
                message,
                ..
            } => {
                return (
                    format!(
                        "revision {revision}, statement {number} failed: {message}\n  statement: {statement}"
                    ),
                    Some("the database is unchanged at the revision before it".into()),
                );
            }
            other => other.to_string(),
        };
        split_hint(&message)
    }
}

/// Splits a message into what happened and what to do, as the messages are
/// written: a last unindented line after a listing ("...:\n  a\n  b\nrun X"),
/// a last line after a statement of fact ("...\n  upgrade them all ..."), the
/// clause after the first "; " ("no revision matches \"x\"; `migrate history`
/// lists them"), or a sentence after the first ". " ("... no longer matches.
/// Undo the edit, ..."). No hint when the message has none of these.
pub(crate) fn split_hint(message: &str) -> (String, Option<String>) {
    if let Some((what, last)) = message.trim_end().rsplit_once('\n') {
        return (what.to_string(), Some(last.trim().to_string()));
    }
    if let Some((what, hint)) = message.split_once("; ") {
        return (what.to_string(), Some(hint.to_string()));
    }
    let sentence = message
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| message[i + 2..].starts_with(|c: char| c.is_ascii_uppercase()));
    match sentence {
        Some(i) => (
            message[..=i].to_string(),
            Some(message[i + 2..].to_string()),
        ),
        None => (message.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::split_hint;

    fn split(m: &str) -> (String, Option<String>) {
        split_hint(m)
    }

    #[test]
    fn a_hint_is_the_last_line_the_clause_after_a_semicolon_or_the_next_sentence() {
        assert_eq!(
            split("sum does not match:\n  edited x.sql\nreview, then run `migrate hash`"),
            (
                "sum does not match:\n  edited x.sql".into(),
                Some("review, then run `migrate hash`".into())
            )
        );
        assert_eq!(
            split("there are 2 heads: a, b\n  upgrade them all"),
            (
                "there are 2 heads: a, b".into(),
                Some("upgrade them all".into())
            )
        );
        assert_eq!(
            split("no revision matches \"zz\"; `migrate history` lists them"),
            (
                "no revision matches \"zz\"".into(),
                Some("`migrate history` lists them".into())
            )
        );
        assert_eq!(
            split("r1 (a.sql) was edited: it no longer matches. Undo the edit, or approve it"),
            (
                "r1 (a.sql) was edited: it no longer matches.".into(),
                Some("Undo the edit, or approve it".into())
            )
        );
        assert_eq!(
            split("-r \"x\": write a range as FROM:TO"),
            ("-r \"x\": write a range as FROM:TO".into(), None)
        );
    }
}
