//! A live SQLite database to a [`Schema`].
//!
//! Pragmas give what SQLite has resolved (column types, NOT NULL, defaults,
//! primary key order, foreign keys, unique constraints, index columns); the
//! stored `CREATE` text gives the rest: constraint names, conflict clauses,
//! expressions (see [`crate::sqlite::parse`]). Names are always bound parameters,
//! never formatted into SQL. Inspecting never writes.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

use crate::error::{DatabaseProblem, Error, Result};
use crate::schema::{
    Column, ColumnOptions, ForeignKey, Generated, Index, IndexOptions, IndexPart, IndexTarget,
    OnConflict, PrimaryKey, Schema, SqliteColumn, SqliteTable, Table, TableOptions, Trigger,
    Unique, View, normalize_action, normalize_collation, normalize_type,
};
use crate::sqlite::names::same_name;
use crate::sqlite::parse::{self, ParsedTable};
use crate::sqlite::virtual_table::{self, VirtualTable};
use std::collections::HashSet;

const OBJECTS: &str = "SELECT type, name, tbl_name, sql FROM sqlite_schema \
     WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid";
const COLUMNS: &str = "SELECT name, type, \"notnull\", dflt_value, pk, hidden \
     FROM pragma_table_xinfo(?1) ORDER BY cid";
const FOREIGN_KEYS: &str = "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
     FROM pragma_foreign_key_list(?1) ORDER BY id, seq";
const INDEX_LIST: &str = "SELECT name, \"unique\", origin FROM pragma_index_list(?1)";
const INDEX_XINFO: &str = "SELECT cid, name, \"desc\", coll FROM pragma_index_xinfo(?1) \
     WHERE key ORDER BY seqno";

/// Opens an existing database file without the right to write to it.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.exists() {
        return Err(Error::database(path, DatabaseProblem::Missing));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::database(path, e))?;
    // A writer's lock blocks readers too (outside WAL): wait as long as
    // `lock_wait` says, not rusqlite's 5 s.
    conn.busy_timeout(crate::lock_wait::current())
        .map_err(|e| Error::database(path, e))?;
    // Opening is lazy; reading the schema is what proves it is a database.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .map_err(|e| Error::database(path, e))?;
    Ok(conn)
}

/// Reads the schema of `conn`, leaving out the tool's own tables for the
/// version table `version_table` (exactly those named in
/// [`crate::sqlite::version_table::own_tables`], and what belongs to them); `""` leaves out nothing.
pub fn inspect(conn: &Connection, version_table: &str) -> Result<Schema> {
    in_snapshot(conn, || inspect_now(conn, version_table))
}

/// Runs `read` inside one read transaction: every answer comes from the same
/// snapshot of the file, and SQLite takes its shared lock once instead of
/// once per query (an inspection asks four or more questions per table: for
/// 2,000 tables, tens of thousands of lock and stat calls saved). Inside a
/// transaction already, it just runs `read`.
pub(crate) fn in_snapshot<T>(conn: &Connection, read: impl FnOnce() -> Result<T>) -> Result<T> {
    if !conn.is_autocommit() {
        return read();
    }
    conn.execute_batch("BEGIN")?;
    let out = read();
    if !conn.is_autocommit() {
        // Nothing was written: ending a read transaction either way is the same.
        let _ = conn.execute_batch("ROLLBACK");
    }
    out
}

fn inspect_now(conn: &Connection, version_table: &str) -> Result<Schema> {
    let mut schema = Schema::default();
    let mut stmt = conn.prepare(OBJECTS)?;
    let objects = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let own = |name: &str| {
        !version_table.is_empty() && crate::sqlite::version_table::is_own(name, version_table)
    };
    // Index definitions by name, read in the same pass (one scan, not one per index).
    let index_sql: HashMap<&str, &str> = objects
        .iter()
        .filter(|(kind, ..)| kind == "index")
        .filter_map(|(_, name, _, sql)| Some((name.as_str(), sql.as_deref()?)))
        .collect();
    let mut tables = Vec::new();
    // Shadow tables belong to their virtual table; SQLite says which they are.
    let shadows = shadow_tables(conn)?;
    for (kind, name, _, sql) in &objects {
        let sql = sql.as_deref().unwrap_or("");
        if kind != "table" || own(name) || shadows.contains(&name.to_ascii_lowercase()) {
            continue;
        }
        if virtual_table::is_virtual(sql) {
            let vt = read_virtual_table(conn, name, sql);
            schema.sqlite.virtual_tables.push(vt);
        } else {
            tables.push(table(conn, name, sql, &index_sql)?);
        }
    }
    schema.tables = tables;
    for (kind, name, tbl_name, sql) in objects {
        if own(&name) || own(&tbl_name) {
            continue;
        }
        let sql = sql.unwrap_or_default();
        match kind.as_str() {
            "view" => schema.views.push(View { name, sql }),
            "trigger" => schema.triggers.push(Trigger {
                name,
                table: tbl_name,
                sql,
            }),
            _ => {} // tables above; indexes belong to their table
        }
    }
    resolve_implicit_references(&mut schema);
    schema.set_name_rule(crate::sqlite::names::NAMES);
    schema.sort();
    Ok(schema)
}

fn invalid(what: String) -> Error {
    Error::Schema(what)
}

fn table(
    conn: &Connection,
    name: &str,
    sql: &str,
    index_sql: &HashMap<&str, &str>,
) -> Result<Table> {
    let parsed = parse::parse_create_table(sql)
        .map_err(|e| invalid(format!("cannot read the definition of table {name}: {e}")))?;
    let mut table = Table {
        name: name.to_string(),
        ..Table::default()
    };
    let mut pk: Vec<(i64, String)> = Vec::new();
    let mut stmt = conn.prepare_cached(COLUMNS)?;
    let mut rows = stmt.query(params![name])?;
    while let Some(r) = rows.next()? {
        let col_name: String = r.get(0)?;
        let hidden: i64 = r.get(5)?;
        let parsed_col = parsed
            .columns
            .iter()
            .find(|c| same_name(&c.name, &col_name));
        let generated = match hidden {
            2 | 3 => parsed_col
                .and_then(|c| c.generated.clone())
                .map(|g| Generated {
                    stored: hidden == 3,
                    ..g
                }),
            _ => None,
        };
        let pk_pos: i64 = r.get(4)?;
        if pk_pos > 0 {
            pk.push((pk_pos, col_name.clone()));
        }
        table.columns.push(Column {
            decl_type: normalize_type(&r.get::<_, String>(1)?),
            not_null: r.get::<_, i64>(2)? != 0,
            // As declared: compared in canonical form (schema.rs).
            default: r.get::<_, Option<String>>(3)?,
            collation: parsed_col.and_then(|c| c.collation.clone()),
            generated,
            options: ColumnOptions::sqlite(SqliteColumn {
                not_null_on_conflict: parsed_col
                    .map_or_else(Default::default, |c| c.not_null_on_conflict),
            }),
            name: col_name,
        });
    }
    pk.sort();
    // AUTOINCREMENT belongs to the primary key: none without one.
    table.options = TableOptions::sqlite(SqliteTable {
        without_rowid: parsed.without_rowid,
        strict: parsed.strict,
        autoincrement: parsed.autoincrement && !pk.is_empty(),
    });
    if !pk.is_empty() {
        table.primary_key = Some(PrimaryKey {
            name: parsed.pk_name.clone(),
            columns: pk.into_iter().map(|(_, c)| c).collect(),
            on_conflict: parsed.pk_on_conflict,
        });
    }
    table.foreign_keys = foreign_keys(conn, name, &parsed)?;
    table.checks = parsed.checks.clone();
    read_indexes(conn, &mut table, &parsed, index_sql)?;
    Ok(table)
}

fn foreign_keys(
    conn: &Connection,
    table: &str,
    parsed: &ParsedTable,
) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare_cached(FOREIGN_KEYS)?;
    let mut rows = stmt.query(params![table])?;
    let mut fks: Vec<(i64, ForeignKey)> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if fks.last().is_none_or(|(last, _)| *last != id) {
            fks.push((
                id,
                ForeignKey {
                    ref_table: r.get(1)?,
                    on_update: normalize_action(&r.get::<_, String>(4)?),
                    on_delete: normalize_action(&r.get::<_, String>(5)?),
                    ..ForeignKey::default()
                },
            ));
        }
        let fk = &mut fks.last_mut().expect("pushed above").1;
        fk.columns.push(r.get(2)?);
        if let Some(to) = r.get::<_, Option<String>>(3)? {
            fk.ref_columns.push(to);
        }
    }
    Ok(fks
        .into_iter()
        .map(|(_, mut fk)| {
            let same = |p: &&parse::ParsedForeignKey| {
                same_name(&p.ref_table, &fk.ref_table)
                    && p.columns.len() == fk.columns.len()
                    && p.columns
                        .iter()
                        .zip(&fk.columns)
                        .all(|(a, b)| same_name(a, b))
            };
            if let Some(p) = parsed.foreign_keys.iter().find(same) {
                fk.name = p.name.clone();
                fk.deferred = p.deferred;
            }
            fk
        })
        .collect())
}

fn read_indexes(
    conn: &Connection,
    table: &mut Table,
    parsed: &ParsedTable,
    index_sql: &HashMap<&str, &str>,
) -> Result<()> {
    let list: Vec<(String, bool, String)> = conn
        .prepare_cached(INDEX_LIST)?
        .query_map(params![table.name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (index_name, unique, origin) in list {
        let parts = index_parts(conn, &index_name)?;
        match origin.as_str() {
            "u" => {
                let columns: Vec<String> = parts
                    .iter()
                    .filter_map(|p| match &p.target {
                        IndexTarget::Column(c) => Some(c.clone()),
                        IndexTarget::Expr(_) => None,
                    })
                    .collect();
                table.uniques.push(unique_constraint(parsed, columns));
            }
            "c" => {
                let sql = index_sql.get(index_name.as_str()).copied().unwrap_or("");
                let p = parse::parse_create_index(sql).map_err(|e| {
                    invalid(format!(
                        "cannot read the definition of index {index_name}: {e}"
                    ))
                })?;
                // Expressions come from the text, everything else from the pragma.
                let parts = parts
                    .into_iter()
                    .zip(p.parts)
                    .map(|(from_pragma, from_text)| match from_pragma.target {
                        IndexTarget::Expr(_) => IndexPart {
                            target: from_text.target,
                            ..from_pragma
                        },
                        IndexTarget::Column(_) => from_pragma,
                    })
                    .collect();
                table.indexes.push(Index {
                    name: index_name,
                    unique,
                    parts,
                    where_clause: p.where_clause,
                    options: IndexOptions::None,
                });
            }
            _ => {} // "pk": the primary key's own index
        }
    }
    Ok(())
}

/// The UNIQUE constraint whose index covers `columns`, with what its text
/// says. SQLite makes one index of two constraints on the same columns and
/// keeps the clause that one of them declares, so a declared clause wins.
fn unique_constraint(parsed: &ParsedTable, columns: Vec<String>) -> Unique {
    let same = |u: &&parse::ParsedUnique| {
        u.columns.len() == columns.len()
            && u.columns.iter().zip(&columns).all(|(a, b)| same_name(a, b))
    };
    let declared: Vec<_> = parsed.uniques.iter().filter(same).collect();
    Unique {
        name: declared.iter().find_map(|u| u.name.clone()),
        on_conflict: declared
            .iter()
            .map(|u| u.on_conflict)
            .find(|&c| c != OnConflict::Abort)
            .unwrap_or_default(),
        columns,
        ..Unique::default()
    }
}

fn index_parts(conn: &Connection, index: &str) -> rusqlite::Result<Vec<IndexPart>> {
    conn.prepare_cached(INDEX_XINFO)?
        .query_map(params![index], |r| {
            let cid: i64 = r.get(0)?;
            let target = match r.get::<_, Option<String>>(1)? {
                Some(name) if cid >= 0 => IndexTarget::Column(name),
                _ => IndexTarget::Expr(String::new()),
            };
            Ok(IndexPart {
                target,
                desc: r.get::<_, i64>(2)? != 0,
                collation: r
                    .get::<_, Option<String>>(3)?
                    .and_then(|c| normalize_collation(&c)),
                nulls_first: None,
            })
        })?
        .collect()
}

/// `REFERENCES artist` means the parent's primary key: name it, so it
/// compares equal to `REFERENCES artist(id)`.
fn resolve_implicit_references(schema: &mut Schema) {
    let pks: Vec<(String, Vec<String>)> = schema
        .tables
        .iter()
        .filter_map(|t| Some((t.name.clone(), t.primary_key.as_ref()?.columns.clone())))
        .collect();
    for fk in schema
        .tables
        .iter_mut()
        .flat_map(|t| t.foreign_keys.iter_mut())
    {
        if fk.ref_columns.is_empty()
            && let Some((_, cols)) = pks.iter().find(|(t, _)| same_name(t, &fk.ref_table))
        {
            fk.ref_columns = cols.clone();
        }
    }
}

/// The shadow tables of the main database, lower-cased, as SQLite knows them.
pub(crate) fn shadow_tables(conn: &Connection) -> rusqlite::Result<HashSet<String>> {
    conn.prepare_cached(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'",
    )?
    .query_map([], |r| r.get::<_, String>(0))?
    .map(|n| n.map(|n| n.to_ascii_lowercase()))
    .collect()
}

/// Reads one virtual table. Its columns come from SQLite when the module is
/// available; without it, the table is still kept (by its text).
pub(crate) fn read_virtual_table(conn: &Connection, name: &str, sql_text: &str) -> VirtualTable {
    let columns = conn
        .prepare_cached("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid")
        .and_then(|mut s| {
            s.query_map(params![name], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap_or_default();
    VirtualTable {
        name: name.to_string(),
        sql: sql_text.to_string(),
        columns,
    }
}

/// The revisions Alembic's version table `table` records in the database at
/// `db`, or `None` when it has no such table (`migrate import-alembic`
/// adopts a database Alembic kept). Reads only.
#[cfg(all(feature = "cli", feature = "sqlalchemy"))]
pub(crate) fn alembic_versions(db: &Path, table: &str) -> Result<Option<Vec<String>>> {
    let conn = open_read_only(db)?;
    let present: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
            [table],
            |r| r.get(0),
        )
        .map_err(|e| Error::database(db, e))?;
    if present == 0 {
        return Ok(None);
    }
    let query = format!(
        "SELECT version_num FROM {}",
        crate::sqlite::sql::quote_ident(table)
    );
    conn.prepare(&query)
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map(Some)
        .map_err(|e| Error::database(db, e))
}
