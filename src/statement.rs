//! One statement of a script, and what the revision parser needs from an
//! engine's SQL to find them: a [`Lexer`] (split a section into statements
//! or say which construct is left open; the text a checksum is taken
//! over). Each engine's `sql` module has one (`crate::sqlite::sql::LEXER`,
//! `crate::postgres::sql::LEXER`); its dialect hands it out. Plain function
//! values, so that [`crate::script`] needs no engine module to parse.

/// One statement of a script, with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}

/// A construct a section leaves open (a string, a comment, a trigger or
/// function body): the 1-based line where it opens, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    pub line: usize,
    pub message: String,
}

/// An engine's reading of SQL text, as the revision parser uses it.
pub struct Lexer {
    /// The statements of a section (lines 1-based in the section), or the
    /// construct it leaves open.
    pub split: fn(&str) -> Result<Vec<Statement>, Unclosed>,
    /// The text a section's checksum is taken over: its significant tokens.
    pub checksum_text: fn(&str) -> String,
}
