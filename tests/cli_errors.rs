//! Bad input gets one clear message on stderr, exit code 2, no panic, and
//! changes nothing.

mod common;

use common::Project;
use migrate::internal::engine::Engine;
use predicates::prelude::*;

fn assert_clean_failure(out: &std::process::Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(
        stderr.trim().lines().count() <= 3,
        "one short message, got: {stderr}"
    );
}

#[test]
fn inspecting_a_text_file_is_a_clear_error() {
    let p = Project::new();
    p.write("notes.db", "this is not a database, just text\n");
    let out = p
        .migrate()
        .args(["--database", "notes.db", "inspect"])
        .output()
        .unwrap();
    assert_clean_failure(&out, "not an SQLite database");
    assert_eq!(
        std::fs::read_to_string(p.path("notes.db")).unwrap(),
        "this is not a database, just text\n"
    );
}

#[test]
fn inspecting_a_missing_file_is_a_clear_error_and_creates_nothing() {
    let p = Project::new();
    let out = p
        .migrate()
        .args(["--database", "sqlite:missing.db", "inspect"])
        .output()
        .unwrap();
    assert_clean_failure(&out, "missing.db");
    assert!(!p.path("missing.db").exists());
}

#[test]
fn malformed_toml_model_names_file_and_line() {
    let p = Project::new();
    p.write("m.toml", "[[table]]\nname = \"a\"\ncolumns = [ { name = \"x\", type = \"INT\", nulable = false } ]\n");
    let err = migrate::internal::load::load(
        Engine::Sqlite,
        &migrate::internal::load::ModelSource::File(p.path("m.toml")),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("m.toml:3"), "{err}");
    assert!(err.contains("nulable"), "{err}");
}

#[test]
fn malformed_sql_model_names_the_line() {
    let p = Project::new();
    p.write(
        "m.sql",
        "CREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT REFERENCES);\n",
    );
    let err = migrate::internal::load::load(
        Engine::Sqlite,
        &migrate::internal::load::ModelSource::File(p.path("m.sql")),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("m.sql:3"), "{err}");
}

#[test]
fn model_with_dangling_foreign_key_is_refused() {
    let p = Project::new();
    p.write("m.sql", "CREATE TABLE a (x INT REFERENCES nowhere(id));\n");
    let err = migrate::internal::load::load(
        Engine::Sqlite,
        &migrate::internal::load::ModelSource::File(p.path("m.sql")),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("nowhere"), "{err}");
}

#[test]
fn broken_config_is_a_clear_error() {
    let p = Project::new();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:a.db\"\nbogus = 1\n",
    );
    let out = p.migrate().arg("inspect").output().unwrap();
    assert_clean_failure(&out, "migrate.toml");
}

#[test]
fn init_creates_a_project_and_refuses_to_overwrite() {
    let p = Project::new();
    p.migrate()
        .args(["init", "proj"])
        .assert()
        .success()
        .stdout(predicate::str::contains("migrate.toml"));
    assert!(p.path("proj/migrations/versions").is_dir());
    assert!(p.path("proj/migrations/script.sql.tmpl").is_file());
    let before = std::fs::read_to_string(p.path("proj/migrate.toml")).unwrap();
    let out = p.migrate().args(["init", "proj"]).output().unwrap();
    assert_clean_failure(&out, "exists already");
    assert_eq!(
        before,
        std::fs::read_to_string(p.path("proj/migrate.toml")).unwrap()
    );
}

#[test]
fn every_command_help_teaches_with_an_example() {
    let p = Project::new();
    let help = p.migrate().arg("--help").output().unwrap();
    let text = String::from_utf8(help.stdout).unwrap();
    let commands: Vec<String> = text
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 18, "{commands:?}");
    for c in commands {
        let out = p.migrate().args([c.as_str(), "--help"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Example"),
            "`migrate {c} --help` has no example:\n{text}"
        );
    }
}

#[test]
fn completions_are_generated_for_common_shells() {
    let p = Project::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = p.migrate().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("upgrade") && text.contains("autogenerate"),
            "{shell}"
        );
    }
}
