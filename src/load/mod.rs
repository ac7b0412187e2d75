//! A model (TOML file, SQL DDL file, or a command printing DDL) to a
//! [`Model`]: the [`Schema`] it means and its [`RenameHints`] beside it.
//!
//! Every model is normalized by its engine itself, the way Atlas's dev
//! database does it: the DDL runs in a scratch database (SQLite: in memory;
//! PostgreSQL: on the dev server, see [`crate::engine::Dev`]) and is read back
//! by the engine's inspector. So a model and a live database that mean the
//! same thing are the same value; the rename hints are read from the model's
//! text.

// Without the feature, a stand-in refuses `[model] sqlalchemy` (the Python helper is not shipped).
#[cfg_attr(not(feature = "sqlalchemy"), path = "sqlalchemy_off.rs")]
pub(crate) mod sqlalchemy;
pub(crate) mod toml_model;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::engine::{Dev, Engine};
use crate::error::{Error, Result};
use crate::schema::{RenameHints, Schema};
use crate::scratch::Scratch;
use crate::sqlite::{parse, sql};
use crate::{files, warnln};

/// Where the model comes from, as configured in `[model]`.
#[derive(Debug, Clone)]
pub enum ModelSource {
    /// A `.toml` or `.sql` file.
    File(PathBuf),
    /// A shell command whose standard output is SQL DDL, run in `dir`.
    Command { command: String, dir: PathBuf },
    /// `[model] sqlalchemy = "module:Base"`: DDL from SQLAlchemy's own
    /// `create_all`, by `python` (else the project's virtualenv or `python3`)
    /// with `dir` (the config's directory) on `sys.path`.
    Sqlalchemy {
        target: String,
        python: Option<String>,
        dir: PathBuf,
    },
    /// SQL DDL given as text (the library's `Model::sql`).
    Sql(String),
}

/// A loaded model: the schema it means, and what it says was renamed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Model {
    pub schema: Schema,
    pub hints: RenameHints,
}

/// The model `source` names, read by `engine` where it needs no server
/// (SQLite); [`load_on`] takes where scratch databases are made.
pub fn load(engine: Engine, source: &ModelSource) -> Result<Model> {
    load_on(source, engine.local()?)
}

/// The model as the engine of `dev` reads it, created in a scratch database there.
pub(crate) fn load_on(source: &ModelSource, dev: Dev) -> Result<Model> {
    match source {
        ModelSource::File(path) => {
            let text = files::read_text(path)?;
            match path.extension().and_then(|e| e.to_str()) {
                Some("toml") => load_toml_on(&text, path, dev),
                Some("sql") => load_sql_on(&text, path, dev),
                _ => Err(model_error(
                    path,
                    None,
                    "unknown model type: the file must end in .toml or .sql",
                )),
            }
        }
        ModelSource::Command { command, dir } => {
            let origin = PathBuf::from(format!("model command `{command}`"));
            let text = run_model_command(command, dir, &origin)?;
            load_sql_on(&text, &origin, dev)
        }
        ModelSource::Sqlalchemy {
            target,
            python,
            dir,
        } => sqlalchemy::load(target, python.as_deref(), dir, dev),
        ModelSource::Sql(text) => load_sql_on(text, Path::new("the model"), dev),
    }
}

/// The text the model is read from, for hashing ([`crate::snapshot`]): a
/// model file's, or a model command's output. `None` for a SQLAlchemy
/// model: the Python it imports is not known from here.
pub(crate) fn model_text(source: &ModelSource) -> Result<Option<String>> {
    match source {
        // The kind, not the path: a checkout elsewhere has the same model.
        ModelSource::File(path) => Ok(Some(format!(
            "{:?}\0{}",
            path.extension(),
            files::read_text(path)?
        ))),
        ModelSource::Command { command, dir } => {
            let origin = PathBuf::from(format!("model command `{command}`"));
            Ok(Some(run_model_command(command, dir, &origin)?))
        }
        ModelSource::Sql(text) => Ok(Some(format!("sql\0{text}"))),
        ModelSource::Sqlalchemy { .. } => Ok(None),
    }
}

/// The standard output of a model command, at most [`files::MAX_INPUT`]
/// bytes: a command that prints without end is stopped, not followed.
fn run_model_command(command: &str, dir: &Path, origin: &Path) -> Result<String> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command).current_dir(dir);
    let out = capture(cmd, origin, |e| Error::io(dir.join(command), e))?;
    if !out.status.success() {
        return Err(model_error(
            origin,
            None,
            &format!("exited with {}: {}", out.status, out.stderr),
        ));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| model_error(origin, None, "printed output that is not UTF-8"))
}

/// What a finished model process left: its status, standard output (at
/// most [`files::MAX_INPUT`] bytes) and the first 16 KiB of its stderr.
pub(crate) struct Captured {
    pub status: std::process::ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `cmd` with no input; `not_started` says why it could not start.
pub(crate) fn capture(
    mut cmd: Command,
    origin: &Path,
    not_started: impl FnOnce(std::io::Error) -> Error,
) -> Result<Captured> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(not_started)?;
    // Its stderr is read alongside (a full pipe would stall the command),
    // keeping the first lines for the message.
    let stderr = child.stderr.take().map(|mut err| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut err).take(16 * 1024).read_to_end(&mut kept);
            let _ = std::io::copy(&mut err, &mut std::io::sink());
            String::from_utf8_lossy(&kept).trim().to_string()
        })
    });
    let stdout = child
        .stdout
        .take()
        .map(|out| files::read_limited(out, origin));
    let stdout = match stdout {
        Some(Ok(bytes)) => bytes,
        Some(Err(e)) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        None => Vec::new(),
    };
    let status = child.wait().map_err(|e| Error::io(origin, e))?;
    let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
    Ok(Captured {
        status,
        stdout,
        stderr,
    })
}

pub(crate) fn model_error(path: &Path, line: Option<usize>, message: &str) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

/// Refuses SQL text with a NUL byte: SQLite would stop reading there and
/// silently drop the rest (and autogenerate would then drop those tables).
fn refuse_nul(text: &str, path: &Path) -> Result<()> {
    match files::nul_line(text) {
        Some(line) => Err(model_error(
            path,
            Some(line),
            "a NUL byte (SQLite would stop reading the SQL there); remove it",
        )),
        None => Ok(()),
    }
}

/// A TOML model read by `engine` (see [`load`]); `path` is only used in error messages.
pub fn load_toml(engine: Engine, text: &str, path: &Path) -> Result<Model> {
    load_toml_on(text, path, engine.local()?)
}

/// A TOML model, created by the engine of `dev` (what both dialects share).
pub(crate) fn load_toml_on(text: &str, path: &Path, dev: Dev) -> Result<Model> {
    let model: toml_model::ModelFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| 1 + text[..s.start].matches('\n').count());
        model_error(path, line, e.message())
    })?;
    let Model {
        schema: declared,
        hints,
    } = toml_model::to_model(model).map_err(|m| model_error(path, None, &m))?;
    let mut scratch = dev.model_scratch()?;
    for statement in dev.engine().dialect().create_schema(&declared) {
        // A `\u0000` escape in a TOML string reaches the SQL only here.
        if statement.contains('\0') {
            return Err(model_error(
                path,
                None,
                &format!(
                    "a NUL byte (\\u0000) in a name, expression or SQL of the model; remove it\n  in: {}",
                    first_line(&statement).replace('\0', "\\0")
                ),
            ));
        }
        scratch.execute(&statement).map_err(|e| {
            model_error(
                path,
                None,
                &format!("{e}\n  while creating: {}", first_line(&statement)),
            )
        })?;
    }
    let schema = read_back(scratch.as_ref(), path)?;
    validate(&schema, path)?;
    Ok(Model { schema, hints })
}

/// A SQL DDL model read by `engine` (see [`load`]); statements run in
/// order, each error names its line.
pub fn load_sql(engine: Engine, text: &str, path: &Path) -> Result<Model> {
    load_sql_on(text, path, engine.local()?)
}

/// A SQL DDL model in the engine of `dev`.
pub(crate) fn load_sql_on(text: &str, path: &Path, dev: Dev) -> Result<Model> {
    refuse_nul(text, path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Without the feature no PostgreSQL `Dev` is ever made (see [`Engine::of`]).
    #[cfg(feature = "postgres")]
    if dev.engine() == Engine::Postgres {
        return postgres_sql(text, path, dev);
    }
    let split = sql::split(text);
    if let Some(line) = split.unterminated_trigger {
        return Err(model_error(
            path,
            Some(line),
            "this CREATE TRIGGER has no `END;`, so everything after it would be read as its body; end it with `END;`",
        ));
    }
    let mut scratch = dev.model_scratch()?;
    for stmt in split.statements {
        scratch
            .execute(&stmt.sql)
            .map_err(|e| model_error(path, Some(stmt.line), &e.to_string()))?;
    }
    let schema = read_back(scratch.as_ref(), path)?;
    let hints = sql_hints(scratch.as_ref(), &schema)?;
    validate(&schema, path)?;
    Ok(Model { schema, hints })
}

/// A PostgreSQL SQL model: split by the server's rules (an unclosed
/// construct named at its line), run in a scratch database on the dev
/// server in any order (a statement naming what a later one creates runs
/// after it, see `crate::postgres::model_order`), read back; the hints from
/// the text, as the catalog drops comments.
#[cfg(feature = "postgres")]
fn postgres_sql(text: &str, path: &Path, dev: Dev) -> Result<Model> {
    let statements = crate::postgres::sql::check(text).map_err(|open| {
        model_error(
            path,
            Some(open.line),
            &format!(
                "{} is never closed, so everything after it would be part of it; add the closing {}",
                open.what, open.closer
            ),
        )
    })?;
    let mut scratch = dev.model_scratch()?;
    let texts: Vec<&str> = statements.iter().map(|s| s.sql.as_str()).collect();
    scratch
        .run_model(&texts)
        .map_err(|(i, e)| model_error(path, Some(statements[i].line), &e.to_string()))?;
    let schema = read_back(scratch.as_ref(), path)?;
    drop(scratch);
    let (mut hints, unreadable) = crate::postgres::rename_hints::read(text);
    for bad in unreadable {
        warnln!(
            "warning: {}: {bad:?} is not a rename hint migrate can read (write              `-- @renamed from=old_name`, quoting a name that is not a plain word); ignored",
            path.display()
        );
    }
    hints.retain_tables(|t| schema.table(t).is_some());
    validate(&schema, path)?;
    Ok(Model { schema, hints })
}

fn read_back(scratch: &dyn Scratch, path: &Path) -> Result<Schema> {
    scratch
        .inspect("")
        .map_err(|e| model_error(path, None, &e.to_string()))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// `-- @renamed from=old` comments survive in `sqlite_schema.sql`.
fn sql_hints(scratch: &dyn Scratch, schema: &Schema) -> Result<RenameHints> {
    // One scan of the schema table, and a parse only where a hint is written.
    let hinted = scratch.table_texts_containing("@renamed")?;
    let mut hints = RenameHints::default();
    for table in &schema.tables {
        let Some(text) = hinted.get(&table.name.to_ascii_lowercase()) else {
            continue;
        };
        for bad in unreadable_hints(text) {
            warnln!(
                "warning: table {:?}: {bad:?} is not a rename hint migrate can read (write \
                 `-- @renamed from=old_name`, quoting a name that is not a plain word); ignored",
                table.name
            );
        }
        let Ok(parsed) = parse::parse_create_table(text) else {
            continue;
        };
        if let Some(old) = parsed.renamed_from {
            hints.tables.push((table.name.clone(), old));
        }
        for col in &table.columns {
            let old = parsed
                .columns
                .iter()
                .find(|p| table.same_name(&p.name, &col.name))
                .and_then(|p| p.renamed_from.clone());
            if let Some(old) = old {
                hints
                    .columns
                    .push((table.name.clone(), col.name.clone(), old));
            }
        }
    }
    Ok(hints)
}

/// `@renamed` comments that give no name (`from=1abc`, `from=`, no `from`):
/// ignored by the parser, so said here rather than silently dropped.
fn unreadable_hints(create_sql: &str) -> Vec<String> {
    sql::tokenize(create_sql)
        .into_iter()
        .filter(|t| matches!(t.kind, sql::Kind::LineComment | sql::Kind::BlockComment))
        .filter(|t| t.text.contains("@renamed") && parse::rename_hint(t.text).is_none())
        .map(|t| t.text.trim().to_string())
        .collect()
}

/// What SQLite accepts but no model means: a foreign key to nothing, a
/// full-text index over content that is not there.
fn validate(schema: &Schema, path: &Path) -> Result<()> {
    check_content(schema).map_err(|m| model_error(path, None, &m))?;
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            let Some(parent) = schema.table(&fk.ref_table) else {
                return Err(model_error(
                    path,
                    None,
                    &format!(
                        "table {:?}: foreign key ({}) references table {:?}, which the model does not define",
                        t.name,
                        fk.columns.join(", "),
                        fk.ref_table
                    ),
                ));
            };
            if let Some(missing) = fk.ref_columns.iter().find(|c| parent.column(c).is_none()) {
                return Err(model_error(
                    path,
                    None,
                    &format!(
                        "table {:?}: foreign key ({}) references {:?}.{:?}, which has no such column",
                        t.name,
                        fk.columns.join(", "),
                        fk.ref_table,
                        missing
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// An external-content FTS table must name a table or view of the schema:
/// SQLite accepts any name, and the index then fails when it is first read.
fn check_content(schema: &Schema) -> std::result::Result<(), String> {
    for v in &schema.sqlite.virtual_tables {
        let Some(content) = v.external_content() else {
            continue;
        };
        let known = schema.table(&content).is_some()
            || schema
                .views
                .iter()
                .any(|w| schema.name_rule.same(&w.name, &content))
            || schema.sqlite.get(&content).is_some();
        if !known {
            return Err(format!(
                "virtual table {:?}: content = {content:?} names no table or view of the model",
                v.name
            ));
        }
    }
    Ok(())
}
