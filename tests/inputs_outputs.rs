//! What the tool reads and writes at its edges: a closed stdout, numbers from
//! the environment, input files that are endless or not files, atomic
//! revision files, a missing migrations directory, the tool's own tables.

mod common;

use common::{MUSIC_MODEL, Project};

/// A project at head with two revisions, a row of data and the music model.
fn music() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC_MODEL);
    p.autogenerate("catalogue", "r1");
    p.ok(&["revision", "-m", "by hand", "--rev-id", "r2"]);
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p
}

/// Runs migrate with stdout connected to a pipe whose reader is already gone.
fn run_with_closed_stdout(p: &Project, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
        .current_dir(p.path(""))
        .env_remove("MIGRATE_CONFIG")
        .env_remove("MIGRATE_DATABASE_URL")
        .env_remove("MIGRATE_MODEL")
        .env_remove("MIGRATE_DIR")
        .args(args)
        .stdout(writer)
        .output()
        .expect("run migrate")
}

#[test]
fn a_closed_stdout_is_a_normal_end_for_every_command() {
    let p = music();
    let commands: &[&[&str]] = &[
        &["history"],
        &["history", "--verbose"],
        &["heads"],
        &["branches"],
        &["current"],
        &["show", "r1"],
        &["check"],
        &["check", "--format", "json"],
        &["inspect"],
        &["inspect", "--format", "toml"],
        &["upgrade", "head", "--sql"],
        &["downgrade", "r1", "--sql"],
        &["lint"],
        &["verify"],
        &["upgrade"],
        &["completions", "bash"],
        &["hash"],
    ];
    for args in commands {
        let out = run_with_closed_stdout(&p, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
    // The data is where it was.
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}
