//! PostgreSQL projects for the integration tests: a project whose database
//! is a PostgreSQL URL, runs of the binary with libpq's variables set, and a
//! throw-away server of its own for what the shared one cannot do (password
//! authentication, TLS), started by `scripts/pg-test-server`.

use std::path::Path;

use super::Project;
use super::pg::TestDb;

/// A project whose `migrate.toml` names the database `url`, with an empty
/// versions directory.
pub fn project(url: &str) -> Project {
    let p = Project::new();
    p.write(
        "migrate.toml",
        &format!("[database]\nurl = \"{url}\"\n\n[migrations]\ndir = \"migrations\"\n"),
    );
    std::fs::create_dir_all(p.path("migrations/versions")).unwrap();
    p
}

/// A project on `url` whose model is `schema.sql` holding `model`.
pub fn with_sql_model(url: &str, model: &str) -> Project {
    let p = project(url);
    let toml = std::fs::read_to_string(p.path("migrate.toml")).unwrap();
    p.write(
        "migrate.toml",
        &format!("{toml}\n[model]\npath = \"schema.sql\"\n"),
    );
    p.write("schema.sql", model);
    p
}

/// Runs migrate in `p` with `env` set: (exit code, stdout, stderr).
pub fn run_env(p: &Project, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = p.migrate();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(args).output().expect("run migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Insists on exit 2 with one `error:` line and no panic; the stderr.
pub fn fails_env(p: &Project, env: &[(&str, &str)], args: &[&str]) -> String {
    let (code, out, err) = run_env(p, env, args);
    assert_eq!(code, 2, "migrate {args:?} should fail with 2:\n{err}{out}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "one clear message: {err}"
    );
    err
}

/// Runs migrate in `p` (stdout dropped): its pid, exit code and stderr. A
/// run's scratch databases carry its pid ([`scratch_dbs`]).
pub fn run_with_pid(p: &Project, args: &[&str]) -> (u32, Option<i32>, String) {
    let child = p
        .plain_command()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run migrate");
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "panic: {err}");
    (pid, out.status.code(), err)
}

/// The databases on the server of `db` whose names start with `prefix`
/// (scratch databases: `migrate_scratch_PID_`).
pub fn scratch_dbs(db: &TestDb, prefix: &str) -> Vec<String> {
    db.client()
        .query(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1",
            &[&prefix],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// A server of its own, stopped (and its files removed) when dropped.
pub struct OwnServer {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`, no password.
    pub url: String,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl OwnServer {
    /// Starts one with `env` (`PG_TEST_SERVER_PASSWORD`, `PG_TEST_SERVER_SSL`:
    /// see the script).
    pub fn start(env: &[(&str, &str)]) -> OwnServer {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(script());
        cmd.arg("start").arg(dir.path().join("pg"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run scripts/pg-test-server");
        assert!(
            out.status.success(),
            "pg-test-server failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let port = url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .expect("port in the server's URL");
        OwnServer { url, port, dir }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .arg("stop")
            .arg(self.dir.path().join("pg"))
            .output();
    }
}

fn script() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/pg-test-server"
    ))
}

/// A project on `url` with `setting` (a line such as `lock_timeout = 5`)
/// under `[database]`, these revisions `(id, parents, up, down)` and a fresh sum.
pub fn with_setting(
    url: &str,
    setting: &str,
    revisions: &[(&str, &[&str], &str, &str)],
) -> Project {
    let p = project(url);
    let toml = std::fs::read_to_string(p.path("migrate.toml")).unwrap();
    p.write(
        "migrate.toml",
        &toml.replace("[database]\n", &format!("[database]\n{setting}\n")),
    );
    for (id, parents, up, down) in revisions {
        p.revision(id, parents, up, down);
    }
    p.ok(&["hash"]);
    p
}

/// Starts `n` runs of migrate with `args` at once and waits for them all:
/// each one's (success, stdout, stderr).
pub fn run_at_once(
    p: &Project,
    n: usize,
    env: &[(&str, &str)],
    args: &[&str],
) -> Vec<(bool, String, String)> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            let mut cmd = p.plain_command();
            for (k, v) in env {
                cmd.env(k, v);
            }
            cmd.args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}
