//! `[model] sqlalchemy = "package.module:Base"`: the user's SQLAlchemy models
//! as the model, with no exporter script to copy. A helper shipped in the
//! binary (`sqlalchemy_helper.py`) imports the module under the project's own
//! Python and prints the DDL SQLAlchemy's `create_all` would run, plus the
//! `info={"renamed_from": ...}` hints, as JSON; the DDL then takes the road a
//! `[model] command`'s output takes (size limit, NUL check, in-memory SQLite,
//! inspect), and the hints become the same as `renamed_from` in TOML.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use super::{Model, capture, load_sql_on, model_error};
use crate::engine::{Dev, Engine};
use crate::error::Result;

const HELPER: &str = include_str!("sqlalchemy_helper.py");

/// The SQLAlchemy dialect the DDL is written for: the engine's.
fn dialect_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgresql",
    }
}

/// The helper's exit code when the user's module (or `create_all`) raised.
const USER_CODE_FAILED: i32 = 3;
/// The helper's exit code for a mistake it explains in one line.
const HELPER_REFUSED: i32 = 4;

/// The Python that runs the helper, and which setting chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Interpreter {
    pub program: PathBuf,
    pub origin: String,
}

/// `python = "..."` (a path relative to the config, or a bare name looked up
/// on PATH), else `$VIRTUAL_ENV`, else `.venv` beside the config, else
/// `python3` on PATH: the interpreter the application itself runs under.
pub(crate) fn interpreter(
    configured: Option<&str>,
    virtual_env: Option<&OsStr>,
    dir: &Path,
) -> Interpreter {
    let venv_python = |venv: &Path| {
        if cfg!(windows) {
            venv.join("Scripts").join("python.exe")
        } else {
            venv.join("bin").join("python")
        }
    };
    if let Some(p) = configured {
        let program = if p.contains('/') || p.contains(std::path::MAIN_SEPARATOR) {
            dir.join(p)
        } else {
            PathBuf::from(p)
        };
        return Interpreter {
            program,
            origin: "[model] python".into(),
        };
    }
    if let Some(venv) = virtual_env.filter(|v| !v.is_empty()) {
        return Interpreter {
            program: venv_python(Path::new(venv)),
            origin: "$VIRTUAL_ENV".into(),
        };
    }
    let local = venv_python(&dir.join(".venv"));
    if local.exists() {
        return Interpreter {
            program: local,
            origin: ".venv beside the config".into(),
        };
    }
    Interpreter {
        program: PathBuf::from("python3"),
        origin: "python3 on PATH".into(),
    }
}

/// Checks the shape `package.module:attribute` before anything runs.
pub(crate) fn check_target(target: &str) -> std::result::Result<(), String> {
    let dotted = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                part.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
    };
    match target.split_once(':') {
        Some((module, attribute)) if dotted(module) && dotted(attribute) => Ok(()),
        _ => Err(format!(
            "[model] sqlalchemy = {target:?}: write the module and the object as \
             \"package.module:Base\" (a declarative base or a MetaData)"
        )),
    }
}

#[derive(Deserialize)]
struct HelperOutput {
    statements: Vec<String>,
    renames: Vec<RenameHint>,
}

#[derive(Deserialize)]
struct RenameHint {
    table: String,
    column: Option<String>,
    from: String,
}

/// The models named by `target` as a [`Schema`], rename hints included, as
/// SQLAlchemy writes the DDL for the engine of `dev`.
pub(crate) fn load(target: &str, python: Option<&str>, dir: &Path, dev: Dev) -> Result<Model> {
    let origin = PathBuf::from(format!("model sqlalchemy `{target}`"));
    let interp = interpreter(python, std::env::var_os("VIRTUAL_ENV").as_deref(), dir);
    let out = run_helper(target, dir, &interp, &origin, dialect_name(dev.engine()))?;
    let parsed: HelperOutput = serde_json::from_slice(&out).map_err(|e| {
        model_error(
            &origin,
            None,
            &format!(
                "the helper's output could not be read ({e}); python: {} (from {})",
                interp.program.display(),
                interp.origin
            ),
        )
    })?;
    let mut text = String::new();
    for statement in &parsed.statements {
        text.push_str(statement);
        text.push_str(";\n\n");
    }
    let mut model = load_sql_on(&text, &origin, dev)?;
    attach_hints(&mut model, &parsed.renames).map_err(|m| model_error(&origin, None, &m))?;
    Ok(model)
}

/// Runs the helper; a failure says which interpreter ran it, with the
/// user's traceback when their code raised.
fn run_helper(
    target: &str,
    dir: &Path,
    interp: &Interpreter,
    origin: &Path,
    dialect: &str,
) -> Result<Vec<u8>> {
    let python = format!("{} (from {})", interp.program.display(), interp.origin);
    let mut cmd = Command::new(&interp.program);
    cmd.arg("-c")
        .arg(HELPER)
        .args([target, &dir.to_string_lossy(), dialect])
        .current_dir(dir);
    let out = capture(cmd, origin, |e| {
        model_error(
            origin,
            None,
            &format!(
                "could not run the Python interpreter {python}: {e}; set [model] python to the \
                 interpreter that has SQLAlchemy (for example \".venv/bin/python\")"
            ),
        )
    })?;
    if out.status.success() {
        // SQLAlchemy's warnings (and what the models print) are the user's to see.
        if !out.stderr.is_empty() {
            crate::warnln!("{}: the models said:\n{}", origin.display(), out.stderr);
        }
        return Ok(out.stdout);
    }
    let message = match out.status.code() {
        Some(USER_CODE_FAILED) => format!(
            "your models raised an error (python: {python}); fix it and run again:\n{}",
            out.stderr
        ),
        Some(HELPER_REFUSED) => format!("{} (python: {python})", out.stderr),
        _ => format!("python {python} exited with {}: {}", out.status, out.stderr),
    };
    Err(model_error(origin, None, &message))
}

/// `info={"renamed_from": ...}` hints beside the inspected schema, as TOML's
/// `renamed_from` would be; each must name what the DDL created.
fn attach_hints(model: &mut Model, hints: &[RenameHint]) -> std::result::Result<(), String> {
    let rule = model.schema.name_rule;
    for hint in hints {
        let table = model
            .schema
            .tables
            .iter()
            .find(|t| rule.same(&t.name, &hint.table))
            .ok_or_else(|| {
                format!(
                    "renamed_from on table {:?}, which the DDL did not create",
                    hint.table
                )
            })?;
        match &hint.column {
            None => model.hints.set_table(rule, &table.name, &hint.from),
            Some(column) => {
                let col = table
                    .columns
                    .iter()
                    .find(|c| rule.same(&c.name, column))
                    .ok_or_else(|| {
                        format!(
                            "renamed_from on column {:?}.{column:?}, which the DDL did not create",
                            hint.table
                        )
                    })?;
                model
                    .hints
                    .set_column(rule, &table.name, &col.name, &hint.from);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreter_order_is_setting_then_virtualenv_then_dot_venv_then_python3() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let set = interpreter(Some(".venv/bin/python"), Some(OsStr::new("/v")), d);
        assert_eq!(set.program, d.join(".venv/bin/python"));
        assert_eq!(
            interpreter(Some("python3.12"), None, d).program,
            PathBuf::from("python3.12")
        );
        let venv = interpreter(None, Some(OsStr::new("/v")), d);
        assert_eq!(
            (venv.program, venv.origin.as_str()),
            (PathBuf::from("/v/bin/python"), "$VIRTUAL_ENV")
        );
        assert_eq!(
            interpreter(None, Some(OsStr::new("")), d).program,
            PathBuf::from("python3")
        );
        std::fs::create_dir_all(d.join(".venv/bin")).unwrap();
        std::fs::write(d.join(".venv/bin/python"), "").unwrap();
        assert_eq!(
            interpreter(None, None, d).program,
            d.join(".venv/bin/python")
        );
    }

    #[test]
    fn targets_are_module_colon_object() {
        assert!(check_target("app.models:Base").is_ok());
        assert!(check_target("models:Base.metadata").is_ok());
        for bad in [
            "app.models",
            ":Base",
            "app.models:",
            "app..m:Base",
            "app/models.py:Base",
            "m:1x",
        ] {
            assert!(check_target(bad).is_err(), "{bad}");
        }
    }
}
