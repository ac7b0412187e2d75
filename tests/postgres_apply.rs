//! Hand-written revisions on a real PostgreSQL server through the real
//! binary: up and down with the rows kept, a statement failing mid-revision
//! (rolled back, version rows untouched, the file and line named), eight
//! concurrent upgrades (each revision applied once), a table lock held past
//! `lock_timeout` (a clear refusal, nothing applied), the migration lock
//! held past `lock_wait`, a killed migrator (the next run proceeds), and
//! `upgrade --sql` scripts that psql runs.

mod common;

use std::time::{Duration, Instant};

use common::Project;
use common::pg::TestDb;
use common::pg_project::with_setting;

/// The advisory lock key migrate takes ("migrate!" as a big-endian number).
const LOCK_KEY: i64 = i64::from_be_bytes(*b"migrate!");

/// A project on `db` with `[database] lock_timeout` and a fresh sum.
fn with_revisions(
    db: &TestDb,
    lock_timeout: &str,
    revisions: &[(&str, &[&str], &str, &str)],
) -> Project {
    with_setting(
        &db.url,
        &format!("lock_timeout = {lock_timeout}"),
        revisions,
    )
}

#[test]
fn hand_written_revisions_go_up_and_down_and_keep_the_rows() {
    let Some(db) = common::pg::fresh_db("updown") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[
            (
                "a1",
                &[],
                "CREATE TABLE artist (id int PRIMARY KEY, name text NOT NULL);\n\
                 INSERT INTO artist VALUES (1, 'semi; colon'), (2, $$dollar;quoted$$);\n\
                 CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql\n\
                 BEGIN ATOMIC SELECT upper(t); END;",
                "DROP FUNCTION shout(text);\nDROP TABLE artist;",
            ),
            (
                "b2",
                &["a1"],
                "ALTER TABLE artist ADD COLUMN born int;\nUPDATE artist SET born = 1950;",
                "ALTER TABLE artist DROP COLUMN born;",
            ),
        ],
    );
    assert!(p.ok(&["current"]).contains("base"));
    let out = p.ok(&["upgrade"]);
    assert!(
        out.contains("2 revision(s) applied; the database is at b2"),
        "{out}"
    );
    assert_eq!(db.applied(), ["a1", "b2"]);
    assert_eq!(db.count("SELECT count(*) FROM artist WHERE born = 1950"), 2);
    assert_eq!(
        db.count("SELECT count(*) FROM artist WHERE shout(name) = 'SEMI; COLON'"),
        1
    );
    assert!(p.ok(&["current"]).contains("b2 (head)"));
    let history = p.ok(&["history"]);
    assert!(
        history.contains("a1 -> b2 (head) (current)") || history.contains("(current)"),
        "{history}"
    );
    assert_eq!(
        db.count("SELECT format::bigint FROM migrate_version_format"),
        2
    );

    let out = p.ok(&["downgrade", "a1"]);
    assert!(out.contains("1 revision(s) reverted"), "{out}");
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(db.count("SELECT count(*) FROM artist"), 2, "rows kept");
    assert_eq!(
        db.count(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'artist' AND column_name = 'born'"
        ),
        0
    );
    p.ok(&["downgrade", "base"]);
    assert!(db.applied().is_empty());
    assert_eq!(db.applied(), Vec::<String>::new());
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'artist'"),
        0
    );
    p.ok(&["upgrade"]);
    assert_eq!(db.applied(), ["a1", "b2"]);
    // Every step is in the log, in order.
    let mut client = db.client();
    let log: Vec<String> = client
        .query(
            "SELECT revision || ' ' || direction FROM migrate_version_log ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        log,
        ["a1 up", "b2 up", "b2 down", "a1 down", "a1 up", "b2 up"]
    );

    // An applied revision edited: refused until approved.
    let a1 = p.path("migrations/versions/a1_step.sql");
    let text = std::fs::read_to_string(&a1).unwrap();
    std::fs::write(&a1, text.replace("(2, $$dollar;quoted$$)", "(2, 'plain')")).unwrap();
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("was edited after it was applied"), "{err}");
    p.ok(&["approve", "a1"]);
    assert!(p.ok(&["upgrade"]).contains("nothing to do"));

    // stamp writes the version table only.
    let out = p.ok(&["stamp", "a1"]);
    assert!(out.contains("stamped") && out.contains("at a1"), "{out}");
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(
        db.count("SELECT count(*) FROM artist WHERE born IS NOT NULL"),
        2
    );
}

#[test]
fn a_statement_failing_mid_revision_rolls_the_revision_back() {
    let Some(db) = common::pg::fresh_db("midfail") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[
            (
                "a1",
                &[],
                "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);",
                "DROP TABLE t;",
            ),
            (
                "b2",
                &["a1"],
                "CREATE TABLE u (id int);\nINSERT INTO t\n  VALUES (no_such_column);\nCREATE TABLE v (id int);",
                "DROP TABLE v;\nDROP TABLE u;",
            ),
        ],
    );
    let err = p.fails(&["upgrade"]);
    // Revision files start with 5 header lines; `up` starts on line 6, the bad value is on line 8.
    assert!(err.contains("revision b2"), "{err}");
    assert!(err.contains("b2_step.sql, statement 2 at line 8"), "{err}");
    assert!(err.contains("no_such_column"), "{err}");
    assert!(err.contains("statement: INSERT INTO t ..."), "{err}");
    assert_eq!(db.applied(), ["a1"], "a1 committed, b2 not");
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename IN ('u', 'v')"),
        0
    );
    assert_eq!(db.count("SELECT count(*) FROM t"), 1);
    assert_eq!(db.count("SELECT count(*) FROM migrate_version_log"), 1);

    // A dollar quote that never closes: refused before anything runs, naming its line.
    p.revision(
        "b2",
        &["a1"],
        "SELECT 1;\nDO $body$ BEGIN NULL; END;",
        "SELECT 1;",
    );
    // Read by PostgreSQL's rules, the file itself is refused (as SQLite's
    // unterminated trigger is), by every command that reads it.
    for command in ["hash", "upgrade"] {
        let err = p.fails(&[command]);
        assert!(
            err.contains("b2_step.sql:7: a dollar-quoted string $body$ is never closed"),
            "{command}: {err}"
        );
    }
    assert_eq!(db.applied(), ["a1"]);
}

#[test]
fn eight_concurrent_upgrades_apply_each_revision_once() {
    let Some(db) = common::pg::fresh_db("eight") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[
            (
                "a1",
                &[],
                "CREATE TABLE runs (rev text PRIMARY KEY);\nINSERT INTO runs VALUES ('a1');",
                "DROP TABLE runs;",
            ),
            (
                "b2",
                &["a1"],
                "SELECT pg_sleep(0.2);\nINSERT INTO runs VALUES ('b2');",
                "DELETE FROM runs WHERE rev = 'b2';",
            ),
            (
                "c3",
                &["b2"],
                "INSERT INTO runs VALUES ('c3');",
                "DELETE FROM runs WHERE rev = 'c3';",
            ),
        ],
    );
    let children: Vec<_> = (0..8)
        .map(|_| {
            p.plain_command()
                .args(["--lock-wait", "60", "upgrade"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied_by = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{stderr}{stdout}");
        applied_by.push(stdout.into_owned());
    }
    assert_eq!(db.applied(), ["a1", "b2", "c3"]);
    assert_eq!(db.count("SELECT count(*) FROM runs"), 3);
    assert_eq!(
        db.count("SELECT count(*) FROM migrate_version_log WHERE direction = 'up'"),
        3
    );
    let steps: usize = applied_by
        .iter()
        .filter_map(|o| {
            o.split(" revision(s) applied")
                .next()?
                .trim()
                .parse::<usize>()
                .ok()
        })
        .sum();
    assert_eq!(steps, 3, "{applied_by:?}");
}

#[test]
fn a_table_lock_held_past_lock_timeout_is_a_clear_refusal() {
    let Some(db) = common::pg::fresh_db("locktimeout") else {
        return;
    };
    let p = with_revisions(
        &db,
        "0.3",
        &[(
            "a1",
            &[],
            "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);",
            "DROP TABLE t;",
        )],
    );
    p.ok(&["upgrade"]);
    p.revision(
        "b2",
        &["a1"],
        "CREATE TABLE before_it (id int);\nALTER TABLE t ADD COLUMN x int;",
        "ALTER TABLE t DROP COLUMN x;\nDROP TABLE before_it;",
    );
    p.ok(&["hash"]);
    // The application reads t in an open transaction: ALTER TABLE must wait for it.
    let mut app = db.client();
    app.batch_execute("BEGIN; SELECT * FROM t;").unwrap();
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("lock timeout") && err.contains("lock_timeout"),
        "{err}"
    );
    assert!(err.contains("b2_step.sql, statement 2 at line 7"), "{err}");
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'before_it'"),
        0
    );
    app.batch_execute("COMMIT").unwrap();
    p.ok(&["upgrade"]);
    assert_eq!(db.applied(), ["a1", "b2"]);
    assert_eq!(db.count("SELECT count(*) FROM t"), 1);
}

#[test]
fn the_migration_lock_held_past_lock_wait_is_a_clear_refusal() {
    let Some(db) = common::pg::fresh_db("lockwait") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[("a1", &[], "CREATE TABLE t (id int);", "DROP TABLE t;")],
    );
    let mut other = db.client();
    other
        .query_one("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .unwrap();
    let err = p.fails(&["--lock-wait", "0.5", "upgrade"]);
    assert!(
        err.contains("another migrate run holds the migration lock"),
        "{err}"
    );
    assert!(err.contains("server process"), "{err}");
    assert!(err.contains("--lock-wait"), "{err}");
    assert_eq!(db.applied(), Vec::<String>::new());
    other
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .unwrap();
    p.ok(&["--lock-wait", "0.5", "upgrade"]);
    assert_eq!(db.applied(), ["a1"]);
}

#[test]
fn a_killed_migrator_leaves_the_next_run_free_to_proceed() {
    let Some(db) = common::pg::fresh_db("killed") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[(
            "a1",
            &[],
            "CREATE TABLE t (id int);\nSELECT pg_sleep(1);\nINSERT INTO t VALUES (1);",
            "DROP TABLE t;",
        )],
    );
    let mut child = p.plain_command().arg("upgrade").spawn().unwrap();
    // Wait until it holds the migration lock, then kill it mid-revision.
    let held = |db: &TestDb| {
        db.count(&format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = '{}')",
            db.name
        )) > 0
    };
    let until = Instant::now() + Duration::from_secs(30);
    while !held(&db) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(held(&db), "the migrator never took the lock");
    child.kill().unwrap();
    child.wait().unwrap();
    // The server ends the dead session (and its lock) once its statement
    // finishes; the next run waits for that and applies the revision once.
    let out = p.ok(&["--lock-wait", "30", "upgrade"]);
    assert!(out.contains("1 revision(s) applied"), "{out}");
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(db.count("SELECT count(*) FROM t"), 1);
}

#[test]
fn create_index_concurrently_runs_only_outside_a_transaction() {
    let Some(db) = common::pg::fresh_db("concurrently") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[
            (
                "a1",
                &[],
                "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);",
                "DROP TABLE t;",
            ),
            (
                "b2",
                &["a1"],
                "CREATE INDEX CONCURRENTLY ix_t ON t (id);",
                "DROP INDEX CONCURRENTLY ix_t;",
            ),
        ],
    );
    // Refused before anything runs, a1 included.
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("b2") && err.contains("transactional: false"),
        "{err}"
    );
    assert_eq!(db.applied(), Vec::<String>::new());
    p.write(
        "migrations/versions/b2_step.sql",
        "-- revision: b2\n-- down_revision: a1\n-- message: index\n-- transactional: false\n\n\
         -- migrate:up\nCREATE INDEX CONCURRENTLY ix_t ON t (id);\n\n\
         -- migrate:down\nDROP INDEX CONCURRENTLY ix_t;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    assert_eq!(db.applied(), ["a1", "b2"]);
    assert_eq!(
        db.count(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_t' AND i.indisvalid"
        ),
        1
    );
    p.ok(&["downgrade", "a1"]);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_class WHERE relname = 'ix_t'"),
        0
    );
    assert_eq!(db.count("SELECT count(*) FROM t"), 1);
}

#[test]
fn schema_side_commands_say_they_are_not_built_yet_for_postgres() {
    let Some(db) = common::pg::fresh_db("notbuilt") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[("a1", &[], "CREATE TABLE t (id int);", "DROP TABLE t;")],
    );
    p.write("model.sql", "CREATE TABLE t (id int);\n");
    let err = p.fails(&["restore"]);
    assert!(err.contains("not built yet for PostgreSQL"), "{err}");
    assert!(
        err.contains("upgrade, downgrade (and their --sql), current"),
        "{err}"
    );
    assert_eq!(db.applied(), Vec::<String>::new());
}

#[test]
fn inspect_prints_the_schema_of_a_postgres_database() {
    let Some(db) = common::pg::fresh_db("inspect") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[(
            "a1",
            &[],
            "CREATE TABLE artist (id int PRIMARY KEY, name text NOT NULL);\n\
             CREATE INDEX ix_artist_name ON artist (name);",
            "DROP TABLE artist;",
        )],
    );
    p.ok(&["upgrade"]);
    let sql = p.ok(&["inspect"]);
    assert!(sql.contains("CREATE TABLE artist"), "{sql}");
    assert!(sql.contains("ix_artist_name"), "{sql}");
    assert!(
        !sql.contains("migrate_version"),
        "the tool's own tables are left out: {sql}"
    );
    let err = p.fails(&["inspect", "--format", "toml"]);
    assert!(err.contains("not built yet for PostgreSQL"), "{err}");
}

#[test]
fn upgrade_sql_prints_a_script_psql_runs() {
    let Some(db) = common::pg::fresh_db("offline") else {
        return;
    };
    let p = with_revisions(
        &db,
        "0.25",
        &[
            (
                "a1",
                &[],
                "CREATE TABLE t (id int, note text);\nINSERT INTO t VALUES (1, $$a; b$$);",
                "DROP TABLE t;",
            ),
            (
                "b2",
                &["a1"],
                "ALTER TABLE t ADD COLUMN x int;",
                "ALTER TABLE t DROP COLUMN x;",
            ),
        ],
    );
    let script = p.ok(&["upgrade", "--sql"]);
    assert!(script.contains("SET lock_timeout = '250ms';"), "{script}");
    assert!(script.contains("pg_try_advisory_lock"), "{script}");
    assert!(
        script.contains("timestamptz"),
        "the version table in PostgreSQL's types: {script}"
    );
    assert!(
        script.contains("INSERT INTO t VALUES (1, $$a; b$$);"),
        "{script}"
    );
    assert_eq!(db.applied(), Vec::<String>::new(), "--sql runs nothing");
    p.write("up.sql", &script);
    let psql = std::process::Command::new("psql")
        .args([
            db.url.as_str(),
            "--no-psqlrc",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
        ])
        .arg(p.path("up.sql"))
        .output();
    let Ok(out) = psql else {
        common::say("psql is not installed: the --sql script was not run");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.applied(), ["a1", "b2"]);
    assert!(p.ok(&["current"]).contains("b2 (head)"));
    assert!(p.ok(&["upgrade"]).contains("nothing to do"));
}

/// Revision files of a PostgreSQL project are read by PostgreSQL's rules:
/// a trigger without a body (`EXECUTE FUNCTION`), which SQLite's rules read
/// as a `CREATE TRIGGER` missing its `END;`, hashes, goes up and down.
#[test]
fn a_trigger_revision_is_read_by_postgresql_rules() {
    let Some(db) = common::pg::fresh_db("trigger_rules") else {
        return;
    };
    let p = with_revisions(
        &db,
        "5",
        &[(
            "a1",
            &[],
            "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);\n\
             INSERT INTO t VALUES (1, 0);\n\
             CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN\n  NEW.n := OLD.n + 1;\n  RETURN NEW;\nEND;\n$$;\n\
             CREATE TRIGGER t_bump BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION bump();",
            "DROP TRIGGER t_bump ON t;\nDROP FUNCTION bump();",
        )],
    );
    p.ok(&["upgrade", "head"]);
    assert_eq!(db.applied(), ["a1"]);
    db.client().batch_execute("UPDATE t SET id = 1").unwrap();
    assert_eq!(db.count("SELECT n::bigint FROM t WHERE id = 1"), 1);
    p.ok(&["downgrade", "base"]);
    assert!(db.applied().is_empty());
    // The table is the application's: its row stays, the trigger is gone.
    db.client().batch_execute("UPDATE t SET id = 1").unwrap();
    assert_eq!(db.count("SELECT n::bigint FROM t WHERE id = 1"), 1);
}
