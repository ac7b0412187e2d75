//! One statement of a script, with the line it starts on, and the part of
//! a dialect that revision files need to be read ([`Splitter`]: split into
//! statements, checksum text). Kept below `dialect` and `script` so that
//! both can name it without importing each other.

/// One statement of a script, with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}

/// What reading a revision file needs of a dialect, which holds no
/// connection: every [`crate::dialect::Dialect`] is one.
pub trait Splitter {
    /// The statements of `script` as this engine reads them, each with the
    /// line it starts on; or the line and what to do where the engine would
    /// read the script other than as written (SQLite: a `CREATE TRIGGER`
    /// without `END;` swallows every statement after it).
    fn split(&self, script: &str) -> Result<Vec<Statement>, (usize, String)>;
    /// The text a section's checksum is taken over: its significant tokens,
    /// so comments and layout may change without changing the checksum.
    fn checksum_text(&self, section: &str) -> String;
}
