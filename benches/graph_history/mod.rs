//! Issue 18 item 5: a 5,000-revision history with 50 branch points, each
//! joined again by a merge: `heads`, `history`, `upgrade head` from base and
//! a no-op `upgrade`, against a floor measured in the same run: reading every
//! revision file and the version table (and, for the upgrade, running each
//! revision's statement with its version row, one transaction each).
//!
//! Run at two sizes, so that the time per revision shows whether anything
//! grows faster than the history.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use super::{Row, median, project, run, time};

/// Branch points; each forks into `WIDTH` branches that a merge joins.
const FORKS: usize = 50;
const WIDTH: usize = 3;

/// (id, parents) of `n` revisions: a trunk, then FORKS rounds of a fork
/// revision, WIDTH parallel branches and a merge.
fn graph(n: usize) -> Vec<(String, Vec<String>)> {
    let per_round = (n * 9 / 10) / FORKS;
    let branch_len = (per_round.saturating_sub(2) / WIDTH).max(1);
    let mut revs: Vec<(String, Vec<String>)> = Vec::with_capacity(n);
    let id = |i: usize| format!("r{i:05}");
    let mut top: Option<String> = None;
    let push = |parents: Vec<String>, revs: &mut Vec<(String, Vec<String>)>| {
        let me = id(revs.len());
        revs.push((me.clone(), parents));
        me
    };
    let trunk = n - FORKS * (2 + WIDTH * branch_len);
    for _ in 0..trunk {
        let parents = top.iter().cloned().collect();
        top = Some(push(parents, &mut revs));
    }
    for _ in 0..FORKS {
        let fork = push(top.iter().cloned().collect(), &mut revs);
        let mut ends = Vec::new();
        for _ in 0..WIDTH {
            let mut at = fork.clone();
            for _ in 0..branch_len {
                at = push(vec![at], &mut revs);
            }
            ends.push(at);
        }
        top = Some(push(ends, &mut revs));
    }
    revs
}

fn up_sql(i: usize) -> String {
    if i == 0 {
        "CREATE TABLE t (x INTEGER PRIMARY KEY);".into()
    } else {
        format!("INSERT INTO t (x) VALUES ({i});")
    }
}

fn down_sql(i: usize) -> String {
    if i == 0 {
        "DROP TABLE t;".into()
    } else {
        format!("DELETE FROM t WHERE x = {i};")
    }
}

fn write_project(root: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let dir = project(root, &format!("graph{n}"));
    std::fs::write(dir.join("model.sql"), "").unwrap();
    let mut ups = Vec::new();
    for (i, (id, parents)) in graph(n).iter().enumerate() {
        std::fs::write(
            dir.join(format!("migrations/versions/{id}_step.sql")),
            format!(
                "-- revision: {id}\n-- down_revision: {}\n-- message: step {i}\n\n-- migrate:up\n{}\n\n-- migrate:down\n{}\n",
                parents.join(", "),
                up_sql(i),
                down_sql(i)
            ),
        )
        .unwrap();
        ups.push(up_sql(i));
    }
    run(&dir, &["hash"]);
    (dir, ups)
}

/// What any tool must do before it knows the graph and where the database
/// is: read every revision file and the version table.
fn floor_read(dir: &Path, db: &Path) {
    let mut bytes = 0;
    for entry in std::fs::read_dir(dir.join("migrations/versions")).unwrap() {
        bytes += std::fs::read_to_string(entry.unwrap().path())
            .unwrap()
            .len();
    }
    assert!(bytes > 0);
    if db.exists() {
        let conn = Connection::open(db).unwrap();
        let mut stmt = conn.prepare("SELECT * FROM migrate_version").unwrap();
        let mut rows = stmt.query([]).unwrap();
        while rows.next().unwrap().is_some() {}
    }
}

/// The rows for a history of `n` revisions.
pub fn rows(root: &Path, n: usize, runs: usize) -> Vec<Row> {
    let (dir, ups) = write_project(root, n);
    let db = dir.join("app.db");
    let floor_db = dir.join("floor.db");
    let mut t: [Vec<Duration>; 8] = Default::default();
    for _ in 0..runs {
        let _ = std::fs::remove_file(&db);
        t[0].push(run(&dir, &["heads"]).0);
        t[1].push(time(|| floor_read(&dir, &db)));
        t[2].push(run(&dir, &["history"]).0);
        t[3].push(t[1][t[1].len() - 1]);
        t[4].push(run(&dir, &["-q", "upgrade", "head", "--no-backup"]).0);
        let _ = std::fs::remove_file(&floor_db);
        t[5].push(time(|| {
            floor_read(&dir, &db);
            let conn = Connection::open(&floor_db).unwrap();
            conn.execute_batch("CREATE TABLE v (revision TEXT PRIMARY KEY)")
                .unwrap();
            for (i, up) in ups.iter().enumerate() {
                conn.execute_batch(&format!(
                    "BEGIN;\n{up}\nINSERT INTO v VALUES ('r{i:05}');\nCOMMIT;"
                ))
                .unwrap();
            }
        }));
        t[6].push(run(&dir, &["-q", "upgrade", "head", "--no-backup"]).0);
        t[7].push(time(|| floor_read(&dir, &db)));
    }
    let [
        heads,
        heads_floor,
        history,
        history_floor,
        up,
        up_floor,
        noop,
        noop_floor,
    ] = t.map(median);
    let row = |name: &str, migrate, floor| Row {
        name: format!("e. {name}, {n} revisions, {FORKS} forks + merges"),
        migrate,
        floor,
        target: "linear".into(),
        rss_kb: None,
        tables: 0,
        model_ddl: None,
    };
    let rows = vec![
        row("`heads`", heads, heads_floor),
        row("`history`", history, history_floor),
        row("`upgrade head` from base", up, up_floor),
        row("no-op `upgrade head`", noop, noop_floor),
    ];
    // As they come: the whole group takes minutes.
    for r in &rows {
        eprintln!(
            "{}: {:.1} ms, floor {:.1} ms ({:.3} / {:.3} ms per revision)",
            r.name,
            super::ms(r.migrate),
            super::ms(r.floor),
            super::ms(r.migrate) / n as f64,
            super::ms(r.floor) / n as f64
        );
    }
    rows
}
