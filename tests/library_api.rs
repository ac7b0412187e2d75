//! The public library API (`migrate::Migrator`): upgrade, downgrade,
//! current, pending and check on SQLite and PostgreSQL, with the
//! command-line tool's guarantees (the sum, the lock, the data checks), from
//! a directory, from embedded texts, and on the application's own connection.

mod common;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::Project;
use migrate::{EmbeddedMigrations, EmbeddedRevision, Error, Migrator, Model};

const A1_UP: &str = "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
                     CREATE TABLE log (rev TEXT NOT NULL);\n\
                     INSERT INTO log VALUES ('a1');";
const A1_DOWN: &str = "DROP TABLE log;\nDROP TABLE artist;";
const A2_UP: &str = "CREATE TABLE track (id INTEGER PRIMARY KEY, title TEXT NOT NULL, \
                     artist_id INTEGER REFERENCES artist (id));\n\
                     INSERT INTO log VALUES ('a2');";
const A2_DOWN: &str = "DROP TABLE track;\nDELETE FROM log WHERE rev = 'a2';";

/// The model the two revisions build (SQLite).
const MODEL: &str = "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
                     CREATE TABLE log (rev TEXT NOT NULL);\n\
                     CREATE TABLE track (id INTEGER PRIMARY KEY, title TEXT NOT NULL, \
                     artist_id INTEGER REFERENCES artist (id));\n";

/// A project with revisions a1 and a2 and their migrate.sum.
fn project() -> Project {
    let p = Project::new();
    p.revision("a1", &[], A1_UP, A1_DOWN);
    p.revision("a2", &["a1"], A2_UP, A2_DOWN);
    Migrator::write_sum(p.path("migrations")).unwrap();
    p
}

fn sqlite_url(p: &Project) -> String {
    format!("sqlite:{}", p.path("app.db").display())
}

fn migrator(p: &Project) -> Migrator {
    Migrator::from_dir(p.path("migrations"))
        .unwrap()
        .database(&sqlite_url(p))
        .unwrap()
}

fn ids(revs: &[migrate::RevisionInfo]) -> Vec<&str> {
    revs.iter().map(|r| r.id.as_str()).collect()
}

#[test]
fn upgrade_downgrade_current_pending_on_sqlite() {
    let p = project();
    let mut m = migrator(&p);
    assert!(m.current().unwrap().is_empty());
    assert_eq!(ids(&m.pending().unwrap()), ["a1", "a2"]);

    let report = m.upgrade("head").unwrap();
    assert_eq!(ids(&report.steps), ["a1", "a2"]);
    assert_eq!(report.current, ["a2"]);
    assert_eq!(report.steps[1].parents, ["a1"]);
    // What the CLI says on stderr is in the report, not on the terminal.
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("running up base -> a1")),
        "{:?}",
        report.notes
    );
    assert_eq!(ids(&m.current().unwrap()), ["a2"]);
    assert!(m.pending().unwrap().is_empty());
    assert!(m.upgrade("head").unwrap().steps.is_empty());

    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina Simone')");
    let report = m.downgrade("-1").unwrap();
    assert_eq!(ids(&report.steps), ["a2"]);
    assert_eq!(report.direction, migrate::Direction::Down);
    assert_eq!(ids(&m.current().unwrap()), ["a1"]);
    assert_eq!(ids(&m.pending().unwrap()), ["a2"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1, "rows survive");
    assert_eq!(p.applied(), ["a1"]);
}

#[test]
fn check_compares_the_migrations_with_a_model_and_the_database() {
    let p = project();
    let mut m = migrator(&p);
    let same = m.check(Model::sql(MODEL)).unwrap();
    assert!(same.ok(), "{same:?}");
    assert!(same.database_drift.is_none(), "no database yet");

    let more = format!("{MODEL}CREATE TABLE genre (id INTEGER PRIMARY KEY);\n");
    let differs = m.check(Model::sql(more)).unwrap();
    assert!(!differs.ok());
    assert!(
        differs
            .migrations_vs_model
            .changes
            .iter()
            .any(|c| c.contains("genre")),
        "{differs:?}"
    );

    m.upgrade("head").unwrap();
    p.sql("app.db", "CREATE TABLE stray (x)");
    let drift = m.check(Model::sql(MODEL)).unwrap();
    assert!(!drift.ok());
    assert!(drift.database_drift.unwrap().differs);
}

#[test]
fn a_stale_sum_is_refused_and_nothing_runs() {
    let p = project();
    let mut m = migrator(&p);
    p.revision("a2", &["a1"], "CREATE TABLE edited (x);", A2_DOWN);
    let err = m.upgrade("head").unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err}");
    assert!(err.to_string().contains("a2_step.sql: edited"), "{err}");
    assert!(p.applied().is_empty());
    let again = Migrator::from_dir(p.path("migrations")).err().unwrap();
    assert!(again.to_string().contains("migrate hash"), "{again}");
}

/// Revisions as `embed_migrations!` would compile them in.
fn embedded(p: &Project, edit: Option<&str>) -> &'static EmbeddedMigrations {
    let mut revisions = Vec::new();
    for name in ["a1_step.sql", "a2_step.sql"] {
        let mut text =
            std::fs::read_to_string(p.path(&format!("migrations/versions/{name}"))).unwrap();
        if let (Some(extra), "a2_step.sql") = (edit, name) {
            text.push_str(extra);
        }
        revisions.push(EmbeddedRevision {
            file_name: Box::leak(name.to_string().into_boxed_str()),
            text: Box::leak(text.into_boxed_str()),
        });
    }
    let sum = std::fs::read_to_string(p.path("migrations/migrate.sum")).unwrap();
    Box::leak(Box::new(EmbeddedMigrations {
        revisions: Box::leak(revisions.into_boxed_slice()),
        sum: Box::leak(sum.into_boxed_str()),
    }))
}

#[test]
fn embedded_revisions_run_and_a_stale_embedded_sum_is_refused() {
    let p = project();
    let stale = Migrator::embedded(embedded(&p, Some("-- edited\n")))
        .err()
        .unwrap();
    assert!(matches!(stale, Error::Refused(_)), "{stale}");
    assert!(stale.to_string().contains("a2_step.sql: edited"), "{stale}");

    // The files on disk are not read: moved away, the embedded texts still run.
    let migrations = embedded(&p, None);
    std::fs::rename(p.path("migrations"), p.path("gone")).unwrap();
    let mut m = Migrator::embedded(migrations)
        .unwrap()
        .database(&sqlite_url(&p))
        .unwrap();
    assert_eq!(ids(&m.upgrade("heads").unwrap().steps), ["a1", "a2"]);
    assert_eq!(ids(&m.current().unwrap()), ["a2"]);
    let report = m.downgrade("base").unwrap();
    assert_eq!(ids(&report.steps), ["a2", "a1"]);
    // Dropping tables is backed up beside the database, not in the working directory.
    let backup = report.backup.expect("a backup before dropping tables");
    assert!(
        backup.starts_with(p.path("backups")),
        "{}",
        backup.display()
    );
}

/// Two threads of one application upgrade one file at once: the lock lets
/// one apply each revision, the other finds it applied; nothing runs twice.
#[test]
fn two_threads_upgrading_at_once_apply_each_revision_once() {
    let p = project();
    // Hold the write lock while both plan from `base`, so that both then
    // queue for it with a plan that is stale for one of them.
    let blocker = p.conn("app.db");
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..2)
        .map(|i| {
            let (start, url, dir) = (start.clone(), sqlite_url(&p), p.path("migrations"));
            std::thread::spawn(move || {
                let mut m = Migrator::from_dir(dir).unwrap().database(&url).unwrap();
                // Thread 1 on the application's own connection.
                if i == 1 {
                    let conn =
                        rusqlite::Connection::open(url.trim_start_matches("sqlite:")).unwrap();
                    m = m.sqlite_connection(conn).unwrap();
                }
                start.wait();
                m.upgrade("head")
            })
        })
        .collect();
    start.wait();
    std::thread::sleep(Duration::from_millis(300));
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(blocker.close());
    let mut ran = Vec::new();
    for t in threads {
        let report = t.join().unwrap().unwrap();
        assert_eq!(report.current, ["a2"]);
        ran.extend(report.steps.into_iter().map(|s| s.id));
    }
    ran.sort();
    assert_eq!(ran, ["a1", "a2"], "each revision ran once, in one thread");
    assert_eq!(p.count("SELECT count(*) FROM log"), 2);
    assert_eq!(p.applied(), ["a1", "a2"]);
}

#[test]
fn the_applications_own_sqlite_connection() {
    let p = project();
    let conn = rusqlite::Connection::open(p.path("app.db")).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let mut m = Migrator::from_dir(p.path("migrations"))
        .unwrap()
        .sqlite_connection(conn)
        .unwrap();
    assert_eq!(ids(&m.upgrade("head").unwrap().steps), ["a1", "a2"]);
    let conn = m.into_sqlite_connection().unwrap();
    // The connection comes back as it was given: foreign keys on again.
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    conn.execute("INSERT INTO artist VALUES (1, 'Miles Davis')", [])
        .unwrap();
    assert_eq!(
        conn.query_row("SELECT count(*) FROM log", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        2
    );

    let memory = rusqlite::Connection::open_in_memory().unwrap();
    let err = Migrator::from_dir(p.path("migrations"))
        .unwrap()
        .sqlite_connection(memory)
        .err()
        .unwrap();
    assert!(err.to_string().contains("in-memory"), "{err}");
}

/// A revision whose new CHECK the rows already there break is refused
/// before it runs, through the API as through the CLI; the rows stay.
#[test]
fn the_data_check_refuses_through_the_api_and_rows_stay() {
    let p = Project::new();
    p.revision(
        "r0",
        &[],
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);\nINSERT INTO t VALUES (1, -5);",
        "DROP TABLE t;",
    );
    p.revision(
        "r1",
        &["r0"],
        "CREATE TABLE _migrate_new_t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n >= 0));\n\
         INSERT INTO _migrate_new_t (id, n) SELECT id, n FROM t;\n\
         DROP TABLE t;\n\
         ALTER TABLE _migrate_new_t RENAME TO t;",
        "SELECT 1;",
    );
    Migrator::write_sum(p.path("migrations")).unwrap();
    let mut m = migrator(&p);
    m.upgrade("r0").unwrap();
    let err = m.upgrade("head").unwrap_err();
    assert!(err.to_string().contains("data would not survive"), "{err}");
    assert_eq!(p.count("SELECT count(*) FROM t WHERE n = -5"), 1);
    assert_eq!(p.applied(), ["r0"]);
}

#[test]
fn upgrade_downgrade_current_pending_check_on_postgres() {
    let Some(db) = common::pg::fresh_db("library_api") else {
        return;
    };
    let p = Project::new();
    p.revision(
        "a1",
        &[],
        "CREATE TABLE artist (id integer PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE artist;",
    );
    p.revision(
        "a2",
        &["a1"],
        "CREATE TABLE track (id integer PRIMARY KEY, artist_id integer REFERENCES artist (id));",
        "DROP TABLE track;",
    );
    Migrator::write_sum(p.path("migrations")).unwrap();
    let mut m = Migrator::from_dir(p.path("migrations"))
        .unwrap()
        .database(&db.url)
        .unwrap();
    assert_eq!(ids(&m.pending().unwrap()), ["a1", "a2"]);
    assert_eq!(ids(&m.upgrade("head").unwrap().steps), ["a1", "a2"]);
    assert_eq!(ids(&m.current().unwrap()), ["a2"]);
    assert_eq!(db.applied(), ["a1", "a2"]);
    let check = m
        .check(Model::sql(
            "CREATE TABLE artist (id integer PRIMARY KEY, name text NOT NULL);\n\
             CREATE TABLE track (id integer PRIMARY KEY, artist_id integer REFERENCES artist (id));",
        ))
        .unwrap();
    assert!(check.ok(), "{check:?}");
    db.client()
        .batch_execute("INSERT INTO artist VALUES (1, 'Nina Simone')")
        .unwrap();
    assert_eq!(ids(&m.downgrade("-1").unwrap().steps), ["a2"]);
    assert_eq!(db.applied(), ["a1"]);
    assert_eq!(db.count("SELECT count(*) FROM artist"), 1);

    // The application's own client: the run goes through it, and it comes back
    // without the migration lock.
    let mut m = Migrator::from_dir(p.path("migrations"))
        .unwrap()
        .database(&db.url)
        .unwrap()
        .postgres_client(db.client())
        .unwrap();
    assert_eq!(ids(&m.upgrade("head").unwrap().steps), ["a2"]);
    let mut client = m.into_postgres_client().unwrap();
    let held: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(held, 0, "the lock is released after the run");
    client
        .batch_execute("INSERT INTO track VALUES (1, 1)")
        .unwrap();
    assert_eq!(db.applied(), ["a1", "a2"]);
}

/// `Migrator::current` is `migrate current`'s answer (one function): after
/// `squash --prune` a database whose version table names the pruned ids
/// is at the squash for both, not at an id no file has.
#[test]
fn current_is_the_clis_answer_after_a_prune() {
    let p = Project::new();
    p.revision("b1", &[], "CREATE TABLE b1 (id INTEGER);", "DROP TABLE b1;");
    p.revision(
        "b2",
        &["b1"],
        "CREATE TABLE b2 (id INTEGER);",
        "DROP TABLE b2;",
    );
    p.revision(
        "b3",
        &["b2"],
        "CREATE TABLE b3 (id INTEGER);",
        "DROP TABLE b3;",
    );
    Migrator::write_sum(p.path("migrations")).unwrap();
    let url = sqlite_url(&p);
    migrator(&p).upgrade("b2").unwrap();
    p.ok(&["squash", "b1", "b2", "-m", "squash", "--rev-id", "5a5a"]);
    p.ok(&["--database", &url, "squash", "--prune"]);
    assert_eq!(p.applied(), ["b1", "b2"], "the rows name the pruned ids");
    let cli = p.ok(&["--database", &url, "current"]);
    assert!(cli.starts_with("5a5a  squash\n"), "{cli}");
    let mut m = migrator(&p);
    assert_eq!(ids(&m.current().unwrap()), ["5a5a"]);
    assert_eq!(ids(&m.pending().unwrap()), ["b3"]);
}

/// `[database] schemas` through a lent client: with `schemas(["app"])` the
/// tables and the version table go into `app` although the client's own
/// `search_path` is `public`, every read finds them there, and the client
/// comes back with its own `search_path`, after a failed revision too
/// (rolled back, the rows before it kept).
#[test]
fn a_lent_postgres_client_migrates_into_the_configured_schema() {
    let Some(db) = common::pg::fresh_db("library_schemas") else {
        return;
    };
    let p = Project::new();
    p.revision(
        "a1",
        &[],
        "CREATE TABLE artist (id integer PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE artist;",
    );
    Migrator::write_sum(p.path("migrations")).unwrap();
    let mut client = db.client();
    client
        .batch_execute("CREATE SCHEMA app; SET search_path TO public")
        .unwrap();
    let lend = |client: postgres::Client| {
        Migrator::from_dir(p.path("migrations"))
            .unwrap()
            .database(&db.url)
            .unwrap()
            .schemas(&["app"])
            .unwrap()
            .postgres_client(client)
            .unwrap()
    };
    let mut m = lend(client);
    assert_eq!(ids(&m.upgrade("head").unwrap().steps), ["a1"]);
    assert_eq!(ids(&m.current().unwrap()), ["a1"]);
    assert!(m.pending().unwrap().is_empty());
    let mut client = m.into_postgres_client().unwrap();
    let search_path = |c: &mut postgres::Client| -> String {
        c.query_one("SHOW search_path", &[]).unwrap().get(0)
    };
    assert_eq!(search_path(&mut client), "public");
    let in_schema = |name: &str| {
        db.count(&format!(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relname = '{name}' AND n.nspname = 'app'"
        ))
    };
    assert_eq!(in_schema("artist"), 1);
    assert_eq!(in_schema("migrate_version"), 1);
    assert_eq!(
        db.count("SELECT count(*) FROM pg_class WHERE relname IN ('artist', 'migrate_version')"),
        2,
        "nothing in public"
    );
    client
        .batch_execute("INSERT INTO app.artist VALUES (1, 'Nina Simone')")
        .unwrap();

    // A revision that fails half-way: rolled back, the setting put back.
    p.revision(
        "a2",
        &["a1"],
        "CREATE TABLE track (id integer);\nSELECT 1 / 0;",
        "DROP TABLE track;",
    );
    Migrator::write_sum(p.path("migrations")).unwrap();
    let mut m = lend(client);
    let err = m.upgrade("head").unwrap_err();
    assert!(err.to_string().contains("division by zero"), "{err}");
    let mut client = m.into_postgres_client().unwrap();
    assert_eq!(search_path(&mut client), "public");
    assert_eq!(in_schema("track"), 0);
    assert_eq!(db.count("SELECT count(*) FROM app.artist"), 1);
}

/// An application builds the migrator on one thread and may run it on
/// another (a start-up task); the report crosses threads too.
#[test]
fn the_migrator_and_its_values_are_send() {
    fn send<T: Send>() {}
    send::<Migrator>();
    send::<migrate::Report>();
    send::<migrate::CheckReport>();
    send::<Error>();
}
