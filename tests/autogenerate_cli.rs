//! `revision --autogenerate` and `check` through the real binary: renames,
//! comments on risky statements, rebuilds under child rows, drift, exit codes.

mod common;

use common::Project;

use common::MUSIC_MODEL as MUSIC;

fn music() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'Nina'), (2, 'Miles'), (3, 'Ella');
         INSERT INTO track (title, artist_id) VALUES ('a', 1), ('b', 1), ('c', 2), ('d', 2), ('e', 3);",
    );
    p
}

fn newest_revision(p: &Project) -> String {
    let mut files: Vec<_> = std::fs::read_dir(p.path("migrations/versions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort_by_key(|f| std::fs::metadata(f).unwrap().modified().unwrap());
    std::fs::read_to_string(files.last().unwrap()).unwrap()
}

#[test]
fn initial_revision_is_written_exactly() {
    let p = Project::with_config();
    p.write("models.toml", MUSIC);
    p.autogenerate("initial", "r1");
    let text = std::fs::read_to_string(p.path("migrations/versions/r1_initial.sql")).unwrap();
    let body = text.split_once("-- migrate:up\n").unwrap().1;
    assert_eq!(
        body,
        "CREATE TABLE artist (
    id INTEGER PRIMARY KEY,
    name VARCHAR(30) NOT NULL
);
CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    title VARCHAR NOT NULL,
    artist_id INTEGER NOT NULL,
    FOREIGN KEY (artist_id) REFERENCES artist (id) ON DELETE CASCADE
);
CREATE INDEX ix_track_title ON track (title);

-- migrate:down
-- destructive: drops table track and every row in it
DROP TABLE track;
-- destructive: drops table artist and every row in it
DROP TABLE artist;
"
    );
}

#[test]
fn no_changes_writes_no_file() {
    let p = music();
    let out = p.ok(&["revision", "--autogenerate", "-m", "nothing"]);
    assert!(out.contains("No changes detected"), "{out}");
    assert_eq!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .count(),
        1
    );
    assert!(p.ok(&["check"]).contains("ok:"));
}

#[test]
fn rebuilding_a_parent_keeps_cascading_children() {
    let p = music();
    // A type change on artist.name needs a rebuild of the parent table.
    p.write("models.toml", &MUSIC.replace("VARCHAR(30)", "VARCHAR(60)"));
    p.ok(&["revision", "--autogenerate", "-m", "widen name"]);
    let text = newest_revision(&p);
    assert!(text.contains("rebuild artist"), "{text}");
    assert!(
        text.contains("INSERT INTO _migrate_new_artist (id, name) SELECT id, name FROM artist"),
        "{text}"
    );
    // The application's connections have foreign keys on; so does this one.
    p.conn("app.db")
        .execute_batch("PRAGMA foreign_keys = ON")
        .unwrap();
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM track"),
        5,
        "ON DELETE CASCADE fired during the rebuild"
    );
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
    assert_eq!(p.count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name = 'ix_track_title'"),
        1
    );
    p.ok(&["check"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 5);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
}

#[test]
fn declared_rename_keeps_data_and_undeclared_one_warns() {
    let p = music();
    // Without a hint and without a terminal: drop + add, loudly.
    let renamed = MUSIC
        .replace("{ name = \"title\",", "{ name = \"name\",")
        .replace("columns = [\"title\"]", "columns = [\"name\"]");
    p.write("models.toml", &renamed);
    let (code, out, err) = p.run(&[
        "revision",
        "--autogenerate",
        "-m",
        "rename title",
        "--rev-id",
        "r2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Did you rename track.title to track.name?")
            && err.contains("--rename track.title=track.name"),
        "{err}"
    );
    let text = newest_revision(&p);
    assert!(
        text.contains("-- WARNING: Did you rename track.title to track.name?"),
        "{text}"
    );
    assert!(out.contains("review:"), "{out}");
    std::fs::remove_file(p.path("migrations/versions/r2_rename_title.sql")).unwrap();
    p.ok(&["hash"]);

    // With --rename: a real rename.
    p.ok(&[
        "revision",
        "--autogenerate",
        "-m",
        "rename title",
        "--rename",
        "track.title=track.name",
    ]);
    let text = newest_revision(&p);
    assert!(
        text.contains("ALTER TABLE track RENAME COLUMN title TO name"),
        "{text}"
    );
    assert!(!text.contains("WARNING"), "{text}");
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM track WHERE name IN ('a','b','c','d','e')"),
        5
    );
    p.ok(&["check"]);
}

#[test]
fn rename_hint_in_the_model_renames_a_table() {
    let p = music();
    let model = MUSIC.replace(
        "name = \"track\"",
        "name = \"song\"\nrenamed_from = \"track\"",
    );
    p.write("models.toml", &model);
    p.ok(&["revision", "--autogenerate", "-m", "track is song"]);
    let text = newest_revision(&p);
    assert!(text.contains("ALTER TABLE track RENAME TO song"), "{text}");
    assert!(
        text.contains("ALTER TABLE song RENAME TO track"),
        "down renames back: {text}"
    );
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM song"), 5);
    // Once applied, the hint is a no-op and may stay.
    p.ok(&["check"]);
    assert!(
        p.ok(&["revision", "--autogenerate", "-m", "again"])
            .contains("No changes detected")
    );
}

#[test]
fn risky_statements_carry_comments() {
    let p = music();
    let model = MUSIC
        .replace(
            "{ name = \"title\",     type = \"VARCHAR\", nullable = false },",
            "{ name = \"title\",     type = \"VARCHAR\", nullable = false, unique = true },\n  { name = \"plays\", type = \"INTEGER\", nullable = false },",
        )
        .replace("  { name = \"name\", type = \"VARCHAR(30)\", nullable = false },\n", "");
    p.write("models.toml", &model);
    p.ok(&["revision", "--autogenerate", "-m", "risky"]);
    let text = newest_revision(&p);
    assert!(
        text.contains("destructive: drops column artist.name and its data"),
        "{text}"
    );
    assert!(text.contains("new UNIQUE (title)"), "{text}");
    assert!(
        text.contains("new column plays is NOT NULL without a default"),
        "{text}"
    );
    // Applying it fails on the existing rows (plays has no value), and changes nothing.
    let before = p.schema_text("app.db");
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("NOT NULL constraint failed"), "{err}");
    assert_eq!(before, p.schema_text("app.db"));
}

#[test]
fn check_reports_model_drift_and_database_drift() {
    let p = music();
    p.ok(&["check"]);
    // The model moved on without a revision: exit 1, a diff and the operations.
    p.write("models.toml", &format!("{MUSIC}\n[[table]]\nname = \"album\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n"));
    let (code, out, _) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("--- migrations") && out.contains("+++ model"),
        "{out}"
    );
    assert!(out.contains("+CREATE TABLE album ("), "{out}");
    assert!(
        out.contains("  CREATE TABLE album"),
        "operations listed: {out}"
    );
    let (code, out, _) = p.run(&["check", "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["model_vs_migrations"]["differs"], true);
    assert_eq!(json["drift"]["differs"], false);

    // Back in line, but someone changed the database by hand: drift.
    p.write("models.toml", MUSIC);
    p.sql("app.db", "CREATE INDEX ix_hand_made ON artist (name);");
    let (code, out, _) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("drifted") && out.contains("ix_hand_made"),
        "{out}"
    );
    assert!(out.contains("DROP INDEX ix_hand_made"), "{out}");
}

#[test]
fn autogenerate_refuses_a_database_behind_head() {
    let p = music();
    p.write("models.toml", &MUSIC.replace("VARCHAR(30)", "VARCHAR(40)"));
    p.ok(&["revision", "--autogenerate", "-m", "widen"]);
    p.write("models.toml", &MUSIC.replace("VARCHAR(30)", "VARCHAR(50)"));
    let err = p.fails(&["revision", "--autogenerate", "-m", "widen more"]);
    assert!(
        err.contains("not up to date") && err.contains("migrate upgrade"),
        "{err}"
    );
}

#[test]
fn bad_renames_are_clear_errors() {
    let p = music();
    let err = p.fails(&[
        "revision",
        "--autogenerate",
        "-m",
        "x",
        "--rename",
        "nosuch=other",
    ]);
    assert!(err.contains("no table \"nosuch\""), "{err}");
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rename", "track"]);
    assert!(err.contains("OLD=NEW"), "{err}");
}

/// Runs migrate on a pseudo-terminal (util-linux `script`), answering `answer`.
fn on_terminal(p: &Project, args: &str, answer: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("migrate");
    let mut child = std::process::Command::new("script")
        .current_dir(p.dir.path())
        .args([
            "-q",
            "-e",
            "-c",
            &format!("{} {args}", bin.display()),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    use std::io::Write;
    child.stdin.as_mut()?.write_all(answer.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn on_a_terminal_a_likely_rename_is_asked_not_guessed() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        common::say(
            "util-linux `script` is not installed: the terminal rename question was not tested",
        );
        return;
    }
    let p = music();
    let renamed = MUSIC
        .replace("{ name = \"title\",", "{ name = \"name\",")
        .replace("columns = [\"title\"]", "columns = [\"name\"]");
    p.write("models.toml", &renamed);
    let screen = on_terminal(&p, "revision --autogenerate -m yes --rev-id r2", "y\n").unwrap();
    assert!(
        screen.contains("Did you rename track.title to track.name? [y/N]"),
        "{screen}"
    );
    let text = newest_revision(&p);
    assert!(
        text.contains("ALTER TABLE track RENAME COLUMN title TO name"),
        "{text}"
    );

    // Answering no (or just Enter) gives drop + add.
    std::fs::remove_file(p.path("migrations/versions/r2_yes.sql")).unwrap();
    p.ok(&["hash"]);
    on_terminal(&p, "revision --autogenerate -m no --rev-id r3", "\n").unwrap();
    let text = newest_revision(&p);
    assert!(!text.contains("RENAME COLUMN"), "{text}");
    assert!(text.contains("destructive"), "{text}");
}
