//! The tool's own tables on a PostgreSQL connection: finding their format,
//! creating them, and reading the applied revisions, with the rules of
//! SQLite's (`crate::sqlite::version_table`): a format this build does not
//! know is refused before anything is read or written. The SQL text is in
//! [`crate::postgres::version_table`].

use postgres::Client;

use crate::driver::Applied;
use crate::error::{Error, Result};
use crate::postgres::names::{quote_ident, quote_str};
use crate::postgres::problem::server_error;
use crate::postgres::version_table::{FORMAT, VersionTable, own_tables, written_by};

/// What a database holds of the tool's own tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// No version table yet.
    Nothing,
    /// The tables at `format`, last written by `written_by`.
    At { format: i64, written_by: String },
}

/// The format of the own tables of the version table `name` (looked up on
/// the `search_path`, where they are created), refused when this build
/// cannot read it. Reads only.
pub(crate) fn read_format(client: &mut Client, name: &str, place: &str) -> Result<Found> {
    let fail = |e: postgres::Error| Error::database(place, server_error(&e));
    let [table, _, format_table] = own_tables(name);
    let mut exists = |t: &str| -> Result<bool> {
        let row = client
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&quote_ident(t)])
            .map_err(fail)?;
        Ok(row.get(0))
    };
    let (has_table, has_format) = (exists(&table)?, exists(&format_table)?);
    let found = match (has_table, has_format) {
        (false, false) => Found::Nothing,
        (_, true) => {
            let rows = client
                .query(&VersionTable::new(name).select_format(), &[])
                .map_err(fail)?;
            let Some(row) = rows.first() else {
                return Err(Error::Refused(format!(
                    "{format_table} holds no row, so the format of migrate's own tables is unknown \
                     and nothing was changed. Restore the database from a backup, or if it was \
                     made by {}, insert its row: INSERT INTO {} VALUES ({FORMAT}, {})",
                    written_by(),
                    quote_ident(&format_table),
                    quote_str(written_by())
                )));
            };
            Found::At {
                format: row.get(0),
                written_by: row.get(1),
            }
        }
        (true, false) => {
            return Err(Error::Refused(format!(
                "table {table} is there without {format_table}, so migrate did not make it \
                 (or it was changed by hand); nothing was changed: choose another \
                 [migrations] version_table, or restore the database from a backup"
            )));
        }
    };
    if let Found::At {
        format,
        written_by: by,
    } = &found
        && *format != FORMAT
    {
        let tables = own_tables(name).join(", ");
        let by: String = by.chars().filter(|c| !c.is_control()).collect();
        return Err(Error::Refused(if *format > FORMAT {
            format!(
                "this database's own tables ({tables}) are at format {format}, written by {by}, \
                 and {} reads format {FORMAT}; nothing was changed: use {by} or a later one with \
                 this database",
                written_by()
            )
        } else {
            format!(
                "this database's own tables ({tables}) say format {format}, which no migrate \
                 writes on PostgreSQL; nothing was changed: restore the database from a backup"
            )
        }));
    }
    Ok(found)
}

/// Creates the tables when there are none; refuses a format this build
/// cannot read. Runs inside the caller's transaction, under the migration
/// lock, so two migrators never race to create them.
pub(crate) fn ensure(client: &mut Client, name: &str, place: &str) -> Result<()> {
    if read_format(client, name, place)? == Found::Nothing {
        client
            .batch_execute(&VersionTable::new(name).create())
            .map_err(|e| Error::database(place, server_error(&e)))?;
    }
    Ok(())
}

/// The applied revisions, or none when there is no version table yet.
pub(crate) fn read_applied(client: &mut Client, name: &str, place: &str) -> Result<Vec<Applied>> {
    if read_format(client, name, place)? == Found::Nothing {
        return Ok(vec![]);
    }
    let rows = client
        .query(&VersionTable::new(name).select(), &[])
        .map_err(|e| Error::database(place, server_error(&e)))?;
    Ok(rows
        .iter()
        .map(|r| Applied {
            revision: r.get(0),
            checksum: r.get(1),
            applied_at: r.get(2),
            parents: r
                .get::<_, String>(3)
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            message: r.get(4),
        })
        .collect())
}
