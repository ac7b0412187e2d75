//! Issue 19 item 5: the example service (`examples/catalogue`) migrates
//! itself at start-up from revisions compiled into it. Two instances start
//! at once on one SQLite file: one applies the five revisions, the other
//! waits for its lock and applies none; the version table has each
//! revision once, the seed rows are loaded once, and both serve them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The example's binary. `cargo test` builds the examples; `cargo test
/// --test example_app` alone does not, so it is built here (a no-op when
/// it is current) and its path read from cargo's own report.
fn example_binary() -> PathBuf {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--quiet",
            "--example",
            "catalogue",
            "--message-format=json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo build --example catalogue failed"
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == "catalogue")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the example's executable")
}

/// A running instance; stopped when dropped.
struct Instance {
    child: Child,
    /// Its start-up line: `migrated: applied N revision(s) [...], at HEAD`.
    migrated: String,
    /// Where it listens: `127.0.0.1:PORT`.
    address: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts an instance on `db` at a free port. The migrator pauses between
/// planning and taking the lock (a test hook), so two instances started
/// together both plan from an empty database and meet at the lock.
fn spawn(bin: &Path, db: &Path) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(bin)
        .arg(db)
        .arg("127.0.0.1:0")
        .env("MIGRATE_TEST_PAUSE_BEFORE_LOCK_MS", "400")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let (tx, rx) = mpsc::channel();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// Waits for the instance to say where it listens (its start-up done).
fn started(mut child: Child, lines: &mpsc::Receiver<String>) -> Instance {
    let mut migrated = String::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line.starts_with("migrated: ") => migrated = line,
            Ok(line) => {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    return Instance {
                        child,
                        migrated,
                        address: address.to_string(),
                    };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let mut stderr = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .ok();
                panic!("the example did not start; its stderr:\n{stderr}");
            }
        }
    }
}

fn get(address: &str, path: &str) -> serde_json::Value {
    let mut stream = TcpStream::connect(address).expect("connects");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.1 200"), "GET {path}: {head}");
    serde_json::from_str(body).expect("JSON")
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn two_instances_at_once_migrate_once_and_both_serve_the_seed() {
    let bin = example_binary();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("catalogue.db");
    let (a, a_lines) = spawn(&bin, &db);
    let (b, b_lines) = spawn(&bin, &db);
    let instances = [started(a, &a_lines), started(b, &b_lines)];

    let mut applied: Vec<&str> = instances
        .iter()
        .map(|i| {
            let n = i.migrated.strip_prefix("migrated: applied ").unwrap_or("?");
            &n[..n.find(' ').unwrap_or(n.len())]
        })
        .collect();
    applied.sort_unstable();
    assert_eq!(
        applied,
        ["0", "5"],
        "one applies the five revisions, the other waits and applies none: {:?} / {:?}",
        instances[0].migrated,
        instances[1].migrated
    );

    let conn = rusqlite::Connection::open(&db).unwrap();
    assert_eq!(count(&conn, "SELECT count(*) FROM migrate_version"), 5);
    assert_eq!(
        count(
            &conn,
            "SELECT count(DISTINCT revision) FROM migrate_version"
        ),
        5
    );
    assert_eq!(count(&conn, "SELECT count(*) FROM migrate_version_log"), 5);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM artist"),
        3,
        "seeded once"
    );
    assert_eq!(
        count(&conn, "SELECT count(*) FROM track"),
        15,
        "seeded once"
    );

    for instance in &instances {
        let artists = get(&instance.address, "/artists");
        let names: Vec<&str> = artists
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Nina Simone", "Miles Davis", "Ella Fitzgerald"]);
        let tracks = get(&instance.address, "/artists/2/tracks");
        assert_eq!(tracks.as_array().unwrap().len(), 5);
        assert_eq!(tracks[0]["title"], "So What");
    }
}
