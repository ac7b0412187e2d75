//! The SQLAlchemy model loader in a build without the `sqlalchemy` feature:
//! the same two functions, each saying what is missing, so a config that
//! names `[model] sqlalchemy` is refused when it is read (exit 2) and the
//! callers keep no `#[cfg]` of their own.

use std::path::Path;

use crate::engine::Dev;
use crate::error::{Error, Result};
use crate::load::Model;

/// What the refusal says, and what to do instead.
pub(crate) const NOT_BUILT: &str = "this build has no SQLAlchemy support (feature `sqlalchemy`): \
     build migrate with that feature, or name a .toml or .sql model ([model] path)";

/// Refuses every target: there is no helper to run it.
pub(crate) fn check_target(_target: &str) -> std::result::Result<(), String> {
    Err(NOT_BUILT.into())
}

/// Never reached past [`check_target`]; refuses all the same.
pub(crate) fn load(_target: &str, _python: Option<&str>, _dir: &Path, _dev: Dev) -> Result<Model> {
    Err(Error::Usage(NOT_BUILT.into()))
}
