//! Issue 11: what a rebuild must keep besides the rows (AUTOINCREMENT's
//! high-water mark in `sqlite_sequence`), and data pre-checks that read what
//! the new table will hold rather than the old table's columns.

mod common;

use common::Project;

const COUNTER: &str = r#"
[[table]]
name = "ticket"
columns = [
  { name = "id",    type = "INTEGER", primary_key = true, autoincrement = true },
  { name = "title", type = "TEXT", nullable = false },
]
"#;

fn seq(p: &Project) -> Option<i64> {
    p.conn("app.db")
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'ticket'",
            [],
            |r| r.get(0),
        )
        .ok()
}

fn ids(p: &Project) -> Vec<i64> {
    let conn = p.conn("app.db");
    let mut stmt = conn.prepare("SELECT id FROM ticket ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Ten tickets, the last seven deleted: the high-water mark is 10, max(id) 3.
fn counter_with_gaps() -> Project {
    let p = Project::with_config();
    p.write("models.toml", COUNTER);
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    for i in 1..=10 {
        p.sql(
            "app.db",
            &format!("INSERT INTO ticket (title) VALUES ('t{i}')"),
        );
    }
    p.sql("app.db", "DELETE FROM ticket WHERE id > 3");
    assert_eq!(seq(&p), Some(10));
    p
}

#[test]
fn a_rebuild_keeps_the_autoincrement_high_water_mark_up_and_down() {
    let p = counter_with_gaps();
    // A type change: SQLite cannot ALTER it, so the table is rebuilt.
    p.write(
        "models.toml",
        &COUNTER.replace(
            "\"title\", type = \"TEXT\"",
            "\"title\", type = \"VARCHAR(80)\"",
        ),
    );
    let out = p.autogenerate("title type", "r1");
    assert!(out.contains("r1"), "{out}");
    let script = std::fs::read_to_string(p.path("migrations/versions/r1_title_type.sql")).unwrap();
    assert!(
        script.contains("_migrate_new_ticket"),
        "a rebuild: {script}"
    );
    let (_, lint, _) = p.run(&["lint"]);
    assert!(
        !lint.contains("sqlite_sequence") && !lint.contains("rewrites rows"),
        "{lint}"
    );

    p.ok(&["upgrade"]);
    assert_eq!(ids(&p), vec![1, 2, 3], "rows survived the rebuild");
    assert_eq!(seq(&p), Some(10), "the mark survived the upgrade");
    p.sql("app.db", "INSERT INTO ticket (title) VALUES ('new')");
    assert_eq!(
        ids(&p),
        vec![1, 2, 3, 11],
        "no deleted id is handed out again"
    );

    p.sql("app.db", "DELETE FROM ticket WHERE id = 11");
    p.ok(&["downgrade", "-1"]);
    assert_eq!(ids(&p), vec![1, 2, 3]);
    assert_eq!(seq(&p), Some(11), "the mark survived the downgrade");
    assert_eq!(p.count("SELECT count(*) FROM sqlite_sequence"), 1);
}

#[test]
fn losing_and_regaining_autoincrement_restores_the_mark() {
    let p = counter_with_gaps();
    p.write(
        "models.toml",
        &COUNTER.replace(", autoincrement = true", ""),
    );
    p.autogenerate("no autoincrement", "r1");
    p.ok(&["upgrade"]);
    assert_eq!(ids(&p), vec![1, 2, 3], "rows survived losing AUTOINCREMENT");
    let rowids: i64 = p.count("SELECT sum(rowid) FROM ticket");
    assert_eq!(rowids, 6);
    // The down gains AUTOINCREMENT back, with the mark it had.
    p.ok(&["downgrade", "-1"]);
    assert_eq!(ids(&p), vec![1, 2, 3]);
    assert_eq!(seq(&p), Some(10));
    p.sql("app.db", "INSERT INTO ticket (title) VALUES ('new')");
    assert_eq!(ids(&p), vec![1, 2, 3, 11]);
}

#[test]
fn gaining_autoincrement_starts_above_every_row() {
    let p = Project::with_config();
    let plain = COUNTER.replace(", autoincrement = true", "");
    p.write("models.toml", &plain);
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO ticket (id, title) VALUES (1, 'a'), (7, 'b')",
    );
    p.write("models.toml", COUNTER);
    p.autogenerate("autoincrement", "r1");
    p.ok(&["upgrade"]);
    assert_eq!(ids(&p), vec![1, 7]);
    p.sql("app.db", "INSERT INTO ticket (title) VALUES ('c')");
    assert_eq!(ids(&p), vec![1, 7, 8]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(ids(&p), vec![1, 7, 8], "rows survived losing it again");
}

const JOB: &str = r#"
[[table]]
name = "job"
columns = [
  { name = "id",   type = "INTEGER", primary_key = true },
  { name = "name", type = "TEXT", nullable = false },
]
"#;

/// `job` at r0 with `rows` rows, and a model that adds `status` as
/// SQLAlchemy's `Enum(create_constraint=True)` does: a column and a named
/// table CHECK on it (SQLite cannot ADD that, so the table is rebuilt).
fn job_gains_an_enum(rows: usize, default: &str) -> Project {
    let p = Project::with_config();
    p.write("models.toml", JOB);
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    for i in 0..rows {
        p.sql(
            "app.db",
            &format!("INSERT INTO job (name) VALUES ('job{i}')"),
        );
    }
    p.write(
        "models.toml",
        &JOB.replace(
            "nullable = false },\n]",
            &format!(
                "nullable = false }},\n  {{ name = \"status\", type = \"VARCHAR(7)\", nullable = false, default = \"{default}\" }},\n]\n\
                 checks = [ {{ name = \"status_enum\", expr = \"status IN ('new', 'done')\" }} ]"
            ),
        ),
    );
    p.autogenerate("status", "r1");
    p
}

#[test]
fn a_check_on_a_new_column_is_checked_on_what_the_column_will_hold() {
    for rows in [0, 3] {
        let p = job_gains_an_enum(rows, "'new'");
        let (code, out, err) = p.run(&["lint"]);
        assert!(!err.contains("no such column"), "{err}");
        assert!(code == 0 && !out.contains("data:"), "{out}\n{err}");
        p.ok(&["upgrade"]);
        assert_eq!(
            p.count("SELECT count(*) FROM job WHERE status = 'new'"),
            rows as i64
        );
        p.ok(&["downgrade", "-1"]);
        assert_eq!(
            p.count("SELECT count(*) FROM job"),
            rows as i64,
            "rows kept"
        );
    }
}

#[test]
fn rows_that_the_new_column_would_break_are_counted_not_an_sql_error() {
    // The default is not one of the allowed values: every row would fail.
    let p = job_gains_an_enum(2, "'queued'");
    let (code, out, err) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("new CHECK") && out.contains("2 row(s)"),
        "{out}"
    );
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("stopped before touching the database") && err.contains("2 row(s)"),
        "{err}"
    );
    assert_eq!(p.applied(), vec!["r0"]);
    assert_eq!(p.count("SELECT count(*) FROM job"), 2);
    // On an empty table nothing is in the way.
    let p = job_gains_an_enum(0, "'queued'");
    p.ok(&["upgrade"]);
}

#[test]
fn a_check_on_a_renamed_column_reads_the_old_column() {
    let p = Project::with_config();
    p.write("models.toml", JOB);
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO job (name) VALUES ('ab'), ('long enough')",
    );
    p.write(
        "models.toml",
        &JOB.replace("\"name\", type = \"TEXT\"", "\"title\", type = \"TEXT\"").replace(
            "nullable = false },\n]",
            "nullable = false },\n]\nchecks = [ { name = \"title_len\", expr = \"length(title) > 2\" } ]",
        ),
    );
    p.ok(&[
        "revision",
        "--autogenerate",
        "-m",
        "title",
        "--rev-id",
        "r1",
        "--rename",
        "job.name=job.title",
    ]);
    let (code, out, err) = p.run(&["lint"]);
    assert!(!err.contains("no such column"), "{err}");
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("length(title) > 2") && out.contains("1 row(s)"),
        "{out}"
    );
    p.sql("app.db", "UPDATE job SET name = 'abc' WHERE name = 'ab'");
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM job WHERE length(title) > 2"),
        2
    );
}

#[test]
fn what_a_schema_only_copy_cannot_run_does_not_block_a_valid_revision() {
    let p = Project::with_config();
    p.write("models.toml", JOB);
    p.autogenerate("initial", "r0");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO job (name) VALUES ('a')");
    // Reads the tool's own log, which the pre-check's copy does not have.
    p.revision(
        "r1",
        &["r0"],
        "CREATE TABLE audit (n INT);\nINSERT INTO audit SELECT count(*) FROM migrate_version_log;\n\
         CREATE UNIQUE INDEX ux_audit ON audit (n);",
        "DROP TABLE audit;",
    );
    p.ok(&["hash"]);
    let (code, out, err) = p.run(&["lint"]);
    assert!(code == 0 && !err.contains("no such table"), "{out}\n{err}");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT n FROM audit"), 1);
    assert_eq!(p.count("SELECT count(*) FROM job"), 1);
}

#[test]
fn a_pending_data_fix_is_not_judged_by_the_rows_before_it() {
    let p = Project::with_config();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);",
        "DROP TABLE t;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO t VALUES (1, -1), (2, 5)");
    p.revision("r2", &["r1"], "UPDATE t SET n = 0 WHERE n < 0;", "");
    // r3 needs r2's fix: the live row n = -1 is not what r3 will meet.
    p.revision(
        "r3",
        &["r2"],
        "CREATE TABLE _migrate_new_t (id INTEGER PRIMARY KEY, n INTEGER CHECK (n >= 0));\n\
         INSERT INTO _migrate_new_t (id, n) SELECT id, n FROM t;\n\
         DROP TABLE t;\n\
         ALTER TABLE _migrate_new_t RENAME TO t;",
        "CREATE TABLE _migrate_new_t (id INTEGER PRIMARY KEY, n INTEGER);\n\
         INSERT INTO _migrate_new_t (id, n) SELECT id, n FROM t;\n\
         DROP TABLE t;\n\
         ALTER TABLE _migrate_new_t RENAME TO t;",
    );
    p.ok(&["hash"]);
    let (code, out, err) = p.run(&["lint"]);
    assert!(!out.contains("1 row(s)"), "{code}\n{out}\n{err}");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM t"), 2);
    assert_eq!(p.count("SELECT sum(n) FROM t"), 5);
}

#[test]
fn a_generated_column_made_plain_keeps_its_values() {
    for kind in ["STORED", "VIRTUAL"] {
        let p = Project::with_sql_model(&format!(
            "CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER AS (a * 2) {kind});"
        ));
        p.autogenerate("initial", "r1");
        p.ok(&["upgrade"]);
        p.sql(
            "app.db",
            "INSERT INTO g (id, a) VALUES (1, 1), (2, 5), (3, NULL)",
        );
        p.write(
            "model.sql",
            "CREATE TABLE g (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);",
        );
        p.autogenerate("plain b", "r2");
        p.ok(&["upgrade"]);
        assert_eq!(p.count("SELECT count(*) FROM g"), 3, "{kind}");
        assert_eq!(
            p.count("SELECT count(*) FROM g WHERE b IS a * 2"),
            3,
            "{kind}: every b kept its value"
        );
        p.ok(&["downgrade", "r1"]);
        assert_eq!(p.count("SELECT count(*) FROM g WHERE b IS a * 2"), 3);
        p.ok(&["check"]);
    }
}
