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

/// Rows of a child table that reference missing rows of a parent, by parent.
type Counts = HashMap<String, i64>;

/// A child table with more broken references than before the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewViolation {
    pub child: String,
    pub parent: String,
    /// Broken references now (some may have been there before).
    pub rows: i64,
}

/// A table a statement writes, as the authorizer reported it.
struct Written {
    table: String,
    /// Its definition changes (created, altered, dropped), not only its rows.
    redefined: bool,
    /// ALTER TABLE: a rename rewrites other tables' foreign keys too.
    altered: bool,
}

#[derive(Default)]
pub struct FkWatch {
    /// Filled by the authorizer as statements are prepared; drained here.
    written: Arc<Mutex<Vec<Written>>>,
    /// Parent (lower-cased, as SQLite folds names: ASCII only) to the tables whose foreign keys name it;
    /// `None` until first needed, and again after a rename.
    children: Option<HashMap<String, BTreeSet<String>>>,
    /// Per watched table (lower-cased): its name and counts before the revision.
    before: BTreeMap<String, (String, Counts)>,
    /// Tables whose definition the revision changed: their edges are re-read.
    redefined: BTreeSet<String>,
}

impl FkWatch {
    /// Installs the authorizer on `conn`; [`FkWatch::uninstall`] removes it.
    pub fn install(conn: &mut Connection) -> rusqlite::Result<FkWatch> {
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

    pub fn uninstall(conn: &mut Connection) {
        let _ = conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
    }

    /// Forgets what the last revision touched.
    pub fn begin_revision(&mut self) {
        self.take_written();
        self.before.clear();
        self.redefined.clear();
    }

    /// Called when a statement is prepared and before it runs: counts the
    /// tables it is about to reach, unless the revision reached them already.
    pub fn before_statement(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        for w in self.take_written() {
            if w.redefined {
                self.redefined.insert(w.table.clone());
            }
            if w.altered {
                // After this revision, names in other tables' foreign keys
                // may have changed: read the whole graph again when needed.
                self.redefined.insert(String::new());
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
    pub fn new_violations(&mut self, conn: &Connection) -> rusqlite::Result<Vec<NewViolation>> {
        self.take_written(); // the revision's last statements are all counted
        let mut out = Vec::new();
        for (table, (_, before)) in &self.before {
            let (name, after) = counts(conn, table)?;
            for (parent, rows) in after {
                if rows > before.get(&parent).copied().unwrap_or(0) {
                    out.push(NewViolation {
                        child: name.clone(),
                        parent,
                        rows,
                    });
                }
            }
        }
        out.sort_by(|a, b| (&a.child, &a.parent).cmp(&(&b.child, &b.parent)));
        self.update_graph(conn)?;
        Ok(out)
    }

    fn take_written(&self) -> Vec<Written> {
        std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn children_of(&mut self, conn: &Connection, parent: &str) -> rusqlite::Result<Vec<String>> {
        if self.children.is_none() {
            self.children = Some(read_graph(conn)?);
        }
        Ok(self
            .children
            .as_ref()
            .and_then(|g| g.get(parent))
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default())
    }

    /// Re-reads the foreign keys of the tables the revision redefined, so
    /// the next revision sees the tables as they now are.
    fn update_graph(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        if self.redefined.contains("") {
            self.children = None;
        }
        let Some(graph) = self.children.as_mut() else {
            return Ok(());
        };
        for table in &self.redefined {
            for children in graph.values_mut() {
                children.remove(table);
            }
            for parent in parents_of(conn, table)? {
                graph.entry(parent).or_default().insert(table.clone());
            }
        }
        Ok(())
    }
}

/// The main-database table a statement writes, if the action writes one.
fn written_by(ctx: &AuthContext<'_>) -> Option<Written> {
    if ctx.database_name.is_some_and(|d| d != "main") {
        return None;
    }
    let (table, redefined, altered) = match ctx.action {
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name } => (table_name, false, false),
        // An index may be the parent key a foreign key needs.
        AuthAction::CreateIndex { table_name, .. } | AuthAction::DropIndex { table_name, .. } => {
            (table_name, false, false)
        }
        AuthAction::CreateTable { table_name } | AuthAction::DropTable { table_name } => {
            (table_name, true, false)
        }
        AuthAction::AlterTable {
            database_name: "main",
            table_name,
        } => (table_name, true, true),
        _ => return None,
    };
    Some(Written {
        table: table.to_ascii_lowercase(),
        redefined,
        altered,
    })
}

/// Every table's foreign keys: parent (lower-cased) to children.
fn read_graph(conn: &Connection) -> rusqlite::Result<HashMap<String, BTreeSet<String>>> {
    let mut stmt = conn.prepare(
        "SELECT lower(m.name), lower(f.\"table\") FROM sqlite_schema AS m, \
         pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'",
    )?;
    let mut graph: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        graph.entry(r.get(1)?).or_default().insert(r.get(0)?);
    }
    Ok(graph)
}

/// The tables `child`'s foreign keys name; none when it does not exist.
fn parents_of(conn: &Connection, child: &str) -> rusqlite::Result<Vec<String>> {
    let Some(name) = table_name(conn, child)? else {
        return Ok(vec![]);
    };
    conn.prepare_cached("SELECT DISTINCT lower(\"table\") FROM pragma_foreign_key_list(?1)")?
        .query_map([name], |r| r.get(0))?
        .collect()
}

/// The table's name as created, and its broken references by parent; an
/// absent table has none.
fn counts(conn: &Connection, table: &str) -> rusqlite::Result<(String, Counts)> {
    let Some(name) = table_name(conn, table)? else {
        return Ok((table.to_string(), Counts::new()));
    };
    let counted = conn
        .prepare_cached("SELECT parent, count(*) FROM pragma_foreign_key_check(?1) GROUP BY 1")?
        .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Counts>>()?;
    Ok((name, counted))
}

fn table_name(conn: &Connection, table: &str) -> rusqlite::Result<Option<String>> {
    // `table_list` with a name looks it up in SQLite's schema hash (any
    // case); `sqlite_schema` has no index, and would be scanned each time.
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM pragma_table_list(?1) WHERE schema = 'main' AND type = 'table'",
    )?;
    let mut rows = stmt.query([table])?;
    rows.next()?.map(|r| r.get(0)).transpose()
}
