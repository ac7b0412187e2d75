//! Replaying revisions into a scratch database (Prisma's shadow database), and
//! `migrate check`: model = migrations, and database = its recorded revision.

use std::collections::HashSet;

use crate::describe::describe;
use crate::diff::{self, Renames};
use crate::engine::{Dev, Engine};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::schema::{RenameHints, Schema};
use crate::scratch::Scratch;
use crate::{out, outln};

/// A scratch database made on `dev` with the up sections of `revisions`
/// applied, in graph order.
pub(crate) fn replay(
    dev: Dev,
    graph: &Graph,
    revisions: &HashSet<String>,
) -> Result<Box<dyn Scratch>> {
    // As `apply` does: a rebuild must not cascade (see [`Engine::scratch`]).
    let mut scratch = dev.scratch()?;
    for rev in graph.in_order().filter(|r| revisions.contains(&r.id)) {
        scratch.run_section(rev, &rev.up).map_err(|e| match e {
            Error::Statement {
                revision,
                path,
                number,
                line,
                statement,
                message,
            } => Error::Statement {
                revision,
                path,
                number,
                line,
                statement,
                message: format!(
                    "{message} (while replaying the migrations into a scratch database)"
                ),
            },
            other => other,
        })?;
    }
    Ok(scratch)
}

/// The schema the migrations build, up to `revisions`.
pub(crate) fn replayed_schema(
    dev: Dev,
    graph: &Graph,
    revisions: &HashSet<String>,
    version_table: &str,
) -> Result<Schema> {
    replay(dev, graph, revisions)?.inspect(version_table)
}

/// `here` on this thread and `there` on another, at once, on a PostgreSQL
/// `dev`; one after the other on SQLite (in memory, nothing to wait for).
/// `check` and autogenerate build the model and replay the migrations so:
/// each in its own scratch database and session, the server runs the two
/// sets of DDL side by side, where one after the other they were most of
/// `check`'s time at 500 tables. Each result is returned as is, so callers
/// report errors in the order they did before. What `there` warns of is
/// said on this thread (a library call keeps notices per thread).
pub(crate) fn side_by_side<A, B: Send>(
    dev: Dev,
    here: impl FnOnce() -> A,
    there: impl FnOnce() -> B + Send,
) -> (A, B) {
    if dev.engine() != Engine::Postgres {
        let a = here();
        return (a, there());
    }
    std::thread::scope(|s| {
        let other = s.spawn(|| (there(), crate::output::take_notes()));
        let a = here();
        let (b, notes) = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        for note in notes {
            crate::output::warn(format_args!("{note}\n"));
        }
        (a, b)
    })
}

/// One comparison of two schemas, as `check` reports it.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub left: String,
    pub right: String,
    pub differs: bool,
    /// Unified diff of the two schemas as DDL.
    pub diff: String,
    /// What autogenerate would write to go from left to right.
    pub operations: Vec<String>,
    /// The same, one "Detected ..." line per change ([`crate::describe`]).
    pub changes: Vec<String>,
}

/// `left` against `right`, with the rename hints of `right` (a model's) for
/// what autogenerate would write, in the SQL of `engine`.
pub(crate) fn compare(
    engine: Engine,
    left_name: &str,
    left: &Schema,
    right_name: &str,
    right: &Schema,
    hints: &RenameHints,
) -> Comparison {
    let differs = !left.same_as(right);
    if !differs {
        return Comparison {
            left: left_name.to_string(),
            right: right_name.to_string(),
            differs,
            diff: String::new(),
            operations: vec![],
            changes: vec![],
        };
    }
    let as_text = |s: &Schema| {
        engine
            .dialect()
            .create_schema(s)
            .into_iter()
            .map(|s| format!("{s};\n"))
            .collect::<String>()
    };
    let (a, b) = (as_text(left), as_text(right));
    let diff = similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .header(left_name, right_name)
        .to_string();
    let renames = Renames::from_hints(left, right, hints);
    let migration = engine
        .dialect()
        .migration_of(left, right, diff::diff(left, right, &renames));
    let operations = migration.up.iter().map(|s| s.sql.clone()).collect();
    let mut changes = describe(&migration.changes);
    changes.extend(crate::describe::objects(&left.postgres, &right.postgres));
    Comparison {
        left: left_name.to_string(),
        right: right_name.to_string(),
        differs,
        diff,
        operations,
        changes,
    }
}

/// What `check` found for one configuration: the migrations against the
/// model, and the database against its recorded revision.
pub(crate) struct CheckOutcome {
    /// How many revisions the migrations have.
    pub revisions: usize,
    pub heads: Vec<String>,
    /// The heads beyond the first that carry no branch label of their own
    /// (labelled branches are meant to stay apart; these are to be merged).
    pub unlabelled_heads: Vec<String>,
    /// The migrations replayed against the model.
    pub model: Comparison,
    /// The database against its recorded revision: `None` when there is no
    /// database (yet); `Err` when a server could not be reached and
    /// `reachable_only`.
    pub drift: Option<std::result::Result<Comparison, Error>>,
}

impl CheckOutcome {
    /// No difference and a single head (a database out of reach is no
    /// difference: it was not compared).
    pub(crate) fn ok(&self) -> bool {
        !self.model.differs
            && !self
                .drift
                .as_ref()
                .is_some_and(|d| d.as_ref().is_ok_and(|c| c.differs))
            && self.unlabelled_heads.is_empty()
    }
}

/// `check`'s findings as text: heads to be merged, the migrations against the
/// model, the database against its revision (each only when it differs).
pub(crate) fn print_check(
    heads: &[String],
    unlabelled: &[String],
    model: &Comparison,
    drift: Option<&Comparison>,
) -> Result<()> {
    if !unlabelled.is_empty() {
        outln!(
            "the migrations have {} heads ({}), which `migrate upgrade head` refuses; \
             join them with `migrate merge -m \"merge\" {}`{}\n",
            heads.len(),
            heads.join(", "),
            heads.join(" "),
            if unlabelled.len() < heads.len() {
                format!(
                    " (or keep them apart as labelled branches; without a label of their own: {})",
                    unlabelled.join(", ")
                )
            } else {
                String::new()
            }
        )?;
    }
    print_comparison(
        model,
        "the migrations do not build the model; `migrate revision --autogenerate` would write:",
    )?;
    if let Some(d) = drift {
        print_comparison(
            d,
            "the database has drifted from its recorded revision; to bring it back:",
        )?;
    }
    Ok(())
}

fn print_comparison(c: &Comparison, headline: &str) -> Result<()> {
    if !c.differs {
        return Ok(());
    }
    outln!("{headline}")?;
    for line in &c.changes {
        outln!("  {line}")?;
    }
    outln!()?;
    if !c.operations.is_empty() {
        for op in &c.operations {
            outln!("  {}", op.replace('\n', "\n  "))?;
        }
        outln!()?;
    }
    out!(
        "{}",
        crate::terminal::diff(&c.diff, crate::terminal::color_stdout())
    )?;
    outln!()?;
    Ok(())
}
