//! Findings about revisions before they run: destructive statements (read
//! from the SQL), and data-dependent changes checked against the rows that
//! are there (a new UNIQUE over duplicates, NOT NULL over NULLs, a foreign key
//! over orphans, a CHECK that rows violate, a narrowing type that would change
//! stored values).
//!
//! The data checks compare each pending revision's schema before and after on
//! a schema-only scratch database, then count offending rows in the real one,
//! read-only. A revision with hand-written data changes (UPDATE, DELETE,
//! INSERT) is not checked this way: its own statements may fix the data first,
//! and the transaction still fails atomically if they do not.

use std::path::Path;

use serde::Serialize;

use crate::apply::Direction;
use crate::diff::{Change, ColumnChange, Renames, diff};
use crate::engine::Engine;
use crate::error::{DatabaseProblem, Error, Result};
use crate::filter::Filter;
use crate::schema::{Column, Schema, Table, same_name};
use crate::script::Revision;
use crate::sqlite::affinity::{Affinity, affinity};
use crate::sqlite::projection::{self, Copies};
use crate::sqlite::sql::{self, Kind, quote_ident};
use crate::sqlite::{ddl, inspect};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub revision: String,
    pub file: String,
    /// `destructive` or `data`.
    pub kind: &'static str,
    pub table: String,
    pub message: String,
    /// Offending rows, for data findings.
    pub rows: Option<i64>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A table's name may hold a newline: the finding stays one line.
        let message = sql::one_line(&self.message);
        write!(f, "{} ({}): {message}", self.revision, self.file)?;
        if let Some(n) = self.rows {
            write!(f, ": {n} row(s)")?;
        }
        Ok(())
    }
}

/// The significant words of a statement, upper-cased, without trivia.
fn words(stmt: &str) -> Vec<String> {
    tokens(stmt).into_iter().map(|(w, _)| w).collect()
}

/// The significant tokens of a statement: upper-cased words for matching,
/// and the original text for names.
fn tokens(stmt: &str) -> Vec<(String, String)> {
    sql::tokenize(stmt)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .map(|t| {
            let word = if t.kind == Kind::Word {
                t.text.to_ascii_uppercase()
            } else {
                t.text.to_string()
            };
            (word, t.ident().unwrap_or_else(|| t.text.to_string()))
        })
        .collect()
}

/// What a statement destroys, if anything.
pub fn destructive(stmt: &str) -> Option<String> {
    let t = tokens(stmt);
    let word = |i: usize| t.get(i).map(|(w, _)| w.as_str()).unwrap_or("");
    let name = |i: usize| t.get(i).map(|(_, n)| n.as_str()).unwrap_or("");
    if moves_sequence_row(stmt) {
        return None;
    }
    match (word(0), word(1)) {
        ("DROP", "TABLE") if word(2) == "IF" => Some(format!("drops table {}", name(4))),
        ("DROP", "TABLE") => Some(format!("drops table {}", name(2))),
        ("DELETE", _) => Some("deletes rows".into()),
        ("UPDATE", _) => Some("rewrites rows".into()),
        ("REPLACE", _) => Some("replaces rows".into()),
        ("ALTER", "TABLE") if word(3) == "DROP" => Some(format!(
            "drops column {}.{}",
            name(2),
            if word(4) == "COLUMN" {
                name(5)
            } else {
                name(4)
            }
        )),
        _ => None,
    }
}

/// A rebuild's bookkeeping of AUTOINCREMENT's high-water mark (see
/// `plan::rebuild::keep_sequence`): it writes `sqlite_sequence` only, never user rows.
fn moves_sequence_row(stmt: &str) -> bool {
    let w = words(stmt);
    let table = match w.first().map(String::as_str) {
        Some("DELETE") => w.get(2),
        Some("UPDATE") => w.get(1),
        _ => None,
    };
    table.is_some_and(|t| t == "SQLITE_SEQUENCE")
}

/// Tables a section rebuilds: dropped, then replaced by a renamed copy.
fn rebuilt_tables(rev: &Revision, direction: Direction) -> Vec<String> {
    rev.section(direction)
        .statements()
        .iter()
        .filter_map(|s| {
            let t = tokens(&s.sql);
            let is_rename = t.len() >= 6
                && t[0].0 == "ALTER"
                && t[1].0 == "TABLE"
                && t[3].0 == "RENAME"
                && t[4].0 == "TO";
            is_rename.then(|| t[5].1.to_ascii_lowercase())
        })
        .collect()
}

/// True when the step runs a statement that destroys data or rebuilds a table.
pub fn is_risky(rev: &Revision, direction: Direction) -> bool {
    rev.section(direction)
        .statements()
        .iter()
        .any(|s| destructive(&s.sql).is_some())
}

/// Hand-written data changes: anything but the copy of a table rebuild.
fn has_data_changes(rev: &Revision, direction: Direction) -> bool {
    rev.section(direction).statements().iter().any(|s| {
        let w = words(&s.sql);
        match w.first().map(String::as_str) {
            Some("UPDATE" | "DELETE") => !moves_sequence_row(&s.sql),
            Some("REPLACE") => true,
            Some("INSERT") => !w.iter().any(|x| x == "SELECT"),
            _ => false,
        }
    })
}

/// Findings for `steps`, taken in order from the database at `db` (which may
/// not exist yet). Destructive statements are always reported; data checks
/// count rows in the database as it is now.
// Long: the destructive scan and the scratch replay share the loop over the steps.
pub fn findings(
    db: &Path,
    version_table: &str,
    filter: &Filter,
    steps: &[(&Revision, Direction)],
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for (rev, direction) in steps {
        let mut rebuilt = rebuilt_tables(rev, *direction);
        rebuilt.extend(crate::sqlite::plan::replaced_without_loss(
            &rev.section(*direction).statements(),
        ));
        for stmt in rev.section(*direction).statements() {
            // A rebuild's DROP TABLE is not a loss: its rows were copied first.
            let replaced = destructive(&stmt.sql)
                .and_then(|w| {
                    w.strip_prefix("drops table ")
                        .map(|t| rebuilt.contains(&t.to_ascii_lowercase()))
                })
                .unwrap_or(false);
            if replaced {
                continue;
            }
            if let Some(what) = destructive(&stmt.sql) {
                out.push(Finding {
                    revision: rev.id.clone(),
                    file: rev.file_name(),
                    kind: "destructive",
                    table: String::new(),
                    message: format!("line {}: {what}", stmt.line),
                    rows: None,
                });
            }
        }
    }
    if !db.exists() || !steps.iter().any(|(rev, dir)| may_depend_on_data(rev, *dir)) {
        return Ok(out);
    }
    let live = inspect::open_read_only(db)?;
    let live_schema = inspect::inspect(&live, version_table)?;
    let mut scratch = Engine::Sqlite.scratch()?;
    let dialect = Engine::Sqlite.dialect();
    for stmt in dialect.create_schema(&filter.managed(&live_schema)) {
        scratch.execute(&stmt)?;
    }
    // What migrate does not manage is copied when this SQLite can create it:
    // an extension's virtual table whose module is not built in is left out
    // (a revision that touches it then fails here, naming it).
    for stmt in dialect.create_schema(&filter.unmanaged(&live_schema)) {
        let _ = scratch.execute(&stmt);
    }
    // The scratch schema before the next step; read again only when needed.
    let mut before = Some(live_schema.clone());
    // Once a pending step changes rows, the live rows no longer say what a
    // later step will meet (a data fix, then the constraint it makes hold):
    // from that step on nothing is pre-checked, and each revision's own
    // transaction decides.
    let mut rows_change = false;
    for (rev, direction) in steps {
        rows_change |= has_data_changes(rev, *direction);
        let check = may_depend_on_data(rev, *direction) && !rows_change;
        let start = match (check, before.take()) {
            (true, Some(s)) => Some(s),
            (true, None) => Some(scratch.inspect(version_table)?),
            (false, _) => None,
        };
        // Replayed as upgrade runs it: objects a rebuild does not know about
        // are carried across (see crate::sqlite::carry).
        if scratch.replay(rev.section(*direction)).is_err() {
            // What a schema-only copy cannot run (a statement that reads the
            // tool's own tables, or rows that are not there) says nothing
            // about the real database: the revision's own transaction
            // decides, atomically. From here on nothing is pre-checked.
            break;
        }
        let Some(start) = start else { continue };
        let after = scratch.inspect(version_table)?;
        let copies = Copies::of(&rev.section(*direction).statements());
        for (table, message, query) in data_checks(&start, &after, &copies) {
            if !queryable(&live_schema, &query.tables) {
                continue;
            }
            let rows: i64 = match projection::count(&live, &query.sql) {
                Ok(Some(rows)) => rows,
                // A check this module cannot phrase for the live table (SQL
                // it got wrong) is skipped: a pre-check must never turn a
                // valid revision into an error, and the revision's own
                // transaction still fails atomically on bad rows.
                Ok(None) => continue,
                Err(e) => {
                    let problem = DatabaseProblem::from(e)
                        .in_context(|t| format!("{t} in data check `{}`", query.sql));
                    return Err(Error::database(db, problem));
                }
            };
            if rows > 0 {
                out.push(Finding {
                    revision: rev.id.clone(),
                    file: rev.file_name(),
                    kind: "data",
                    table,
                    message,
                    rows: Some(rows),
                });
            }
        }
        before = Some(after);
    }
    Ok(out)
}

/// Statements whose success depends on the rows: a unique index, a column
/// added with a constraint, or a table rebuild (create + drop in one step).
fn may_depend_on_data(rev: &Revision, direction: Direction) -> bool {
    let statements = rev.section(direction).statements();
    let mut creates = false;
    let mut drops = false;
    for s in &statements {
        let w = words(&s.sql);
        let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
        match (at(0), at(1), at(2)) {
            ("CREATE", "UNIQUE", "INDEX") => return true,
            ("CREATE", "TABLE", _) => creates = true,
            ("DROP", "TABLE", _) => drops = true,
            ("ALTER", "TABLE", _)
                if at(3) == "ADD"
                    && w.iter().any(|x| {
                        matches!(x.as_str(), "NOT" | "REFERENCES" | "CHECK" | "UNIQUE")
                    }) =>
            {
                return true;
            }
            _ => {}
        }
    }
    creates && drops
}

/// A counting query and the (table, columns) it reads.
struct Query {
    sql: String,
    tables: Vec<(String, Vec<String>)>,
}

/// The data checks would read only tables and columns that exist now.
fn queryable(live: &Schema, needs: &[(String, Vec<String>)]) -> bool {
    needs.iter().all(|(t, cols)| {
        live.table(t)
            .is_some_and(|table| cols.iter().all(|c| table.column(c).is_some()))
    })
}

fn data_checks(before: &Schema, after: &Schema, copies: &Copies) -> Vec<(String, String, Query)> {
    let mut out = Vec::new();
    for change in diff(before, after, &Renames::default()) {
        match change {
            Change::ModifyTable { from, to, columns } => {
                table_checks(&from, &to, &columns, copies, &mut out)
            }
            Change::AddIndex { table, index } if index.unique => {
                // Grouped by the index's own keys (expressions, collations):
                // duplicates are what the index will refuse, no more, no less.
                let keys: Vec<String> = index.parts.iter().map(ddl::index_key).collect();
                let reads = index
                    .parts
                    .iter()
                    .filter_map(|p| match &p.target {
                        crate::schema::IndexTarget::Column(c) => Some(c.clone()),
                        crate::schema::IndexTarget::Expr(_) => None,
                    })
                    .collect();
                let mut q = duplicates(
                    &table,
                    &quote_ident(&table),
                    &keys,
                    &format!("new unique index {}", index.name),
                    index.where_clause.as_deref(),
                );
                q.2.tables = vec![(table.clone(), reads)];
                out.push(q);
            }
            _ => {}
        }
    }
    out
}

// Long: one block per kind of data check (UNIQUE, NOT NULL, FOREIGN KEY, CHECK), in the order they
// are reported.
fn table_checks(
    from: &Table,
    to: &Table,
    columns: &[ColumnChange],
    copies: &Copies,
    out: &mut Vec<(String, String, Query)>,
) {
    let t = &to.name;
    // The rows the new table will hold, computed from the live one: the
    // checks below name the new table's columns.
    let source = copies.new_rows(from, to);
    // Only the table must exist now: a column the projection reads that the
    // live table lacks (an earlier pending revision adds it) makes the query
    // fail, and such a check is skipped.
    let reads_from = || vec![(from.name.clone(), vec![])];
    for c in columns {
        if let ColumnChange::Modify { from: old, to: new } = c {
            if new.not_null && !old.not_null && new.default.is_none() {
                out.push((
                    t.clone(),
                    format!(
                        "{t}.{} becomes NOT NULL, but rows hold NULL there",
                        new.name
                    ),
                    Query {
                        sql: format!(
                            "SELECT count(*) FROM {source} WHERE {} IS NULL",
                            quote_ident(&new.name)
                        ),
                        tables: reads_from(),
                    },
                ));
            }
            if let Some(q) = narrowing(from, old, new) {
                out.push((
                    t.clone(),
                    format!(
                        "{t}.{} narrows {} -> {}: stored values would change",
                        new.name, old.decl_type, new.decl_type
                    ),
                    q,
                ));
            }
        }
    }
    for u in &to.uniques {
        if !from.uniques.iter().any(|o| o.columns == u.columns) {
            let keys: Vec<String> = u.columns.iter().map(|c| quote_ident(c)).collect();
            let mut q = duplicates(
                t,
                &source,
                &keys,
                &format!("new UNIQUE ({})", u.columns.join(", ")),
                None,
            );
            q.2.tables = reads_from();
            out.push(q);
        }
    }
    for fk in &to.foreign_keys {
        let known = from
            .foreign_keys
            .iter()
            .any(|o| o.columns == fk.columns && same_name(&o.ref_table, &fk.ref_table));
        if known || fk.ref_columns.len() != fk.columns.len() {
            continue;
        }
        let join: Vec<String> = fk
            .columns
            .iter()
            .zip(&fk.ref_columns)
            .map(|(c, r)| format!("p.{} = c.{}", quote_ident(r), quote_ident(c)))
            .collect();
        let not_null: Vec<String> = fk
            .columns
            .iter()
            .map(|c| format!("c.{} IS NOT NULL", quote_ident(c)))
            .collect();
        out.push((
            t.clone(),
            format!("new foreign key ({}) -> {}: rows reference missing parents", fk.columns.join(", "), fk.ref_table),
            Query {
                sql: format!(
                    "SELECT count(*) FROM {source} AS c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                    not_null.join(" AND "),
                    quote_ident(&fk.ref_table),
                    join.join(" AND ")
                ),
                tables: [reads_from(), vec![(fk.ref_table.clone(), fk.ref_columns.clone())]].concat(),
            },
        ));
    }
    for ck in &to.checks {
        if !from.checks.iter().any(|o| o.expr == ck.expr) {
            out.push((
                t.clone(),
                format!("new CHECK ({}): rows violate it", ck.expr),
                Query {
                    sql: format!("SELECT count(*) FROM {source} WHERE NOT ({})", ck.expr),
                    tables: reads_from(),
                },
            ));
        }
    }
}

/// Rows of `from_sql` (a table or the subquery of a changed table) that
/// share their values of `keys` (SQL: quoted columns, or an index's key
/// expressions with their collations), counted for a new UNIQUE on `table`.
/// A key that is NULL never collides, as in SQLite's UNIQUE.
fn duplicates(
    table: &str,
    from_sql: &str,
    keys: &[String],
    what: &str,
    filter: Option<&str>,
) -> (String, String, Query) {
    let mut conditions: Vec<String> = keys.iter().map(|k| format!("({k}) IS NOT NULL")).collect();
    if let Some(w) = filter {
        conditions.push(format!("({w})"));
    }
    (
        table.to_string(),
        format!("{what} on {table}: rows share the same values"),
        Query {
            sql: format!(
                "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {from_sql} WHERE {} GROUP BY {} HAVING count(*) > 1)",
                conditions.join(" AND "),
                keys.join(", ")
            ),
            tables: vec![(table.to_string(), vec![])],
        },
    )
}

/// Values SQLite would store differently under the new type's affinity:
/// text that looks like a number becomes a number ('007' becomes 7).
fn narrowing(table: &Table, old: &Column, new: &Column) -> Option<Query> {
    let numeric_target = matches!(
        affinity(&new.decl_type),
        Affinity::Integer | Affinity::Numeric | Affinity::Real
    );
    if !(affinity(&old.decl_type) == Affinity::Text && numeric_target) {
        return None;
    }
    let c = quote_ident(&old.name);
    Some(Query {
        sql: format!(
            "SELECT count(*) FROM {} WHERE typeof({c}) = 'text' AND trim({c}) GLOB '*[0-9]*' \
             AND trim({c}) NOT GLOB '*[^0-9.eE+-]*'",
            quote_ident(&table.name)
        ),
        tables: vec![(table.name.clone(), vec![old.name.clone()])],
    })
}
