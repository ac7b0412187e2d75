//! Where the database and the config are: SQLAlchemy's SQLite URLs and where
//! they resolve from, `DATABASE_URL` as the last fallback, passwords never
//! shown, the config found by walking up (or in `pyproject.toml`), and one
//! `lock_wait` setting that every command honours.

mod common;

use std::path::Path;

use common::{MUSIC_MODEL, Project};

/// A project with the music model and one revision, nothing applied, and no
/// `[database] url` unless `url` is given.
fn project(url: Option<&str>) -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC_MODEL);
    p.autogenerate("catalogue", "r1");
    let database = url.map_or(String::new(), |u| format!("[database]\nurl = \"{u}\"\n\n"));
    p.write(
        "migrate.toml",
        &format!(
            "{database}[migrations]\ndir = \"migrations\"\n\n[model]\npath = \"models.toml\"\n"
        ),
    );
    p
}

/// Runs migrate in `dir` with `env`: (exit code, stdout, stderr).
fn run_in(p: &Project, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = p.plain_command();
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run migrate");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
    )
}

/// The tables of an SQLite file, sorted.
fn tables(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// `db` holds the model's tables (and the version table).
fn migrated(db: &Path) -> bool {
    let t = tables(db);
    ["artist", "migrate_version", "track"]
        .iter()
        .all(|n| t.iter().any(|x| x == n))
}

#[test]
fn sqlalchemy_sqlite_urls_from_flags_and_the_environment_resolve_from_the_working_directory() {
    let p = project(None);
    let work = p.path("work");
    std::fs::create_dir_all(&work).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let abs = elsewhere.path().join("abs.db");
    let abs_url = format!("sqlite:///{}", abs.display());
    let cases = [
        ("sqlite:///rel.db", work.join("rel.db")),
        (
            "sqlite+pysqlite:///sub/driver.db",
            work.join("sub/driver.db"),
        ),
        (
            "sqlite+aiosqlite:///q.db?mode=rwc&cache=shared",
            work.join("q.db"),
        ),
        (
            "sqlite:///file:uri.db?mode=rwc&uri=true",
            work.join("uri.db"),
        ),
        (abs_url.as_str(), abs.clone()),
    ];
    std::fs::create_dir_all(work.join("sub")).unwrap();
    let config = p.path("migrate.toml");
    let config = config.to_str().unwrap();
    for (url, file) in &cases {
        let (code, _, err) = run_in(
            &p,
            &work,
            &[],
            &["-c", config, "--database", url, "upgrade"],
        );
        assert_eq!(code, 0, "{url}: {err}");
        assert!(migrated(file), "{url}: not at {}", file.display());
    }
    // The environment: MIGRATE_DATABASE_URL, and DATABASE_URL when nothing else says.
    for var in ["MIGRATE_DATABASE_URL", "DATABASE_URL"] {
        let url = format!("sqlite:///{var}.db");
        let (code, _, err) = run_in(&p, &work, &[(var, &url)], &["-c", config, "upgrade"]);
        assert_eq!(code, 0, "{var}: {err}");
        assert!(migrated(&work.join(format!("{var}.db"))), "{var}");
    }
    // `sqlite://NAME` is a host to SQLAlchemy (an in-memory database): refused, nothing made.
    let (code, _, err) = run_in(
        &p,
        &work,
        &[],
        &["-c", config, "--database", "sqlite://x.db", "upgrade"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sqlite:///x.db"), "{err}");
    for bad in [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///m.db?mode=memory",
        "sqlite:///m.db?colour=red",
    ] {
        let (code, _, err) = run_in(
            &p,
            &work,
            &[],
            &["-c", config, "--database", bad, "upgrade"],
        );
        assert_eq!(code, 2, "{bad}: {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error: ")).count(),
            1,
            "{err}"
        );
    }
    assert!(!work.join("x.db").exists() && !work.join("m.db").exists());
}

#[test]
fn a_url_in_the_config_file_resolves_from_the_file() {
    let p = project(Some("sqlite:///app.db"));
    let sub = p.path("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let (code, _, err) = run_in(&p, &sub, &[], &["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(migrated(&p.path("app.db")));
    assert!(!sub.join("app.db").exists());
}

#[test]
fn an_old_config_meaning_an_absolute_path_is_refused_not_given_a_new_database() {
    let elsewhere = tempfile::tempdir().unwrap();
    let old = elsewhere.path().join("prod.db");
    let stripped = old.to_str().unwrap().trim_start_matches('/');
    // Written before: three slashes, meaning the absolute file.
    let p = project(Some(&format!("sqlite:///{stripped}")));
    p.ok(&[
        "--database",
        &format!("sqlite:////{}", old.display()),
        "upgrade",
    ]);
    rusqlite::Connection::open(&old)
        .unwrap()
        .execute_batch("INSERT INTO artist VALUES (1, 'Nina')")
        .unwrap();
    for args in [&["current"][..], &["upgrade"], &["check"]] {
        let err = p.fails(args);
        assert!(
            err.contains("four slashes") && err.contains(&format!("sqlite:///{}", old.display())),
            "{args:?}: {err}"
        );
    }
    // No new database beside the config; the old one still has its row.
    assert!(!p.path(stripped).exists());
    let rows: i64 = rusqlite::Connection::open(&old)
        .unwrap()
        .query_row("SELECT count(*) FROM artist", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    // Written the new way, it is that file.
    let four = format!("sqlite:////{stripped}");
    p.write(
        "migrate.toml",
        &format!("[database]\nurl = \"{four}\"\n[migrations]\ndir = \"migrations\"\n[model]\npath = \"models.toml\"\n"),
    );
    assert!(p.ok(&["current"]).contains("r1"));
}

#[test]
fn database_url_is_the_last_fallback_and_current_says_where_the_url_came_from() {
    let p = project(Some("sqlite:///app.db"));
    let dir = p.path("");
    let env = [("DATABASE_URL", "sqlite:///production.db")];
    // The project's own config wins over an exported DATABASE_URL.
    let (code, _, err) = run_in(&p, &dir, &env, &["current"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("app.db") && err.contains("[database] url in migrate.toml"),
        "{err}"
    );
    let (_, _, err) = run_in(&p, &dir, &env, &["check"]);
    assert!(err.contains("from [database] url in migrate.toml"), "{err}");
    // MIGRATE_DATABASE_URL wins over the config.
    let both = [env[0], ("MIGRATE_DATABASE_URL", "sqlite:///mine.db")];
    let (_, _, err) = run_in(&p, &dir, &both, &["current"]);
    assert!(
        err.contains("mine.db") && err.contains("from MIGRATE_DATABASE_URL"),
        "{err}"
    );
    let (_, _, err) = run_in(
        &p,
        &dir,
        &env,
        &["--database", "sqlite:///flag.db", "current"],
    );
    assert!(
        err.contains("flag.db") && err.contains("from --database"),
        "{err}"
    );
    // Without a url in the config, DATABASE_URL is used.
    let p = project(None);
    let (code, _, err) = run_in(&p, &p.path(""), &env, &["current"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("production.db") && err.contains("from DATABASE_URL"),
        "{err}"
    );
    assert!(
        !p.path("production.db").exists(),
        "current created the database"
    );
}

#[test]
fn passwords_in_urls_never_appear_in_a_message() {
    let p = project(None);
    let dir = p.path("");
    let urls = [
        "postgresql://app:hunter2@db.example.com/catalogue",
        "postgresql+psycopg://app:hunter2@localhost:5432/catalogue?sslmode=require",
        "postgres://app@localhost/catalogue?password=hunter2",
        "mysql://app:hunter2@localhost/catalogue",
    ];
    for url in urls {
        for (how, env, args) in [
            ("flag", vec![], vec!["--database", url, "current"]),
            (
                "MIGRATE_DATABASE_URL",
                vec![("MIGRATE_DATABASE_URL", url)],
                vec!["check"],
            ),
            ("DATABASE_URL", vec![("DATABASE_URL", url)], vec!["upgrade"]),
        ] {
            let (code, out, err) = run_in(&p, &dir, &env, &args);
            assert_eq!(code, 2, "{url} by {how}: {err}");
            assert!(
                !err.contains("hunter2") && !out.contains("hunter2"),
                "{url} by {how}: {err}"
            );
            // A PostgreSQL URL is shown redacted, or as the server connected
            // to (`postgres://app@host:port/db`), which has no password.
            assert!(
                err.contains("***") || err.contains("postgres://app@"),
                "{url} by {how}: {err}"
            );
        }
    }
}

#[test]
fn the_config_is_found_from_a_subdirectory_up_to_the_repository_root() {
    let p = project(Some("sqlite:app.db"));
    let deep = p.path("app/models/deep");
    std::fs::create_dir_all(&deep).unwrap();
    let (code, out, err) = run_in(&p, &deep, &[], &["upgrade"]);
    assert_eq!(code, 0, "{err}{out}");
    assert!(migrated(&p.path("app.db")));
    let (code, out, err) = run_in(&p, &deep, &[], &["current"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("r1"), "{out}");
    assert!(
        err.contains(&format!("using {}", p.path("migrate.toml").display())),
        "{err}"
    );
    // From the project's own directory, nothing extra is said.
    let (_, _, err) = run_in(&p, &p.path(""), &[], &["current"]);
    assert_eq!(err, "");
    // A repository root below the config stops the walk.
    std::fs::create_dir_all(p.path("app/.git")).unwrap();
    let (code, _, err) = run_in(&p, &deep, &[], &["current"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no database configured"), "{err}");
}

#[test]
fn pyproject_tool_migrate_is_read_and_migrate_toml_wins_beside_it() {
    let p = project(None);
    std::fs::remove_file(p.path("migrate.toml")).unwrap();
    p.write(
        "pyproject.toml",
        "[project]\nname = \"music\"\n\n[tool.ruff]\nline-length = 100\n\n\
         [tool.migrate.database]\nurl = \"sqlite:///py.db\"\n\n\
         [tool.migrate.migrations]\ndir = \"migrations\"\n\n[tool.migrate.model]\npath = \"models.toml\"\n",
    );
    let sub = p.path("pkg");
    std::fs::create_dir_all(&sub).unwrap();
    // A pyproject.toml without [tool.migrate] on the way up is not ours,
    // even when it is not valid TOML.
    p.write(
        "pkg/pyproject.toml",
        "[project]\nname = \"inner\"\n[broken\n",
    );
    let (code, _, err) = run_in(&p, &sub, &[], &["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(migrated(&p.path("py.db")));
    let (_, _, err) = run_in(&p, &sub, &[], &["check"]);
    assert!(err.contains("pyproject.toml [tool.migrate]"), "{err}");
    // A typo in [tool.migrate] is an error naming the file and line.
    p.write(
        "pkg/pyproject.toml",
        "[tool.migrate.database]\nulr = \"x\"\n",
    );
    let (code, _, err) = run_in(&p, &sub, &[], &["current"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("pyproject.toml") && err.contains("line 2"),
        "{err}"
    );
    std::fs::remove_file(p.path("pkg/pyproject.toml")).unwrap();
    // In one directory, migrate.toml wins.
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:///toml.db\"\n[migrations]\ndir = \"migrations\"\n[model]\npath = \"models.toml\"\n",
    );
    let (code, _, err) = run_in(&p, &sub, &[], &["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(migrated(&p.path("toml.db")));
}

/// Environment variables for one run.
type Env<'a> = &'a [(&'a str, &'a str)];

/// Holds SQLite's exclusive lock on `db` from another connection.
fn hold_lock(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    conn
}

#[test]
fn lock_wait_is_one_setting_every_command_honours() {
    let p = project(Some("sqlite:app.db"));
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p.ok(&["revision", "-m", "pending", "--rev-id", "r2"]);
    let dir = p.path("");
    let _lock = hold_lock(&p.path("app.db"));
    let ways: [(Env, &[&str]); 3] = [
        (&[], &["--lock-wait", "0"]),
        (&[("MIGRATE_LOCK_WAIT", "0")], &[]),
        (&[("MIGRATE_LOCK_TIMEOUT", "0")], &[]),
    ];
    for (env, flag) in ways {
        for command in ["current", "check", "upgrade", "lint"] {
            let args: Vec<&str> = flag.iter().copied().chain([command]).collect();
            let (code, _, err) = run_in(&p, &dir, env, &args);
            assert_eq!(code, 2, "{env:?} {args:?}: {err}");
            assert!(
                err.contains("locked by another") && err.contains("waited 0s"),
                "{env:?} {args:?}: {err}"
            );
        }
    }
    // In the config file.
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:app.db\"\nlock_wait = 0\n[migrations]\ndir = \"migrations\"\n[model]\npath = \"models.toml\"\n",
    );
    let (code, _, err) = run_in(&p, &dir, &[], &["current"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--lock-wait"), "{err}");
    drop(_lock);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn current_waits_past_five_seconds_for_the_lock_by_default() {
    // Before, `current` gave up after rusqlite's 5 s whatever the setting;
    // with none, the wait is the documented 60 s.
    let p = project(Some("sqlite:app.db"));
    p.ok(&["upgrade"]);
    let lock = hold_lock(&p.path("app.db"));
    let child = p
        .plain_command()
        .args(["current"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(7));
    drop(lock);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("r1"));
}

#[test]
fn bad_lock_wait_values_are_refused() {
    let p = project(Some("sqlite:app.db"));
    for value in ["soon", "-1", "1e300"] {
        let err = p.fails(&[&format!("--lock-wait={value}"), "current"]);
        assert!(
            err.contains("--lock-wait") && err.contains("seconds"),
            "{value}: {err}"
        );
    }
    for value in ["-1", "\"5s\"", "1e9"] {
        p.write(
            "migrate.toml",
            &format!("[database]\nurl = \"sqlite:app.db\"\nlock_wait = {value}\n[migrations]\ndir = \"migrations\"\n"),
        );
        let err = p.fails(&["current"]);
        assert!(
            err.contains("migrate.toml") && err.contains("lock_wait"),
            "{value}: {err}"
        );
    }
    assert!(!p.path("app.db").exists());
}
