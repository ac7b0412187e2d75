//! What a table rebuild would lose that its revision does not put back.
//!
//! A rebuild (`DROP TABLE t`, then `ALTER TABLE x RENAME TO t`, in one
//! section) is text fixed when the revision was written. The database it
//! runs on may hold triggers on `t`, or views and triggers that read `t`,
//! that the revision never heard of: objects `[model] exclude` leaves to
//! another tool, or ones added since. SQLite drops the triggers on `t` with
//! the table, silently, and refuses the rename under the others.
//!
//! So, as SQLite's own documented procedure does (sqlite.org/lang_altertable.html,
//! "reconstruct indexes, triggers, and views"), the apply loop saves them
//! from `sqlite_schema` just before the drop, takes them down, and creates
//! them again from their own text once the section has run, unless the
//! section put back its own version. Carrying beats refusing: the objects
//! are the database's own, unchanged, in the revision's transaction; a
//! refusal would leave the user only the choice of writing the trigger into
//! the revision, which then overwrites other databases' versions of it.
//! What cannot be carried is refused, not dropped: each carried object is
//! checked against the new table (a probe rename in a savepoint makes SQLite
//! resolve every trigger and view on it), and one that no longer fits (a
//! column it names is gone) fails the revision, which is rolled back.

use rusqlite::Connection;

use crate::error::Error;
use crate::noteln;
use crate::script::Revision;
use crate::sqlite::ddl::referenced_names;
use crate::sqlite::sql::{self, Statement, quote_ident, quote_str};

/// A view or trigger of the database, as `sqlite_schema` has it.
#[derive(Debug, Clone)]
struct Object {
    /// Its `sqlite_schema` rowid: creation order, which is dependency order.
    rowid: i64,
    kind: String,
    name: String,
    /// The table or view a trigger is on (a view's own name).
    on: String,
    sql: String,
}

/// An object saved before a rebuild's `DROP TABLE`.
#[derive(Debug, Clone)]
struct Saved {
    object: Object,
    /// The rebuilt table it depends on.
    table: String,
}

impl Saved {
    /// "trigger audit_users", as messages name it.
    fn what(&self) -> String {
        format!(
            "{} {}",
            self.object.kind,
            sql::display_name(&self.object.name)
        )
    }
}

/// The carrying for one section: which tables it rebuilds, and what was saved.
#[derive(Debug, Default)]
pub(crate) struct Carry {
    rebuilt: Vec<String>,
    saved: Vec<Saved>,
}

/// An object that could not be carried, and why (SQLite's words).
#[derive(Debug)]
pub(crate) struct NotCarried {
    pub what: String,
    pub table: String,
    pub message: String,
}

/// The non-trivia words of a statement, as written.
fn words(sql_text: &str) -> Vec<sql::Token<'_>> {
    sql::tokenize(sql_text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect()
}

/// The table a `DROP TABLE [IF EXISTS] [schema.]name` drops.
fn dropped_table(sql_text: &str) -> Option<String> {
    let w = words(sql_text);
    if !(w.first()?.is_word("DROP") && w.get(1)?.is_word("TABLE")) {
        return None;
    }
    let mut at = if w.get(2).is_some_and(|t| t.is_word("IF")) {
        4
    } else {
        2
    };
    if w.get(at + 1).is_some_and(|t| t.is_punct(".")) {
        at += 2;
    }
    w.get(at)?.ident()
}

/// The new name of an `ALTER TABLE x RENAME TO name`.
fn renamed_to(sql_text: &str) -> Option<String> {
    let w = words(sql_text);
    if !(w.first()?.is_word("ALTER") && w.get(1)?.is_word("TABLE")) {
        return None;
    }
    let at = w
        .windows(2)
        .position(|p| p[0].is_word("RENAME") && p[1].is_word("TO"))?;
    w.get(at + 2)?.ident()
}

impl Carry {
    /// The tables `statements` rebuild: dropped, then given back their name.
    pub(crate) fn for_section(statements: &[Statement]) -> Carry {
        let mut dropped: Vec<String> = Vec::new();
        let mut rebuilt = Vec::new();
        for s in statements {
            if let Some(t) = dropped_table(&s.sql) {
                dropped.push(t.to_ascii_lowercase());
            } else if let Some(t) = renamed_to(&s.sql).map(|t| t.to_ascii_lowercase())
                && dropped.contains(&t)
                && !rebuilt.contains(&t)
            {
                rebuilt.push(t);
            }
        }
        Carry {
            rebuilt,
            saved: Vec::new(),
        }
    }

    /// Before each statement: when it is a rebuild's `DROP TABLE t`, saves
    /// every trigger on `t` and every view or trigger that reads `t` (or a
    /// view so saved) still in the database, and takes them down.
    pub(crate) fn before_statement(
        &mut self,
        conn: &Connection,
        sql_text: &str,
    ) -> rusqlite::Result<()> {
        let Some(table) = dropped_table(sql_text).map(|t| t.to_ascii_lowercase()) else {
            return Ok(());
        };
        if !self.rebuilt.contains(&table) {
            return Ok(());
        }
        let mut stmt = conn.prepare(
            "SELECT rowid, type, name, tbl_name, sql FROM sqlite_schema \
             WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
        )?;
        let objects: Vec<Object> = stmt
            .query_map([], |r| {
                Ok(Object {
                    rowid: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    on: r.get(3)?,
                    sql: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // Names taken down so far: the table, then the views that read it.
        let mut down = vec![table.clone()];
        let mut taken: Vec<&Object> = Vec::new();
        loop {
            let more: Vec<&Object> = objects
                .iter()
                .filter(|o| !taken.iter().any(|t| t.rowid == o.rowid))
                .filter(|o| {
                    let refs = referenced_names(&o.sql);
                    down.contains(&o.on.to_ascii_lowercase())
                        || down.iter().any(|n| refs.contains(n))
                })
                .collect();
            if more.is_empty() {
                break;
            }
            for o in more {
                if o.kind == "view" {
                    down.push(o.name.to_ascii_lowercase());
                }
                taken.push(o);
            }
        }
        // Triggers first (SQLite would drop a view's triggers with it), then
        // views, dependents before what they read.
        taken.sort_by_key(|o| (o.kind == "view", -o.rowid));
        for o in taken {
            let kind = if o.kind == "view" { "VIEW" } else { "TRIGGER" };
            conn.execute_batch(&format!("DROP {kind} {}", quote_ident(&o.name)))?;
            self.saved.push(Saved {
                object: o.clone(),
                table: table.clone(),
            });
        }
        Ok(())
    }

    /// After the section: creates again each saved object the section did
    /// not put back (views first, in creation order, then triggers), and
    /// checks each rebuilt table that got one. Returns what was carried.
    pub(crate) fn put_back(&self, conn: &Connection) -> Result<Vec<(String, String)>, NotCarried> {
        let mut carried = Vec::new();
        let mut tables: Vec<&str> = Vec::new();
        // Views before triggers (an INSTEAD OF trigger needs its view), each
        // in creation order.
        let mut order: Vec<&Saved> = self.saved.iter().collect();
        order.sort_by_key(|s| (s.object.kind != "view", s.object.rowid));
        for s in order {
            let what = s.what();
            let fail = |e: rusqlite::Error| NotCarried {
                what: what.clone(),
                table: s.table.clone(),
                message: e.to_string(),
            };
            let exists: bool = conn
                .query_row(
                    &format!(
                        "SELECT count(*) > 0 FROM sqlite_schema WHERE name = {} COLLATE NOCASE",
                        quote_str(&s.object.name)
                    ),
                    [],
                    |r| r.get(0),
                )
                .map_err(fail)?;
            if exists {
                continue;
            }
            conn.execute_batch(&s.object.sql).map_err(fail)?;
            carried.push((what.clone(), s.table.clone()));
            if !tables.contains(&s.table.as_str()) {
                tables.push(&s.table);
            }
        }
        for table in tables {
            probe(conn, table).map_err(|e| NotCarried {
                what: self
                    .saved
                    .iter()
                    .filter(|s| s.table == table)
                    .map(Saved::what)
                    .collect::<Vec<_>>()
                    .join(", "),
                table: table.to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(carried)
    }
}

/// A note for each object carried, or the refusal for one that could not be.
pub(crate) fn report(
    rev: &Revision,
    outcome: Result<Vec<(String, String)>, NotCarried>,
) -> crate::error::Result<()> {
    match outcome {
        Ok(carried) => {
            for (what, table) in carried {
                noteln!(
                    "note: {what} depends on table {}, which revision {} rebuilds without \
                     knowing it: carried across the rebuild as the database has it",
                    sql::display_name(&table),
                    rev.id
                );
            }
            Ok(())
        }
        Err(e) => Err(Error::Refused(format!(
            "revision {} ({}) rebuilds table {}, and the database has {} depending on it, which the \
             revision does not create; migrate carries such objects across a rebuild as the database \
             has them, but this no longer fits the new table: {}. The revision was rolled back and \
             the database is unchanged. Change or drop {} so that it fits the new table (or write \
             it into the revision), then run upgrade again",
            rev.id,
            rev.path.display(),
            sql::display_name(&e.table),
            e.what,
            e.message,
            e.what
        ))),
    }
}

/// Makes SQLite resolve every view and trigger that names `table` against
/// its new columns: a rename (which checks them all) rolled back at once.
fn probe(conn: &Connection, table: &str) -> rusqlite::Result<()> {
    conn.execute_batch("SAVEPOINT _migrate_probe")?;
    let renamed = conn.execute_batch(&format!(
        "ALTER TABLE {} RENAME TO {}",
        quote_ident(table),
        quote_ident(&format!("_migrate_probe_{table}"))
    ));
    conn.execute_batch("ROLLBACK TO _migrate_probe; RELEASE _migrate_probe")?;
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(sql_text: &[&str]) -> Vec<Statement> {
        sql_text
            .iter()
            .map(|s| Statement {
                sql: s.to_string(),
                line: 1,
            })
            .collect()
    }

    #[test]
    fn only_a_drop_followed_by_a_rename_to_the_same_name_is_a_rebuild() {
        let c = Carry::for_section(&section(&[
            "CREATE TABLE \"_migrate_new_T\" (id INT)",
            "DROP TABLE IF EXISTS main.\"T\"",
            "ALTER TABLE \"_migrate_new_T\" RENAME TO t",
            "DROP TABLE gone",
            "ALTER TABLE x RENAME COLUMN a TO gone",
        ]));
        assert_eq!(c.rebuilt, ["t"]);
    }

    #[test]
    fn unknown_triggers_and_views_are_carried_and_checked() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE log (x);
             CREATE VIEW v AS SELECT name FROM t;
             CREATE VIEW w AS SELECT name FROM v;
             CREATE TRIGGER on_t AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.name); END;
             CREATE TRIGGER on_w INSTEAD OF INSERT ON w BEGIN INSERT INTO log VALUES (new.name); END;
             BEGIN;",
        )
        .unwrap();
        let steps = [
            "CREATE TABLE _migrate_new_t (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '')",
            "INSERT INTO _migrate_new_t (id, name) SELECT id, IFNULL(name, '') FROM t",
            "DROP TABLE t",
            "ALTER TABLE _migrate_new_t RENAME TO t",
        ];
        let mut c = Carry::for_section(&section(&steps));
        for s in steps {
            c.before_statement(&conn, s).unwrap();
            conn.execute_batch(s).unwrap();
        }
        let carried: Vec<String> = c
            .put_back(&conn)
            .unwrap()
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(
            carried,
            ["view v", "view w", "trigger on_t", "trigger on_w"]
        );
        conn.execute_batch("INSERT INTO t (name) VALUES ('a'); INSERT INTO w VALUES ('b')")
            .unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
}
