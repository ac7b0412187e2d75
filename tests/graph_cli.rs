//! The revision graph as the commands see it: two heads in `check`, a
//! per-branch downgrade, autogenerate on a branch and on a drifted database,
//! and the hints that name nothing.

mod common;

use common::Project;

const ARTIST: &str = "[[table]]\nname = \"artist\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true } ]\n";

/// r1 creates artist; a1 and b1 each add a table on their own branch (two heads).
fn two_heads() -> Project {
    let p = Project::with_config();
    p.write("models.toml", ARTIST);
    p.revision(
        "r1",
        &[],
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);",
        "DROP TABLE artist;",
    );
    p.revision("a1", &["r1"], "CREATE TABLE a (x INT);", "DROP TABLE a;");
    p.revision("b1", &["r1"], "CREATE TABLE b (y INT);", "DROP TABLE b;");
    p.ok(&["hash"]);
    p
}

#[test]
fn check_fails_on_two_unmerged_heads_as_upgrade_does() {
    let p = two_heads();
    // The model is what both branches build, so only the heads are at fault.
    p.write(
        "models.toml",
        &format!("{ARTIST}[[table]]\nname = \"a\"\ncolumns = [ {{ name = \"x\", type = \"INT\" }} ]\n[[table]]\nname = \"b\"\ncolumns = [ {{ name = \"y\", type = \"INT\" }} ]\n"),
    );
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("2 heads") && out.contains("migrate merge"),
        "{out}"
    );
    assert!(out.contains("a1") && out.contains("b1"), "{out}");
    let (code, out, _) = p.run(&["check", "--format", "json"]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["heads"], serde_json::json!(["a1", "b1"]));
    // upgrade head refuses the same graph; merged, both pass.
    p.fails(&["upgrade", "head"]);
    p.ok(&["merge", "-m", "join", "a1", "b1", "--rev-id", "m1"]);
    p.ok(&["check"]);
    p.ok(&["upgrade", "head"]);
}

#[test]
fn downgrade_hint_with_two_heads_reverts_only_that_branch() {
    let p = two_heads();
    p.ok(&["upgrade", "heads"]);
    p.sql(
        "app.db",
        "INSERT INTO a VALUES (1); INSERT INTO b VALUES (2);",
    );
    let err = p.fails(&["downgrade", "-1"]);
    // The hint names a target; doing what it says reverts one branch.
    let hint = err
        .split("e.g. ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("a suggested target")
        .to_string();
    assert!(hint == "a1-1" || hint == "b1-1", "{err}");
    let reverted = &hint[..2];
    p.ok(&["downgrade", &hint]);
    let mut expected = vec!["r1", if reverted == "a1" { "b1" } else { "a1" }];
    expected.sort();
    assert_eq!(p.applied(), expected);
    // The other branch's table and rows are still there.
    let kept = if reverted == "a1" { "b" } else { "a" };
    assert_eq!(p.count(&format!("SELECT count(*) FROM {kept}")), 1);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 0);
    // `stamp` reads REV-N the same way: the other branch stays recorded.
    p.ok(&["upgrade", "heads"]);
    p.ok(&["stamp", &hint]);
    assert_eq!(p.applied(), expected);
}

#[test]
fn autogenerate_on_a_branch_when_the_database_is_at_that_branch() {
    let p = two_heads();
    p.ok(&["upgrade", "a1"]);
    p.sql("app.db", "INSERT INTO artist VALUES (7);");
    p.write(
        "models.toml",
        &format!("{ARTIST}[[table]]\nname = \"a\"\ncolumns = [ {{ name = \"x\", type = \"INT\" }}, {{ name = \"z\", type = \"INT\" }} ]\n"),
    );
    let out = p.ok(&[
        "revision",
        "--autogenerate",
        "-m",
        "z",
        "--head",
        "a1",
        "--rev-id",
        "a2",
    ]);
    assert!(out.contains("created"), "{out}");
    p.ok(&["upgrade", "a2"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    // Not at the named parent: still refused.
    let err = p.fails(&["revision", "--autogenerate", "-m", "z", "--head", "b1"]);
    assert!(
        err.contains("not up to date") && err.contains("another branch") && err.contains("--head"),
        "{err}"
    );
}

#[test]
fn autogenerate_refuses_a_drifted_database_and_writes_nothing() {
    let p = Project::with_config();
    p.write("models.toml", ARTIST);
    p.autogenerate("artist", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1); CREATE TABLE hotfix (id INT);",
    );
    p.write(
        "models.toml",
        &format!("{ARTIST}[[table]]\nname = \"album\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n"),
    );
    let sum = p.bytes("migrations/migrate.sum");
    let err = p.fails(&["revision", "--autogenerate", "-m", "album"]);
    assert!(err.contains("drifted") && err.contains("r1"), "{err}");
    assert!(err.contains("hotfix") && err.contains("stamp"), "{err}");
    assert_eq!(sum, p.bytes("migrations/migrate.sum"));
    assert_eq!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .count(),
        1
    );
    // Once the drift is gone, the revision it writes replays from base.
    p.sql("app.db", "DROP TABLE hotfix;");
    p.autogenerate("album", "r2");
    p.ok(&["verify"]);
    p.ok(&["upgrade"]);
    p.ok(&["check"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn rename_hints_that_name_nothing_are_said() {
    let p = Project::with_config();
    p.write("models.toml", ARTIST);
    p.autogenerate("artist", "r1");
    p.ok(&["upgrade"]);
    p.write(
        "models.toml",
        &format!("{ARTIST}[[table]]\nname = \"album\"\nrenamed_from = \"record\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n"),
    );
    let (code, _, err) = p.run(&[
        "revision",
        "--autogenerate",
        "-m",
        "album",
        "--rev-id",
        "r2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning") && err.contains("\"record\""),
        "{err}"
    );
    p.ok(&["upgrade"]);
    // A SQL model whose hint cannot be a name.
    p.write(
        "model.sql",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE album (id INTEGER PRIMARY KEY);\nCREATE TABLE song ( -- @renamed from=1abc\n id INT);\n",
    );
    let (code, _, err) = p.run(&[
        "--model",
        "model.sql",
        "revision",
        "--autogenerate",
        "-m",
        "song",
        "--rev-id",
        "r3",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning") && err.contains("@renamed from=1abc"),
        "{err}"
    );
    // Both names there: the hint cannot rename, and the old table is dropped.
    p.ok(&["--model", "model.sql", "upgrade"]);
    p.write(
        "models.toml",
        &format!("{ARTIST}[[table]]\nname = \"song\"\nrenamed_from = \"album\"\ncolumns = [ {{ name = \"id\", type = \"INT\" }} ]\n"),
    );
    let (code, _, err) = p.run(&["revision", "--autogenerate", "-m", "drop", "--rev-id", "r4"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("renamed_from \"album\"") && err.contains("both names are there"),
        "{err}"
    );
}

#[test]
fn a_database_built_before_migrate_is_adopted_as_the_refusal_says() {
    let p = Project::with_config();
    p.write("models.toml", ARTIST);
    p.sql(
        "app.db",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY); INSERT INTO artist VALUES (1);",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "baseline"]);
    assert!(
        err.contains("records no revision") && err.contains("stamp head"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .count(),
        0
    );
    p.ok(&[
        "--database",
        "sqlite:none.db",
        "revision",
        "--autogenerate",
        "-m",
        "baseline",
        "--rev-id",
        "b0",
    ]);
    assert!(!p.path("none.db").exists());
    p.ok(&["stamp", "head"]);
    p.ok(&["check"]);
    p.ok(&["verify"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}
