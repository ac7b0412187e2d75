//! Issue 3: revision files, the graph, upgrade/downgrade, the version table,
//! checksums, migrate.sum, concurrency and offline SQL, on real files.

mod common;

use common::Project;

/// A linear chain r00 -> r01 -> ... each adding one table, with a row.
fn chain(p: &Project, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("r{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let parents: Vec<&str> = if i == 0 {
            vec![]
        } else {
            vec![ids[i - 1].as_str()]
        };
        p.revision(
            id,
            &parents,
            &format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t{i} (v) VALUES ('row {i}');"),
            &format!("DROP TABLE t{i};"),
        );
    }
    p.ok(&["hash"]);
    ids
}

fn table_count(p: &Project) -> i64 {
    p.conn("app.db")
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 't%'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn fifty_revisions_up_to_head_and_down_to_base() {
    let p = Project::with_config();
    let ids = chain(&p, 50);
    let out = p.ok(&["upgrade"]);
    assert!(out.contains("50 revision(s) applied"), "{out}");
    assert_eq!(p.applied(), ids);
    assert_eq!(table_count(&p), 50);
    assert!(p.ok(&["current"]).starts_with("r49 (head)"));
    let log: i64 = p
        .conn("app.db")
        .query_row(
            "SELECT count(*) FROM migrate_version_log WHERE direction = 'up'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(log, 50);

    p.ok(&["downgrade", "-10"]);
    assert_eq!(p.applied(), ids[..40].to_vec());
    p.ok(&["upgrade", "+3"]);
    assert_eq!(p.applied(), ids[..43].to_vec());
    p.fails(&["upgrade", "r4"]); // r4 matches r40..r49
    assert_eq!(
        p.applied(),
        ids[..43].to_vec(),
        "prefix r4 is ambiguous and must not have run"
    );
    p.ok(&["upgrade"]);
    let out = p.ok(&["downgrade", "base"]);
    assert!(out.contains("50 revision(s) reverted"), "{out}");
    assert!(p.applied().is_empty());
    assert_eq!(table_count(&p), 0);
    let downs: i64 = p
        .conn("app.db")
        .query_row(
            "SELECT count(*) FROM migrate_version_log WHERE direction = 'down'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(downs, 60, "10 earlier and 50 now");
}

#[test]
fn ambiguous_prefix_lists_candidates_and_changes_nothing() {
    let p = Project::with_config();
    chain(&p, 12);
    p.ok(&["upgrade", "r05"]);
    let before = p.bytes("app.db");
    let err = p.fails(&["upgrade", "r1"]);
    assert!(err.contains("r10") && err.contains("r11"), "{err}");
    let err = p.fails(&["upgrade", "zz"]);
    assert!(err.contains("no revision matches"), "{err}");
    assert_eq!(before, p.bytes("app.db"));
    p.ok(&["downgrade", "base"]);
    assert!(p.applied().is_empty());
    assert_eq!(table_count(&p), 0);
}

#[test]
fn branches_and_merge() {
    let p = Project::with_config();
    p.revision(
        "base1",
        &[],
        "CREATE TABLE a (id INTEGER PRIMARY KEY);",
        "DROP TABLE a;",
    );
    p.revision(
        "left",
        &["base1"],
        "CREATE TABLE l (id INTEGER PRIMARY KEY);",
        "DROP TABLE l;",
    );
    p.revision(
        "right",
        &["base1"],
        "CREATE TABLE r (id INTEGER PRIMARY KEY);",
        "DROP TABLE r;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("2 heads") && err.contains("migrate merge"),
        "{err}"
    );
    assert!(
        !p.path("app.db").exists(),
        "a refused upgrade must not create the database"
    );
    assert!(p.ok(&["branches"]).contains("base1 (branchpoint)"));
    p.ok(&["upgrade", "heads"]);
    assert_eq!(p.applied(), vec!["base1", "left", "right"]);
    let current = p.ok(&["current"]);
    assert!(
        current.contains("left (head)") && current.contains("right (head)"),
        "{current}"
    );

    p.ok(&["merge", "-m", "join", "left", "right", "--rev-id", "joined"]);
    assert_eq!(p.ok(&["heads"]).lines().count(), 1);
    let history = p.ok(&["history"]);
    assert!(
        history.starts_with("left, right -> joined (head) (mergepoint), join"),
        "{history}"
    );
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), vec!["base1", "joined", "left", "right"]);
    // Down one from the merge reverts only the merge; -1 again is ambiguous.
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.applied(), vec!["base1", "left", "right"]);
    let err = p.fails(&["downgrade", "-1"]);
    assert!(err.contains("2 heads"), "{err}");
    // The hint's `left-1` reverts the left branch only (issue 11.11).
    p.ok(&["downgrade", "left-1"]);
    assert_eq!(p.applied(), vec!["base1", "right"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.applied(), vec!["base1"]);
    let err = p.fails(&["upgrade", "+1"]);
    assert!(
        err.contains("ambiguous walk") && err.contains("left") && err.contains("right"),
        "{err}"
    );
}

#[test]
fn failing_third_statement_leaves_database_unchanged() {
    let p = Project::with_config();
    p.revision(
        "one",
        &[],
        "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO a (v) VALUES ('kept');",
        "DROP TABLE a;",
    );
    p.revision(
        "two",
        &["one"],
        "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO a (v) VALUES ('new');\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE c (id INT);",
        "DROP TABLE b;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "one"]);
    let before = p.schema_text("app.db");
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("revision two"), "{err}");
    assert!(err.contains("statement 3"), "{err}");
    assert!(err.contains("two_step.sql"), "{err}");
    assert!(err.contains("no such table: missing_table"), "{err}");
    assert!(err.contains("unchanged"), "{err}");
    assert_eq!(p.applied(), vec!["one"]);
    assert_eq!(before, p.schema_text("app.db"));
    let rows: Vec<String> = {
        let conn = p.conn("app.db");
        let mut s = conn.prepare("SELECT v FROM a").unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(rows, vec!["kept"]);
    assert!(
        !p.path("app.db-journal").exists(),
        "no journal file left behind"
    );
}

/// An upgrade commits each revision with the journal in `persist` mode, a
/// setting of its own connection: the file is left in the journal mode its
/// owner chose, and no journal file is left next to it.
#[test]
fn the_journal_mode_is_left_as_the_owner_set_it() {
    let p = Project::with_config();
    chain(&p, 4);
    p.ok(&["upgrade", "r01"]);
    assert!(!p.path("app.db-journal").exists());
    let mode = |p: &Project| -> String {
        p.conn("app.db")
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(mode(&p), "delete");

    // A database in WAL mode stays in WAL mode, up and down.
    let wal: String = p
        .conn("app.db")
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(wal, "wal");
    p.ok(&["upgrade"]);
    assert_eq!(mode(&p), "wal");
    assert_eq!(table_count(&p), 4);
    p.ok(&["downgrade", "r00"]);
    assert_eq!(mode(&p), "wal");
    assert_eq!(table_count(&p), 1);
    assert_eq!(p.applied(), vec!["r00"]);
}

/// A run killed after its last commit leaves the persisted journal (a
/// zeroed header) behind; the next run removes it even when it finds
/// nothing to do (which it failed to do, now and then, in the SIGKILL test).
#[test]
fn a_leftover_journal_goes_even_when_nothing_is_left_to_do() {
    let p = Project::with_config();
    chain(&p, 2);
    p.ok(&["upgrade"]);
    std::fs::write(p.path("app.db-journal"), vec![0u8; 4096]).unwrap();
    p.ok(&["upgrade"]);
    assert!(!p.path("app.db-journal").exists());
    assert_eq!(table_count(&p), 2);
    assert_eq!(p.applied().len(), 2);
}

#[test]
fn edited_applied_revision_is_refused_until_approved() {
    let p = Project::with_config();
    let file = p.revision(
        "one",
        &[],
        "CREATE TABLE a (id INTEGER PRIMARY KEY);",
        "DROP TABLE a;",
    );
    p.revision(
        "two",
        &["one"],
        "CREATE TABLE b (id INTEGER PRIMARY KEY);",
        "DROP TABLE b;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "one"]);

    // A reworded comment is not an edit.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("-- migrate:up\n", "-- migrate:up\n-- creates a\n"),
    )
    .unwrap();
    p.ok(&["hash"]);
    p.ok(&["upgrade", "--sql"]);

    // A changed statement is.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "(id INTEGER PRIMARY KEY)",
            "(id INTEGER PRIMARY KEY, x INT)",
        ),
    )
    .unwrap();
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("one_step.sql") && err.contains("migrate hash"),
        "stale sum first: {err}"
    );
    p.ok(&["hash"]);
    let before = p.bytes("app.db");
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("revision one") && err.contains("edited after it was applied"),
        "{err}"
    );
    assert!(err.contains("migrate approve one"), "{err}");
    let err = p.fails(&["downgrade", "base"]);
    assert!(err.contains("edited after it was applied"), "{err}");
    assert_eq!(before, p.bytes("app.db"));

    p.ok(&["approve", "one"]);
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), vec!["one", "two"]);
}

#[test]
fn concurrent_upgrades_apply_each_revision_once() {
    let p = Project::with_config();
    // Revisions that would fail if run twice (CREATE TABLE without IF NOT EXISTS),
    // a counter that shows how often each ran, and enough work in each (20,000
    // rows) that the eight migrators really overlap.
    p.revision(
        "r00",
        &[],
        "CREATE TABLE runs (revision TEXT);\nINSERT INTO runs VALUES ('r00');",
        "DROP TABLE runs;",
    );
    for i in 1..20 {
        let id = format!("r{i:02}");
        let parent = format!("r{:02}", i - 1);
        p.revision(
            &id,
            &[&parent],
            &format!(
                "CREATE TABLE t{i} (id INT);\nINSERT INTO runs VALUES ('{id}');\n\
                 WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000) INSERT INTO t{i} SELECT x FROM n;"
            ),
            &format!("DROP TABLE t{i};"),
        );
    }
    p.ok(&["hash"]);
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("migrate"));
            cmd.current_dir(p.dir.path()).arg("upgrade");
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let conn = p.conn("app.db");
    let runs: i64 = conn
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    let distinct: i64 = conn
        .query_row("SELECT count(DISTINCT revision) FROM runs", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!((runs, distinct), (20, 20), "each revision exactly once");
    assert_eq!(p.applied().len(), 20);
    let log: i64 = conn
        .query_row("SELECT count(*) FROM migrate_version_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(log, 20);
}

#[test]
fn offline_sql_gives_the_same_schema_as_a_real_upgrade() {
    let p = Project::with_config();
    p.revision("one", &[], "CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX ix_a ON a (name);", "DROP TABLE a;");
    p.revision(
        "two",
        &["one"],
        "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INT REFERENCES a(id));\nCREATE TRIGGER tb AFTER INSERT ON b BEGIN\n  UPDATE a SET name = name || ';' WHERE id = new.a_id;\nEND;",
        "DROP TABLE b;",
    );
    p.ok(&["hash"]);
    let script = p.ok(&["upgrade", "--sql"]);
    assert!(
        !p.path("app.db").exists(),
        "--sql must not create the database"
    );
    p.conn("offline.db").execute_batch(&script).unwrap();
    p.ok(&["upgrade"]);
    assert_eq!(p.schema_text("offline.db"), p.schema_text("app.db"));
    // The version table says the same too: `current` agrees on both.
    let online = p.ok(&["current"]);
    let offline = p.ok(&["--database", "offline.db", "current"]);
    assert_eq!(online, offline);
    // Offline downgrade from a stated start, executed, gives the empty schema.
    let down = p.ok(&["downgrade", "two:base", "--sql"]);
    p.conn("offline.db").execute_batch(&down).unwrap();
    assert_eq!(p.schema_text("offline.db"), "");
    assert_eq!(
        p.ok(&["--database", "offline.db", "current"]).trim(),
        "base (no revision applied)"
    );
}

#[test]
fn revision_added_by_hand_is_refused_until_hashed() {
    let p = Project::with_config();
    p.ok(&["revision", "-m", "first", "--rev-id", "aaa1"]);
    assert!(p.path("migrations/migrate.sum").exists());
    p.revision(
        "bbb2",
        &["aaa1"],
        "CREATE TABLE x (id INT);",
        "DROP TABLE x;",
    );
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("bbb2_step.sql: added"), "{err}");
    let err = p.fails(&["revision", "-m", "third"]);
    assert!(
        err.contains("migrate hash"),
        "revision must not bless a stale sum: {err}"
    );
    assert!(!p.path("app.db").exists());
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), vec!["aaa1", "bbb2"]);
    // An edited file is named, even when the edit is only a comment.
    let path = p.path("migrations/versions/bbb2_step.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}-- a note\n")).unwrap();
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("bbb2_step.sql: edited since migrate.sum was written"),
        "{err}"
    );
    // A removed file is named too.
    std::fs::remove_file(p.path("migrations/versions/bbb2_step.sql")).unwrap();
    let err = p.fails(&["downgrade", "base"]);
    assert!(
        err.contains("bbb2_step.sql: in migrate.sum but the file is gone"),
        "{err}"
    );
}

#[test]
fn revision_renders_the_project_template_on_the_head() {
    let p = Project::with_config();
    p.write(
        "migrations/script.sql.tmpl",
        "-- revision: {{ revision }}\n-- down_revision: {{ down_revision }}\n-- message: {{ message }}\n-- team: music\n\n-- migrate:up\n{{ up }}\n-- migrate:down\n{{ down }}\n",
    );
    p.ok(&["revision", "-m", "Add album table!", "--rev-id", "abc"]);
    p.ok(&["revision", "-m", "second", "--rev-id", "def"]);
    let text = std::fs::read_to_string(p.path("migrations/versions/def_second.sql")).unwrap();
    assert!(
        text.contains("-- down_revision: abc") && text.contains("-- team: music"),
        "{text}"
    );
    assert!(
        p.path("migrations/versions/abc_add_album_table.sql")
            .exists()
    );
    let err = p.fails(&["revision", "-m", "again", "--rev-id", "abc"]);
    assert!(err.contains("exists already"), "{err}");
    assert!(p.ok(&["show", "de"]).contains("-- message: second"));
    let out = p.ok(&["history", "-r", "abc:def"]);
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn broken_graphs_are_refused_with_the_file() {
    let p = Project::with_config();
    p.revision("one", &["two"], "SELECT 1;", "SELECT 1;");
    p.revision("two", &["one"], "SELECT 1;", "SELECT 1;");
    let err = p.fails(&["history"]);
    assert!(
        err.contains("cycle") && err.contains("one") && err.contains("two"),
        "{err}"
    );

    let p = Project::with_config();
    p.revision("one", &["nothere"], "SELECT 1;", "SELECT 1;");
    let err = p.fails(&["heads"]);
    assert!(
        err.contains("one_step.sql:2") && err.contains("nothere"),
        "{err}"
    );

    let p = Project::with_config();
    p.revision("one", &[], "SELECT 1;", "SELECT 1;");
    p.write(
        "migrations/versions/one_copy.sql",
        &std::fs::read_to_string(p.path("migrations/versions/one_step.sql")).unwrap(),
    );
    let err = p.fails(&["heads"]);
    assert!(err.contains("duplicate revision id one"), "{err}");

    let p = Project::with_config();
    p.write(
        "migrations/versions/x1_bad.sql",
        "-- revision: x1\n-- down_revision:\n\n-- migrate:up\nSELECT 1;\n",
    );
    let err = p.fails(&["heads"]);
    assert!(
        err.contains("x1_bad.sql") && err.contains("migrate:down"),
        "{err}"
    );

    let p = Project::with_config();
    p.write("migrations/versions/notes.txt", "hello");
    let err = p.fails(&["heads"]);
    assert!(
        err.contains("notes.txt") && err.contains("not a revision file"),
        "{err}"
    );
}

#[test]
fn stamp_sets_the_version_table_without_running_sql() {
    let p = Project::with_config();
    chain(&p, 3);
    p.ok(&["stamp", "r01"]);
    assert_eq!(p.applied(), vec!["r00", "r01"]);
    assert_eq!(table_count(&p), 0, "stamp runs no SQL");
    p.ok(&["stamp", "base"]);
    assert!(p.applied().is_empty());
}

#[test]
fn read_only_commands_never_create_the_database() {
    let p = Project::with_config();
    chain(&p, 2);
    for args in [
        &["current"][..],
        &["history"],
        &["heads"],
        &["branches"],
        &["upgrade", "--sql"],
        &["show", "r00"],
    ] {
        p.ok(args);
        assert!(!p.path("app.db").exists(), "{args:?} created the database");
    }
}

#[test]
fn non_transactional_revisions_run_statement_by_statement_and_say_so() {
    let p = Project::with_config();
    p.revision(
        "one",
        &[],
        "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);",
        "DROP TABLE a;",
    );
    p.write(
        "migrations/versions/two_vacuum.sql",
        "-- revision: two\n-- down_revision: one\n-- message: compact\n-- transactional: false\n\n-- migrate:up\nVACUUM;\n\n-- migrate:down\nVACUUM;\n",
    );
    p.ok(&["hash"]);
    // VACUUM inside a transaction fails; here it must not.
    let (code, _, err) = p.run(&["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("revision two is marked `transactional: false`"),
        "{err}"
    );
    assert_eq!(p.applied(), vec!["one", "two"]);
    let sql = p.ok(&["downgrade", "one", "--sql"]);
    assert!(
        sql.contains("-- transactional: false") && !sql.contains("BEGIN;\nVACUUM"),
        "{sql}"
    );
    p.ok(&["downgrade", "one"]);
    assert_eq!(p.applied(), vec!["one"]);
}
