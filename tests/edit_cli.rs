//! `migrate edit REV`: the editor ($VISUAL, then $EDITOR, through the shell)
//! is a small script here that edits the file as a user would; after it,
//! migrate.sum is rewritten, a file that no longer parses is reported at
//! once, and an applied revision whose up section changed is called out.

mod common;

use std::path::Path;

use common::{MUSIC_MODEL, Project};

/// r1 (catalogue) applied with a row of data, r2 (by hand) pending.
fn music() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC_MODEL);
    p.autogenerate("catalogue", "r1");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p.ok(&["revision", "-m", "by hand", "--rev-id", "r2"]);
    p
}

/// An editor script that replaces the `-- migrate:down` line of the file it
/// is given with `replacement`, and logs its arguments to `editor.log`.
fn editor(p: &Project, name: &str, replacement: &str) -> String {
    let script = p.write(
        name,
        &format!(
            "#!/bin/sh\n\
             for a in \"$@\"; do printf '%s\\n' \"$a\" >> \"{log}\"; done\n\
             for f in \"$@\"; do :; done\n\
             sed -i 's/^-- migrate:down$/{replacement}/' \"$f\"\n",
            log = p.path("editor.log").display(),
        ),
    );
    format!("sh {}", script.display())
}

/// Runs `migrate edit` with the given VISUAL and EDITOR (None: unset).
fn edit(
    p: &Project,
    rev: &str,
    visual: Option<&str>,
    editor: Option<&str>,
) -> (i32, String, String) {
    let mut cmd = p.plain_command();
    cmd.args(["edit", rev])
        .env_remove("VISUAL")
        .env_remove("EDITOR");
    if let Some(v) = visual {
        cmd.env("VISUAL", v);
    }
    if let Some(e) = editor {
        cmd.env("EDITOR", e);
    }
    let out = cmd.output().expect("run migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

#[test]
fn an_edit_rewrites_the_sum_so_upgrade_needs_no_second_command() {
    let p = music();
    let backfill = editor(
        &p,
        "backfill.sh",
        "UPDATE artist SET name = upper(name);\\n-- migrate:down",
    );
    let (code, out, err) = edit(&p, "r2", None, Some(&backfill));
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(
        out.contains("r2_by_hand.sql changed; wrote migrations/migrate.sum"),
        "{out}"
    );
    assert!(
        !err.contains("approve"),
        "r2 is not applied: nothing to say: {err}"
    );
    let file = std::fs::read_to_string(p.path("migrations/versions/r2_by_hand.sql")).unwrap();
    assert!(
        file.contains("UPDATE artist SET name = upper(name);"),
        "{file}"
    );
    // The editor was given the revision's file, and nothing else.
    let log = std::fs::read_to_string(p.path("editor.log")).unwrap();
    assert!(log.trim_end().ends_with("r2_by_hand.sql"), "{log}");
    assert_eq!(log.lines().count(), 1, "{log}");
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM artist WHERE name = 'NINA'"),
        1
    );
}

#[test]
fn visual_comes_before_editor_and_a_value_may_carry_arguments() {
    let p = music();
    let failing = "false";
    // VISUAL is used (EDITOR would fail); its value carries an argument,
    // run through the shell as git does.
    let (code, out, err) = edit(
        &p,
        "r2",
        Some("sed -i -e 's/^-- migrate:up$/-- migrate:up\\nSELECT 1;/'"),
        Some(failing),
    );
    assert_eq!(code, 0, "{err}\n{out}");
    let file = std::fs::read_to_string(p.path("migrations/versions/r2_by_hand.sql")).unwrap();
    assert!(file.contains("-- migrate:up\nSELECT 1;"), "{file}");
    // A revision named by a prefix, with only EDITOR set.
    let p = music();
    let add = editor(&p, "add.sh", "SELECT 2;\\n-- migrate:down");
    let (code, out, err) = edit(&p, "r", None, Some(&add));
    assert_eq!(code, 2, "r is ambiguous (r1, r2): {out}");
    assert!(err.contains("ambiguous"), "{err}");
    let (code, _, err) = edit(&p, "r2", Some(""), Some(&add));
    assert_eq!(code, 0, "an empty VISUAL counts as unset: {err}");
    p.ok(&["upgrade"]);
}

#[test]
fn without_an_editor_it_says_what_to_set_and_changes_nothing() {
    let p = music();
    let sum = p.path("migrations/migrate.sum");
    let before = read(&sum);
    let (code, _, err) = edit(&p, "r2", None, None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("set VISUAL or EDITOR") && err.contains("migrate hash"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert_eq!(before, read(&sum));
}

#[test]
fn a_file_that_no_longer_parses_is_reported_at_once_and_the_sum_is_kept() {
    let p = music();
    let sum = p.path("migrations/migrate.sum");
    let before = read(&sum);
    // A second up marker: the file no longer parses.
    let broken = editor(&p, "break.sh", "-- migrate:up\\n-- migrate:down");
    let (code, out, err) = edit(&p, "r2", None, Some(&broken));
    assert_eq!(code, 2, "{out}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("r2_by_hand.sql:") && err.contains("a second `-- migrate:up` line"),
        "names the file and line: {err}"
    );
    assert!(
        err.contains("`migrate edit r2`"),
        "says how to go back: {err}"
    );
    assert_eq!(before, read(&sum), "a broken file is not accepted");
    // The broken file can be opened again by its id, and fixed.
    let fix = p.write(
        "fix.sh",
        "#!/bin/sh\nsed -i '0,/^-- migrate:up$/!{/^-- migrate:up$/d}' \"$1\"\n",
    );
    let fix = format!("sh {}", fix.display());
    let (code, out, err) = edit(&p, "r2", None, Some(&fix));
    assert_eq!(code, 0, "{err}\n{out}");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn a_header_pointing_at_a_missing_parent_is_caught_by_the_same_command() {
    let p = music();
    let sum = p.path("migrations/migrate.sum");
    let before = read(&sum);
    let (code, _, err) = edit(
        &p,
        "r2",
        None,
        Some("sed -i -e 's/^-- down_revision: r1$/-- down_revision: nope/'"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nope"), "{err}");
    assert_eq!(before, read(&sum));
}

#[test]
fn an_applied_revision_whose_up_changed_is_called_out() {
    let p = music();
    p.ok(&["upgrade"]);
    let up = editor(&p, "up.sh", "SELECT 3;\\n-- migrate:down");
    let (code, out, err) = edit(&p, "r2", None, Some(&up));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote migrations/migrate.sum"), "{out}");
    assert!(
        err.contains("revision r2 was applied")
            && err.contains("`migrate upgrade`")
            && err.contains("`migrate approve r2`"),
        "{err}"
    );
    // As said: upgrade refuses, approve accepts, and the data is there.
    let refusal = p.fails(&["downgrade", "-1"]);
    assert!(refusal.contains("approve"), "{refusal}");
    p.ok(&["approve", "r2"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);

    // Only the down section changed: nothing to approve, nothing said.
    let p = music();
    p.ok(&["upgrade"]);
    let down = editor(&p, "down.sh", "-- migrate:down\\nSELECT 4;");
    let (code, _, err) = edit(&p, "r2", None, Some(&down));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("approve"), "{err}");
    p.ok(&["downgrade", "-1"]);
}

#[test]
fn an_unchanged_file_or_a_failed_editor_leaves_the_sum_alone() {
    let p = music();
    let sum = p.path("migrations/migrate.sum");
    let before = read(&sum);
    let (code, out, err) = edit(&p, "r2", None, Some("true"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("unchanged"), "{out}");
    assert_eq!(before, read(&sum));

    // An editor that changes the file and then fails: the sum is kept.
    let (code, _, err) = edit(
        &p,
        "r2",
        None,
        Some("sh -c 'echo \"SELECT 5;\" >> \"$0\"; exit 3'"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exit status: 3"), "{err}");
    assert_eq!(before, read(&sum));
    let stale = p.fails(&["upgrade"]);
    assert!(stale.contains("migrate hash"), "{stale}");
}

#[test]
fn other_changes_to_the_directory_are_refused_before_the_editor_opens() {
    let p = music();
    // r1 edited by hand: rewriting the sum would accept that unseen.
    let r1 = p.path("migrations/versions/r1_catalogue.sql");
    let text = std::fs::read_to_string(&r1).unwrap();
    std::fs::write(&r1, format!("{text}\n-- a note\n")).unwrap();
    let sum = p.path("migrations/migrate.sum");
    let before = read(&sum);
    let add = editor(&p, "add.sh", "SELECT 6;\\n-- migrate:down");
    let (code, _, err) = edit(&p, "r2", None, Some(&add));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("r1_catalogue.sql") && err.contains("migrate hash"),
        "{err}"
    );
    assert!(!p.path("editor.log").exists(), "the editor never opened");
    assert_eq!(before, read(&sum));
}
