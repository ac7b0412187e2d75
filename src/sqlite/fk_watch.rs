//! The foreign-key check of one revision, limited to the tables it can break.
//!
//! Foreign keys are off while a revision runs (so a rebuild never cascades),
//! and `PRAGMA foreign_key_check` before COMMIT catches what the revision
//! broke. Run over the whole database, that check reads every row of every
//! child table: on a large database, seconds per revision, even for a
//! revision that touched one empty table. So the check is narrowed to what
//! the revision can affect, found by SQLite itself rather than by reading
//! the SQL: an authorizer callback reports each table a statement will write
//! as the statement is prepared (statements in triggers included). Before
//! the statement runs, [`FkWatch::before_statement`] counts the violations
//! of each such table and of every table whose foreign keys point at it —
//! nothing in the revision has touched them yet, so these are the counts from
//! before the revision. [`FkWatch::new_violations`] counts them again at the
//! end. Tables the revision cannot reach cannot change, and are not read.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

use crate::driver::NewViolation;

/// Rows of a child table that reference missing rows of a parent, by parent.
type Counts = HashMap<String, i64>;

/// A table a statement writes, as the authorizer reported it.
struct Written {
    table: String,
    /// Its definition changes (created, altered, dropped), not only its rows.
    redefined: bool,
    /// CREATE TABLE: it did not exist, so it had nothing to count before.
    created: bool,
    /// ALTER TABLE: a rename rewrites other tables' foreign keys too.
    altered: bool,
}

/// Which tables' foreign keys name which, by lower-cased name.
#[derive(Default)]
struct Graph {
    children: HashMap<String, BTreeSet<String>>,
    parents: HashMap<String, BTreeSet<String>>,
}

impl Graph {
    fn read(conn: &Connection) -> rusqlite::Result<Graph> {
        let mut graph = Graph::default();
        let mut stmt = conn.prepare(
            "SELECT lower(m.name), lower(f.\"table\") FROM sqlite_schema AS m, \
             pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            graph.link(r.get(0)?, r.get(1)?);
        }
        Ok(graph)
    }

    fn link(&mut self, child: String, parent: String) {
        self.children
            .entry(parent.clone())
            .or_default()
            .insert(child.clone());
        self.parents.entry(child).or_default().insert(parent);
    }

    /// Reads `table`'s own foreign keys again (it was created, altered or dropped).
    fn reread(&mut self, conn: &Connection, table: &str) -> rusqlite::Result<()> {
        for parent in self.parents.remove(table).unwrap_or_default() {
            if let Some(children) = self.children.get_mut(&parent) {
                children.remove(table);
            }
        }
        for parent in parents_of(conn, table)? {
            self.link(table.to_string(), parent);
        }
        Ok(())
    }

    fn has_parents(&self, table: &str) -> bool {
        self.parents.get(table).is_some_and(|p| !p.is_empty())
    }
}

/// What one session knows of the database's foreign keys, and what the
/// current revision has reached.
#[derive(Default)]
pub(crate) struct FkWatch {
    /// Filled by the authorizer as statements are prepared; drained here.
    written: Arc<Mutex<Vec<Written>>>,
    /// The foreign keys of the database (names lower-cased, as SQLite
    /// folds them: ASCII only); `None` until first needed, and again after
    /// an ALTER TABLE.
    graph: Option<Graph>,
    /// Per watched table (lower-cased): its counts before the revision.
    before: BTreeMap<String, Counts>,
    /// Tables whose definition the revision changed: their edges are re-read.
    redefined: BTreeSet<String>,
    /// The revision ran an ALTER TABLE: a rename rewrites the foreign keys of
    /// other tables, so the whole graph is read again.
    graph_outdated: bool,
}

impl FkWatch {
    /// Installs the authorizer on `conn`, for the connection's life.
    pub(crate) fn install(conn: &mut Connection) -> rusqlite::Result<FkWatch> {
        let watch = FkWatch::default();
        let written = Arc::clone(&watch.written);
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            if let Some(w) = written_by(&ctx) {
                written.lock().unwrap_or_else(|e| e.into_inner()).push(w);
            }
            Authorization::Allow
        }))?;
        Ok(watch)
    }

    /// Forgets what the last revision touched.
    pub(crate) fn begin_revision(&mut self) {
        self.take_written();
        self.before.clear();
        if !self.redefined.is_empty() || self.graph_outdated {
            // The last revision changed definitions without a check at its
            // end (it was not transactional): read the graph again.
            self.graph = None;
        }
        self.redefined.clear();
        self.graph_outdated = false;
    }

    /// Called when a statement is prepared and before it runs: counts the
    /// tables it is about to reach, unless the revision reached them already.
    pub(crate) fn before_statement(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        for w in self.take_written() {
            if w.redefined {
                self.redefined.insert(w.table.clone());
            }
            self.graph_outdated |= w.altered;
            if w.created {
                // A new table: no rows, and no table could name it before.
                self.before.entry(w.table).or_default();
                continue;
            }
            let mut reached = vec![w.table.clone()];
            reached.extend(self.children_of(conn, &w.table)?);
            for table in reached {
                if let Entry::Vacant(slot) = self.before.entry(table) {
                    let counted = counts(conn, slot.key())?;
                    slot.insert(counted);
                }
            }
        }
        Ok(())
    }

    /// The watched tables that now hold more broken references than before.
    pub(crate) fn new_violations(
        &mut self,
        conn: &Connection,
    ) -> rusqlite::Result<Vec<NewViolation>> {
        self.take_written(); // the revision's last statements are all counted
        self.update_graph(conn)?;
        let graph = self.graph.get_or_insert_default();
        let mut out = Vec::new();
        for (table, before) in &self.before {
            if !graph.has_parents(table) {
                continue; // no foreign keys (any more): nothing can be broken
            }
            for ((child, parent), rows) in counts_by_name(conn, table)? {
                if rows > before.get(&parent).copied().unwrap_or(0) {
                    out.push(NewViolation {
                        child,
                        parent,
                        rows,
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.child, &a.parent).cmp(&(&b.child, &b.parent)));
        Ok(out)
    }

    fn take_written(&self) -> Vec<Written> {
        std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn graph(&mut self, conn: &Connection) -> rusqlite::Result<&mut Graph> {
        if self.graph.is_none() {
            self.graph = Some(Graph::read(conn)?);
        }
        Ok(self.graph.get_or_insert_default())
    }

    fn children_of(&mut self, conn: &Connection, parent: &str) -> rusqlite::Result<Vec<String>> {
        Ok(self
            .graph(conn)?
            .children
            .get(parent)
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default())
    }

    /// Re-reads the foreign keys of the tables the revision redefined, so
    /// the next revision sees the tables as they now are.
    fn update_graph(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        if std::mem::take(&mut self.graph_outdated) {
            self.graph = None;
        }
        let redefined = std::mem::take(&mut self.redefined);
        let graph = self.graph(conn)?;
        for table in &redefined {
            graph.reread(conn, table)?;
        }
        Ok(())
    }
}

/// The main-database table a statement writes, if the action writes one.
fn written_by(ctx: &AuthContext<'_>) -> Option<Written> {
    if ctx.database_name.is_some_and(|d| d != "main") {
        return None;
    }
    // (table, redefined, created, altered)
    let (table, redefined, created, altered) = match ctx.action {
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name } => (table_name, false, false, false),
        // An index may be the parent key a foreign key needs.
        AuthAction::CreateIndex { table_name, .. } | AuthAction::DropIndex { table_name, .. } => {
            (table_name, false, false, false)
        }
        AuthAction::CreateTable { table_name } => (table_name, true, true, false),
        AuthAction::DropTable { table_name } => (table_name, true, false, false),
        AuthAction::AlterTable {
            database_name: "main",
            table_name,
        } => (table_name, true, false, true),
        _ => return None,
    };
    let table = table.to_ascii_lowercase();
    if table.starts_with("sqlite_") {
        // SQLite's own tables (every CREATE writes `sqlite_master`): no foreign keys.
        return None;
    }
    Some(Written {
        table,
        redefined,
        created,
        altered,
    })
}

/// The tables `child`'s foreign keys name (none when it does not exist).
fn parents_of(conn: &Connection, child: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT DISTINCT lower(\"table\") FROM pragma_foreign_key_list(?1)")?
        .query_map([child], |r| r.get(0))?
        .collect()
}

/// The table's broken references by parent; an absent table has none.
fn counts(conn: &Connection, table: &str) -> rusqlite::Result<Counts> {
    Ok(counts_by_name(conn, table)?
        .into_iter()
        .map(|((_, parent), rows)| (parent, rows))
        .collect())
}

/// The table's broken references by (child as named in the schema, parent).
fn counts_by_name(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<Vec<((String, String), i64)>> {
    // Dropped by the revision, or never there: nothing references from it.
    // Asked first, because SQLite's "no such table" has no code of its own
    // (and an error's words are never read).
    let exists: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE \
             UNION ALL SELECT 1 FROM sqlite_temp_schema WHERE name = ?1 COLLATE NOCASE)",
        )?
        .query_row([table], |r| r.get(0))?;
    if !exists {
        return Ok(vec![]);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT \"table\", parent, count(*) FROM pragma_foreign_key_check(?1) GROUP BY 1, 2",
    )?;
    let rows = stmt.query_map([table], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    rows.collect()
}
