//! A live PostgreSQL database to a [`Schema`], read from `pg_catalog`.
//!
//! Everything is read in one snapshot (a `REPEATABLE READ READ ONLY`
//! transaction), with `search_path` set to the first inspected schema so
//! that PostgreSQL prints the names of its objects in types, defaults and
//! views unqualified, as a model writes them, and those of the other
//! inspected schemas qualified (`billing.invoice`): objects of the other
//! schemas are named so in the [`Schema`] too ([`super::names::qualify`]). The queries are in [`catalog`]; the rows become a
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

pub(crate) use serial::default_name;

/// What to inspect.
#[derive(Debug, Clone)]
pub struct Options {
    /// The schemas (namespaces) whose objects are read, in `search_path`
    /// order (`[database] schemas`). The first one's objects are named
    /// without it; a listed schema the database lacks is read as empty.
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
    // Local to the transaction: the session's own search_path is untouched.
    tx.execute(
        "SELECT set_config('search_path', quote_ident($1), true)",
        &[&schemas[0]],
    )
    .map_err(catalog_error)?;
    let keep = |name: &str| {
        options.version_table.is_empty() || !version_table::is_own(name, &options.version_table)
    };
    let mut catalog = catalog::read(&mut tx, &schemas, keep).map_err(catalog_error)?;
    let matviews = matviews::read(&mut tx, &schemas).map_err(catalog_error)?;
    let comments = comments::read(&mut tx, &schemas).map_err(catalog_error)?;
    // `public` is in every new database (template0 has it) and the first
    // schema must be there before anything (it holds the version table):
    // neither is listed, so the default configuration plans and prints no
    // schema at all.
    let first = schemas[0].clone();
    catalog.namespaces = schemas
        .into_iter()
        .filter(|s| s != "public" && *s != first && !missing.contains(s))
        .collect();
    // Read only: ending it either way is the same.
    tx.rollback().map_err(catalog_error)?;
    // Names are unique: only the first schema's objects go without it.
    let mut schema = assemble::schema(catalog);
    schema.postgres.matviews = matviews;
    // After the objects: only the comments of objects the schema holds are kept.
    comments::add(&mut schema, comments);
    schema.sort();
    Ok(schema)
}

/// A failure to read the catalog, with PostgreSQL's own message.
fn catalog_error(e: postgres::Error) -> Error {
    let detail = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_string());
    Error::Schema(format!("cannot read the PostgreSQL catalog: {detail}"))
}
