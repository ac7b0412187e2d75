//! `migrate import-alembic`: an Alembic history becomes revisions of ours,
//! one per Alembic revision, with the same ids and the same graph (branch
//! points, merges), each section rendered by Alembic's own offline mode for
//! the dialect env.py configures. Revisions Alembic cannot render offline
//! are written as stubs that stop `upgrade` until written by hand. A
//! database that Alembic keeps is adopted: stamped where Alembic stopped.

mod clean;
mod history;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::commands;
use crate::config::{Config, Overrides};
use crate::error::{Error, Result};
use crate::files::display_rel;
use crate::graph::{self, Graph, Target};
use crate::script::{self, NewRevision};
use crate::sqlite::sql;
use crate::{apply, sum};
use crate::{noteln, outln, warnln};

use history::{AlembicRevision, History};

/// Import an Alembic history: one revision per Alembic revision, same ids and graph, SQL rendered by Alembic offline
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:  migrate import-alembic --alembic-config alembic.ini\n\
    Writes into an empty migrations directory, then migrate.sum; a database whose alembic_version\n\
    names a revision is stamped there. Revisions Alembic cannot render offline are listed and\n\
    written as stubs that stop `upgrade` until written by hand."
)]
pub(crate) struct Args {
    /// Alembic's config file (the global --config names migrate.toml)
    #[arg(long, value_name = "FILE", default_value = "alembic.ini")]
    alembic_config: PathBuf,
    /// The Python that has Alembic [default: $VIRTUAL_ENV/bin/python, else python3]
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
}

/// The command, from its arguments (the hook in [`crate::cli`]).
pub(crate) fn run(overrides: &Overrides, args: &Args) -> Result<()> {
    refuse_ini_as_config(overrides.config.as_deref())?;
    import(
        &Config::load(overrides)?,
        &Options {
            alembic_config: &args.alembic_config,
            python: args.python.as_deref(),
        },
    )
}

/// What to import, and with which Python.
pub(crate) struct Options<'a> {
    pub alembic_config: &'a Path,
    pub python: Option<&'a Path>,
}

/// The whole command: read, check, write, adopt. Nothing is written when
/// the history or the database cannot be taken as they are.
pub(crate) fn import(config: &Config, options: &Options) -> Result<()> {
    let existing = commands::load_graph(config)?;
    if !existing.is_empty() {
        return Err(Error::Refused(format!(
            "{} already holds {} revisions; import-alembic writes into an empty migrations directory (point --dir at a new one)",
            display_rel(&config.versions_dir()),
            existing.len()
        )));
    }
    let python = history::python(options.python);
    let history = history::read(&python, options.alembic_config)?;
    if history.revisions.is_empty() {
        return Err(Error::Usage(format!(
            "{}: the Alembic history has no revisions; nothing to import",
            options.alembic_config.display()
        )));
    }
    if let Some(dialect) = history.dialect.as_deref().filter(|d| *d != "sqlite") {
        warnln!(
            "warning: Alembic rendered the SQL for {dialect}; migrate applies revisions to SQLite databases"
        );
    }
    let ids = map_ids(&history.revisions)?;
    let adopt = match config.database.as_deref() {
        Some(db) => alembic_heads(db, &history, &ids, &config.version_table)?,
        None => None,
    };
    let ini_dir = std::fs::canonicalize(options.alembic_config)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let stubs = write_all(config, &history, &ids, &ini_dir)?;
    report_stubs(&stubs)?;
    match (config.database.as_deref(), adopt) {
        (Some(db), Some(heads)) if !heads.is_empty() => {
            let graph = commands::load_graph(config)?;
            apply::stamp(
                &crate::engine::Database::Sqlite(db),
                &config.version_table,
                &graph,
                &Target::Revisions(heads.clone()),
            )?;
            outln!(
                "adopted {}: stamped at {} where Alembic's {} stood (no SQL was run); `migrate upgrade` continues from there",
                db.display(),
                heads.join(", "),
                history.version_table
            )?;
            noteln!(
                "{} stays in the database for Alembic; add it to [model] exclude so check and autogenerate leave it alone",
                history.version_table
            );
        }
        (Some(db), _) => noteln!(
            "{} has no Alembic revision recorded: nothing to adopt; `migrate upgrade` builds it from base",
            db.display()
        ),
        (None, _) => noteln!("no database configured: nothing to adopt"),
    }
    Ok(())
}

/// `migrate import-alembic --config alembic.ini`, as one would write it for
/// Alembic: the global `--config` names migrate.toml, so say which flag
/// takes Alembic's file instead of failing to read it as TOML.
fn refuse_ini_as_config(config: Option<&Path>) -> Result<()> {
    match config {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ini")) =>
        {
            Err(Error::Usage(format!(
                "--config names migrate.toml; pass Alembic's file as `--alembic-config {}`",
                path.display()
            )))
        }
        _ => Ok(()),
    }
}

/// Alembic ids are kept; one that is not ASCII letters and digits (ours are,
/// since the first `_` of a file name ends the id) keeps its letters and
/// digits, and is refused when those are empty, reserved or taken.
fn map_ids(revisions: &[AlembicRevision]) -> Result<HashMap<String, String>> {
    let mut ids = HashMap::new();
    let mut taken = HashSet::new();
    for rev in revisions {
        let id: String = rev.id.chars().filter(char::is_ascii_alphanumeric).collect();
        if !script::valid_id(&id) || graph::is_reserved(&id) || !taken.insert(id.clone()) {
            return Err(Error::Usage(format!(
                "Alembic revision {:?} ({}) has no usable migrate id: ids are 1 to 64 ASCII letters and digits, unique, and not {}; \
                 give it another revision id in Alembic first",
                rev.id,
                rev.path.display(),
                graph::RESERVED_IDS.join(", ")
            )));
        }
        if id != rev.id {
            noteln!("Alembic revision {} becomes {id}", rev.id);
        }
        ids.insert(rev.id.clone(), id);
    }
    Ok(ids)
}

/// The revisions Alembic's version table names in `db` (mapped to our ids),
/// checked before anything is written. `None` when there is no such table.
fn alembic_heads(
    db: &Path,
    history: &History,
    ids: &HashMap<String, String>,
    version_table: &str,
) -> Result<Option<Vec<String>>> {
    if !db.exists() {
        return Ok(None);
    }
    if !crate::sqlite::driver::read_applied_at(db, version_table)?.is_empty() {
        return Err(Error::Refused(format!(
            "{} already records migrate revisions in {version_table}; import into a project whose database migrate has not used",
            db.display()
        )));
    }
    let table = &history.version_table;
    let Some(recorded) = crate::sqlite::inspect::alembic_versions(db, table)? else {
        return Ok(None);
    };
    recorded
        .iter()
        .map(|v| {
            ids.get(v).cloned().ok_or_else(|| {
                Error::Refused(format!(
                    "{}: {table} records revision {v}, which the Alembic history does not have; \
                     fix the history or the database first (nothing was written)",
                    db.display()
                ))
            })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A revision whose section is a stub, and why Alembic could not render it.
struct Stub {
    id: String,
    section: &'static str,
    reason: String,
}

/// Writes every revision, then `migrate.sum`; on a failure, takes back what
/// was written.
fn write_all(
    config: &Config,
    history: &History,
    ids: &HashMap<String, String>,
    ini_dir: &Path,
) -> Result<Vec<Stub>> {
    let empty = Graph::new(Vec::new())?;
    let sum_existed = sum::path(&config.migrations_dir).exists();
    let mut written: Vec<PathBuf> = Vec::new();
    let mut stubs = Vec::new();
    let branches = branch_headers(history, ids)?;
    for (rev, branch) in history.revisions.iter().zip(&branches) {
        let id = &ids[&rev.id];
        let parents: Vec<String> = rev.parents.iter().map(|p| ids[p].clone()).collect();
        let source = rev.path.strip_prefix(ini_dir).unwrap_or(&rev.path);
        let mut section = |name: &'static str, sql: &Option<String>, error: &Option<String>| {
            let (text, reason) = body(rev, id, source, name, sql, error, &history.version_table);
            if let Some(reason) = reason {
                stubs.push(Stub {
                    id: id.clone(),
                    section: name,
                    reason,
                });
            }
            text
        };
        let up = section("upgrade", &rev.up, &rev.up_error);
        let down = section("downgrade", &rev.down, &rev.down_error);
        let message = if rev.message.is_empty() {
            "imported from Alembic"
        } else {
            &rev.message
        };
        let new = NewRevision {
            id,
            parents: &parents,
            message,
            up: &up,
            down: &down,
            transactional: true,
        };
        match commands::write_revision_on(config, &empty, Some(id), new, branch) {
            Ok(path) => {
                outln!("{id}  {}", display_rel(&path))?;
                written.push(path);
            }
            Err(e) => {
                for path in &written {
                    let _ = std::fs::remove_file(path);
                }
                let _ = if sum_existed {
                    sum::write(&config.migrations_dir).map(drop)
                } else {
                    std::fs::remove_file(sum::path(&config.migrations_dir))
                        .map_err(|e| Error::io(sum::path(&config.migrations_dir), e))
                };
                return Err(e);
            }
        }
    }
    Ok(stubs)
}

/// Each revision's `branch_labels` and `depends_on` headers, dependencies
/// on revisions written with their ids here; refused before anything is
/// written when a label is one migrate cannot read back.
fn branch_headers(
    history: &History,
    ids: &HashMap<String, String>,
) -> Result<Vec<script::BranchHeaders>> {
    let mut out = Vec::new();
    for rev in &history.revisions {
        if let Some(bad) = rev.branch_labels.iter().find(|l| !script::valid_label(l)) {
            return Err(Error::Usage(format!(
                "the Alembic revision {} ({}) has the branch label {bad:?}; migrate's labels are \
                 ASCII letters, digits and _ (not all digits): rename it in the Alembic history \
                 and import again (nothing was written)",
                rev.id,
                rev.path.display()
            )));
        }
        out.push(script::BranchHeaders {
            labels: rev.branch_labels.clone(),
            depends_on: rev
                .depends_on
                .iter()
                .map(|d| ids.get(d).cloned().unwrap_or_else(|| d.clone()))
                .collect(),
            depends_line: 0,
        });
    }
    Ok(out)
}

/// One section's text: Alembic's statements without its bookkeeping, under a
/// line naming the source; or a stub, with the reason.
fn body(
    rev: &AlembicRevision,
    id: &str,
    source: &Path,
    section: &str,
    sql: &Option<String>,
    error: &Option<String>,
    version_table: &str,
) -> (String, Option<String>) {
    let origin = format!(
        "-- from Alembic revision {} ({}), {section}() rendered by Alembic's offline mode",
        rev.id,
        source.display()
    );
    match sql {
        Some(text) => {
            let statements = clean::section(text, version_table);
            let statements = if statements.is_empty() {
                format!("-- Alembic's {section}() emits no SQL.")
            } else {
                statements
            };
            (format!("{origin}\n{statements}"), None)
        }
        None => {
            let reason = sql::one_line(error.as_deref().unwrap_or("no output"));
            let text = format!(
                "-- STUB: Alembic could not render {section}() of {} offline:\n--   {reason}\n\
                 -- Write its SQL here by hand, then run `migrate hash`. Until then this statement stops it:\n\
                 SELECT * FROM \"import-alembic stub: write revision {id} by hand\";",
                source.display()
            );
            (text, Some(reason))
        }
    }
}

/// The stubs, listed for review.
fn report_stubs(stubs: &[Stub]) -> Result<()> {
    if stubs.is_empty() {
        return Ok(());
    }
    warnln!(
        "{} section(s) Alembic could not render offline were written as stubs, to write by hand:",
        stubs.len()
    );
    for s in stubs {
        warnln!("  {} {}: {}", s.id, s.section, s.reason);
    }
    Ok(())
}
