//! The committed schema snapshot, `migrations/migrate.snapshot.json` beside
//! `migrate.sum`: the model's schema and the replayed migrations' schema,
//! each keyed by a hash of what it was built from (the model's text or the
//! sum's total, the server's major version, migrate's version). On a server
//! engine, building either side means a scratch database (500 tables: seconds);
//! `check` with unchanged inputs reads them from here instead, and reads only
//! the live catalog from the server. A side whose key differs is built in a
//! scratch database as before, and `check` says why in one line.
//!
//! The snapshot only stands in for those two sides: the live database is
//! always read live. A file that does not parse, or whose content hash does
//! not match (edited by hand, damaged), is not used: `check` says so and
//! builds both sides, so a bad snapshot can cost time, never a wrong verdict
//! that a scratch database would not also give.
//!
//! Written by `migrate snapshot`, and refreshed by `revision --autogenerate`
//! once the file is there. SQLite has no snapshot: its scratch databases are
//! in memory. SQLAlchemy models have none either: what their Python imports
//! cannot be hashed from here.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::engine::Dev;
use crate::error::{Error, Result};
use crate::files;
use crate::load::{self, Model};
use crate::schema::{RenameHints, Schema};
use crate::script::hex;

pub(crate) const FILE_NAME: &str = "migrate.snapshot.json";

/// Bumped when the file's layout changes.
const FORMAT: u32 = 1;

pub(crate) fn path(migrations_dir: &Path) -> PathBuf {
    migrations_dir.join(FILE_NAME)
}

/// What is stored; `content` hashes the rest.
#[derive(Serialize, Deserialize)]
struct Stored {
    about: String,
    format: u32,
    /// migrate's version: the inspector's normal form may change between versions.
    tool: String,
    server_major: u32,
    model: ModelSide,
    migrations: MigrationsSide,
    content: String,
}

#[derive(Serialize, Deserialize)]
struct ModelSide {
    key: String,
    schema: Schema,
    hints: RenameHints,
}

#[derive(Serialize, Deserialize)]
struct MigrationsSide {
    key: String,
    schema: Schema,
}

/// What the inputs hash to now.
struct Keys {
    /// `None`: the model's inputs cannot be hashed (SQLAlchemy).
    model: Option<String>,
    migrations: String,
}

/// The sides `check` may take from the snapshot; `None` = build it.
#[derive(Default)]
pub(crate) struct Sides {
    pub model: Option<Model>,
    pub migrations: Option<Schema>,
}

/// The sides of a current snapshot; with `announce` (`check`), one line on
/// stderr for each side that must be built anyway (autogenerate is quiet:
/// it builds what it must either way). Nothing (and no line) without a
/// snapshot file or on an engine whose scratch databases cost nothing (SQLite).
pub(crate) fn sides(config: &Config, dev: Dev, announce: bool) -> Result<Sides> {
    let file = path(&config.migrations_dir);
    let Some(text) = files::read_text_if_exists(&file)? else {
        return Ok(Sides::default());
    };
    let Some(server_major) = dev.server_major()? else {
        return Ok(Sides::default());
    };
    let shown = files::display_rel(&file);
    let stored = match parse(&text) {
        Ok(s) => s,
        Err(why) => {
            if announce {
                crate::noteln!(
                    "snapshot not used: {shown} {why}; building the model and replaying the migrations in a scratch database (run `migrate snapshot` to rewrite it)"
                );
            }
            return Ok(Sides::default());
        }
    };
    let keys = keys(config, server_major)?;
    let stale = |what: &str, instead: &str| {
        if !announce {
            return;
        }
        crate::noteln!(
            "snapshot stale: {what}; {instead} in a scratch database (run `migrate snapshot` to refresh {shown})"
        );
    };
    const BOTH: &str = "building the model and replaying the migrations";
    if stored.tool != tool() {
        let what = format!("made by migrate {}, this is {}", stored.tool, tool());
        stale(&what, BOTH);
        return Ok(Sides::default());
    }
    if stored.server_major != server_major {
        let what = format!(
            "made on PostgreSQL {}, the scratch server runs {server_major}",
            stored.server_major
        );
        stale(&what, BOTH);
        return Ok(Sides::default());
    }
    let model = match &keys.model {
        None => {
            stale(
                "a SQLAlchemy model's inputs cannot be hashed",
                "building the model",
            );
            None
        }
        Some(k) if *k != stored.model.key => {
            stale("model changed", "building the model");
            None
        }
        Some(_) => Some(Model {
            schema: stored.model.schema,
            hints: stored.model.hints,
        }),
    };
    let migrations = if keys.migrations == stored.migrations.key {
        Some(stored.migrations.schema)
    } else {
        stale(
            "migrations changed (migrate.sum)",
            "replaying the migrations",
        );
        None
    };
    Ok(Sides { model, migrations })
}

/// Writes the snapshot of `model` (as loaded, before the config's filter)
/// and `migrations` (every revision replayed); its path. `None` on an engine
/// without snapshots.
pub(crate) fn write(
    config: &Config,
    dev: Dev,
    model: &Model,
    migrations: &Schema,
) -> Result<Option<PathBuf>> {
    let Some(server_major) = dev.server_major()? else {
        return Ok(None);
    };
    let keys = keys(config, server_major)?;
    // A SQLAlchemy model: nothing `check` could trust (`command` says so).
    let Some(model_key) = keys.model else {
        return Ok(None);
    };
    let mut stored = Stored {
        about: "written by `migrate snapshot` and `migrate revision --autogenerate`: the schemas \
                `check` reads instead of scratch databases while the keys match; do not edit"
            .into(),
        format: FORMAT,
        tool: tool(),
        server_major,
        model: ModelSide {
            key: model_key,
            schema: model.schema.clone(),
            hints: model.hints.clone(),
        },
        migrations: MigrationsSide {
            key: keys.migrations,
            schema: migrations.clone(),
        },
        content: String::new(),
    };
    stored.content = content_hash(&stored);
    let mut text = serde_json::to_string_pretty(&stored)
        .map_err(|e| Error::Usage(format!("snapshot: {e}")))?;
    text.push('\n');
    let file = path(&config.migrations_dir);
    files::write_atomic(&file, text.as_bytes())?;
    Ok(Some(file))
}

/// `migrate snapshot`: refused where it means nothing; then the model is
/// loaded (by the caller, [`crate::autogen::snapshot`]) and [`refresh`]ed.
pub(crate) fn refuse_unsupported(config: &Config) -> Result<()> {
    if config.dev().server_major()?.is_none() {
        return Err(Error::Usage(
            "migrate snapshot: SQLite's scratch databases are in memory and cost nothing, so \
             there is no snapshot to write; it is for PostgreSQL"
                .into(),
        ));
    }
    if matches!(config.model()?, load::ModelSource::Sqlalchemy { .. }) {
        return Err(Error::Usage(
            "migrate snapshot: a SQLAlchemy model's inputs (the Python it imports) cannot be \
             hashed, so `check` could never trust a snapshot of it; check builds it each time"
                .into(),
        ));
    }
    Ok(())
}

/// The snapshot rewritten with `model` (as loaded) and the migrations as
/// they are now, replayed in a scratch database; says where it went.
pub(crate) fn refresh(config: &Config, model: &Model) -> Result<()> {
    let graph = crate::commands::load_graph(config)?;
    crate::sum::ensure_current(&config.migrations_dir)?;
    let dev = config.dev();
    let all = graph.in_order().map(|r| r.id.clone()).collect();
    let migrations = crate::check::replayed_schema(dev, &graph, &all, &config.version_table)?;
    if let Some(file) = write(config, dev, model, &migrations)? {
        crate::outln!(
            "wrote {} (the model and {} revision(s)): `check` reads it while they are unchanged",
            files::display_rel(&file),
            graph.len()
        )?;
    }
    Ok(())
}

/// Whether a snapshot file is there (autogenerate refreshes only one that is).
pub(crate) fn exists(config: &Config) -> bool {
    path(&config.migrations_dir).exists()
}

fn tool() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The stored snapshot, or why it cannot be used.
fn parse(text: &str) -> std::result::Result<Stored, String> {
    let stored: Stored = serde_json::from_str(text).map_err(|e| format!("does not parse ({e})"))?;
    if stored.format != FORMAT {
        return Err(format!(
            "has format {}, this migrate writes {FORMAT}",
            stored.format
        ));
    }
    if content_hash(&stored) != stored.content {
        return Err("does not match its content hash (edited by hand, or damaged)".into());
    }
    Ok(stored)
}

/// The hash of the two sides, keys included. `tool` and `server_major` are
/// labels for the stale message: the keys hash both, so an edit to either
/// label can only make the snapshot stale, never trusted.
fn content_hash(stored: &Stored) -> String {
    let sides = serde_json::to_string(&(&stored.format, &stored.model, &stored.migrations))
        .unwrap_or_default();
    digest(&[&sides])
}

/// The model's key covers its text (a model command's output); the
/// migrations' key covers the sum's total, which covers every revision file.
/// Both cover the config file (any setting may shape how a schema is read:
/// an edit to it makes the snapshot stale), the own tables' names, the
/// server's major version and migrate's.
fn keys(config: &Config, server_major: u32) -> Result<Keys> {
    let settings = match &config.path {
        Some(p) => files::read_text_if_exists(p)?.unwrap_or_default(),
        None => String::new(),
    };
    let common = [
        tool().as_str(),
        &server_major.to_string(),
        &config.version_table,
        &settings,
    ]
    .join("\0");
    let model = load::model_text(config.model()?)?.map(|text| digest(&["model", &common, &text]));
    let total = crate::sum::recorded_total(&config.migrations_dir)?.unwrap_or_default();
    Ok(Keys {
        model,
        migrations: digest(&["migrations", &common, &total]),
    })
}

fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    format!("sha256:{}", hex(&h.finalize()))
}
