//! `migrate revision --autogenerate` and `migrate check`: the model against
//! the migrations and the database. Renames are settled in [`crate::renames`].

use std::collections::HashSet;
use std::process::ExitCode;

use crate::apply;
use crate::check::{self, Comparison};
use crate::commands;
use crate::config::Config;
use crate::describe::describe;
use crate::dialect::Dialect;
use crate::diff::{RenameCandidate, Renames};
use crate::engine::{Database, Engine};
use crate::error::{Error, Result};
use crate::files::display_rel;
use crate::graph::Graph;
use crate::load::{self, Model};
use crate::plan::Migration;
use crate::renames::{idle_hints, parse_renames, settle_renames};
use crate::schema::{RenameHints, Schema};
use crate::script::NewRevision;
use crate::sqlite::plan;
use crate::sqlite::{inspect, sql};
use crate::sum;
use crate::{noteln, outln, warnln};

mod start;

use start::{Ahead, starting_schema, to_replay};

/// The database's version rows and schema, nothing written.
fn live(config: &Config, db: Database) -> Result<(Vec<apply::Applied>, Schema)> {
    Ok(match db {
        // One connection and one snapshot: the schema is the one the version
        // rows describe (opening a database parses its whole schema).
        Database::Sqlite(db) => {
            let conn = inspect::open_read_only(db)?;
            inspect::in_snapshot(&conn, || {
                let rows = crate::sqlite::driver::read_applied(&conn, &config.version_table)
                    .map_err(crate::sqlite::driver::at_path(db))?;
                Ok((rows, inspect::inspect(&conn, &config.version_table)?))
            })?
        }
        // The version rows, then the schema: a migrator running in between
        // shows as drift, and the next run settles it.
        Database::Postgres { .. } => (
            db.read_applied(&config.version_table)?,
            db.inspect(&config.version_table)?,
        ),
    })
}

/// The model, refused when it defines one of the tool's own tables: that
/// table would be left out of every comparison, and the version table's
/// rows would be mixed with the application's.
fn load_model(config: &Config) -> Result<Model> {
    let model = load::load_on(config.model()?, config.dev())?;
    let names = model.schema.tables.iter().map(|t| &t.name);
    if let Some(name) = names
        .chain(model.schema.views.iter().map(|v| &v.name))
        .find(|n| crate::sqlite::version_table::is_own(n, &config.version_table))
    {
        return Err(Error::Config {
            path: config.config_name().into(),
            message: format!(
                "the model defines {name:?}, one of migrate's own tables ({}, from [migrations] \
                 version_table = {:?}); set version_table to a name the model does not use",
                crate::sqlite::version_table::own_tables(&config.version_table).join(", "),
                config.version_table
            ),
        });
    }
    Ok(model)
}

/// Only what migrate manages is created, dropped or changed: the model for
/// that, with `current` as it is for the rest, and the hints of the model's
/// managed tables.
fn managed(config: &Config, model: Model, current: &Schema) -> Model {
    let mut hints = model.hints;
    hints.retain_tables(|t| config.filter.manages(t));
    Model {
        schema: config.filter.target(&model.schema, current),
        hints,
    }
}

pub(crate) struct AutogenerateArgs<'a> {
    pub message: &'a str,
    pub head: Option<&'a str>,
    pub rev_id: Option<&'a str>,
    pub renames: &'a [String],
    /// `--branch-label` / `--depends-on`.
    pub branch_labels: &'a [String],
    pub depends_on: &'a [String],
}

pub(crate) fn autogenerate(config: &Config, args: AutogenerateArgs) -> Result<()> {
    let graph = commands::load_graph(config)?;
    sum::ensure_current(&config.migrations_dir)?;
    let parents = commands::parents_for_new(&graph, args.head)?;
    let branch = crate::branching::check_new(&graph, args.branch_labels, args.depends_on)?;
    // The committed snapshot stands in for a side whose inputs are unchanged.
    let sides = crate::snapshot::sides(config, config.dev(), false)?;
    let (model, ahead) = model_and_ahead(config, &graph, &parents, sides);
    let model = model?;
    // A committed snapshot is kept current; none is made unasked.
    let for_snapshot = crate::snapshot::exists(config).then(|| model.clone());
    let (current, source) = starting_schema(config, &graph, &parents, ahead)?;
    let managed = managed(config, model, &current);
    let (model, hints) = (managed.schema, managed.hints);
    let mut renames = Renames::from_hints(&current, &model, &hints);
    let flagged = parse_renames(args.renames, &current, &model)?;
    renames.merge(model.name_rule, flagged);
    for hint in idle_hints(&current, &model, &hints) {
        warnln!("warning: {hint}");
    }
    let (changes, unasked) = settle_renames(&current, &model, &mut renames)?;
    let mut migration = Dialect::migration_of(config.engine().dialect(), &current, &model, changes);
    let touched = config.filter.leave_unmanaged(&current, &mut migration.up);
    config.filter.leave_unmanaged(&current, &mut migration.down);
    for what in touched {
        noteln!(
            "note: {what} is not managed by migrate ([model] include/exclude), but depends on \
             a table this revision rebuilds: it is left out of the revision, and upgrade carries \
             it across the rebuild as each database has it"
        );
    }
    if migration.is_empty() {
        outln!("No changes detected: the model matches the {source}; no revision written.")?;
        return Ok(());
    }
    let up = with_rename_warnings(&unasked, plan::render(&migration.up));
    let down = plan::render(&migration.down);
    // PostgreSQL: an enum label used in the revision that adds it.
    let in_transaction = |ss: &[crate::plan::Statement]| {
        let ss: Vec<&str> = ss.iter().map(|s| s.sql.as_str()).collect();
        config.engine().plan_runs_in_transaction(&ss)
    };
    let transactional = in_transaction(&migration.up) && in_transaction(&migration.down);
    let path = commands::write_revision_on(
        config,
        &graph,
        args.rev_id,
        NewRevision {
            id: "",
            parents: &parents,
            message: args.message,
            up: &up,
            down: &down,
            transactional,
        },
        &branch,
    )?;
    let mut detected = describe(&migration.changes);
    detected.extend(crate::describe::objects(&current.postgres, &model.postgres));
    outln!(
        "created {} ({} change(s) against the {source}):",
        display_rel(&path),
        detected.len()
    )?;
    for line in &detected {
        outln!("  {line}")?;
    }
    for s in migration.up.iter().filter(|s| s.risky()) {
        outln!(
            "  review: {}",
            sql::one_line(&s.review_comments().join("; "))
        )?;
    }
    if let Some(model) = for_snapshot {
        crate::snapshot::refresh(config, &model)?;
    }
    Ok(())
}

/// The model (from the snapshot, or built), and alongside it the migrations
/// replayed at the revisions the database must be at (`starting_schema`
/// checks that it is), or their schema at head from the snapshot.
fn model_and_ahead(
    config: &Config,
    graph: &Graph,
    parents: &[String],
    sides: crate::snapshot::Sides,
) -> (Result<Model>, Option<Ahead>) {
    let all: HashSet<String> = graph.in_order().map(|r| r.id.clone()).collect();
    check::side_by_side(
        config.dev(),
        || match sides.model {
            Some(model) => Ok(model),
            None => load_model(config),
        },
        || match (sides.migrations, to_replay(config, graph, parents)) {
            (Some(at_head), _) => Some(Ahead {
                revisions: all,
                schema: Ok(at_head),
            }),
            (None, Some(revisions)) => Some(Ahead {
                schema: check::replayed_schema(
                    config.dev(),
                    graph,
                    &revisions,
                    &config.version_table,
                ),
                revisions,
            }),
            (None, None) => None,
        },
    )
}

/// `migrate snapshot`: the model built and every revision replayed, in
/// scratch databases, written to the committed snapshot.
pub(crate) fn snapshot(config: &Config) -> Result<()> {
    crate::snapshot::refuse_unsupported(config)?;
    crate::snapshot::refresh(config, &load_model(config)?)
}

/// Warns of each rename candidate nobody asked about (written as drop +
/// add), on stderr and at the top of the revision's up section.
fn with_rename_warnings(unasked: &[RenameCandidate], mut up: String) -> String {
    for c in unasked {
        let hint = match c {
            RenameCandidate::Table { from, to } => format!("--rename {from}={to}"),
            RenameCandidate::Column { table, from, to } => {
                format!("--rename {table}.{from}={table}.{to}")
            }
        };
        // Names may hold anything, a newline included: each line stays one line.
        let hint = sql::one_line(&hint);
        warnln!(
            "warning: {} Treated as drop + add; if it was a rename, delete the file and rerun with {hint}",
            c.question()
        );
        up = format!(
            "-- WARNING: {} Written as drop + add, which loses its data; if it was a rename, regenerate with {hint}\n{up}",
            c.question()
        );
    }
    up
}

/// The comparisons of `check` on `config`. With `reachable_only`, a database
/// that cannot be opened or reached is kept in the outcome instead of ending
/// the run (`check --all-envs`: a production server out of reach).
pub(crate) fn check_outcome(config: &Config, reachable_only: bool) -> Result<check::CheckOutcome> {
    let dev = config.dev();
    let graph = commands::load_graph(config)?;
    config.ensure_sum_current()?;
    // The committed snapshot stands in for a side whose inputs are unchanged.
    let sides = crate::snapshot::sides(config, dev, true)?;
    let all: HashSet<String> = graph.in_order().map(|r| r.id.clone()).collect();
    let (model, migrations) = check::side_by_side(
        dev,
        || match sides.model {
            Some(model) => Ok(model),
            None => load_model(config),
        },
        || match sides.migrations {
            Some(schema) => Ok(schema),
            None => check::replayed_schema(dev, &graph, &all, &config.version_table),
        },
    );
    // The model's error first, as when the two were built in turn.
    let (model, migrations) = (model?, migrations?);
    let model = managed(config, model, &migrations);
    let model_cmp = check::compare(
        dev.engine(),
        "migrations",
        &migrations,
        "model",
        &model.schema,
        &model.hints,
    );
    let drift = match config.target_if_set().filter(|db| db.exists()) {
        Some(db) => match drift(config, &graph, db, &all, &migrations) {
            Err(e @ Error::Database { .. })
                if reachable_only && db.engine() == Engine::Postgres =>
            {
                Some(Err(e))
            }
            other => Some(Ok(other?)),
        },
        None => None,
    };
    Ok(check::CheckOutcome {
        revisions: graph.len(),
        heads: graph.heads().iter().map(|r| r.id.clone()).collect(),
        // Labelled branches are meant to stay apart; other extra heads are to be merged.
        unlabelled_heads: graph
            .unlabelled_extra_heads()
            .iter()
            .map(|r| r.id.clone())
            .collect(),
        model: model_cmp,
        drift,
    })
}

/// CI gate: 0 when the migrations build the model (and the database matches
/// its recorded revision), 1 with a report when not.
pub(crate) fn check(config: &Config, json: bool) -> Result<ExitCode> {
    let outcome = check_outcome(config, false)?;
    let ok = outcome.ok();
    let drift = outcome.drift.and_then(|d| d.ok());
    if json {
        crate::json::print(&crate::json::CheckReport {
            ok,
            heads: outcome.heads,
            model_vs_migrations: (&outcome.model).into(),
            drift: drift.as_ref().map(Into::into),
        })?;
    } else {
        check::print_check(
            &outcome.heads,
            &outcome.unlabelled_heads,
            &outcome.model,
            drift.as_ref(),
        )?;
        if ok {
            outln!(
                "ok: the migrations ({} revision(s)) build the model{}",
                outcome.revisions,
                if drift.is_some() {
                    ", and the database matches its recorded revision"
                } else {
                    ""
                }
            )?;
        }
    }
    // After the report: an error stays the one line on stderr.
    config.where_notes();
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The live database against the schema of its recorded revision; at head,
/// that schema is the one the migrations already built (`at_head`).
fn drift(
    config: &Config,
    graph: &Graph,
    db: Database,
    all: &HashSet<String>,
    at_head: &Schema,
) -> Result<Comparison> {
    let (rows, live) = live(config, db)?;
    commands::verify_applied(config, graph, &rows)?;
    let applied = graph.applied_set(rows.into_iter().map(|a| a.revision));
    let expected = if applied == *all {
        at_head.clone()
    } else {
        check::replayed_schema(config.dev(), graph, &applied, &config.version_table)?
    };
    let expected = config.filter.target(&expected, &live);
    // From the database to what it should be: the operations bring it back.
    Ok(check::compare(
        db.engine(),
        "database",
        &live,
        "recorded revision",
        &expected,
        &RenameHints::default(),
    ))
}

/// Planned statements as a revision section (SQLite's script writer serves both engines).
pub(crate) fn render(statements: &[crate::plan::Statement]) -> String {
    plan::render(statements)
}

/// Plans a migration from a schema to a model with the model's hints only (for tests and lint).
pub fn plan_between(from: &Schema, to: &Model) -> Migration {
    plan::migration(
        from,
        &to.schema,
        &Renames::from_hints(from, &to.schema, &to.hints),
    )
}
