//! What a person at a terminal sees, and what a pipe or a log does not get:
//! the progress bar of a long statement and per-revision durations (stderr),
//! `-q/--quiet`, and colour in `check` and `lint` (`--color`, `NO_COLOR`).
//! The terminal is a real pseudo-terminal (`openpty`).

mod common;

use std::io::Read;
use std::os::fd::FromRawFd;
use std::process::{Command, Stdio};

use common::{MUSIC_MODEL, Project};

const ROWS: i64 = 20_000;
const ESC: &str = "\u{1b}[";

/// What a run printed: exit code, the terminal's bytes, and the piped stream's.
struct Seen {
    code: i32,
    terminal: String,
    piped: String,
}

/// Runs `cmd` with stderr (and stdout too when `stdout_too`) on a new
/// pseudo-terminal, the other stream on a pipe.
fn on_terminal(mut cmd: Command, stdout_too: bool) -> Seen {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two new descriptors, which the Files below own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty");
    let (mut master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::fs::File::from_raw_fd(slave),
        )
    };
    cmd.stdin(Stdio::null())
        .stderr(slave.try_clone().unwrap())
        .stdout(if stdout_too {
            Stdio::from(slave.try_clone().unwrap())
        } else {
            Stdio::piped()
        });
    let child = cmd.spawn().expect("spawn migrate");
    // Only the child may hold the terminal's other end: reading ends (EIO) when it exits.
    drop(cmd);
    drop(slave);
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        bytes
    });
    let out = child.wait_with_output().expect("wait");
    Seen {
        code: out.status.code().unwrap_or(-1),
        terminal: String::from_utf8_lossy(&reader.join().unwrap()).into_owned(),
        piped: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// A database with `ROWS` rows in `item`, and a revision that rebuilds it
/// (one `INSERT ... SELECT` copies every row).
fn rebuild_project() -> Project {
    let p = Project::with_config();
    p.sql(
        "app.db",
        &format!(
            "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {ROWS})
             INSERT INTO item SELECT i, 'item ' || i FROM c;"
        ),
    );
    p.revision(
        "a1",
        &[],
        "CREATE TABLE item_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);\n\
         INSERT INTO item_new (id, name) SELECT id, name FROM item;\n\
         DROP TABLE item;\n\
         ALTER TABLE item_new RENAME TO item;",
        "CREATE TABLE item_old (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
         INSERT INTO item_old (id, name) SELECT id, name FROM item;\n\
         DROP TABLE item;\n\
         ALTER TABLE item_old RENAME TO item;",
    );
    p.ok(&["hash"]);
    p
}

fn upgrade(p: &Project, args: &[&str]) -> Command {
    let mut cmd = p.plain_command();
    // Show the bar at once: the test must not depend on how fast the copy is.
    cmd.env("MIGRATE_TEST_PROGRESS_DELAY_MS", "0")
        .args(args)
        .args(["upgrade", "--no-backup"]);
    cmd
}

fn rows_of_item(p: &Project) -> i64 {
    rusqlite::Connection::open(p.path("app.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM item", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_terminal_sees_the_rows_copied_and_how_long_each_revision_took() {
    let p = rebuild_project();
    let seen = on_terminal(upgrade(&p, &[]), false);
    assert_eq!(seen.code, 0, "{}{}", seen.terminal, seen.piped);
    assert!(
        seen.terminal.contains("running up base -> a1"),
        "{}",
        seen.terminal
    );
    // The bar: the table scanned, rows of the total, a rate and an ETA.
    assert!(seen.terminal.contains("  item "), "{}", seen.terminal);
    assert!(
        seen.terminal.contains("/20,000 rows, "),
        "{}",
        seen.terminal
    );
    assert!(seen.terminal.contains("/s, ETA "), "{}", seen.terminal);
    assert!(seen.terminal.contains("=>"), "{}", seen.terminal);
    assert!(seen.terminal.contains("  done in "), "{}", seen.terminal);
    assert!(
        seen.piped.contains("1 revision(s) applied"),
        "{}",
        seen.piped
    );
    assert_eq!(rows_of_item(&p), ROWS, "every row survived the rebuild");
}

#[test]
fn a_pipe_gets_no_bar_and_no_durations() {
    let p = rebuild_project();
    let out = upgrade(&p, &[]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("running up base -> a1"), "{stderr}");
    assert!(!stderr.contains("rows"), "no bar on a pipe: {stderr}");
    assert!(
        !stderr.contains("done in"),
        "no durations on a pipe: {stderr}"
    );
    assert!(
        !stderr.contains(ESC),
        "no escape codes on a pipe: {stderr:?}"
    );
    assert_eq!(rows_of_item(&p), ROWS, "every row survived the rebuild");
}

#[test]
fn quiet_silences_notices_but_not_results_or_errors() {
    let p = rebuild_project();
    let seen = on_terminal(upgrade(&p, &["-q"]), false);
    assert_eq!(seen.code, 0, "{}{}", seen.terminal, seen.piped);
    assert_eq!(seen.terminal, "", "nothing on stderr under --quiet");
    assert!(
        seen.piped.contains("1 revision(s) applied"),
        "{}",
        seen.piped
    );
    assert_eq!(rows_of_item(&p), ROWS, "every row survived the rebuild");
    // Errors still speak.
    let (code, _, err) = p.run(&["--quiet", "upgrade", "nosuchrev"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: "), "{err}");
    // And so do warnings: only notices are silenced.
    p.write(
        "migrations/versions/b2_index.sql",
        "-- revision: b2\n-- down_revision: a1\n-- transactional: false\n\n-- migrate:up\n\
         CREATE INDEX ix_item_name ON item (name);\n\n-- migrate:down\nDROP INDEX ix_item_name;\n",
    );
    p.ok(&["hash"]);
    let (code, _, err) = p.run(&["-q", "upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("transactional: false"), "{err}");
    assert!(!err.contains("running"), "{err}");
}

/// A project whose model has tables the migrations do not build, and a
/// pending revision that drops a table: `check` prints a diff, `lint` a
/// destructive finding.
fn differing_project() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC_MODEL);
    p.revision(
        "a1",
        &[],
        "CREATE TABLE old (id INTEGER PRIMARY KEY);",
        "DROP TABLE old;",
    );
    p.revision(
        "b2",
        &["a1"],
        "DROP TABLE old;",
        "CREATE TABLE old (id INTEGER PRIMARY KEY);",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "a1"]);
    p
}

fn colour_run(p: &Project, args: &[&str]) -> Command {
    let mut cmd = p.plain_command();
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        cmd.env_remove(var);
    }
    cmd.env("TERM", "xterm-256color").args(args);
    cmd
}

#[test]
fn color_always_colours_the_check_diff_and_lint_findings_even_on_a_pipe() {
    let p = differing_project();
    let check = colour_run(&p, &["--color", "always", "check"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("{ESC}32m+CREATE TABLE artist")),
        "{text:?}"
    );
    let lint = colour_run(&p, &["lint", "--color", "always"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&lint.stdout);
    assert_eq!(lint.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("{ESC}1m{ESC}31mdestructive")),
        "{text:?}"
    );
}

#[test]
fn a_pipe_gets_plain_text() {
    let p = differing_project();
    for args in [&["check"][..], &["lint"], &["--color", "never", "check"]] {
        let out = colour_run(&p, args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains("+CREATE TABLE artist") || text.contains("destructive: "));
        assert!(!text.contains(ESC), "{args:?}: {text:?}");
    }
}

/// `check` or `lint` with its stdout on a terminal, with or without `NO_COLOR`.
fn on_colour_terminal(p: &Project, args: &[&str], no_color: bool) -> String {
    let mut cmd = colour_run(p, args);
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let seen = on_terminal(cmd, true);
    assert_eq!(seen.code, 1, "{args:?}: {}", seen.terminal);
    seen.terminal
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let p = differing_project();
    for args in [&["check"][..], &["lint"]] {
        let coloured = on_colour_terminal(&p, args, false);
        assert!(coloured.contains(ESC), "{args:?}: {coloured:?}");
        let plain = on_colour_terminal(&p, args, true);
        assert!(!plain.contains(ESC), "{args:?}: {plain:?}");
        // An explicit flag is a choice made for this run: it wins over NO_COLOR.
        let mut cmd = colour_run(&p, &[&["--color", "always"][..], args].concat());
        cmd.env("NO_COLOR", "1");
        let out = cmd.output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(ESC),
            "{args:?}"
        );
    }
}

/// The bar's own look at each statement (EXPLAIN, count) must not blind the
/// foreign-key check that runs before COMMIT.
#[test]
fn on_a_terminal_a_revision_that_breaks_foreign_keys_is_still_rolled_back() {
    let p = rebuild_project();
    p.sql(
        "app.db",
        "CREATE TABLE owner (id INTEGER PRIMARY KEY);
         CREATE TABLE pet (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owner (id));",
    );
    std::fs::remove_file(p.path("migrations/versions/a1_step.sql")).unwrap();
    p.revision(
        "a1",
        &[],
        "INSERT INTO pet (id, owner_id) SELECT id, id FROM item;",
        "DELETE FROM pet;",
    );
    p.ok(&["hash"]);
    let seen = on_terminal(upgrade(&p, &[]), false);
    assert_eq!(seen.code, 2, "{}", seen.terminal);
    assert!(
        seen.terminal.contains("would break foreign keys"),
        "{}",
        seen.terminal
    );
    assert!(
        seen.terminal.contains("/20,000 rows"),
        "the bar ran: {}",
        seen.terminal
    );
    let pets: i64 = rusqlite::Connection::open(p.path("app.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM pet", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pets, 0, "rolled back");
    assert_eq!(rows_of_item(&p), ROWS);
}
