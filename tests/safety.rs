//! Issue 5: backups, data-dependent checks, lint, verify; and faults: a
//! killed migrator, a full disk, a read-only file.

mod common;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use common::Project;

/// The catalogue with a nullable artist name, so tests can hold NULLs there.
static BASE_MODEL: LazyLock<String> = LazyLock::new(|| {
    common::MUSIC_MODEL.replace(
        "{ name = \"name\", type = \"VARCHAR(30)\", nullable = false }",
        "{ name = \"name\", type = \"VARCHAR(30)\" }",
    )
});

fn project(model: &str) -> Project {
    let p = Project::with_config();
    p.write("models.toml", model);
    p.autogenerate("initial", "r0");
    p
}

/// The backups of app.db, as paths relative to the project, oldest first.
fn backups(p: &Project) -> Vec<String> {
    let db = p.path("app.db");
    migrate::internal::sqlite::backup::list(&p.path("backups"), &db)
        .unwrap()
        .iter()
        .map(|b| b.strip_prefix(p.dir.path()).unwrap().display().to_string())
        .collect()
}

#[test]
fn destructive_upgrades_are_backed_up_and_verified() {
    let p = project(&BASE_MODEL);
    p.ok(&["upgrade"]);
    assert!(backups(&p).is_empty(), "creating tables needs no backup");
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'Nina'); INSERT INTO track VALUES (1, 'a', 1);",
    );
    // Drop a column: destructive.
    p.write(
        "models.toml",
        &BASE_MODEL.replace("  { name = \"name\", type = \"VARCHAR(30)\" },\n", ""),
    );
    p.autogenerate("drop name", "r1");
    let (code, _, err) = p.run(&["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("backup: backups/app-") && err.contains("verified"),
        "{err}"
    );
    let made = backups(&p);
    assert_eq!(made.len(), 1);
    // The backup is a sound copy of the database before the upgrade.
    let copy = rusqlite::Connection::open(p.path(&made[0])).unwrap();
    let name: String = copy
        .query_row("SELECT name FROM artist", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Nina");
    let ok: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");

    // keep = 5 by default: older backups are pruned.
    for _ in 0..6 {
        p.ok(&["downgrade", "-1", "--no-backup"]);
        p.ok(&["upgrade"]);
    }
    assert_eq!(backups(&p).len(), 5);
    // --no-backup takes none.
    p.ok(&["downgrade", "-1"]);
    let before = backups(&p);
    p.ok(&["upgrade", "--no-backup"]);
    assert_eq!(before, backups(&p));
}

#[test]
fn a_failed_upgrade_says_how_to_restore_the_backup() {
    let p = project(&BASE_MODEL);
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p.revision("r1", &["r0"], "DELETE FROM track;", "SELECT 1;");
    p.revision(
        "r2",
        &["r1"],
        "DELETE FROM artist;\nINSERT INTO nowhere VALUES (1);",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("to return to where this command started: migrate restore backups/app-")
            && err.contains("cp backups/app-"),
        "{err}"
    );
    assert_eq!(
        p.count("SELECT count(*) FROM artist"),
        1,
        "the failed revision rolled back"
    );
    assert_eq!(p.applied(), vec!["r0", "r1"]);
    p.sql("app.db", "INSERT INTO track VALUES (7, 'kept', 1);");
    // The line it prints does return the database to r0, with its rows.
    let restore = err.split("migrate restore ").nth(1).unwrap();
    let backup = restore.split_whitespace().next().unwrap();
    p.ok(&["restore", backup]);
    assert_eq!(p.applied(), vec!["r0"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 0);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    p.ok(&["upgrade", "r1"]);
    // When the failing revision was the first, nothing changed: no restore line.
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("no such table: nowhere"), "{err}");
    assert!(
        !err.contains("migrate restore") && !err.contains("cp "),
        "{err}"
    );
}

#[test]
fn data_that_would_not_survive_stops_the_upgrade_before_it_starts() {
    let p = project(&BASE_MODEL);
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'Nina'), (2, 'Nina'), (3, NULL);
         INSERT INTO track VALUES (1, 'a', 1), (2, 'b', 3);",
    );
    let model = BASE_MODEL.replace(
        "{ name = \"name\", type = \"VARCHAR(30)\" }",
        "{ name = \"name\", type = \"VARCHAR(30)\", nullable = false, unique = true }",
    );
    p.write("models.toml", &model);
    p.autogenerate("tighten", "r1");
    let before = p.bytes("app.db");
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("artist.name becomes NOT NULL, but rows hold NULL there: 1 row(s)"),
        "{out}"
    );
    assert!(
        out.contains("new UNIQUE (name) on artist: rows share the same values: 2 row(s)"),
        "{out}"
    );
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("stopped before touching the database"),
        "{err}"
    );
    assert!(
        err.contains("1 row(s)") && err.contains("2 row(s)"),
        "{err}"
    );
    assert_eq!(before, p.bytes("app.db"), "nothing was touched");
    assert!(
        backups(&p).is_empty(),
        "no backup either: nothing was about to run"
    );

    // Fix the data, and it goes through.
    p.sql("app.db", "UPDATE artist SET name = 'Miles' WHERE id = 2; UPDATE artist SET name = 'Ella' WHERE id = 3;");
    assert_eq!(p.run(&["lint"]).0, 0);
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 2);
}

#[test]
fn orphans_and_narrowing_types_are_counted() {
    let p = project(
        "[[table]]\nname = \"a\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"code\", type = \"TEXT\" } ]\n\n\
         [[table]]\nname = \"b\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"a_id\", type = \"INTEGER\" } ]\n",
    );
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO a VALUES (1, '007'), (2, 'x7'), (3, '12'); INSERT INTO b VALUES (1, 1), (2, 42), (3, NULL);");
    p.write(
        "models.toml",
        "[[table]]\nname = \"a\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"code\", type = \"INTEGER\" } ]\n\n\
         [[table]]\nname = \"b\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"a_id\", type = \"INTEGER\", references = \"a.id\" } ]\n",
    );
    p.autogenerate("typed", "r1");
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("a.code narrows TEXT -> INTEGER: stored values would change: 2 row(s)"),
        "{out}"
    );
    assert!(
        out.contains("new foreign key (a_id) -> a: rows reference missing parents: 1 row(s)"),
        "{out}"
    );
}

/// Issue 14 item 4: the planner calls every new unique index data-dependent,
/// and lint and upgrade's pre-check must count the duplicates the index itself
/// would refuse: equal under its collation or its expression, not just
/// byte-equal columns. Before, they grouped plain columns, so `lint` said
/// "nothing destructive or data-dependent" and upgrade went on to fail.
#[test]
fn unique_index_duplicates_are_counted_under_its_collation_and_expression() {
    let table = "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, nick TEXT);\n";
    let p = Project::with_sql_model(table);
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    // Equal only case-insensitively; NULLs never collide in a UNIQUE index.
    p.sql(
        "app.db",
        "INSERT INTO t VALUES (1, 'a@x', 'Bo'), (2, 'A@X', 'bo'), (3, NULL, NULL), (4, NULL, NULL);",
    );
    p.write(
        "model.sql",
        &format!(
            "{table}CREATE UNIQUE INDEX t_email ON t (email COLLATE NOCASE);\n\
             CREATE UNIQUE INDEX t_nick ON t (lower(nick));\n"
        ),
    );
    p.autogenerate("unique", "r1");
    let script = std::fs::read_to_string(p.path("migrations/versions/r1_unique.sql")).unwrap();
    assert_eq!(
        script
            .matches("-- data-dependent: fails if t has duplicate")
            .count(),
        2,
        "{script}"
    );
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}");
    for index in ["t_email", "t_nick"] {
        assert!(
            out.contains(&format!(
                "new unique index {index} on t: rows share the same values: 2 row(s)"
            )),
            "{out}"
        );
    }
    let before = p.bytes("app.db");
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("stopped before touching the database"),
        "{err}"
    );
    assert_eq!(before, p.bytes("app.db"), "nothing was touched");
    assert_eq!(p.applied(), ["r0"]);
    assert_eq!(p.count("SELECT count(*) FROM t"), 4, "rows survive");

    // Make them distinct under both keys (the NULLs stay), and it goes through.
    p.sql(
        "app.db",
        "UPDATE t SET email = 'b@x', nick = 'Al' WHERE id = 2;",
    );
    assert_eq!(p.run(&["lint"]).0, 0);
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM t"), 4, "rows survive");
}

#[test]
fn verify_proves_reversal_and_names_the_first_that_fails() {
    let p = project(&BASE_MODEL);
    p.write(
        "models.toml",
        &BASE_MODEL.replace("VARCHAR(30)", "VARCHAR(60)"),
    );
    p.autogenerate("widen", "r1");
    let out = p.ok(&["verify"]);
    assert!(
        out.contains("ok    r0") && out.contains("ok    r1") && out.contains("verified 2"),
        "{out}"
    );
    assert!(
        !p.path("app.db").exists(),
        "verify never touches the real database"
    );

    // A down that forgets the index does not reverse.
    p.revision(
        "r2",
        &["r1"],
        "CREATE TABLE extra (id INT);\nCREATE INDEX ix_extra ON extra (id);",
        "DROP INDEX ix_extra;",
    );
    p.ok(&["hash"]);
    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL  r2") && out.contains("revision r2 does not reverse exactly"),
        "{out}"
    );
    assert!(
        out.contains("+CREATE TABLE extra"),
        "the schema diff is shown: {out}"
    );
}

#[test]
fn verify_data_reports_rows_lost_on_a_copy() {
    let p = project(&BASE_MODEL);
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina'), (2, 'Miles'); INSERT INTO track VALUES (1, 'a', 1);");
    p.revision(
        "r1",
        &["r0"],
        "DELETE FROM artist WHERE id = 2;",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let before = p.bytes("app.db");
    let out = p.ok(&["verify", "--data"]);
    assert!(out.contains("artist: 1 row(s) lost"), "{out}");
    assert_eq!(before, p.bytes("app.db"), "verify --data works on a copy");
}

/// Seeds `rows` children under 1,000 parents.
fn seed_big(p: &Project, rows: usize) {
    p.sql(
        "app.db",
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
             INSERT INTO artist (id, name) SELECT i, 'artist ' || i FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             INSERT INTO track (id, title, artist_id) SELECT i, 'track ' || i, 1 + i % 1000 FROM n;"
        ),
    );
}

/// A chain of revisions that rebuild the parent and the child tables.
fn rebuild_chain(p: &Project) -> Vec<String> {
    let steps = [
        ("r1", BASE_MODEL.replace("VARCHAR(30)", "VARCHAR(40)")),
        (
            "r2",
            BASE_MODEL
                .replace("VARCHAR(30)", "VARCHAR(40)")
                .replace("type = \"VARCHAR\", nullable", "type = \"TEXT\", nullable"),
        ),
        (
            "r3",
            BASE_MODEL
                .replace("VARCHAR(30)", "VARCHAR(50)")
                .replace("type = \"VARCHAR\", nullable", "type = \"TEXT\", nullable"),
        ),
        ("r4", BASE_MODEL.replace("VARCHAR(30)", "VARCHAR(50)")),
    ];
    for (id, model) in &steps {
        p.write("models.toml", model);
        p.autogenerate(id, id);
    }
    steps.iter().map(|(id, _)| id.to_string()).collect()
}

fn assert_sound(p: &Project, expected_schemas: &[(Vec<String>, String)], rows: i64) {
    let conn = p.conn("app.db");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0);
    let tracks: i64 = conn
        .query_row("SELECT count(*) FROM track", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tracks, rows, "rows lost");
    let applied = p.applied();
    let schema = p.schema_text("app.db");
    let (_, expected) = expected_schemas
        .iter()
        .find(|(a, _)| *a == applied)
        .unwrap_or_else(|| panic!("not at a revision boundary: {applied:?}"));
    assert_eq!(
        &schema, expected,
        "schema does not match revision {applied:?}"
    );
}

#[test]
fn a_migrator_killed_anywhere_leaves_a_sound_database_at_a_revision() {
    const ROWS: i64 = 100_000;
    let p = project(&BASE_MODEL);
    let chain = rebuild_chain(&p);
    p.ok(&["upgrade", "r0"]);
    seed_big(&p, ROWS as usize);
    std::fs::copy(p.path("app.db"), p.path("start.db")).unwrap();

    // The schema at every revision boundary, and the time a full run takes.
    let mut expected = vec![(vec!["r0".to_string()], p.schema_text("app.db"))];
    let started = Instant::now();
    for (i, _) in chain.iter().enumerate() {
        p.ok(&["upgrade", "+1", "--no-backup"]);
        let mut applied: Vec<String> = vec!["r0".to_string()];
        applied.extend(chain[..=i].iter().cloned());
        expected.push((applied, p.schema_text("app.db")));
    }
    let full = started.elapsed();

    let points = 16;
    for k in 0..points {
        std::fs::copy(p.path("start.db"), p.path("app.db")).unwrap();
        let _ = std::fs::remove_file(p.path("app.db-journal"));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("migrate"))
            .current_dir(p.dir.path())
            .args(["upgrade", "--no-backup"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(k as f64 / points as f64) + Duration::from_millis(2));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_sound(&p, &expected, ROWS);
        // And it finishes cleanly afterwards.
        p.ok(&["upgrade", "--no-backup"]);
        assert_sound(&p, &expected, ROWS);
        assert_eq!(p.applied().len(), chain.len() + 1);
        // The journal the killed run kept (it commits in `persist` mode) is
        // gone once a run ends normally.
        assert!(!p.path("app.db-journal").exists());
    }
}

#[test]
fn a_full_disk_mid_rebuild_is_a_clear_error_and_changes_nothing() {
    let p = project(&BASE_MODEL);
    p.ok(&["upgrade"]);
    seed_big(&p, 20_000);
    let pages: i64 = p.count("PRAGMA page_count");
    // A revision that may only grow the file by a few pages, then rebuilds a big table.
    p.revision(
        "r1",
        &["r0"],
        &format!(
            "PRAGMA max_page_count = {};\nCREATE TABLE t2 (id INTEGER PRIMARY KEY, title TEXT, artist_id INT);\n\
             INSERT INTO t2 SELECT id, title, artist_id FROM track;\nDROP TABLE track;\nALTER TABLE t2 RENAME TO track;",
            pages + 5
        ),
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let before_schema = p.schema_text("app.db");
    let err = p.fails(&["upgrade", "--no-backup"]);
    assert!(
        err.contains("database or disk is full") && err.contains("revision r1"),
        "{err}"
    );
    assert!(err.contains("unchanged"), "{err}");
    assert_eq!(before_schema, p.schema_text("app.db"));
    assert_eq!(p.count("SELECT count(*) FROM track"), 20_000);
    assert_eq!(p.applied(), vec!["r0"]);
}

#[test]
fn a_read_only_database_is_a_clear_error() {
    let p = project(&BASE_MODEL);
    p.ok(&["upgrade"]);
    p.write(
        "models.toml",
        &BASE_MODEL.replace("VARCHAR(30)", "VARCHAR(40)"),
    );
    p.autogenerate("widen", "r1");
    let db = p.path("app.db");
    // Root ignores permission bits; an immutable file is read-only even for root.
    let status = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&db)
        .status();
    let immutable = status.is_ok_and(|s| s.success());
    if !immutable {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            common::say(
                "root without a working `chattr +i`: the read-only database test did not run",
            );
            return;
        }
        // Not root: plain permissions make the file read-only.
        let mut perms = std::fs::metadata(&db).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&db, perms).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let (code, _, err) = p.run(&["upgrade", "--no-backup"]);
    if immutable {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&db)
            .status();
    }
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "{err}"
    );
    assert_eq!(before, std::fs::read(&db).unwrap());
}
