//! Every shape `--format json` prints, in one place: the machine contract of
//! `check`, `current`, `heads`, `history`, `lint`, and of any error under
//! `--format json`. `docs/json/migrate.schema.json` describes each one (a
//! field added here must be added there: `tests/json_output.rs` validates
//! real output against it, and the schema allows no unknown field).
//!
//! The structs borrow from the library's own values and only rename or
//! flatten: the commands decide what to say, this module how it is spelled.

use serde::Serialize;

use crate::apply::Applied;
use crate::check;
use crate::error::{Error, Result};
use crate::lint::Finding;
use crate::outln;
use crate::script::Revision;

/// Prints one JSON document on stdout (pretty, so a human can read it too).
pub(crate) fn print<T: Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
    outln!("{text}")
}

/// `migrate check --format json`.
#[derive(Serialize)]
pub(crate) struct CheckReport<'a> {
    pub ok: bool,
    /// The graph's heads; more than one is a finding, since `upgrade head`
    /// refuses them.
    pub heads: Vec<String>,
    pub model_vs_migrations: Comparison<'a>,
    /// The database against its recorded revision; null without a database.
    pub drift: Option<Comparison<'a>>,
}

/// One comparison of two schemas.
#[derive(Serialize)]
pub(crate) struct Comparison<'a> {
    pub left: &'a str,
    pub right: &'a str,
    pub differs: bool,
    /// Unified diff of the two schemas as DDL; empty when they agree.
    pub diff: &'a str,
    /// One line per detected change ("Detected added table 'label'").
    pub changes: &'a [String],
    /// What autogenerate would write to go from left to right.
    pub operations: &'a [String],
}

impl<'a> From<&'a check::Comparison> for Comparison<'a> {
    fn from(c: &'a check::Comparison) -> Self {
        Comparison {
            left: &c.left,
            right: &c.right,
            differs: c.differs,
            diff: &c.diff,
            changes: &c.changes,
            operations: &c.operations,
        }
    }
}

/// A revision file, as `heads` and `history` list it.
#[derive(Serialize)]
pub(crate) struct RevisionInfo<'a> {
    pub revision: &'a str,
    /// Empty for a base revision; two or more for a merge.
    pub parents: &'a [String],
    pub message: &'a str,
    pub created: &'a str,
    pub path: String,
    /// Its `branch_labels` header (absent when it has none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub branch_labels: &'a [String],
    /// Its `depends_on` header as written (absent when it has none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub depends_on: &'a [String],
}

impl<'a> From<&'a Revision> for RevisionInfo<'a> {
    fn from(r: &'a Revision) -> Self {
        RevisionInfo {
            revision: &r.id,
            parents: &r.parents,
            message: &r.message,
            created: &r.created,
            path: r.path.display().to_string(),
            branch_labels: &r.branch.labels,
            depends_on: &r.branch.depends_on,
        }
    }
}

/// `migrate heads --format json`.
#[derive(Serialize)]
pub(crate) struct HeadsReport<'a> {
    pub heads: Vec<RevisionInfo<'a>>,
}

/// `migrate history --format json`: newest first, as the text.
#[derive(Serialize)]
pub(crate) struct HistoryReport<'a> {
    pub revisions: Vec<HistoryEntry<'a>>,
}

/// One revision of the history, with the marks the text shows in brackets.
#[derive(Serialize)]
pub(crate) struct HistoryEntry<'a> {
    #[serde(flatten)]
    pub revision: RevisionInfo<'a>,
    pub head: bool,
    /// The database is at this revision (false when there is no database).
    pub current: bool,
    pub branchpoint: bool,
    pub mergepoint: bool,
}

/// `migrate current --format json`.
#[derive(Serialize)]
pub(crate) struct CurrentReport<'a> {
    /// The database file, as configured.
    pub database: String,
    pub exists: bool,
    /// The applied revisions no other applied revision builds on; empty at base.
    pub current: Vec<AppliedInfo<'a>>,
    /// Revision files not applied yet.
    pub pending: usize,
    /// Applied revisions whose file is not in the versions directory.
    pub unknown: Vec<&'a str>,
}

/// A row of the version table.
#[derive(Serialize)]
pub(crate) struct AppliedInfo<'a> {
    pub revision: &'a str,
    pub parents: &'a [String],
    pub message: &'a str,
    pub applied_at: &'a str,
}

impl<'a> From<&'a Applied> for AppliedInfo<'a> {
    fn from(a: &'a Applied) -> Self {
        AppliedInfo {
            revision: &a.revision,
            parents: &a.parents,
            message: &a.message,
            applied_at: &a.applied_at,
        }
    }
}

/// `migrate lint --format json`.
#[derive(Serialize)]
pub(crate) struct LintReport<'a> {
    pub ok: bool,
    /// How many revisions are not applied yet (what lint read).
    pub pending: usize,
    pub findings: Vec<LintFinding<'a>>,
}

impl<'a> LintReport<'a> {
    pub(crate) fn new(findings: &'a [Finding], pending: usize) -> Self {
        LintReport {
            ok: findings.is_empty(),
            pending,
            findings: findings.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct LintFinding<'a> {
    /// `destructive` or `data`.
    pub kind: &'a str,
    pub revision: &'a str,
    pub file: &'a str,
    /// The table a data finding counted rows in; null for a statement finding.
    pub table: Option<&'a str>,
    pub message: &'a str,
    /// Offending rows, for data findings; null otherwise.
    pub rows: Option<i64>,
}

impl<'a> From<&'a Finding> for LintFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        LintFinding {
            kind: f.kind,
            revision: &f.revision,
            file: &f.file,
            table: Some(f.table.as_str()).filter(|t| !t.is_empty()),
            message: &f.message,
            rows: f.rows,
        }
    }
}

/// What stdout carries when a command run with `--format json` fails (exit 2).
#[derive(Serialize)]
pub(crate) struct ErrorReport {
    pub error: ErrorBody,
}

#[derive(Serialize)]
pub(crate) struct ErrorBody {
    /// A stable name for the kind of failure, e.g. `refused`, `script`, `usage`.
    pub kind: String,
    /// The whole message, as stderr says it after `error: `.
    pub message: String,
    /// What went wrong.
    pub what: String,
    /// The file (and line) at fault, when there is one.
    #[serde(rename = "where")]
    pub location: Option<String>,
    /// What to do, when the message says it.
    pub hint: Option<String>,
}

impl From<&Error> for ErrorReport {
    fn from(err: &Error) -> Self {
        let (what, hint) = err.what_and_hint();
        ErrorReport {
            error: ErrorBody {
                kind: err.kind().to_string(),
                message: err.to_string(),
                what,
                location: err.location(),
                hint,
            },
        }
    }
}

impl ErrorReport {
    /// A command line clap refused, from its rendered text: the first line
    /// says what, a `tip:` line (or the closing "try '--help'") what to do.
    pub(crate) fn usage(rendered: &str) -> Self {
        let lines: Vec<&str> = rendered
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let what = lines
            .first()
            .map(|l| l.strip_prefix("error: ").unwrap_or(l))
            .unwrap_or_default()
            .to_string();
        let hint = lines
            .iter()
            .find_map(|l| l.strip_prefix("tip: "))
            .or(lines.last().copied().filter(|l| l.contains("--help")))
            .map(str::to_string);
        ErrorReport {
            error: ErrorBody {
                kind: "usage".into(),
                message: rendered
                    .trim_end()
                    .strip_prefix("error: ")
                    .unwrap_or(rendered.trim_end())
                    .to_string(),
                what,
                location: None,
                hint,
            },
        }
    }
}
