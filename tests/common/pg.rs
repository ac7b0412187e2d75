//! PostgreSQL for the integration tests: one server per run, one database per
//! test. The server comes from `MIGRATE_TEST_PG_URL` (an admin URL with trust
//! or password auth, as `.ci/run` exports it). Without it a test is skipped
//! with a line saying so; under `CI=true` a missing server fails the test
//! instead, so CI never passes by skipping.

use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "pg_url.rs"]
mod pg_url;
pub use pg_url::with_database;

/// A database made for one test, dropped (with its connections) when the
/// test ends.
pub struct TestDb {
    /// The database's URL, for `migrate --url` and for direct clients.
    pub url: String,
    /// Its name on the server.
    pub name: String,
    admin_url: String,
}

/// The server's admin URL, or `None` (after saying so) when there is none
/// and this is not CI.
pub fn server_url() -> Option<String> {
    match std::env::var("MIGRATE_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!(
                "CI=true but MIGRATE_TEST_PG_URL is not set: .ci/run starts the PostgreSQL server the tests need"
            )
        }
        _ => {
            eprintln!("PostgreSQL skipped: MIGRATE_TEST_PG_URL is not set");
            None
        }
    }
}

/// A fresh, empty database for the test `tag`, or `None` when there is no server.
pub fn fresh_db(tag: &str) -> Option<TestDb> {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let admin_url = server_url()?;
    let name = format!(
        "t_{}_{}_{}",
        tag.to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test server {admin_url}: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
        .expect("create test database");
    let url = with_database(&admin_url, &name);
    Some(TestDb {
        url,
        name,
        admin_url,
    })
}

impl TestDb {
    /// A client on this database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to test database")
    }

    /// The single number `sql` returns (a `count(*)`).
    pub fn count(&self, sql: &str) -> i64 {
        self.client().query_one(sql, &[]).expect(sql).get(0)
    }

    /// The revisions in the version table, sorted; none before it exists.
    pub fn applied(&self) -> Vec<String> {
        let mut client = self.client();
        let exists: bool = client
            .query_one("SELECT to_regclass('migrate_version') IS NOT NULL", &[])
            .expect("to_regclass")
            .get(0);
        if !exists {
            return vec![];
        }
        client
            .query(
                "SELECT revision FROM migrate_version ORDER BY revision",
                &[],
            )
            .expect("read the version table")
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `pg_dump --schema-only` of `db` (without owners and privileges, and with
/// `args` added), without the lines that change from run to run: the
/// comments naming versions and objects' places, and pg_dump's random
/// `\restrict` keys. Two databases with the same schema give the same text.
pub fn schema_dump(db: &TestDb, args: &[&str]) -> String {
    let out = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges"])
        .args(args)
        .args(["-d", &db.url])
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("pg_dump prints UTF-8")
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .filter(|l| !l.starts_with("-- "))
        .collect::<Vec<_>>()
        .join("\n")
}
