//! Revisions compiled into an application binary: the text of every file in
//! `migrations/versions/` and of `migrate.sum`, captured at compile time by the
//! `embed_migrations!` macro, so an application that migrates itself at
//! start-up never reads a migrations directory and cannot run an edited file.
//!
//! These two types are the whole contract between the macro (which only
//! builds a literal of them) and the library (which reads them like a
//! directory): neither side needs the other's internals.

/// One revision file, as it was in `migrations/versions/` when the
/// application was compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedRevision {
    /// The file name, `<id>_<slug>.sql`: the id is read from it as from a
    /// file on disk.
    pub file_name: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// A migrations directory compiled into the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedMigrations {
    /// Every revision file, sorted by file name.
    pub revisions: &'static [EmbeddedRevision],
    /// The text of `migrate.sum`, already checked against `revisions` when
    /// the application was compiled (and checked again when it is opened).
    pub sum: &'static str,
}
