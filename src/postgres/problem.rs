//! A server's error in plain words: its message, detail and hint, and for
//! the errors a migration meets most (a lock wait running out, a lost
//! connection) what to do. Made from SQLSTATE codes, never message text.

use postgres::error::SqlState;

/// `e` as one message for the user.
pub(crate) fn server_error(e: &postgres::Error) -> String {
    let Some(db) = e.as_db_error() else {
        if e.is_closed() {
            return "the connection to the server was lost".into();
        }
        return e.to_string();
    };
    let mut text = db.message().to_string();
    if let Some(detail) = db.detail() {
        text.push_str(&format!(" ({detail})"));
    }
    if let Some(hint) = db.hint() {
        text.push_str(&format!("; hint: {hint}"));
    }
    match *db.code() {
        SqlState::LOCK_NOT_AVAILABLE => text.push_str(
            "; another session holds a lock this statement needs, and it waited lock_timeout for it \
             (so that the application's queries do not queue behind the migration); \
             try again when that session is done, or raise [database] lock_timeout",
        ),
        SqlState::QUERY_CANCELED => text.push_str("; the statement was cancelled"),
        SqlState::ADMIN_SHUTDOWN | SqlState::CRASH_SHUTDOWN => {
            text.push_str("; the server is shutting down")
        }
        _ => {}
    }
    text
}

/// Where in its statement the server says the error is: a 1-based
/// character position, as a 0-based line offset.
pub(crate) fn line_offset(e: &postgres::Error, statement: &str) -> usize {
    let position = e.as_db_error().and_then(|db| match db.position() {
        Some(postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
        _ => None,
    });
    position.map_or(0, |p| {
        statement
            .chars()
            .take(p.saturating_sub(1))
            .filter(|c| *c == '\n')
            .count()
    })
}
