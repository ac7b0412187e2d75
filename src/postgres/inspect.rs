//! A live PostgreSQL database to a [`Schema`], read from `pg_catalog`.
//!
//! Everything is read in one snapshot (a `REPEATABLE READ READ ONLY`
//! transaction), with `search_path` set to the inspected schemas so that
//! PostgreSQL prints the names in types, defaults and views unqualified, as
//! a model writes them. The queries are in [`catalog`]; the rows become a
//! schema in [`assemble`]. Inspecting never writes, and this is, with the
//! driver, the only code that talks to the database.

use postgres::{Client, IsolationLevel};

use super::version_table;
use crate::error::{Error, Result};
use crate::schema::Schema;

mod assemble;
mod catalog;
mod comments;
mod matviews;
mod sequence;
mod serial;

pub use serial::default_name;

/// What to inspect.
#[derive(Debug, Clone)]
pub struct Options {
    /// The schemas (namespaces) whose objects are read, in `search_path`
    /// order. Names are unqualified in the result, so two of them may not
    /// both have a table of the same name.
    pub schemas: Vec<String>,
    /// The tool's version table: it, its log and its format table are left
    /// out. `""` leaves out nothing.
    pub version_table: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            schemas: vec!["public".to_string()],
            version_table: String::new(),
        }
    }
}

/// Reads the schema of the database `client` is connected to.
pub fn inspect(client: &mut Client, options: &Options) -> Result<Schema> {
    let schemas = if options.schemas.is_empty() {
        Options::default().schemas
    } else {
        options.schemas.clone()
    };
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(catalog_error)?;
    let missing = catalog::missing_schemas(&mut tx, &schemas).map_err(catalog_error)?;
    if !missing.is_empty() {
        return Err(Error::Schema(format!(
            "the database has no schema {}: check the `schemas` setting",
            missing.join(", ")
        )));
    }
    // Local to the transaction: the session's own search_path is untouched.
    tx.execute(
        "SELECT set_config('search_path', \
         (SELECT string_agg(quote_ident(s), ', ') FROM unnest($1::text[]) AS s), true)",
        &[&schemas],
    )
    .map_err(catalog_error)?;
    let keep = |name: &str| {
        options.version_table.is_empty() || !version_table::is_own(name, &options.version_table)
    };
    let catalog = catalog::read(&mut tx, &schemas, keep).map_err(catalog_error)?;
    let matviews = matviews::read(&mut tx, &schemas).map_err(catalog_error)?;
    let comments = comments::read(&mut tx, &schemas).map_err(catalog_error)?;
    // Read only: ending it either way is the same.
    tx.rollback().map_err(catalog_error)?;
    if let Some(twice) = first_duplicate(catalog.tables.iter().map(|t| t.name.as_str())) {
        let homes: Vec<&str> = catalog
            .tables
            .iter()
            .filter(|t| t.name == twice)
            .map(|t| t.schema.as_str())
            .collect();
        return Err(Error::Schema(format!(
            "table {twice} is in more than one inspected schema ({}); tables are named without \
             their schema, so inspect one of them at a time",
            homes.join(", ")
        )));
    }
    let mut schema = assemble::schema(catalog);
    schema.postgres.matviews = matviews;
    // After the objects: only the comments of objects the schema holds are kept.
    comments::add(&mut schema, comments);
    schema.sort();
    Ok(schema)
}

fn first_duplicate<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = std::collections::HashSet::new();
    names.into_iter().find(|n| !seen.insert(*n))
}

/// A failure to read the catalog, with PostgreSQL's own message.
fn catalog_error(e: postgres::Error) -> Error {
    let detail = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_string());
    Error::Schema(format!("cannot read the PostgreSQL catalog: {detail}"))
}
