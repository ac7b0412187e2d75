//! Issue 12: many migrators at once on one database, with backups on. Each
//! either applies what is left or finds nothing left; the only refusal is
//! "locked, try again"; every revision runs exactly once.

mod common;

use common::Project;

const REVISIONS: usize = 30;
const MIGRATORS: usize = 16;

/// 30 revisions, each creating a table (a second run would fail), a unique
/// index (so the data pre-check replays every pending revision on a
/// schema-only copy) and a DELETE (destructive, so every run backs up).
fn thirty_revisions() -> Project {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:app.db\"\n\n[migrations]\ndir = \"migrations\"\n\n\
         [model]\npath = \"models.toml\"\n\n[backup]\ndir = \"backups\"\nkeep = 2\n",
    );
    p.revision(
        "r00",
        &[],
        "CREATE TABLE runs (revision TEXT);\nCREATE TABLE item (id INTEGER PRIMARY KEY, v TEXT);\n\
         WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000) \
         INSERT INTO item SELECT x, hex(randomblob(40)) FROM n;",
        "DROP TABLE item;\nDROP TABLE runs;",
    );
    for i in 1..REVISIONS {
        let (id, parent) = (format!("r{i:02}"), format!("r{:02}", i - 1));
        p.revision(
            &id,
            &[&parent],
            &format!(
                "CREATE TABLE t{i} (id INT);\nCREATE UNIQUE INDEX ux{i} ON t{i} (id);\n\
                 INSERT INTO runs VALUES ('{id}');\nDELETE FROM item WHERE id < 0;"
            ),
            &format!("DROP TABLE t{i};"),
        );
    }
    p.ok(&["hash"]);
    // The database exists with the first revision, so that every run backs up.
    p.ok(&["upgrade", "r00"]);
    p
}

#[test]
fn sixteen_migrators_with_backups_apply_each_revision_once() {
    let p = thirty_revisions();
    let children: Vec<_> = (0..MIGRATORS)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("migrate"));
            cmd.current_dir(p.dir.path())
                .arg("upgrade")
                // Test-only: every migrator plans before any takes the lock.
                .env("MIGRATE_TEST_PAUSE_BEFORE_LOCK_MS", "1500")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let mut applied_by = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        match out.status.code() {
            Some(0) => {
                assert!(
                    stdout.contains("revision(s) applied") || stdout.contains("nothing left to do"),
                    "{stdout}"
                );
                applied_by.push(stdout);
            }
            Some(2) => assert!(
                stderr.contains("locked by another migrator") && !stderr.contains("cp backups"),
                "the only refusal is a lock: {stderr}"
            ),
            other => panic!("exit {other:?}: {stderr}"),
        }
    }
    assert!(!applied_by.is_empty());
    let conn = p.conn("app.db");
    let once: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT revision FROM migrate_version_log \
             WHERE direction = 'up' GROUP BY revision HAVING count(*) = 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let ups: i64 = conn
        .query_row(
            "SELECT count(*) FROM migrate_version_log WHERE direction = 'up'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        (once, ups),
        (REVISIONS as i64, REVISIONS as i64),
        "each revision applied once"
    );
    let runs: i64 = conn
        .query_row(
            "SELECT count(DISTINCT revision) = count(*) FROM runs",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(runs, 1);
    assert_eq!(p.applied().len(), REVISIONS);
    assert_eq!(p.count("SELECT count(*) FROM item"), 5000, "rows kept");
    // Every backup left is a finished, sound copy; no partial file remains.
    let backups =
        migrate::internal::sqlite::backup::list(&p.path("backups"), &p.path("app.db")).unwrap();
    assert!(!backups.is_empty() && backups.len() <= 2, "{backups:?}");
    for b in &backups {
        let copy = rusqlite::Connection::open(b).unwrap();
        let ok: String = copy
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let items: i64 = copy
            .query_row("SELECT count(*) FROM item", [], |r| r.get(0))
            .unwrap();
        assert_eq!(items, 5000);
    }
    let folder = migrate::internal::sqlite::backup::folder(&p.path("backups"), &p.path("app.db"));
    let partial = std::fs::read_dir(folder)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(partial, 0);
}

/// Another migrator commits between two of our revisions and changes what
/// is pending: the data checks run again for what is left, on the rows as
/// they are now, before the next revision.
#[test]
fn a_replan_between_our_revisions_checks_the_data_again() {
    let p = Project::with_config();
    p.revision(
        "r0",
        &[],
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);\nINSERT INTO t VALUES (1, 1);",
        "DROP TABLE t;",
    );
    p.revision(
        "r1",
        &["r0"],
        "CREATE TABLE other (x);",
        "DROP TABLE other;",
    );
    // Another migrator runs r2, which adds a row r3's new CHECK rejects.
    p.revision(
        "r2",
        &["r1"],
        "INSERT INTO t VALUES (2, -5);",
        "DELETE FROM t WHERE id = 2;",
    );
    p.revision(
        "r3",
        &["r2"],
        "CREATE TABLE _migrate_new_t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n >= 0));\n\
         INSERT INTO _migrate_new_t (id, n) SELECT id, n FROM t;\n\
         DROP TABLE t;\n\
         ALTER TABLE _migrate_new_t RENAME TO t;",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "r0"]);
    let go = p.path("go");
    let child = p
        .plain_command()
        .env("MIGRATE_TEST_WAIT_BETWEEN_STEPS", &go)
        .arg("upgrade")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !p.applied().contains(&"r1".to_string()) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    p.ok(&["upgrade", "r2"]);
    std::fs::write(&go, "").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("data would not survive")
            && err.contains("n >= 0")
            && err.contains("1 row(s)"),
        "the pre-check ran again on r3, before it: {err}"
    );
    assert!(
        err.contains("stopped before the next revision") && err.contains("migrate restore"),
        "r1 stayed applied, and the message says so: {err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM t"), 2);
    assert!(!p.applied().contains(&"r3".to_string()));
}

/// A `-- transactional: false` revision runs outside any transaction, where
/// SQLite's write lock cannot be held. Before, a second migrator took the
/// write lock as soon as the first let it go, found the revision not recorded
/// yet, and ran its statements again. Now it waits, then sees it applied.
#[test]
fn a_second_migrator_waits_for_a_non_transactional_revision_and_sees_it_applied() {
    let p = Project::with_config();
    p.revision(
        "r0",
        &[],
        "CREATE TABLE runs (revision TEXT);",
        "DROP TABLE runs;",
    );
    p.write(
        "migrations/versions/r1_step.sql",
        "-- revision: r1\n-- down_revision: r0\n-- message: outside\n-- transactional: false\n\n\
         -- migrate:up\nINSERT INTO runs VALUES ('r1');\n\n-- migrate:down\nDELETE FROM runs;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "r0"]);
    let go = p.path("go");
    let spawn = |args: &[&str], wait_in: bool| {
        let mut cmd = p.plain_command();
        if wait_in {
            cmd.env("MIGRATE_TEST_WAIT_IN_NON_TRANSACTIONAL", &go);
        }
        cmd.args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn(&["upgrade"], true);
    // The first migrator's statement ran; its version row is not written yet.
    while p.count("SELECT count(*) FROM runs") == 0 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // A second migrator that may not wait long is told to try again; it
    // never runs r1's statement a second time, even given another path to
    // the database (a symbolic link).
    std::os::unix::fs::symlink(p.path("app.db"), p.path("link.db")).unwrap();
    let out = spawn(
        &["--database", "link.db", "--lock-wait", "0.5", "upgrade"],
        false,
    )
    .wait_with_output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(p.count("SELECT count(*) FROM runs"), 1, "{err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("try again"), "{err}");
    // One that waits sees r1 applied once the first is done.
    let second = spawn(&["upgrade"], false);
    std::fs::write(&go, "").unwrap();
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
    }
    assert_eq!(p.count("SELECT count(*) FROM runs"), 1);
    assert_eq!(p.applied(), ["r0", "r1"]);
    assert!(!migrate::internal::sqlite::outside_lock::lock_path(&p.path("app.db")).exists());
}
