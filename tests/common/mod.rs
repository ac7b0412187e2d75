//! Shared helpers for the integration tests: the real binary in a temp
//! project, and the conformance cases of ../shared/conformance.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

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
        let mut cmd = Command::cargo_bin("migrate").expect("binary");
        cmd.current_dir(self.dir.path());
        for var in [
            "MIGRATE_CONFIG",
            "MIGRATE_DATABASE_URL",
            "MIGRATE_MODEL",
            "MIGRATE_DIR",
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
/// `../shared/conformance` beside the repository.
pub fn conformance_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("MIGRATE_CONFORMANCE_DIR") {
        return Some(PathBuf::from(dir)).filter(|p| p.is_dir());
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance");
    p.is_dir().then_some(p)
}

/// Every case of the sqldef suite, or `None` (said plainly) when absent.
pub fn conformance_cases() -> Option<Vec<Case>> {
    let Some(dir) = conformance_dir() else {
        eprintln!(
            "conformance cases not found (set MIGRATE_CONFORMANCE_DIR or place ../shared/conformance); \
             only the project's own cases ran"
        );
        return None;
    };
    let sub = dir.join("sqldef-sqlite3");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&sub)
        .expect("read conformance dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read yml");
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid yaml");
        let map = docs[0].as_hash().expect("mapping of cases");
        for (name, case) in map {
            let get = |k: &str| case[k].as_str().unwrap_or("").to_string();
            cases.push(Case {
                file: file.file_name().unwrap().to_string_lossy().into_owned(),
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
