//! migrations-example for the tests: a fresh copy of it in a scratch
//! project, and whether SQLAlchemy (its `models.py`) can be imported.

use std::path::Path;

use super::Project;

/// A fresh copy of migrations-example (without any database or backups).
pub fn example() -> Project {
    let p = Project::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations-example");
    copy_dir(&src, p.dir.path());
    p
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".db")
            || name.contains(".db-")
            || name == "backups"
            || name == "__pycache__"
        {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// With the interpreter migrate picks here: the active virtualenv's, else python3.
pub fn sqlalchemy_available() -> bool {
    let python = std::env::var_os("VIRTUAL_ENV")
        .filter(|v| !v.is_empty())
        .map_or_else(
            || std::path::PathBuf::from("python3"),
            |v| Path::new(&v).join("bin/python"),
        );
    std::process::Command::new(python)
        .args([
            "-c",
            "import sqlalchemy; assert sqlalchemy.__version__.startswith('2.')",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}
