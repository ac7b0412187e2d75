//! Shared helpers for the integration tests: the real binary in a temp
//! project, and the external cases (the sqldef conformance suite, the
//! realworld schemas), found through MIGRATE_CONFORMANCE_DIR /
//! MIGRATE_REALWORLD_DIR or a `shared/` folder beside the clone, as CI provides.
#![allow(dead_code)]

pub mod catalogue;
pub mod example;
pub mod pg;
pub mod pg_project;
pub mod snapshot;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The story's catalogue as a TOML model: artist and track, one artist has many tracks.
pub const MUSIC_MODEL: &str = r#"
[[table]]
name = "artist"
columns = [
  { name = "id",   type = "INTEGER", primary_key = true },
  { name = "name", type = "VARCHAR(30)", nullable = false },
]

[[table]]
name = "track"
columns = [
  { name = "id",        type = "INTEGER", primary_key = true },
  { name = "title",     type = "VARCHAR", nullable = false },
  { name = "artist_id", type = "INTEGER", nullable = false, references = "artist.id", on_delete = "CASCADE" },
]
indexes = [ { name = "ix_track_title", columns = ["title"] } ]
"#;

/// A scratch project directory with a `migrate` command bound to it.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn migrate(&self) -> Command {
        Command::from_std(self.plain_command())
    }

    /// The binary as a plain `std::process::Command` (which, unlike
    /// assert_cmd's, takes any `Stdio` and `pre_exec`), bound to the project
    /// and free of the MIGRATE_* variables (and DATABASE_URL, and libpq's PG*)
    /// of the environment.
    pub fn plain_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_migrate"));
        cmd.current_dir(self.dir.path());
        for var in [
            "MIGRATE_CONFIG",
            "MIGRATE_DATABASE_URL",
            "MIGRATE_MODEL",
            "MIGRATE_DIR",
            "MIGRATE_LOCK_WAIT",
            "MIGRATE_LOCK_TIMEOUT",
            "MIGRATE_DEV_URL",
            "MIGRATE_ENV",
            "DATABASE_URL",
            // libpq's, which migrate reads for PostgreSQL.
            "PGHOST",
            "PGPORT",
            "PGUSER",
            "PGPASSWORD",
            "PGDATABASE",
            "PGSSLMODE",
            "PGSSLROOTCERT",
            "PGPASSFILE",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs SQL on a database file of the project directly through SQLite.
    pub fn sql(&self, db: &str, sql: &str) {
        let conn = rusqlite::Connection::open(self.path(db)).expect("open");
        conn.execute_batch(sql).expect("sql");
    }
}

/// One conformance case: `current` and `desired` schemas as SQL.
#[derive(Debug, Clone)]
pub struct Case {
    pub file: String,
    pub name: String,
    pub current: String,
    pub desired: String,
    pub enable_drop: bool,
}

/// The conformance directory, when it exists: `MIGRATE_CONFORMANCE_DIR`, or
/// `shared/conformance` beside the clone.
pub fn conformance_dir() -> Option<PathBuf> {
    external_dir("MIGRATE_CONFORMANCE_DIR", "conformance")
}

/// The realworld schemas, when they exist: `MIGRATE_REALWORLD_DIR`, or
/// `shared/realworld` beside the clone.
pub fn realworld_dir() -> Option<PathBuf> {
    external_dir("MIGRATE_REALWORLD_DIR", "realworld")
}

/// A directory of external cases: the variable when set, else `shared/NAME`
/// in the directory that holds the clone.
fn external_dir(variable: &str, name: &str) -> Option<PathBuf> {
    if let Ok(dir) = std::env::var(variable) {
        return Some(PathBuf::from(dir)).filter(|p| p.is_dir());
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(name);
    p.is_dir().then_some(p)
}

/// Writes a notice past the test harness's output capture (which only takes
/// `print!`/`eprint!`), so that a skipped part of the suite is seen in CI.
pub fn say(notice: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "NOTE: {notice}");
}

/// Shared test data that is not there. A user's fresh clone has no
/// `../shared`: a note, and the test passes. CI (`CI` set, as every CI
/// service does) always has it beside the clone, so there its absence is a
/// broken setup that must not pass as green: the test fails, saying what is
/// missing. (The files are not vendored: their licences differ from ours.)
pub fn absent(what: &str) {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    assert!(
        !ci,
        "{what}; CI is set, where the shared test data must be present: \
         check out ../shared beside the repository (or set the directory variable)"
    );
    say(what);
}

/// Runs `test` of the current test binary again, alone, with `CI=true` and
/// `dir_var` naming a directory that does not exist: (success, output).
pub fn rerun_without_data(test: &str, dir_var: &str) -> (bool, String) {
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("CI", "true")
        .env(dir_var, "/nonexistent/migrate-test-data")
        .output()
        .expect("run the test binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Every `*.yml` file in `dir`, by name, parsed: the shape the external case
/// suites (sqldef, pg-schema-diff) come in.
pub fn yaml_files(dir: &Path) -> Vec<(String, Vec<yaml_rust2::Yaml>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("read yml");
            let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid yaml");
            (
                file.file_name().unwrap().to_string_lossy().into_owned(),
                docs,
            )
        })
        .collect()
}

/// Every case of the sqldef suite, or `None` (said plainly) when absent.
pub fn conformance_cases() -> Option<Vec<Case>> {
    let Some(dir) = conformance_dir() else {
        absent(
            "conformance cases not found (set MIGRATE_CONFORMANCE_DIR, or put a shared/conformance folder beside the clone); \
             only the project's own cases ran",
        );
        return None;
    };
    let sub = dir.join("sqldef-sqlite3");
    let mut cases = Vec::new();
    for (file, docs) in yaml_files(&sub) {
        let map = docs[0].as_hash().expect("mapping of cases");
        for (name, case) in map {
            let get = |k: &str| case[k].as_str().unwrap_or("").to_string();
            cases.push(Case {
                file: file.clone(),
                name: name.as_str().expect("case name").to_string(),
                current: get("current"),
                desired: get("desired"),
                enable_drop: case["enable_drop"].as_bool().unwrap_or(true),
            });
        }
    }
    assert!(
        !cases.is_empty(),
        "no conformance cases in {}",
        sub.display()
    );
    Some(cases)
}

impl Project {
    /// A project with migrate.toml (database `app.db`, model `models.toml`).
    pub fn with_config() -> Project {
        let p = Project::new();
        p.write(
            "migrate.toml",
            "[database]\nurl = \"sqlite:app.db\"\n\n[migrations]\ndir = \"migrations\"\n\n[model]\npath = \"models.toml\"\n",
        );
        p.write("models.toml", "");
        std::fs::create_dir_all(p.path("migrations/versions")).unwrap();
        p
    }

    /// A project whose model is the SQL file `model.sql` holding `model` (database `app.db`).
    pub fn with_sql_model(model: &str) -> Project {
        let p = Project::new();
        p.write(
            "migrate.toml",
            "[database]\nurl = \"sqlite:app.db\"\n\n[model]\npath = \"model.sql\"\n",
        );
        p.write("model.sql", model);
        p
    }

    /// Writes a revision file by hand (as a user would), without touching migrate.sum.
    pub fn revision(&self, id: &str, parents: &[&str], up: &str, down: &str) -> PathBuf {
        self.write(
            &format!("migrations/versions/{id}_step.sql"),
            &format!(
                "-- revision: {id}\n-- down_revision: {}\n-- message: step {id}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n",
                parents.join(", ")
            ),
        )
    }

    /// Runs migrate and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.migrate().args(args).output().expect("run migrate");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs migrate: its stdout on success, otherwise what it said and why.
    pub fn attempt(&self, args: &[&str]) -> Result<String, String> {
        match self.run(args) {
            (0, out, _) => Ok(out),
            (code, out, err) => Err(format!("migrate {args:?} exited {code}: {err}{out}")),
        }
    }

    /// Runs migrate and insists on success.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "migrate {args:?} failed:\n{err}\n{out}");
        out
    }

    /// Runs migrate and insists on exit 2 with one clear message, no panic.
    pub fn fails(&self, args: &[&str]) -> String {
        let (code, _, err) = self.run(args);
        assert_eq!(code, 2, "migrate {args:?} should fail with 2:\n{err}");
        assert!(!err.contains("panicked"), "panic: {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error: ")).count(),
            1,
            "one clear message: {err}"
        );
        err
    }

    /// `migrate revision --autogenerate -m MESSAGE --rev-id ID`, insisting on success.
    pub fn autogenerate(&self, message: &str, rev_id: &str) -> String {
        self.ok(&[
            "revision",
            "--autogenerate",
            "-m",
            message,
            "--rev-id",
            rev_id,
        ])
    }

    pub fn conn(&self, db: &str) -> rusqlite::Connection {
        rusqlite::Connection::open(self.path(db)).expect("open")
    }

    /// A single number from `app.db` (`SELECT count(*) ...`).
    pub fn count(&self, sql: &str) -> i64 {
        self.conn("app.db")
            .query_row(sql, [], |r| r.get(0))
            .expect(sql)
    }

    /// The applied revisions, sorted.
    pub fn applied(&self) -> Vec<String> {
        if !self.path("app.db").exists() {
            return vec![];
        }
        let conn = self.conn("app.db");
        let exists: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'migrate_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if !exists {
            return vec![];
        }
        let mut stmt = conn
            .prepare("SELECT revision FROM migrate_version ORDER BY revision")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// The user tables of a database, as `name: sql` lines (own tables excluded).
    pub fn schema_text(&self, db: &str) -> String {
        let conn = self.conn(db);
        let schema = migrate::internal::sqlite::inspect::inspect(&conn, "migrate_version").unwrap();
        migrate::internal::sqlite::ddl::create_schema(&schema).join(";\n")
    }

    pub fn bytes(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).unwrap_or_default()
    }
}
