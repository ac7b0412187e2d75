//! Findings about revisions before they run: destructive statements (read
//! by the classifier the planner uses too, [`crate::sqlite::risk`]: the SQL,
//! and the review comments a generated script carries), and data-dependent
//! changes checked against the rows that are there (a new UNIQUE over
//! duplicates, NOT NULL over NULLs, a foreign key over orphans, a CHECK that
//! rows violate, a narrowing type that would change stored values), found
//! from the diff's change kinds.
//!
//! The data checks compare each pending revision's schema before and after on
//! a schema-only scratch database, then count offending rows in the real one,
//! read-only. A revision with hand-written data changes (UPDATE, DELETE,
//! INSERT) is not checked this way: its own statements may fix the data first,
//! and the transaction still fails atomically if they do not.

use std::path::Path;

use serde::Serialize;

use crate::apply::Direction;
use crate::diff::{
    Change, ChangeKind, ColumnChange, ConstraintChange, Renames, diff, new_checks,
    new_foreign_keys, new_uniques,
};
use crate::engine::Engine;
use crate::error::{DatabaseProblem, Error, Result};
use crate::filter::Filter;
use crate::risk::Risk;
use crate::schema::{Column, Schema, Table};
use crate::script::Revision;
use crate::sqlite::affinity::{Affinity, affinity};
use crate::sqlite::projection::{self, Copies};
use crate::sqlite::risk::{moves_sequence_row, tokens, words};
use crate::sqlite::sql::{self, quote_ident};
use crate::sqlite::{ddl, inspect};

mod pre_count;
pub(crate) use pre_count::pre_counts;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Finding {
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

/// Each statement of a step with its risks, from its text and the review
/// comments above it (the one classifier, [`crate::sqlite::risk`]).
fn risks(rev: &Revision, direction: Direction) -> Vec<(sql::Statement, Vec<Risk>)> {
    let section = rev.section(direction);
    let statements = section.statements();
    let risks = crate::sqlite::risk::section_risks(&section.sql, &statements, section.first_line);
    statements.into_iter().zip(risks).collect()
}

/// Each statement of a step with the risks its review comments state, as
/// written (a PostgreSQL plan's carry their pre-count queries).
fn review_risks(rev: &Revision, direction: Direction) -> Vec<(sql::Statement, Vec<Risk>)> {
    let section = rev.section(direction);
    let statements = section.statements();
    let reviews =
        crate::sqlite::risk::section_review_risks(&section.sql, &statements, section.first_line);
    statements.into_iter().zip(reviews).collect()
}

/// True when the step runs a statement that destroys data or rebuilds a
/// table: `upgrade` takes a backup first.
pub(crate) fn is_risky(rev: &Revision, direction: Direction) -> bool {
    risks(rev, direction)
        .iter()
        .any(|(_, r)| r.iter().any(Risk::needs_backup))
}

/// Hand-written data changes: anything but the copy of a table rebuild.
fn has_data_changes(rev: &Revision, direction: Direction) -> bool {
    rev.section(direction).statements().iter().any(|s| {
        let t = tokens(&s.sql);
        let w: Vec<&str> = t.iter().map(|(w, _)| w.as_str()).collect();
        match w.first().copied() {
            Some("UPDATE" | "DELETE") => !moves_sequence_row(&t),
            Some("REPLACE") => true,
            Some("INSERT") => !w.contains(&"SELECT"),
            _ => false,
        }
    })
}

/// The destructive statements of `steps`, from their text and the review
/// comments above them: no database is read, so every engine has it.
pub(crate) fn destructive(steps: &[(&Revision, Direction)]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (rev, direction) in steps {
        for (stmt, risks) in risks(rev, *direction) {
            for risk in risks.iter().filter(|r| matches!(r, Risk::Destructive(_))) {
                out.push(Finding {
                    revision: rev.id.clone(),
                    file: rev.file_name(),
                    kind: "destructive",
                    table: String::new(),
                    message: format!("line {}: {}", stmt.line, risk.reason()),
                    rows: None,
                });
            }
        }
    }
    out
}

/// Findings for `steps`, taken in order from the database at `db` (which may
/// not exist yet). Destructive statements are always reported; data checks
/// count rows in the database as it is now.
// Long: the destructive scan and the scratch replay share the loop over the steps.
pub(crate) fn findings(
    engine: Engine,
    db: &Path,
    version_table: &str,
    filter: &Filter,
    steps: &[(&Revision, Direction)],
) -> Result<Vec<Finding>> {
    let mut out = destructive(steps);
    if !db.exists() || !steps.iter().any(|(rev, dir)| may_depend_on_data(rev, *dir)) {
        return Ok(out);
    }
    let live = inspect::open_read_only(db)?;
    let live_schema = inspect::inspect(&live, version_table)?;
    let mut scratch = engine.scratch()?;
    let dialect = engine.dialect();
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

/// Statements whose success depends on the rows: a data-dependent statement
/// or a rebuild (as the classifier reads them), a column added with a
/// constraint, or a hand-written rebuild (create + drop in one step).
fn may_depend_on_data(rev: &Revision, direction: Direction) -> bool {
    let classified = risks(rev, direction);
    if classified
        .iter()
        .flat_map(|(_, r)| r)
        .any(|r| !matches!(r, Risk::Destructive(_)))
    {
        return true;
    }
    let statements: Vec<&sql::Statement> = classified.iter().map(|(s, _)| s).collect();
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
            Change::ModifyTable {
                from,
                to,
                columns,
                constraints,
                ..
            } => table_checks(&from, &to, &columns, &constraints, copies, &mut out),
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
    constraints: &[ConstraintChange],
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
        if let ColumnChange::Modify {
            from: old,
            to: new,
            kind,
        } = c
        {
            if kind.contains(ChangeKind::NULL)
                && new.not_null
                && !old.not_null
                && new.default.is_none()
            {
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
            if let Some(q) = narrowing(from, old, new).filter(|_| kind.contains(ChangeKind::TYPE)) {
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
    for u in new_uniques(to.name_rule, constraints) {
        {
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
    for fk in new_foreign_keys(to.name_rule, constraints) {
        if fk.ref_columns.len() != fk.columns.len() {
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
    for ck in new_checks(constraints) {
        {
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
