//! The PG-wire engines' modes on a real PostgreSQL server, switched on with
//! `[database] capabilities` (CockroachDB and YugabyteDB cannot be installed
//! here): without transactional DDL (one statement per transaction, the
//! progress recorded, a killed or failed run resumes at the first statement
//! that did not commit, never re-running one that did; downgrade too), and
//! without advisory locks (a lease row: eight migrators apply each revision
//! once, a held lease is refused naming its holder until it expires).

mod common;

use std::time::{Duration, Instant};

use common::Project;
use common::pg::TestDb;
use common::pg_project::{fails_env, run_at_once, run_env, with_setting};

/// Both modes at once, as on CockroachDB and YugabyteDB.
const NEITHER: &str = "{ transactional_ddl = false, advisory_locks = false }";

/// How many statements of `rev` the progress table says committed (0: no row).
fn done(db: &TestDb, rev: &str) -> i64 {
    let mut c = db.client();
    let exists: bool = c
        .query_one(
            "SELECT to_regclass('migrate_version_progress') IS NOT NULL",
            &[],
        )
        .unwrap()
        .get(0);
    if !exists {
        return 0;
    }
    c.query_opt(
        "SELECT done::bigint FROM migrate_version_progress WHERE revision = $1",
        &[&rev],
    )
    .unwrap()
    .map_or(0, |r| r.get(0))
}

/// A project on `db` whose config sets `capabilities`, with these revisions.
fn with_caps(
    db: &TestDb,
    capabilities: &str,
    revisions: &[(&str, &[&str], &str, &str)],
) -> Project {
    with_setting(
        &db.url,
        &format!("capabilities = {capabilities}"),
        revisions,
    )
}

/// Five statements; each insert into `ran` would show a second run of it,
/// and the CREATE TABLE would fail run twice.
const FIVE: &str = "CREATE TABLE ran (stmt int);\n\
                    INSERT INTO ran VALUES (2);\n\
                    INSERT INTO ran VALUES (3);\n\
                    ALTER TABLE ran ADD COLUMN note text;\n\
                    INSERT INTO ran VALUES (5, 'last');";

fn kill_after(
    p: &Project,
    db: &TestDb,
    rev: &str,
    statements: i64,
    args: &[&str],
    env: &[(&str, &str)],
) {
    let mut cmd = p.plain_command();
    cmd.env("MIGRATE_TEST_STOP_AFTER_STATEMENT", statements.to_string());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.args(args).spawn().unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    while done(db, rev) < statements && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(done(db, rev), statements, "the run never got there");
    child.kill().unwrap(); // SIGKILL: no clean-up of any kind
    child.wait().unwrap();
}

#[test]
fn without_transactional_ddl_a_killed_run_resumes_where_it_stopped() {
    let Some(db) = common::pg::fresh_db("stepkill") else {
        return;
    };
    let p = with_caps(
        &db,
        "{ transactional_ddl = false }",
        &[
            (
                "a1",
                &[],
                FIVE,
                "DELETE FROM ran WHERE stmt = 5;\nALTER TABLE ran DROP COLUMN note;\nDROP TABLE ran;",
            ),
            (
                "b2",
                &["a1"],
                "CREATE TABLE later (id int);",
                "DROP TABLE later;",
            ),
        ],
    );
    kill_after(&p, &db, "a1", 2, &["upgrade"], &[]);
    assert!(
        db.applied().is_empty(),
        "no version row before the last statement"
    );
    assert_eq!(
        db.count("SELECT count(*) FROM ran"),
        1,
        "statement 2 committed, 3 not"
    );
    let (code, _, err) = p.run(&["current"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("revision a1 is halfway: 2 of its 5 statements going up committed")
            && err.contains("resumes at statement 3"),
        "{err}"
    );

    let out = p.ok(&["upgrade"]);
    assert!(out.contains("2 revision(s) applied"), "{out}");
    assert_eq!(db.applied(), ["a1", "b2"]);
    let mut ran: Vec<i32> = db
        .client()
        .query("SELECT stmt FROM ran ORDER BY stmt", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    ran.dedup();
    assert_eq!(ran, [2, 3, 5], "each statement ran once");
    assert_eq!(db.count("SELECT count(*) FROM ran"), 3);
    assert_eq!(
        done(&db, "a1"),
        0,
        "the progress row goes with the version row"
    );

    // Down too: killed between statements, resumed, the rows kept.
    kill_after(&p, &db, "a1", 1, &["downgrade", "base"], &[]);
    assert_eq!(db.applied(), ["a1"], "b2 reverted, a1 halfway");
    assert_eq!(
        db.count("SELECT count(*) FROM ran"),
        2,
        "its first statement committed"
    );
    // A run that would not finish it is refused before anything runs.
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("revision a1 stopped going down after statement 1 of 3")
            && err.contains("Nothing ran"),
        "{err}"
    );
    p.ok(&["downgrade", "base"]);
    assert!(db.applied().is_empty());
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'ran'"),
        0
    );
    // Every step is logged once.
    assert_eq!(db.count("SELECT count(*) FROM migrate_version_log"), 4);
}

#[test]
fn without_transactional_ddl_a_failed_statement_is_resumed_at_not_repeated() {
    let Some(db) = common::pg::fresh_db("stepfail") else {
        return;
    };
    let p = with_caps(
        &db,
        "{ transactional_ddl = false }",
        &[(
            "a1",
            &[],
            "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nINSERT INTO missing VALUES (1);\nINSERT INTO t VALUES (4);",
            "DROP TABLE t;",
        )],
    );
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("a1_step.sql, up statement 3 at line 8"),
        "{err}"
    );
    assert!(
        err.contains("first 2 statements stayed applied") && err.contains("resumes at statement 3"),
        "{err}"
    );
    assert_eq!(done(&db, "a1"), 2);
    // The file edited now: which statements ran is no longer known.
    let path = p.path("migrations/versions/a1_step.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("VALUES (4)", "VALUES (5)")).unwrap();
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("its file was edited since"), "{err}");
    std::fs::write(&path, &text).unwrap();
    p.ok(&["hash"]);
    // The cause fixed in the database: the run goes on from statement 3.
    db.client()
        .batch_execute("CREATE TABLE missing (id int)")
        .unwrap();
    p.ok(&["upgrade"]);
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(db.count("SELECT count(*) FROM t"), 2);
    assert_eq!(db.count("SELECT count(*) FROM missing"), 1);
}

#[test]
fn with_a_lease_eight_concurrent_upgrades_apply_each_statement_once() {
    let Some(db) = common::pg::fresh_db("leaseeight") else {
        return;
    };
    let p = with_caps(
        &db,
        NEITHER,
        &[
            (
                "a1",
                &[],
                "CREATE TABLE runs (rev text);\nINSERT INTO runs VALUES ('a1');",
                "DROP TABLE runs;",
            ),
            (
                "b2",
                &["a1"],
                "SELECT pg_sleep(0.2);\nINSERT INTO runs VALUES ('b2');\nINSERT INTO runs VALUES ('b2 again');",
                "DELETE FROM runs WHERE rev LIKE 'b2%';",
            ),
            (
                "c3",
                &["b2"],
                "INSERT INTO runs VALUES ('c3');",
                "DELETE FROM runs WHERE rev = 'c3';",
            ),
        ],
    );
    let mut steps = 0;
    let env = [("MIGRATE_TEST_PAUSE_BEFORE_LOCK_MS", "300")];
    for (ok, stdout, stderr) in run_at_once(&p, 8, &env, &["--lock-wait", "60", "upgrade"]) {
        assert!(ok, "{stderr}{stdout}");
        steps += stdout
            .split(" revision(s) applied")
            .next()
            .and_then(|n| n.trim().rsplit(' ').next()?.parse::<usize>().ok())
            .unwrap_or(0);
    }
    assert_eq!(db.applied(), ["a1", "b2", "c3"]);
    assert_eq!(db.count("SELECT count(*) FROM runs"), 4, "each insert once");
    assert_eq!(db.count("SELECT count(*) FROM migrate_version_log"), 3);
    assert_eq!(steps, 3);
    assert_eq!(
        db.count("SELECT count(*) FROM migrate_version_lease"),
        0,
        "released"
    );
}

#[test]
fn a_lease_holder_killed_between_statements_is_outlived_and_resumed() {
    let Some(db) = common::pg::fresh_db("leasekill") else {
        return;
    };
    let p = with_caps(&db, NEITHER, &[("a1", &[], FIVE, "DROP TABLE ran;")]);
    let short = [("MIGRATE_TEST_LEASE_MS", "1500")];
    kill_after(&p, &db, "a1", 3, &["upgrade"], &short);
    // The dead run's lease is still there: a run that will not wait is refused.
    let err = fails_env(&p, &short, &["--lock-wait", "0", "upgrade"]);
    assert!(
        err.contains("another migrate run holds the migration lease")
            && err.contains("migrate pid"),
        "{err}"
    );
    let (code, out, err) = run_env(&p, &short, &["--lock-wait", "30", "upgrade"]);
    assert_eq!(code, 0, "{err}{out}");
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(
        db.count("SELECT count(*) FROM ran"),
        3,
        "statements 2, 3, 5 once each"
    );
    assert_eq!(db.count("SELECT count(*) FROM ran WHERE note = 'last'"), 1);
}

#[test]
fn a_lease_held_past_lock_wait_is_refused_naming_its_holder() {
    let Some(db) = common::pg::fresh_db("leaseheld") else {
        return;
    };
    let p = with_caps(
        &db,
        "{ advisory_locks = false }",
        &[(
            "a1",
            &[],
            "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);",
            "DROP TABLE t;",
        )],
    );
    // Someone else holds the lease, for an hour.
    let mut other = db.client();
    other
        .batch_execute(
            "CREATE TABLE migrate_version_lease (id integer PRIMARY KEY CHECK (id = 1), \
             token text NOT NULL, holder text NOT NULL, acquired_at timestamptz NOT NULL, \
             expires_at timestamptz NOT NULL); \
             INSERT INTO migrate_version_lease VALUES \
             (1, 'x', 'deploy job 42 on ci-runner', now(), now() + interval '1 hour')",
        )
        .unwrap();
    let err = p.fails(&["--lock-wait", "0.5", "upgrade"]);
    assert!(
        err.contains(
            "another migrate run holds the migration lease (deploy job 42 on ci-runner, since"
        ) && err.contains("--lock-wait"),
        "{err}"
    );
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        0
    );
    // Expired (its holder crashed and never renewed it): taken over.
    other
        .batch_execute("UPDATE migrate_version_lease SET expires_at = now() - interval '1 second'")
        .unwrap();
    p.ok(&["--lock-wait", "0.5", "upgrade"]);
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(db.count("SELECT count(*) FROM t"), 1);
}

#[test]
fn without_concurrently_a_revision_using_it_is_refused_before_anything_runs() {
    let Some(db) = common::pg::fresh_db("noconc") else {
        return;
    };
    let p = with_caps(
        &db,
        "{ concurrently = false }",
        &[("a1", &[], "CREATE TABLE t (id int);", "DROP TABLE t;")],
    );
    p.write(
        "migrations/versions/b2_step.sql",
        "-- revision: b2\n-- down_revision: a1\n-- message: index\n-- transactional: false\n\n\
         -- migrate:up\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n\n-- migrate:down\nDROP INDEX t_id;\n",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("up statement 1")
            && err.contains("CREATE INDEX CONCURRENTLY")
            && err.contains("Nothing ran")
            && err.contains("concurrently = false"),
        "{err}"
    );
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename IN ('t', 'migrate_version')"),
        0,
        "rolled back, a1 included"
    );
}

#[test]
fn an_unknown_capability_is_refused_naming_it() {
    let p = Project::new();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"postgresql://nobody@127.0.0.1:1/none\"\ncapabilities = { transactional_dll = false }\n",
    );
    let err = p.fails(&["current"]);
    assert!(
        err.contains("capabilities.transactional_dll is not a capability")
            && err.contains("migrate.toml"),
        "{err}"
    );
}

#[test]
fn a_run_whose_lease_was_taken_stops_before_its_next_statement() {
    let Some(db) = common::pg::fresh_db("leasefence") else {
        return;
    };
    let p = with_caps(&db, NEITHER, &[("a1", &[], FIVE, "DROP TABLE ran;")]);
    let child = p
        .plain_command()
        .env("MIGRATE_TEST_STOP_AFTER_STATEMENT", "1:1500")
        .arg("upgrade")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    while done(&db, "a1") < 1 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Another run's lease now (as if this one's had expired and been taken).
    db.client()
        .batch_execute("UPDATE migrate_version_lease SET token = 'thief', holder = 'another run'")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("this run lost the migration lease"), "{err}");
    assert_eq!(done(&db, "a1"), 1, "statement 2 never ran");
    assert_eq!(db.count("SELECT count(*) FROM ran"), 0);
    assert_eq!(
        db.count("SELECT count(*) FROM migrate_version_lease"),
        1,
        "the other run's lease is left alone"
    );
    db.client()
        .batch_execute("DELETE FROM migrate_version_lease")
        .unwrap();
    p.ok(&["upgrade"]);
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(db.count("SELECT count(*) FROM ran"), 3);
}

#[test]
fn without_transactional_ddl_a_non_transactional_revision_runs_statement_by_statement() {
    let Some(db) = common::pg::fresh_db("stepnontx") else {
        return;
    };
    let p = with_caps(
        &db,
        NEITHER,
        &[(
            "a1",
            &[],
            "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (2);",
            "DROP TABLE t;",
        )],
    );
    p.write(
        "migrations/versions/b2_step.sql",
        "-- revision: b2\n-- down_revision: a1\n-- message: index\n-- transactional: false\n\n\
         -- migrate:up\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nINSERT INTO t VALUES (3);\n\n\
         -- migrate:down\nDROP INDEX CONCURRENTLY t_id;\nDELETE FROM t WHERE id = 3;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    assert_eq!(db.applied(), ["a1", "b2"]);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_indexes WHERE indexname = 't_id'"),
        1
    );
    assert_eq!(db.count("SELECT count(*) FROM t"), 3);
    p.ok(&["downgrade", "a1"]);
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_indexes WHERE indexname = 't_id'"),
        0
    );
    assert_eq!(db.count("SELECT count(*) FROM t"), 2, "rows kept");
    // `stamp` releases the lease it took: the next run does not wait for it.
    p.ok(&["stamp", "b2"]);
    assert_eq!(db.count("SELECT count(*) FROM migrate_version_lease"), 0);
}

/// `upgrade --sql` without transactional DDL: no BEGIN/COMMIT around a
/// revision (the server would not honour it), said in a comment; with the
/// capability on, each revision is wrapped as before. Nothing runs.
#[test]
fn without_transactional_ddl_the_offline_script_has_no_begin() {
    let Some(db) = common::pg::fresh_db("nottx_sql") else {
        return;
    };
    let revs: &[(&str, &[&str], &str, &str)] = &[(
        "a1",
        &[],
        "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);",
        "DROP TABLE t;",
    )];
    let off = with_caps(&db, "{ transactional_ddl = false }", revs).ok(&["upgrade", "--sql"]);
    assert!(!off.contains("BEGIN;") && !off.contains("COMMIT;"), "{off}");
    assert!(off.contains("no transactional DDL"), "{off}");
    assert!(off.contains("INSERT INTO t VALUES (1);"), "{off}");
    let on = with_caps(&db, "{ transactional_ddl = true }", revs).ok(&["upgrade", "--sql"]);
    assert!(on.contains("BEGIN;\nCREATE TABLE t"), "{on}");
    assert!(on.contains("COMMIT;"), "{on}");
    assert_eq!(
        db.count("SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
        0
    );
}
