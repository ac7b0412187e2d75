//! The rows of the realworld harness: seeding a database (with stand-ins
//! for application functions, and gaps in rowids and AUTOINCREMENT
//! sequences), reading every value back, and comparing two readings across
//! a change.

use std::collections::BTreeMap;

use migrate::internal::schema::{Column, Schema, Table};
use migrate::internal::sqlite::affinity::{Affinity, affinity};
use migrate::internal::sqlite::ddl;
use migrate::internal::sqlite::names::same_name;
use migrate::internal::sqlite::sql::quote_ident;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;

use crate::common::Project;

/// Rows inserted per table before some are deleted: few, so CI stays fast.
const ROWS: i64 = 4;

/// One change to the model, and what it does to the rows.
pub enum Effect {
    /// Every value stays (a type change within one affinity).
    Same,
    Added {
        table: String,
        column: String,
        value: String,
    },
    Renamed {
        table: String,
        from: String,
        to: String,
    },
}

/// Stand-ins for the application functions calibre's triggers call.
pub fn stub_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8;
    conn.create_scalar_function("title_sort", 1, flags, |ctx| ctx.get::<Value>(0))?;
    conn.create_scalar_function("books_list_filter", 1, flags, |_| Ok(1i64))?;
    let n = std::sync::atomic::AtomicU64::new(0);
    conn.create_scalar_function("uuid4", 0, flags, move |_| {
        let n = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        Ok(format!("00000000-0000-4000-8000-{n:012}"))
    })
}

fn value_for(decl: &str, i: i64) -> String {
    match affinity(decl) {
        Affinity::Integer | Affinity::Numeric => i.to_string(),
        Affinity::Real => format!("{i}.5"),
        Affinity::Text => format!("'v{i}'"),
        Affinity::Blob if decl.contains("BLOB") => format!("X'{i:02x}'"),
        Affinity::Blob => i.to_string(),
    }
}

/// How a seed row fills the columns that may be left out.
#[derive(Clone, Copy, PartialEq)]
enum Fill {
    Every,
    /// Nullable columns NULL (a CHECK or a missing parent may refuse a value).
    Nulls,
    /// Columns with a default left to it (synapse's `CHECK (Lock='X')`).
    Defaults,
}

/// One row `i` of `t`, or false when a constraint refused it.
fn insert_row(conn: &Connection, t: &Table, i: i64, fill: Fill) -> bool {
    let keyed = |c: &Column| {
        t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|k| same_name(k, &c.name)))
    };
    let cols: Vec<&Column> = t
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .filter(|c| fill != Fill::Defaults || c.default.is_none() || keyed(c))
        .collect();
    let names: Vec<String> = cols.iter().map(|c| quote_ident(&c.name)).collect();
    let values: Vec<String> = cols
        .iter()
        .map(|c| match fill {
            Fill::Nulls if !c.not_null && !keyed(c) => "NULL".to_string(),
            _ => value_for(&c.decl_type, i),
        })
        .collect();
    let sql = if names.is_empty() {
        format!("INSERT INTO {} DEFAULT VALUES", quote_ident(&t.name))
    } else {
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote_ident(&t.name),
            names.join(", "),
            values.join(", ")
        )
    };
    conn.execute(&sql, []).is_ok()
}

/// Inserts rows with foreign keys enforced (parents first, by retrying what
/// a missing parent refused), then makes gaps: row 2 of each rowid table is
/// deleted and every AUTOINCREMENT sequence moves past its last row.
pub fn seed(conn: &Connection, schema: &Schema) -> Result<(), String> {
    stub_functions(conn).map_err(|e| e.to_string())?;
    let pragma = |on: bool| {
        conn.execute_batch(&format!(
            "PRAGMA foreign_keys = {}",
            if on { "ON" } else { "OFF" }
        ))
        .map_err(|e| e.to_string())
    };
    let any_fill = |t: &Table, i: i64| {
        [Fill::Every, Fill::Nulls, Fill::Defaults]
            .into_iter()
            .any(|f| insert_row(conn, t, i, f))
    };
    pragma(true)?;
    let mut pending: Vec<(&Table, i64)> = schema
        .tables
        .iter()
        .flat_map(|t| (1..=ROWS).map(move |i| (t, i)))
        .collect();
    loop {
        let left = pending.len();
        pending.retain(|&(t, i)| !any_fill(t, i));
        if pending.len() == left {
            break;
        }
    }
    // A cycle (sakila's store and staff) has no first parent: the rest go
    // in with the check off, and meet their parents once all are in.
    pragma(false)?;
    pending.retain(|&(t, i)| !any_fill(t, i));
    pragma(true)?;
    for t in schema.tables.iter().filter(|t| !t.sqlite().without_rowid) {
        // Refused where a child still needs the row: then no gap, no harm.
        let _ = conn.execute(
            &format!("DELETE FROM {} WHERE rowid = 2", quote_ident(&t.name)),
            [],
        );
    }
    if schema
        .tables
        .iter()
        .any(|t| t.primary_key.is_some() && t.sqlite().autoincrement)
    {
        conn.execute_batch("UPDATE sqlite_sequence SET seq = seq + 10")
            .map_err(|e| e.to_string())?;
    }
    let empty: Vec<&str> = schema
        .tables
        .iter()
        .filter(|t| {
            let sql = format!("SELECT count(*) FROM {}", quote_ident(&t.name));
            conn.query_row(&sql, [], |r| r.get::<_, i64>(0))
                .unwrap_or(0)
                == 0
        })
        .map(|t| t.name.as_str())
        .collect();
    if !empty.is_empty() {
        return Err(format!("no row could be inserted into {empty:?}"));
    }
    Ok(())
}

/// table -> column -> values in row order (`rowid` first where there is
/// one); `sqlite_sequence` as a table of its own.
pub type Snapshot = BTreeMap<String, BTreeMap<String, Vec<String>>>;

pub fn snapshot(p: &Project) -> Result<Snapshot, String> {
    let conn = p.conn("app.db");
    let schema = migrate::internal::sqlite::inspect::inspect(&conn, "migrate_version")
        .map_err(|e| e.to_string())?;
    let mut out = Snapshot::new();
    let mut read = |name: String, cols: Vec<String>, order: String| -> Result<(), String> {
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {order}",
            cols.join(", "),
            quote_ident(&name)
        );
        let mut stmt = conn.prepare(&sql).map_err(|e| format!("{sql}: {e}"))?;
        let rows: Vec<Vec<String>> = stmt
            .query_map([], |r| {
                (0..cols.len())
                    .map(|i| Ok(format!("{:?}", r.get::<_, Value>(i)?)))
                    .collect()
            })
            .and_then(Iterator::collect)
            .map_err(|e| format!("{sql}: {e}"))?;
        let table = out.entry(name.to_ascii_lowercase()).or_default();
        for (i, c) in cols.iter().enumerate() {
            table.insert(
                c.trim_matches('"').to_ascii_lowercase(),
                rows.iter().map(|r| r[i].clone()).collect(),
            );
        }
        Ok(())
    };
    for t in &schema.tables {
        let mut cols: Vec<String> = t
            .columns
            .iter()
            .filter(|c| c.generated.is_none())
            .map(|c| quote_ident(&c.name))
            .collect();
        let order = if t.sqlite().without_rowid {
            ddl::ident_list(
                &t.primary_key
                    .as_ref()
                    .map(|pk| pk.columns.clone())
                    .unwrap_or_default(),
            )
        } else {
            cols.insert(0, "rowid".into());
            "rowid".into()
        };
        read(t.name.clone(), cols, order)?;
    }
    let has_sequence: bool = conn
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'sqlite_sequence'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if has_sequence {
        read(
            "sqlite_sequence".into(),
            vec!["name".into(), "seq".into()],
            "name".into(),
        )?;
    }
    Ok(out)
}

/// `after` must hold exactly `before`'s values, as `effect` moved them.
pub fn compare(before: &Snapshot, after: &Snapshot, effect: &Effect) -> Result<(), String> {
    let mut expected = before.clone();
    let mut actual = after.clone();
    match effect {
        Effect::Same => {}
        Effect::Added {
            table,
            column,
            value,
        } => {
            let added = actual
                .get_mut(&table.to_ascii_lowercase())
                .and_then(|t| t.remove(&column.to_ascii_lowercase()))
                .ok_or(format!("{table}.{column} is missing"))?;
            if let Some(v) = added.iter().find(|v| *v != value) {
                return Err(format!(
                    "{table}.{column} holds {v}, not the default {value}"
                ));
            }
        }
        Effect::Renamed { table, from, to } => {
            let t = expected
                .get_mut(&table.to_ascii_lowercase())
                .ok_or(format!("no table {table}"))?;
            let values = t
                .remove(&from.to_ascii_lowercase())
                .ok_or(format!("no column {table}.{from}"))?;
            t.insert(to.to_ascii_lowercase(), values);
        }
    }
    if expected == actual {
        return Ok(());
    }
    for (name, want) in &expected {
        match actual.get(name) {
            Some(got) if got == want => {}
            Some(got) => {
                return Err(format!(
                    "rows of {name} changed:\n  before: {want:?}\n  after:  {got:?}"
                ));
            }
            None => return Err(format!("table {name} is gone")),
        }
    }
    Err(format!(
        "tables appeared: {:?}",
        actual
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .collect::<Vec<_>>()
    ))
}

/// Each table's columns as `PRAGMA table_info` reports what matters to a
/// reflection tool: position, name, declared type (spelling aside), NOT
/// NULL, default, key position.
pub fn columns_as_declared(conn: &Connection) -> Result<Vec<String>, String> {
    let sql = "SELECT m.name, c.cid, c.name, upper(replace(c.type, ' ', '')), c.\"notnull\", c.pk, \
               c.dflt_value \
               FROM sqlite_schema AS m, pragma_table_info(m.name) AS c \
               WHERE m.type = 'table' AND m.name NOT LIKE 'migrate\\_%' ESCAPE '\\' \
               AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, c.cid";
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    stmt.query_map([], |r| {
        Ok(format!(
            "{}.{} {} {} notnull={} pk={} default={:?}",
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, Option<String>>(6)?
        ))
    })
    .and_then(Iterator::collect)
    .map_err(|e| e.to_string())
}
