//! `migrate import-alembic` in a build without the `sqlalchemy` feature
//! (its Python helper is not shipped): the command is still listed, takes
//! any arguments and says what is missing (exit 2), so that `cli.rs` keeps no
//! `#[cfg]` of its own.

use crate::config::Overrides;
use crate::error::{Error, Result};

/// Import an Alembic history (not in this build: it needs the `sqlalchemy` feature)
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The real command's arguments, read by nothing here.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

/// The refusal.
pub(crate) fn run(_overrides: &Overrides, _args: &Args) -> Result<()> {
    Err(Error::Usage(
        "import-alembic: this build has no Alembic import (feature `sqlalchemy`): \
         build migrate with that feature (it is among the default features)"
            .into(),
    ))
}
