//! Where autogenerate starts from: the live database, refused unless it
//! is exactly at the new revision's parents and matches what the
//! migrations build there; or, without a database, the migrations.

use std::collections::HashSet;

use super::live;
use crate::check;
use crate::config::Config;
use crate::engine::{Database, Engine};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::schema::{RenameHints, Schema};
use crate::{apply, commands};

/// The migrations' schema at `revisions`, had before it is asked for: read
/// from the snapshot (at head), or replayed alongside the model's scratch
/// database. Its error is reported where the replay's would be.
pub(super) struct Ahead {
    pub(super) revisions: HashSet<String>,
    pub(super) schema: Result<Schema>,
}

impl Ahead {
    /// The schema at `revisions`: this one when it is at them, else replayed now.
    fn at(
        ahead: Option<Ahead>,
        config: &Config,
        graph: &Graph,
        revisions: &HashSet<String>,
    ) -> Result<Schema> {
        match ahead {
            Some(ahead) if ahead.revisions == *revisions => ahead.schema,
            _ => check::replayed_schema(config.dev(), graph, revisions, &config.version_table),
        }
    }
}

/// The revisions [`starting_schema`] replays when it gets that far: those
/// up to `parents` when the database exists (it must be exactly there),
/// else all. `None` on SQLite (in memory, nothing gained by replaying
/// ahead) and when there is no database to tell (the error is given in its
/// turn).
pub(super) fn to_replay(
    config: &Config,
    graph: &Graph,
    parents: &[String],
) -> Option<HashSet<String>> {
    if config.dev().engine() != Engine::Postgres {
        return None;
    }
    let db = config.target().ok()?;
    Some(if db.exists() {
        graph.ancestors_inclusive(parents.iter().map(String::as_str))
    } else {
        graph.in_order().map(|r| r.id.clone()).collect()
    })
}

/// The schema autogenerate starts from: the live database when it exists
/// (it must be exactly at `parents`, the new revision's parents, and match
/// what the migrations build there), otherwise the migrations replayed in
/// memory.
pub(super) fn starting_schema(
    config: &Config,
    graph: &Graph,
    parents: &[String],
    ahead: Option<Ahead>,
) -> Result<(Schema, &'static str)> {
    let db = config.target()?;
    let all: HashSet<String> = graph.in_order().map(|r| r.id.clone()).collect();
    if db.exists() {
        let (rows, schema) = live(config, db)?;
        commands::verify_applied(config, graph, &rows)?;
        let applied = ensure_at_parents(db, graph, rows, parents)?;
        let recorded = Ahead::at(ahead, config, graph, &applied)?;
        ensure_no_drift(config, db, graph, &applied, &schema, recorded)?;
        Ok((schema, "database"))
    } else {
        Ok((Ahead::at(ahead, config, graph, &all)?, "migrations"))
    }
}

/// Refuses to autogenerate on a database that is not exactly at the new
/// revision's parents (the single head, or `--head REV`): the new revision
/// must start where its parent ends. Returns the applied set.
fn ensure_at_parents(
    db: Database,
    graph: &Graph,
    rows: Vec<apply::Applied>,
    parents: &[String],
) -> Result<HashSet<String>> {
    let applied: HashSet<String> = rows.into_iter().map(|a| a.revision).collect();
    let mut current = graph.current_heads(&applied);
    current.sort();
    let mut want = parents.to_vec();
    want.sort();
    if current != want {
        let names = |ids: &[String]| match ids {
            [] => "base".to_string(),
            ids => ids.join(", "),
        };
        let below = graph.ancestors_inclusive(want.iter().map(String::as_str));
        // Behind the parent: upgrading gets there. Elsewhere (another branch,
        // or past it): only a database exactly at the parent will do.
        let what_to_do = if applied.is_subset(&below) {
            format!("run `migrate upgrade {}` first", names(&want))
        } else {
            format!(
                "it is on another branch or past it; pass `--head` naming where it is, or \
                 autogenerate against a copy at exactly {}",
                names(&want)
            )
        };
        return Err(Error::Refused(format!(
            "the database {} is not up to date with the new revision's parent (at {}; the new \
             revision goes on {}): {what_to_do}, so the new revision starts where its parent ends",
            db.display(),
            names(&current),
            names(&want),
        )));
    }
    Ok(applied)
}

/// Refuses to autogenerate from a database that differs from what its
/// recorded revision builds: the drift would go into the new revision, which
/// could then never replay from base (`verify` and `check` would fail).
fn ensure_no_drift(
    config: &Config,
    db: Database,
    graph: &Graph,
    applied: &HashSet<String>,
    live: &Schema,
    recorded: Schema,
) -> Result<()> {
    // What migrate does not manage is not drift: it is whatever it is.
    let recorded = config.filter.target(&recorded, live);
    if live.same_as(&recorded) {
        return Ok(());
    }
    let at = graph.current_heads(applied);
    let at = if at.is_empty() {
        "base".to_string()
    } else {
        at.join(", ")
    };
    let no_hints = RenameHints::default();
    let cmp = check::compare(
        config.engine(),
        "database",
        live,
        "recorded revision",
        &recorded,
        &no_hints,
    );
    let back: Vec<String> = cmp
        .operations
        .iter()
        .map(|op| format!("    {}", op.replace('\n', "\n    ")))
        .collect();
    let ways = if applied.is_empty() {
        // No revision recorded (and so none written yet): adoption.
        let elsewhere = match db {
            Database::Sqlite(_) => {
                "with --database naming a file that does not exist (`migrate --database \
                 sqlite:none.db revision --autogenerate -m baseline`)"
            }
            // A server's database always exists: an empty one stands for none.
            Database::Postgres { .. } => {
                "with --database naming an empty database on the server (`createdb empty`, then \
                 `migrate --database postgresql://HOST/empty revision --autogenerate -m baseline`)"
            }
        };
        format!(
            "It records no revision but has tables: a database built before migrate? Adopt it by \
             writing the first revision from the migrations alone, {elsewhere}, then `migrate \
             stamp head` here."
        )
    } else {
        format!(
            "Either:\n\
             \x20 keep the change: write it into a revision by hand (`migrate revision -m MSG`), \
             then `migrate stamp` that revision, since the database has it already; or\n\
             \x20 drop the change: restore the database to its recorded revision (from a backup, \
             or with these statements), then autogenerate again:\n{}",
            back.join("\n")
        )
    };
    Err(Error::Refused(format!(
        "the database {} has drifted from its recorded revision {at}: it was changed outside the \
         migrations, and a revision autogenerated from it would carry that change and could not \
         replay from base (`migrate check` shows the difference). {ways}",
        db.display()
    )))
}
