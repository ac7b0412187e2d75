//! Backups on PostgreSQL through the real binary on a real server: before a
//! revision that drops data, `upgrade` prints the `pg_dump` command to run
//! (without the URL's password); `upgrade --backup` runs it, the file
//! restores with `pg_restore` into a fresh database with the rows there, and
//! `[backup] keep` prunes; without `pg_dump` on PATH, `--backup` refuses
//! with one message and nothing changes.

mod common;

use common::Project;
use common::pg::{TestDb, fresh_db};
use common::pg_project::{fails_env, project, run_env};

/// A project at r1 (a table with rows) with r2 pending, which drops a column.
fn with_a_drop(db: &TestDb, url: &str) -> Project {
    let p = project(url);
    p.revision(
        "r1",
        &[],
        "CREATE TABLE t (id int PRIMARY KEY, note text);\nINSERT INTO t VALUES (1, 'kept'), (2, 'also');",
        "DROP TABLE t;",
    );
    p.revision(
        "r2",
        &["r1"],
        "ALTER TABLE t DROP COLUMN note;",
        "ALTER TABLE t ADD COLUMN note text;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "r1"]);
    assert_eq!(notes(db), 2);
    p
}

/// Rows of `t` whose note survived.
fn notes(db: &TestDb) -> i64 {
    db.client()
        .query_one("SELECT count(note) FROM t", &[])
        .unwrap()
        .get(0)
}

fn dumps(p: &Project) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(folders) = std::fs::read_dir(p.path("backups")) else {
        return out;
    };
    for folder in folders {
        for f in std::fs::read_dir(folder.unwrap().path()).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "dump") {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_drop_prints_the_pg_dump_command_without_the_password_and_runs_on() {
    let Some(db) = fresh_db("backup_note") else {
        return;
    };
    // The test server trusts every connection: the password is only there
    // to be kept out of the output.
    let url = db.url.replacen("postgres@", "postgres:s3cret@", 1);
    let p = with_a_drop(&db, &url);
    let (code, out, err) = run_env(&p, &[], &["upgrade"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("pg_dump --format=custom"), "{err}");
    assert!(err.contains(&format!("--dbname={}", db.name)), "{err}");
    assert!(!format!("{out}{err}").contains("s3cret"), "{out}{err}");
    assert!(dumps(&p).is_empty(), "nothing dumped unless asked");
}

#[test]
fn backup_runs_pg_dump_and_the_file_restores_with_the_rows_and_keep_prunes() {
    let Some(db) = fresh_db("backup_take") else {
        return;
    };
    let p = with_a_drop(&db, &db.url);
    let toml = std::fs::read_to_string(p.path("migrate.toml")).unwrap();
    p.write("migrate.toml", &format!("{toml}\n[backup]\nkeep = 1\n"));
    let (code, out, err) = run_env(&p, &[], &["upgrade", "--backup"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("backup: "), "{err}");
    let made = dumps(&p);
    assert_eq!(made.len(), 1, "{made:?}");

    // The dump holds the rows as they were before the drop.
    let copy = fresh_db("backup_restored").unwrap();
    let restore = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &copy.url])
        .arg(&made[0])
        .output()
        .unwrap();
    assert!(restore.status.success(), "{restore:?}");
    assert_eq!(notes(&copy), 2);

    // Down and up again: a second backup, only the newest kept.
    p.ok(&["downgrade", "r1"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.ok(&["upgrade", "--backup"]);
    let now = dumps(&p);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, made);
}

#[test]
fn backup_without_pg_dump_refuses_and_changes_nothing() {
    let Some(db) = fresh_db("backup_no_pg_dump") else {
        return;
    };
    let p = with_a_drop(&db, &db.url);
    let empty = p.path("no-programs");
    std::fs::create_dir_all(&empty).unwrap();
    let err = fails_env(
        &p,
        &[("PATH", empty.to_str().unwrap())],
        &["upgrade", "--backup"],
    );
    assert!(err.contains("pg_dump is not on PATH"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(p.ok(&["current"]).contains("r1"));
    assert_eq!(notes(&db), 2);
}

#[test]
fn a_failure_after_the_backup_names_pg_restore_to_go_back() {
    let Some(db) = fresh_db("backup_then_fail") else {
        return;
    };
    let p = with_a_drop(&db, &db.url);
    p.revision(
        "r3",
        &["r2"],
        "CREATE TABLE u (id int);\nINSERT INTO t VALUES (no_such_column);",
        "DROP TABLE u;",
    );
    p.ok(&["hash"]);
    let err = fails_env(&p, &[], &["upgrade", "--backup"]);
    assert!(err.contains("no_such_column"), "{err}");
    assert!(err.contains("pg_restore --clean --if-exists"), "{err}");
    let made = dumps(&p);
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(
        err.contains(&made[0].file_name().unwrap().to_string_lossy().to_string()),
        "{err}"
    );
    // r2 committed, r3 rolled back.
    assert!(p.ok(&["current"]).contains("r2"));
}
