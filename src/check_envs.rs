//! `migrate check --all-envs`: `check` for every `[env.NAME]` of the config,
//! one report line each. Each environment's migrations are replayed on its
//! own dialect and compared with the shared model (loaded for that dialect),
//! and its database, when it exists and can be reached, with its recorded
//! revision. Exit 1 when any environment disagrees, 2 when one could not be
//! checked at all.

use std::process::ExitCode;

use crate::autogen;
use crate::check::{self, CheckOutcome};
use crate::config::{Config, Overrides};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::files::display_rel;
use crate::outln;

/// What one environment gave.
enum Verdict {
    Checked(Box<CheckOutcome>),
    /// The environment could not be checked (its config, its migrations,
    /// its scratch server); the reason is on its line.
    Failed,
}

pub(crate) fn run(overrides: &Overrides, json: bool) -> Result<ExitCode> {
    refuse_one_database(overrides, json)?;
    let top = Config::load(overrides)?;
    if top.envs.is_empty() {
        return Err(Error::Config {
            path: top.config_name().into(),
            message:
                "check --all-envs: this config defines no environments; add [env.NAME] tables \
                      (url, migrations), or run `migrate check`"
                    .into(),
        });
    }
    let mut verdicts = Vec::new();
    for name in &top.envs {
        let chosen = Overrides {
            env: Some(name.clone()),
            ..overrides.clone()
        };
        let verdict = Config::load(&chosen).and_then(|config| {
            // Its URL says its dialect: without one there is nothing to replay on.
            config.target()?;
            // A missing directory is a typo here, not a project without revisions yet.
            config.require_migrations_dir()?;
            let outcome = autogen::check_outcome(&config, true)?;
            outln!("{name}: {}", line(&config, &outcome))?;
            Ok(outcome)
        });
        verdicts.push(match verdict {
            Ok(outcome) => Verdict::Checked(Box::new(outcome)),
            Err(Error::OutputClosed) => return Err(Error::OutputClosed),
            Err(e) => {
                outln!("{name}: error: {e}")?;
                Verdict::Failed
            }
        });
    }
    details(&top.envs, &verdicts)?;
    if let Some(note) = top.config_note() {
        crate::noteln!("{note}");
    }
    let failed: Vec<&str> = top
        .envs
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| matches!(v, Verdict::Failed))
        .map(|(n, _)| n.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(Error::Usage(format!(
            "check --all-envs: could not check environment(s) {} (the reason is on its line above)",
            failed.join(", ")
        )));
    }
    let all_ok = verdicts
        .iter()
        .all(|v| matches!(v, Verdict::Checked(o) if o.ok()));
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A database or migrations directory named on the command line would be
/// the same for every environment: refused rather than silently checking
/// one database N times.
fn refuse_one_database(overrides: &Overrides, json: bool) -> Result<()> {
    let conflict = [
        (overrides.env.is_some(), "--env (or MIGRATE_ENV)"),
        (
            overrides.database.is_some(),
            "--database (or MIGRATE_DATABASE_URL)",
        ),
        (overrides.dir.is_some(), "--dir (or MIGRATE_DIR)"),
    ]
    .into_iter()
    .find_map(|(set, what)| set.then_some(what));
    if let Some(what) = conflict {
        return Err(Error::Usage(format!(
            "check --all-envs checks each environment's own database and migrations; {what} names one: \
             drop it, or check one environment with `migrate --env NAME check`"
        )));
    }
    if json {
        return Err(Error::Usage(
            "check --all-envs --format json: not built yet; run `migrate --env NAME check --format json` \
             for each environment"
                .into(),
        ));
    }
    Ok(())
}

/// The one line for an environment that could be checked.
fn line(config: &Config, outcome: &CheckOutcome) -> String {
    let engine = match config.engine() {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    };
    let migrations = format!(
        "{} revision(s) in {} on {engine}",
        outcome.revisions,
        display_rel(&config.migrations_dir)
    );
    let mut findings = Vec::new();
    if outcome.heads.len() > 1 {
        findings.push(format!("{} heads", outcome.heads.len()));
    }
    if outcome.model.differs {
        findings.push("the migrations do not build the model".to_string());
    }
    let database = match (&outcome.drift, config.target_if_set()) {
        (Some(Ok(c)), _) if c.differs => {
            findings.push("the database has drifted from its recorded revision".into());
            String::new()
        }
        (Some(Ok(_)), _) => "; the database matches its recorded revision".into(),
        // Out of reach (a production server from a laptop): said, not a finding.
        (Some(Err(e)), _) => format!("; the database was not compared: {e}"),
        (None, Some(db)) => format!("; no database yet at {}", db.display()),
        (None, None) => "; no database configured".into(),
    };
    if findings.is_empty() {
        format!("ok: the migrations ({migrations}) build the model{database}")
    } else {
        format!("differs: {} ({migrations})", findings.join("; "))
    }
}

/// After the lines: what differs, per environment, as `check` prints it.
fn details(names: &[String], verdicts: &[Verdict]) -> Result<()> {
    for (name, verdict) in names.iter().zip(verdicts) {
        let Verdict::Checked(outcome) = verdict else {
            continue;
        };
        if outcome.ok() {
            continue;
        }
        let drift = outcome.drift.as_ref().and_then(|d| d.as_ref().ok());
        outln!("\n--- environment {name}")?;
        check::print_check(
            &outcome.heads,
            &outcome.unlabelled_heads,
            &outcome.model,
            drift,
        )?;
    }
    Ok(())
}
