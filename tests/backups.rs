//! Issue 11.6 and 12.10: backups are kept and pruned per database, listed and
//! restored by `migrate restore`; a failed backup leaves nothing that looks
//! like one.

mod common;

use std::path::Path;

use common::Project;

/// r0 makes `item` (two rows); r1 deletes nothing but is destructive, so
/// every upgrade to it backs up. `keep` backups per database.
fn project(keep: usize) -> Project {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        &format!(
            "[database]\nurl = \"sqlite:app.db\"\n\n[migrations]\ndir = \"migrations\"\n\n\
             [model]\npath = \"models.toml\"\n\n[backup]\ndir = \"backups\"\nkeep = {keep}\n"
        ),
    );
    p.revision(
        "r0",
        &[],
        "CREATE TABLE item (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO item VALUES (1, 'a'), (2, 'b');",
        "DROP TABLE item;",
    );
    p.revision("r1", &["r0"], "DELETE FROM item WHERE id < 0;", "SELECT 1;");
    p.ok(&["hash"]);
    p
}

fn backups_of(p: &Project, db: &str) -> Vec<std::path::PathBuf> {
    migrate::internal::sqlite::backup::list(&p.path("backups"), &p.path(db)).unwrap()
}

/// Takes `db` from base to r1 (one backup), and back to r0. Its item 100
/// names the database, so that a backup says where it came from.
fn one_backup(p: &Project, db: &str) {
    p.ok(&["--database", db, "upgrade", "r0"]);
    p.sql(
        db,
        &format!("INSERT OR IGNORE INTO item VALUES (100, '{db}')"),
    );
    p.ok(&["--database", db, "upgrade"]);
    p.ok(&["--database", db, "downgrade", "r0", "--no-backup"]);
}

/// Every backup file under `backups/`, at any depth, by the database its
/// item 100 names.
fn backups_by_database(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            backups_by_database(&path, out);
        } else if path.extension().is_some_and(|e| e == "db") {
            let conn = rusqlite::Connection::open(&path).unwrap();
            out.push(
                conn.query_row("SELECT v FROM item WHERE id = 100", [], |r| r.get(0))
                    .unwrap(),
            );
        }
    }
}

#[test]
fn backups_are_kept_and_pruned_per_database() {
    let p = project(1);
    std::fs::create_dir_all(p.path("dev")).unwrap();
    std::fs::create_dir_all(p.path("prod")).unwrap();
    let all = ["prod/app.db", "app-test.db", "dev/app.db", "app.db"];
    for db in all {
        one_backup(&p, db);
    }
    // A second run on dev and on app.db prunes only their own backups.
    one_backup(&p, "dev/app.db");
    one_backup(&p, "app.db");
    let mut found = Vec::new();
    backups_by_database(&p.path("backups"), &mut found);
    found.sort();
    let mut expected: Vec<String> = all.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected, "keep = 1 backup of each database");
    for db in all {
        let made = backups_of(&p, db);
        assert_eq!(made.len(), 1, "{db}: {made:?}");
        let folder = made[0].parent().unwrap();
        let recorded = std::fs::read_to_string(folder.join("database")).unwrap();
        let expected = std::fs::canonicalize(p.path(db)).unwrap();
        assert_eq!(Path::new(recorded.trim()), expected, "{db}");
    }
}

#[test]
fn restore_lists_verifies_and_copies_a_backup_in_under_open_connections() {
    let p = project(5);
    one_backup(&p, "app.db");
    p.ok(&["upgrade"]);
    p.revision("r2", &["r1"], "DELETE FROM item WHERE id < 0;", "SELECT 1;");
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "DELETE FROM item; INSERT INTO item VALUES (9, 'z');",
    );
    let listed = p.ok(&["restore"]);
    let made = backups_of(&p, "app.db");
    assert_eq!(made.len(), 3, "{made:?}");
    let first = made[0].file_name().unwrap().to_string_lossy().into_owned();
    let newest = made[2].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        listed.find(&newest) < listed.find(&first),
        "newest first: {listed}"
    );
    assert!(listed.contains(&format!("{first}  (at r0)")), "{listed}");
    assert!(listed.contains(&format!("{newest}  (at r1)")), "{listed}");

    // A connection that stays open across the restore sees the restored rows.
    let open = p.conn("app.db");
    let before: i64 = open
        .query_row("SELECT sum(id) FROM item", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, 9);
    let part = first.split("-p").next().unwrap().to_string();
    let out = p.ok(&["restore", &first[part.len() - 6..]]);
    assert!(
        out.contains("restored app.db") && out.contains("(at r0)"),
        "{out}"
    );
    let after: i64 = open
        .query_row("SELECT sum(id) FROM item", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, 103, "the rows of the backup");
    assert_eq!(p.applied(), vec!["r0"]);
    let ok: String = open
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // The database as it was was backed up first, and can be restored back.
    assert!(out.contains("the database as it was: backups/"), "{out}");
    let latest = backups_of(&p, "app.db").last().unwrap().clone();
    assert!(latest.to_string_lossy().contains("before-restore"));
    p.ok(&["restore", &latest.to_string_lossy()]);
    assert_eq!(p.count("SELECT sum(id) FROM item"), 9);
}

#[test]
fn restore_into_a_wal_database_is_seen_by_its_readers() {
    let p = project(5);
    one_backup(&p, "app.db");
    let open = p.conn("app.db");
    open.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    open.execute_batch("INSERT INTO item VALUES (5, 'e')")
        .unwrap();
    let backup = backups_of(&p, "app.db")[0].clone();
    p.ok(&["restore", &backup.to_string_lossy()]);
    let sum: i64 = open
        .query_row("SELECT sum(id) FROM item", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sum, 103);
}

#[test]
fn restore_refuses_while_another_connection_holds_the_database() {
    let p = project(5);
    one_backup(&p, "app.db");
    let backup = backups_of(&p, "app.db")[0].clone();
    // Read before the reader locks: closing any descriptor of the file in
    // this process would drop the process's POSIX locks on it.
    let before = p.bytes("app.db");
    let reader = p.conn("app.db");
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM item;")
        .unwrap();
    let (code, out, err) = p
        .migrate()
        .env("MIGRATE_LOCK_TIMEOUT", "0.3")
        .args(["restore", &backup.to_string_lossy()])
        .output()
        .map(|o| {
            (
                o.status.code().unwrap(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("locked by another") && err.contains("nothing was restored"),
        "{err}"
    );
    reader.execute_batch("COMMIT").unwrap();
    assert_eq!(before, p.bytes("app.db"), "nothing changed");
    assert_eq!(
        backups_of(&p, "app.db").len(),
        1,
        "no backup left from the refusal"
    );
    p.ok(&["restore", &backup.to_string_lossy()]);
}

#[test]
fn restore_refuses_what_is_not_a_backup_of_this_project() {
    let p = project(5);
    one_backup(&p, "app.db");
    p.ok(&["upgrade"]);
    let before = p.bytes("app.db");
    // Another project's database: its version table names an unknown revision.
    p.sql(
        "other.db",
        "CREATE TABLE migrate_version (revision TEXT PRIMARY KEY NOT NULL, parents TEXT NOT NULL, \
         message TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL) WITHOUT ROWID;\
         INSERT INTO migrate_version VALUES ('zz9', '', 'x', 'x', 'now');",
    );
    let err = p.fails(&["restore", "other.db"]);
    assert!(
        err.contains("zz9") && err.contains("not in the versions directory"),
        "{err}"
    );
    // A database without a version table, and a file that is no database.
    p.sql("plain.db", "CREATE TABLE t (x)");
    let err = p.fails(&["restore", "plain.db"]);
    assert!(err.contains("no migrate_version table"), "{err}");
    p.write(
        "notes.txt",
        "not a database at all, just some text to fill a page",
    );
    p.fails(&["restore", "notes.txt"]);
    let err = p.fails(&["restore", "app.db"]);
    assert!(err.contains("the database itself"), "{err}");
    let err = p.fails(&["restore", "nothing-like-this"]);
    assert!(err.contains("`migrate restore` lists them"), "{err}");
    assert_eq!(before, p.bytes("app.db"), "nothing changed");
}

#[test]
fn a_backup_killed_midway_leaves_no_file_that_looks_like_a_backup() {
    let p = project(5);
    p.ok(&["upgrade", "r0"]);
    p.sql(
        "app.db",
        "WITH RECURSIVE n(x) AS (SELECT 3 UNION ALL SELECT x + 1 FROM n WHERE x < 300000) \
         INSERT INTO item SELECT x, hex(randomblob(32)) FROM n;",
    );
    // How long a backed-up upgrade takes, to spread the kills over it.
    let started = std::time::Instant::now();
    p.ok(&["upgrade"]);
    let full = started.elapsed();
    p.ok(&["downgrade", "r0", "--no-backup"]);
    for k in 0..12 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("migrate"))
            .current_dir(p.dir.path())
            .arg("upgrade")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(k as f64 / 12.0));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        for b in backups_of(&p, "app.db") {
            let copy = rusqlite::Connection::open(&b).unwrap();
            let rows: i64 = copy
                .query_row("SELECT count(*) FROM item", [], |r| r.get(0))
                .unwrap_or(-1);
            assert_eq!(rows, 300_000, "{} is not a whole backup", b.display());
        }
        if p.applied().len() == 2 {
            p.ok(&["downgrade", "r0", "--no-backup"]);
        }
    }
}

#[test]
fn a_lock_timeout_takes_no_backup_and_prints_no_restore_line() {
    let p = project(5);
    p.ok(&["upgrade", "r0"]);
    let before = p.bytes("app.db");
    let writer = p.conn("app.db");
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let out = p
        .migrate()
        .env("MIGRATE_LOCK_TIMEOUT", "0.3")
        .arg("upgrade")
        .output()
        .unwrap();
    writer.execute_batch("ROLLBACK").unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("locked by another migrator"), "{err}");
    assert!(
        !err.contains("migrate restore") && !err.contains("cp "),
        "{err}"
    );
    assert!(
        backups_of(&p, "app.db").is_empty(),
        "no backup while waiting"
    );
    assert_eq!(before, p.bytes("app.db"));
}

#[test]
fn the_restore_line_is_printed_when_a_later_lock_wait_fails_after_a_commit() {
    let p = project(5);
    p.ok(&["upgrade", "r0"]);
    p.revision("r2", &["r1"], "SELECT 2;", "SELECT 2;");
    p.ok(&["hash"]);
    let go = p.path("go");
    let child = p
        .plain_command()
        .env("MIGRATE_LOCK_TIMEOUT", "0.3")
        .env("MIGRATE_TEST_WAIT_BETWEEN_STEPS", &go)
        .arg("upgrade")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // r1 committed (with its backup); the run now waits before r2.
    while !p.applied().contains(&"r1".to_string()) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let holder = p.conn("app.db");
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::fs::write(&go, "").unwrap();
    let out = child.wait_with_output().unwrap();
    holder.execute_batch("COMMIT").unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("locked") && err.contains("migrate restore"),
        "r1 stayed applied: the way back is said: {err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM item"), 2);
}
