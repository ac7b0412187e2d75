//! Classifies SQLite's errors into [`DatabaseProblem`] by their result codes
//! (never by message text, which a table or column name can contain), so the
//! generic error type names no `rusqlite`.

use crate::error::{DatabaseProblem, Error};

impl From<rusqlite::Error> for DatabaseProblem {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let code = match &e {
            rusqlite::Error::SqliteFailure(failure, _) => failure.code,
            _ => return DatabaseProblem::Other(e.to_string()),
        };
        match code {
            ErrorCode::NotADatabase => DatabaseProblem::NotADatabase,
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => DatabaseProblem::Locked,
            ErrorCode::ReadOnly => DatabaseProblem::ReadOnly,
            ErrorCode::CannotOpen => DatabaseProblem::CannotOpen,
            ErrorCode::DiskFull => DatabaseProblem::Full,
            _ => DatabaseProblem::Other(e.to_string()),
        }
    }
}

/// An error from a step that reads the database (an engine error is
/// classified; any other keeps its words).
impl From<Error> for DatabaseProblem {
    fn from(e: Error) -> Self {
        match e {
            Error::Sqlite(e) => e.into(),
            other => DatabaseProblem::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn failure(code: std::os::raw::c_int, text: Option<&str>) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), text.map(str::to_string))
    }

    #[test]
    fn each_classified_code_gives_its_problem() {
        let cases = [
            (ffi::SQLITE_NOTADB, DatabaseProblem::NotADatabase),
            (ffi::SQLITE_BUSY, DatabaseProblem::Locked),
            (ffi::SQLITE_LOCKED, DatabaseProblem::Locked),
            (ffi::SQLITE_READONLY, DatabaseProblem::ReadOnly),
            (ffi::SQLITE_READONLY_DIRECTORY, DatabaseProblem::ReadOnly),
            (ffi::SQLITE_CANTOPEN, DatabaseProblem::CannotOpen),
            (ffi::SQLITE_FULL, DatabaseProblem::Full),
        ];
        for (code, problem) in cases {
            assert_eq!(
                DatabaseProblem::from(failure(code, None)),
                problem,
                "{code}"
            );
        }
    }

    #[test]
    fn an_unclassified_code_keeps_sqlites_words() {
        let e = failure(
            ffi::SQLITE_CONSTRAINT,
            Some("UNIQUE constraint failed: t.x"),
        );
        assert_eq!(
            DatabaseProblem::from(e),
            DatabaseProblem::Other("UNIQUE constraint failed: t.x".into())
        );
    }

    /// Message text is never read: a name that says "readonly" or "locked"
    /// in an ordinary error is not a read-only or locked database.
    #[test]
    fn a_message_naming_readonly_or_locked_is_not_classified_by_its_words() {
        for text in [
            "no such table: readonly_users",
            "no such column: database is locked",
            "near \"unable to open\": syntax error",
        ] {
            let err = Error::database("app.db", failure(ffi::SQLITE_ERROR, Some(text)));
            assert_eq!(err.to_string(), format!("database app.db: {text}"));
        }
    }

    #[test]
    fn context_wraps_only_an_unclassified_problem() {
        let wrap = |t: String| format!("backup failed: {t}");
        let locked = DatabaseProblem::from(failure(ffi::SQLITE_BUSY, None));
        assert_eq!(locked.in_context(wrap), DatabaseProblem::Locked);
        let other = DatabaseProblem::from(failure(ffi::SQLITE_IOERR, Some("disk I/O error")));
        assert_eq!(
            other.in_context(wrap),
            DatabaseProblem::Other("backup failed: disk I/O error".into())
        );
    }
}
