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

/// A scratch database made on `dev` with the up sections of `revisions`
/// applied, in graph order.
pub fn replay(dev: Dev, graph: &Graph, revisions: &HashSet<String>) -> Result<Box<dyn Scratch>> {
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
pub fn replayed_schema(
    dev: Dev,
    graph: &Graph,
    revisions: &HashSet<String>,
    version_table: &str,
) -> Result<Schema> {
    replay(dev, graph, revisions)?.inspect(version_table)
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
pub fn compare(
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
