//! Issue 12: hostile SQL text. Nothing the tool reads or writes is silently
//! truncated (NUL), injected (names that end a comment), or misreported
//! (statement numbers and lines), on real files through the real binary.

mod common;

use common::Project;

/// A project at revision r1: `artist` with three rows.
fn with_artists() -> Project {
    let p = Project::with_config();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO artist (name) VALUES ('a'), ('b'), ('c');",
        "DROP TABLE artist;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p
}

#[test]
fn a_nul_in_a_revision_is_refused_with_its_line_and_nothing_runs() {
    let p = with_artists();
    // Line 5 of the file is `-- migrate:up`; the UPDATE is on line 6.
    p.revision(
        "r2",
        &["r1"],
        "UPDATE artist SET name = 'X'\0 WHERE id = 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("r2_step.sql:6") && err.contains("NUL"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM artist WHERE name = 'X'"), 0);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
    assert_eq!(p.applied(), ["r1"]);
}

/// migrate.toml pointing the model at `model`, which is written with `text`.
fn with_model(model: &str, text: &str) -> Project {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        &format!("[database]\nurl = \"sqlite:app.db\"\n\n[model]\npath = \"{model}\"\n"),
    );
    p.write(model, text);
    p
}

#[test]
fn a_nul_in_a_sql_model_is_refused_instead_of_dropping_what_follows() {
    let p = with_model(
        "models.sql",
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\n-- \0\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rev-id", "r1"]);
    assert!(err.contains("models.sql:2") && err.contains("NUL"), "{err}");
    assert!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn a_nul_escape_in_a_toml_model_is_refused() {
    let p = with_model(
        "models.toml",
        "[[table]]\nname = \"a\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true },\n  { name = \"n\", type = \"TEXT\", default = \"'x\\u0000y'\" } ]\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rev-id", "r1"]);
    assert!(err.contains("models.toml") && err.contains("NUL"), "{err}");
}

#[test]
fn a_nul_in_a_model_command_output_is_refused() {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:app.db\"\n\n[model]\ncommand = \"printf 'CREATE TABLE a (id INT);\\\\n\\\\000CREATE TABLE b (id INT);\\\\n'\"\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rev-id", "r1"]);
    assert!(err.contains(":2") && err.contains("NUL"), "{err}");
}

#[test]
fn a_byte_order_mark_and_a_comment_after_the_marker_are_accepted() {
    let p = Project::with_config();
    p.write(
        "migrations/versions/r1_step.sql",
        "\u{feff}-- revision: r1\n-- down_revision:\n-- message: step\n\n-- migrate:up  -- create tables\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n\n-- migrate:down -- and drop them\nDROP TABLE t;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), ["r1"]);
    p.ok(&["downgrade", "base"]);
    assert!(p.applied().is_empty());
}

#[test]
fn a_trigger_without_end_is_refused_at_the_line_it_starts() {
    let p = with_artists();
    let mut up = String::from(
        "CREATE TABLE log (msg TEXT);\nCREATE TRIGGER tr AFTER INSERT ON artist BEGIN\n  INSERT INTO log VALUES ('x');\n",
    );
    for i in 0..200 {
        up.push_str(&format!("UPDATE artist SET name = 'n{i}';\n"));
    }
    p.revision("r2", &["r1"], &up, "SELECT 1;");
    let err = p.fails(&["upgrade"]);
    // Line 7: the file's `-- migrate:up` is line 5, the CREATE TABLE line 6.
    assert!(
        err.contains("r2_step.sql:7") && err.contains("END"),
        "{err}"
    );
    assert_eq!(
        p.count("SELECT count(*) FROM artist WHERE name LIKE 'n%'"),
        0
    );
}

#[test]
fn a_failing_statement_in_the_pre_check_is_named_by_number_and_line() {
    let p = with_artists();
    // A unique index makes the pre-check replay the revision on a scratch
    // copy; the third statement fails there.
    p.revision(
        "r2",
        &["r1"],
        "CREATE UNIQUE INDEX ux ON artist (name);\nCREATE TABLE x (id INT);\nCREATE TABLE x (id INT);",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("statement 3 at line 8"), "{err}");
    assert_eq!(p.applied(), ["r1"]);
}
