//! Snapshots of every `--help` text, so a wording change is reviewed in the
//! diff of tests/snapshots/ rather than slipped in. The commands are found by
//! walking clap's command tree, so a new subcommand fails here until its
//! snapshot is written and reviewed (see the README's "Snapshot tests").

mod common;

use clap::CommandFactory;
use common::{Project, snapshot};

/// Every command path (`[]`, `["upgrade"]`, ...) and the environment
/// variables any argument reads (which clap would show in the help with
/// their values, so they are cleared).
fn walk(
    cmd: &clap::Command,
    path: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
    env: &mut Vec<String>,
) {
    out.push(path.clone());
    env.extend(
        cmd.get_arguments()
            .filter_map(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned()),
    );
    for sub in cmd.get_subcommands() {
        path.push(sub.get_name().to_string());
        walk(sub, path, out, env);
        path.pop();
    }
}

/// `migrate ARGS`, run as a user would, with everything that could make the
/// text differ between machines pinned: no terminal anywhere (clap's width
/// and colour follow it), a fixed COLUMNS (clap's `wrap_help` reads it), no
/// colour forced, and none of the variables clap would print.
fn help(p: &Project, args: &[String], env: &[String]) -> String {
    let mut cmd = p.plain_command();
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for var in env {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("run migrate");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 help");
    assert_eq!(
        out.status.code(),
        Some(0),
        "migrate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains('\x1b'), "colour in migrate {args:?}");
    stdout
}

#[test]
fn every_help_text_matches_its_reviewed_snapshot() {
    let (mut paths, mut env) = (Vec::new(), Vec::new());
    walk(
        &migrate::internal::cli::Cli::command(),
        &mut vec![],
        &mut paths,
        &mut env,
    );
    assert!(paths.len() > 10, "the command tree has the subcommands");
    let p = Project::new();
    let mut runs: Vec<Vec<String>> = paths
        .iter()
        .map(|path| [path.clone(), vec!["--help".to_string()]].concat())
        .collect();
    // The short help of the top level too: what `migrate -h` shows first.
    runs.push(vec!["-h".to_string()]);

    let mut names = Vec::new();
    let mut failures = Vec::new();
    for args in &runs {
        let text = help(&p, args, &env);
        let command = format!("migrate {}", args.join(" "));
        let name = snapshot::slug(&command);
        if !snapshot::matches("help_text", &name, &command, Some(p.dir.path()), &text) {
            failures.push(command);
        }
        names.push(name);
    }
    let orphans = snapshot::orphans("help_text", &names);
    assert!(
        failures.is_empty() && orphans.is_empty(),
        "help text differs from its snapshot: {failures:?}\n\
         snapshots of no command (delete them): {orphans:?}\n({})",
        snapshot::how_to_accept("help_text")
    );
}

/// clap prints an argument's environment value in the help; a database URL
/// may carry a password, which must never be printed.
#[test]
fn help_never_shows_the_database_url_from_the_environment() {
    let p = Project::new();
    for args in [&["--help"][..], &["upgrade", "--help"], &["-h"]] {
        let out = p
            .plain_command()
            .args(args)
            .env("MIGRATE_DATABASE_URL", "sqlite://app:s3cret@host/prod.db")
            .output()
            .expect("run migrate");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("MIGRATE_DATABASE_URL"), "{args:?}: {text}");
        assert!(
            !text.contains("s3cret"),
            "{args:?} shows the password:\n{text}"
        );
    }
}
