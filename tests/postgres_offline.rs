//! `--sql` output in PostgreSQL's dialect (`apply::offline_sql` with
//! `PostgresDialect`), run by psql as its first line says, on a real server:
//! function bodies and triggers stay whole, a `-- transactional: false`
//! revision runs outside a transaction, and the version rows are written.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use common::pg::fresh_db;
use migrate::apply::{self, Plan};
use migrate::dialect::Dialect;
use migrate::graph::{Graph, Target};
use migrate::postgres::dialect::PostgresDialect;
use migrate::script;

const TOUCH: &str = "-- revision: aa1\n-- down_revision:\n-- message: touch\n\n-- migrate:up\nCREATE TABLE t (a int, at timestamptz);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.at := now(); -- ; inside\n  RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\nINSERT INTO t (a) VALUES (1), (2);\n\n-- migrate:down\nDROP TABLE t;\nDROP FUNCTION touch();\n";

const INDEX: &str = "-- revision: bb2\n-- down_revision: aa1\n-- message: index\n-- transactional: false\n\n-- migrate:up\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY t_a;\n";

#[test]
fn the_sql_script_runs_in_psql() {
    let Some(db) = fresh_db("pg_offline") else {
        return;
    };
    if Command::new("psql").arg("--version").output().is_err() {
        eprintln!("psql not found: the --sql script was not run");
        return;
    }
    let lexer = PostgresDialect.lexer();
    let graph = Graph::new(vec![
        script::parse_with(Path::new("aa1_touch.sql"), TOUCH, lexer).unwrap(),
        script::parse_with(Path::new("bb2_index.sql"), INDEX, lexer).unwrap(),
    ])
    .unwrap();
    let plan = Plan::upgrade(&graph, &Target::Revisions(vec!["bb2".into()]));
    let text = apply::offline_sql(
        &PostgresDialect,
        "migrate_version",
        &graph,
        &plan,
        &HashSet::new(),
    );
    assert!(text.contains("run with: psql"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("upgrade.sql");
    std::fs::write(&file, &text).unwrap();
    let out = Command::new("psql")
        .args(["--no-psqlrc", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&file)
        .arg(&db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut client = db.client();
    client.batch_execute("UPDATE t SET a = a + 10").unwrap();
    let rows: Vec<(i32, bool)> = client
        .query("SELECT a, at IS NOT NULL FROM t ORDER BY a", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        rows,
        [(11, true), (12, true)],
        "the trigger fires, the rows are kept"
    );
    let applied: Vec<String> = client
        .query(
            "SELECT revision FROM migrate_version ORDER BY revision",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(applied, ["aa1", "bb2"]);
    let valid: bool = client
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid);
}
