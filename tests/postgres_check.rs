//! The schema side on a real PostgreSQL server through the real binary: a
//! SQL model and the migrations replayed in scratch databases made on
//! `dev_url`, `check` passing and failing (model vs migrations vs database),
//! rename hints read from the model's text, `verify` on a scratch database,
//! the scratch databases dropped after a run, leftovers of killed runs
//! swept only when idle, and a role without CREATEDB told about `dev_url`.

mod common;

use common::Project;
use common::pg::{TestDb, with_database};
use common::pg_project::{fails_env, project, run_with_pid, scratch_dbs, with_sql_model};

/// A project on `db` with the SQL model `model` and hand-written revisions.
fn with_model(db: &TestDb, model: &str, revisions: &[(&str, &[&str], &str, &str)]) -> Project {
    let p = with_sql_model(&db.url, model);
    for (id, parents, up, down) in revisions {
        p.revision(id, parents, up, down);
    }
    p.ok(&["hash"]);
    p
}

const MODEL: &str = "CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
    CREATE TABLE artist (\n\
      id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
      name text NOT NULL,\n\
      mood mood\n\
    );\n\
    CREATE INDEX artist_name ON artist (lower(name));\n\
    CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql AS $$ SELECT upper(t); $$;\n";

const UP: &str = "CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
    CREATE TABLE artist (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, mood mood);\n\
    CREATE INDEX artist_name ON artist (lower(name));";

const DOWN: &str = "DROP TABLE artist;\nDROP TYPE mood;";

#[test]
fn check_compares_model_migrations_and_database() {
    let Some(db) = common::pg::fresh_db("check") else {
        return;
    };
    let p = with_model(&db, MODEL, &[("a1", &[], UP, DOWN)]);
    // At base (no version table yet), then at head with rows.
    let out = p.ok(&["check"]);
    assert!(
        out.contains("ok: the migrations (1 revision(s)) build the model"),
        "{out}"
    );
    p.ok(&["upgrade"]);
    let mut client = db.client();
    client
        .batch_execute("INSERT INTO artist (name, mood) VALUES ('Nina', 'happy')")
        .unwrap();
    let out = p.ok(&["check"]);
    assert!(
        out.contains("the database matches its recorded revision"),
        "{out}"
    );

    // The database drifts: check fails and says how.
    client
        .batch_execute("ALTER TABLE artist ADD COLUMN born int")
        .unwrap();
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("the database has drifted"), "{out}");
    assert!(out.contains("removed column 'artist.born'"), "{out}");
    assert!(out.contains("-    born integer,"), "{out}");
    client
        .batch_execute("ALTER TABLE artist DROP COLUMN born")
        .unwrap();
    p.ok(&["check"]);

    // The model moves on without a revision: check fails and names the change.
    p.write(
        "schema.sql",
        &format!("{MODEL}CREATE TABLE song (id int PRIMARY KEY, title text);\n"),
    );
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("the migrations do not build the model"),
        "{out}"
    );
    assert!(out.contains("added table 'song'"), "{out}");
    // The rows were only read.
    let n: i64 = client
        .query_one("SELECT count(*) FROM artist", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn a_model_statement_that_fails_names_its_line() {
    let Some(db) = common::pg::fresh_db("badmodel") else {
        return;
    };
    let p = with_model(
        &db,
        "CREATE TABLE a (id int);\n\nCREATE TABLE b (id int REFERENCES nowhere);\n",
        &[],
    );
    let err = p.fails(&["check"]);
    assert!(err.contains("schema.sql:3:"), "{err}");
    assert!(err.contains("\"nowhere\" does not exist"), "{err}");
    p.write(
        "schema.sql",
        "CREATE TABLE a (id int);\nSELECT $x$ never closed;\n",
    );
    let err = p.fails(&["check"]);
    assert!(err.contains("schema.sql:2:"), "{err}");
    assert!(err.contains("never closed"), "{err}");
}

#[test]
fn rename_hints_come_from_the_model_text() {
    let Some(db) = common::pg::fresh_db("hints") else {
        return;
    };
    let p = with_model(
        &db,
        "CREATE TABLE Artist ( -- @renamed from=Singer\n\
           id int PRIMARY KEY,\n\
           name text -- @renamed from=title\n\
         );\n",
        &[(
            "a1",
            &[],
            "CREATE TABLE singer (id int PRIMARY KEY, title text);",
            "DROP TABLE singer;",
        )],
    );
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("renamed table 'singer' to 'artist'"), "{out}");
    assert!(
        out.contains("renamed column 'artist.title' to 'artist.name'"),
        "{out}"
    );
    assert!(!out.contains("added table"), "{out}");
}

#[test]
fn verify_round_trips_each_revision_on_a_scratch_database() {
    let Some(db) = common::pg::fresh_db("verify") else {
        return;
    };
    let p = with_model(
        &db,
        MODEL,
        &[
            ("a1", &[], UP, DOWN),
            (
                "b2",
                &["a1"],
                "ALTER TABLE artist ADD COLUMN born int;\nCREATE INDEX artist_born ON artist (born);",
                "ALTER TABLE artist DROP COLUMN born;",
            ),
        ],
    );
    let out = p.ok(&["verify"]);
    assert!(
        out.contains("verified 2 revision(s) on a scratch database"),
        "{out}"
    );
    // A down that leaves something behind is found, and named.
    p.revision(
        "c3",
        &["b2"],
        "CREATE TABLE song (id int);\nCREATE INDEX song_id ON song (id);",
        "DROP INDEX song_id;",
    );
    p.ok(&["hash"]);
    let (code, out, err) = p.run(&["verify"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("FAIL  c3"), "{out}");
    assert!(
        out.contains("+CREATE TABLE song") || out.contains("-CREATE TABLE song"),
        "{out}"
    );
    // verify never touched the database itself.
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
}

#[test]
fn scratch_databases_are_dropped_after_the_run_even_on_failure() {
    let Some(db) = common::pg::fresh_db("dropped") else {
        return;
    };
    let p = with_model(&db, MODEL, &[("a1", &[], UP, "SELECT 1;")]);
    for (args, code) in [(&["check"][..], 0), (&["verify"][..], 1)] {
        let child = p.migrate().args(args).output().unwrap();
        assert_eq!(child.status.code(), Some(code), "{args:?}");
    }
    // A model that fails to load half-way leaves nothing either. The run's
    // own databases carry its pid.
    p.write(
        "schema.sql",
        "CREATE TABLE a (id int);\nCREATE TABLE a (id int);\n",
    );
    let (pid, code, err) = run_with_pid(&p, &["check"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("already exists"));
    assert_eq!(
        scratch_dbs(&db, &format!("migrate_scratch_{pid}_")),
        Vec::<String>::new()
    );
}

/// The model and the migrations are built at once, each in a scratch
/// database of its own. A model that fails while the replay runs (or after
/// it ended) leaves neither database; when both fail the model's error is
/// told, as when they were built in turn; when only the replay fails, its
/// error.
#[test]
fn the_model_and_the_replay_built_at_once_fail_in_order_and_leave_nothing() {
    let Some(db) = common::pg::fresh_db("at_once") else {
        return;
    };
    // 200 statements: the replay is still running when the model fails on
    // its second statement.
    let slow: String = (0..200)
        .map(|i| format!("CREATE TABLE s{i} (id int);\n"))
        .collect();
    let broken_model = "CREATE TABLE a (id int);\nCREATE TABLE a (id int);\n";
    let p = with_model(&db, broken_model, &[("a1", &[], &slow, "SELECT 1;")]);
    let left = |pid: u32| scratch_dbs(&db, &format!("migrate_scratch_{pid}_"));
    let (pid, code, err) = run_with_pid(&p, &["check"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(left(pid), Vec::<String>::new());

    p.revision("a2", &["a1"], "SELECT * FROM nowhere;", "SELECT 1;");
    p.ok(&["hash"]);
    let (pid, code, err) = run_with_pid(&p, &["check"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert!(!err.contains("nowhere"), "{err}");
    assert_eq!(left(pid), Vec::<String>::new());

    p.write("schema.sql", "CREATE TABLE a (id int);\n");
    let (pid, code, err) = run_with_pid(&p, &["check"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("nowhere") && err.contains("while replaying the migrations"),
        "{err}"
    );
    assert_eq!(left(pid), Vec::<String>::new());
}

#[test]
fn leftovers_of_killed_runs_are_swept_only_when_idle_and_old() {
    let Some(db) = common::pg::fresh_db("sweep") else {
        return;
    };
    let admin_url = common::pg::server_url().unwrap();
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
    // As a killed run leaves them: pid, seconds since the epoch, bits.
    let pid = std::process::id();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let idle_old = format!("migrate_scratch_9{pid}_{}_00000a", now - 3600);
    let busy_old = format!("migrate_scratch_9{pid}_{}_00000b", now - 3600);
    let idle_new = format!("migrate_scratch_9{pid}_{now}_00000c");
    let create = |admin: &mut postgres::Client, name: &str| {
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
            .unwrap();
    };
    create(&mut admin, &idle_old);
    create(&mut admin, &idle_new);
    // Another run's session on it: that run is alive, its database stays.
    // (A migrate of a test running beside this one may sweep it before the
    // session is there, as it should: then it is made again.)
    let busy = (0..10)
        .find_map(|_| {
            let _ = admin.batch_execute(&format!(
                "CREATE DATABASE \"{busy_old}\" TEMPLATE template0"
            ));
            postgres::Client::connect(&with_database(&admin_url, &busy_old), postgres::NoTls).ok()
        })
        .expect("a session on the busy database");
    let p = with_model(&db, MODEL, &[("a1", &[], UP, DOWN)]);
    p.ok(&["check"]);
    let left = scratch_dbs(&db, &format!("migrate_scratch_9{pid}_"));
    assert_eq!(left, vec![busy_old.clone(), idle_new.clone()]);
    drop(busy);
    for name in [&busy_old, &idle_new] {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .unwrap();
    }
}

#[test]
fn a_role_without_createdb_is_told_about_dev_url() {
    let Some(db) = common::pg::fresh_db("nocreatedb") else {
        return;
    };
    let role = format!("nocreatedb_{}", std::process::id());
    let mut admin = db.client();
    admin
        .batch_execute(&format!(
            "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN NOCREATEDB; \
             GRANT ALL ON SCHEMA public TO {role}"
        ))
        .unwrap();
    let as_role = db.url.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(
        as_role, db.url,
        "the test server's URL names the user postgres"
    );
    let p = with_model(&db, MODEL, &[("a1", &[], UP, DOWN)]);
    let toml = std::fs::read_to_string(p.path("migrate.toml")).unwrap();
    p.write("migrate.toml", &toml.replace(&db.url, &as_role));
    let err = fails_env(&p, &[], &["check"]);
    assert!(err.contains("no CREATEDB"), "{err}");
    assert!(err.contains("dev_url"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A dev server where the role may: the same check passes.
    let out = p.ok(&["--dev-url", &db.url, "check"]);
    assert!(out.contains("ok: the migrations"), "{out}");
    drop(p);
    admin
        .batch_execute(&format!(
            "REVOKE ALL ON SCHEMA public FROM {role}; DROP ROLE {role}"
        ))
        .unwrap();
}

#[test]
fn dev_url_must_name_postgresql() {
    let p = project("postgres://u@127.0.0.1:1/db");
    let err = fails_env(
        &p,
        &[("MIGRATE_DEV_URL", "sqlite:///scratch.db")],
        &["check"],
    );
    assert!(err.contains("MIGRATE_DEV_URL"), "{err}");
    assert!(err.contains("not a PostgreSQL URL"), "{err}");
}

#[test]
fn sqlalchemy_models_give_postgresql_ddl_for_a_postgresql_database() {
    let Some(db) = common::pg::fresh_db("sqlalchemy") else {
        return;
    };
    let has_sqlalchemy = std::process::Command::new("python3")
        .args(["-c", "import sqlalchemy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_sqlalchemy {
        common::say(
            "SQLAlchemy is not importable: the PostgreSQL [model] sqlalchemy test did not run",
        );
        return;
    }
    let p = with_model(
        &db,
        "",
        &[(
            "a1",
            &[],
            "CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
             CREATE TABLE artist (id serial PRIMARY KEY, name varchar(80) NOT NULL, \
             tags jsonb, mood mood NOT NULL);",
            "DROP TABLE artist;\nDROP TYPE mood;",
        )],
    );
    // JSONB and a native ENUM type exist only in SQLAlchemy's PostgreSQL dialect.
    p.write(
        "models.py",
        "import enum\n\
         import sqlalchemy as sa\n\
         from sqlalchemy.dialects.postgresql import JSONB\n\
         from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\
         class Base(DeclarativeBase):\n    pass\n\
         class Mood(enum.Enum):\n    happy = 1\n    sad = 2\n\
         class Artist(Base):\n\
         \x20   __tablename__ = 'artist'\n\
         \x20   id: Mapped[int] = mapped_column(primary_key=True)\n\
         \x20   name: Mapped[str] = mapped_column(sa.String(80))\n\
         \x20   tags = mapped_column(JSONB)\n\
         \x20   mood: Mapped[Mood] = mapped_column(sa.Enum(Mood))\n",
    );
    let toml = std::fs::read_to_string(p.path("migrate.toml")).unwrap();
    p.write(
        "migrate.toml",
        &toml.replace(
            "path = \"schema.sql\"",
            "sqlalchemy = \"models:Base\"\npython = \"python3\"",
        ),
    );
    let out = p.ok(&["check"]);
    assert!(
        out.contains("ok: the migrations (1 revision(s)) build the model"),
        "{out}"
    );
}
