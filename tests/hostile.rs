//! Issue 12: hostile SQL text. Nothing the tool reads or writes is silently
//! truncated (NUL), injected (names that end a comment), or misreported
//! (statement numbers and lines), on real files through the real binary.

mod common;

use common::Project;

/// A project at revision r1: `artist` with three rows.
fn with_artists() -> Project {
    let p = Project::with_config();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO artist (name) VALUES ('a'), ('b'), ('c');",
        "DROP TABLE artist;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p
}

#[test]
fn a_nul_in_a_revision_is_refused_with_its_line_and_nothing_runs() {
    let p = with_artists();
    // Line 5 of the file is `-- migrate:up`; the UPDATE is on line 6.
    p.revision(
        "r2",
        &["r1"],
        "UPDATE artist SET name = 'X'\0 WHERE id = 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("r2_step.sql:6") && err.contains("NUL"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM artist WHERE name = 'X'"), 0);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
    assert_eq!(p.applied(), ["r1"]);
}

/// migrate.toml pointing the model at `model`, which is written with `text`.
fn with_model(model: &str, text: &str) -> Project {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        &format!("[database]\nurl = \"sqlite:app.db\"\n\n[model]\npath = \"{model}\"\n"),
    );
    p.write(model, text);
    p
}

#[test]
fn a_nul_in_a_sql_model_is_refused_instead_of_dropping_what_follows() {
    let p = with_model(
        "models.sql",
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\n-- \0\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rev-id", "r1"]);
    assert!(err.contains("models.sql:2") && err.contains("NUL"), "{err}");
    assert!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn a_nul_escape_in_a_toml_model_is_refused() {
    let p = with_model(
        "models.toml",
        "[[table]]\nname = \"a\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true },\n  { name = \"n\", type = \"TEXT\", default = \"'x\\u0000y'\" } ]\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rev-id", "r1"]);
    assert!(err.contains("models.toml") && err.contains("NUL"), "{err}");
}

#[test]
fn a_nul_in_a_model_command_output_is_refused() {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:app.db\"\n\n[model]\ncommand = \"printf 'CREATE TABLE a (id INT);\\\\n\\\\000CREATE TABLE b (id INT);\\\\n'\"\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x", "--rev-id", "r1"]);
    assert!(err.contains(":2") && err.contains("NUL"), "{err}");
}

#[test]
fn a_byte_order_mark_and_a_comment_after_the_marker_are_accepted() {
    let p = Project::with_config();
    p.write(
        "migrations/versions/r1_step.sql",
        "\u{feff}-- revision: r1\n-- down_revision:\n-- message: step\n\n-- migrate:up  -- create tables\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n\n-- migrate:down -- and drop them\nDROP TABLE t;\n",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), ["r1"]);
    p.ok(&["downgrade", "base"]);
    assert!(p.applied().is_empty());
}

#[test]
fn a_trigger_without_end_is_refused_at_the_line_it_starts() {
    let p = with_artists();
    let mut up = String::from(
        "CREATE TABLE log (msg TEXT);\nCREATE TRIGGER tr AFTER INSERT ON artist BEGIN\n  INSERT INTO log VALUES ('x');\n",
    );
    for i in 0..200 {
        up.push_str(&format!("UPDATE artist SET name = 'n{i}';\n"));
    }
    p.revision("r2", &["r1"], &up, "SELECT 1;");
    let err = p.fails(&["upgrade"]);
    // Line 7: the file's `-- migrate:up` is line 5, the CREATE TABLE line 6.
    assert!(
        err.contains("r2_step.sql:7") && err.contains("END"),
        "{err}"
    );
    assert_eq!(
        p.count("SELECT count(*) FROM artist WHERE name LIKE 'n%'"),
        0
    );
}

#[test]
fn a_failing_statement_in_the_pre_check_is_named_by_number_and_line() {
    let p = with_artists();
    // A unique index makes the pre-check replay the revision on a scratch
    // copy; the third statement fails there.
    p.revision(
        "r2",
        &["r1"],
        "CREATE UNIQUE INDEX ux ON artist (name);\nCREATE TABLE x (id INT);\nCREATE TABLE x (id INT);",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("statement 3 at line 8"), "{err}");
    assert_eq!(p.applied(), ["r1"]);
}

#[test]
fn a_name_with_a_newline_cannot_break_out_of_a_generated_comment() {
    let p = with_model(
        "models.sql",
        "CREATE TABLE track (id INTEGER PRIMARY KEY, title TEXT);\n",
    );
    p.revision(
        "r1",
        &[],
        "CREATE TABLE track (id INTEGER PRIMARY KEY, title TEXT);\nINSERT INTO track (title) VALUES ('a'), ('b'), ('c');\nCREATE TABLE \"x\nDELETE FROM track;\n--\" (v INT, w INT);",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    let out = p.autogenerate("drop x", "r2");
    assert!(!out.contains("\nDELETE"), "{out}");
    let text = std::fs::read_to_string(p.path("migrations/versions/r2_drop_x.sql")).unwrap();
    assert!(
        text.contains("-- destructive: drops table \"x\\nDELETE FROM track;\\n--\""),
        "{text}"
    );
    // The finding `lint` prints is one line too.
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("drops table x\\nDELETE FROM track;\\n--"),
        "{out}"
    );
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 3);
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'x%'"),
        0
    );
}

mod generated_scripts {
    //! Every generated script lexes back to exactly the statements planned,
    //! whatever the names hold: newlines, `*/`, quotes, control characters.

    use std::path::Path;

    use migrate::internal::sqlite::plan;
    use migrate::internal::sqlite::sql::{quote_ident, significant_text, split_statements};
    use proptest::prelude::*;

    fn hostile_name() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z]{1,3}",
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("*/".to_string()),
            Just("/*".to_string()),
            Just("--".to_string()),
            Just(";".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("`]".to_string()),
            Just("\t\x0b\x0c\x1b\x7f".to_string()),
            Just("\u{85}\u{2028}".to_string()),
            Just(" END; ".to_string()),
        ];
        prop::collection::vec(piece, 1..5).prop_map(|p| format!("n{}", p.concat()))
    }

    /// Tables `names[0..]`, each with columns from `names` too, two rows
    /// each; the target drops a column of the first table, makes a column
    /// of the second NOT NULL (a rebuild), adds a unique index to the third
    /// and drops the fourth table.
    fn schemas(names: &[String]) -> (String, String) {
        let q = |i: usize| quote_ident(&names[i]);
        let table = |t: usize, not_null: bool| {
            format!(
                "CREATE TABLE {} (id INTEGER PRIMARY KEY, {} TEXT, {} TEXT{});\n",
                q(t),
                q(4),
                q(5),
                if not_null { " NOT NULL DEFAULT ''" } else { "" }
            )
        };
        // SQLite keeps a view's trailing comment in its schema text.
        // A trigger comes after it in the plan (both depend on the rebuilt table).
        let view = format!(
            "CREATE VIEW {} AS SELECT * FROM {} -- the view\n;\n\
             CREATE TRIGGER {} AFTER INSERT ON {} BEGIN SELECT 1; END;\n",
            quote_ident(&format!("{}v", names[6])),
            q(1),
            quote_ident(&format!("{}t", names[7])),
            q(1)
        );
        let a = format!(
            "{}{}{}{}CREATE INDEX {} ON {} ({});\n{view}",
            table(0, false),
            table(1, false),
            table(2, false),
            table(3, false),
            q(6),
            q(0),
            q(4)
        );
        let b = format!(
            "CREATE TABLE {} (id INTEGER PRIMARY KEY, {} TEXT);\n{}{}CREATE UNIQUE INDEX {} ON {} ({});\n{view}",
            q(0),
            q(4),
            table(1, true),
            table(2, false),
            q(7),
            q(2),
            q(4),
        );
        (a, b)
    }

    fn lexes_back(statements: &[migrate::internal::plan::Statement]) -> Result<(), TestCaseError> {
        let script = plan::render(statements);
        // Statement by statement, every token but the comments.
        let back: Vec<String> = split_statements(&script)
            .iter()
            .map(|s| significant_text(&s.sql))
            .collect();
        let planned: Vec<String> = statements
            .iter()
            .map(|s| significant_text(&s.sql))
            .collect();
        prop_assert_eq!(back, planned, "script:\n{}", script);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 64,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(12),
            ..ProptestConfig::default()
        })]

        #[test]
        fn scripts_lex_back_to_the_planned_statements(names in prop::collection::vec(hostile_name(), 8)) {
            let lower: std::collections::HashSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
            prop_assume!(lower.len() == names.len());
            let (a_sql, b_sql) = schemas(&names);
            // The start is a live database, read as `upgrade` would.
            let conn = rusqlite::Connection::open_in_memory().unwrap();
            conn.execute_batch(&a_sql).unwrap();
            let a = migrate::internal::sqlite::inspect::inspect(&conn, "migrate_version").unwrap();
            let b = migrate::internal::load::load_sql(migrate::internal::engine::Engine::Sqlite, &b_sql, Path::new("b.sql")).unwrap();
            let m = migrate::internal::autogen::plan_between(&a, &b);
            prop_assert!(m.up.iter().any(|s| s.risky()));
            lexes_back(&m.up)?;
            lexes_back(&m.down)?;
            // And the rendered script does exactly what was planned.
            for t in &names[..4] {
                conn.execute_batch(&format!("INSERT INTO {} (id) VALUES (1), (2);", quote_ident(t))).unwrap();
            }
            conn.execute_batch(&plan::render(&m.up)).unwrap();
            let after = migrate::internal::sqlite::inspect::inspect(&conn, "migrate_version").unwrap();
            prop_assert!(after.same_as(&b.schema));
            for t in &names[..3] {
                let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", quote_ident(t)), [], |r| r.get(0)).unwrap();
                prop_assert_eq!(n, 2);
            }
        }
    }
}

#[test]
fn renaming_a_table_while_dropping_its_index_reverses() {
    let p = with_model(
        "models.sql",
        "CREATE TABLE singer ( -- @renamed from=artist\n  id INTEGER PRIMARY KEY,\n  name TEXT\n);\n",
    );
    p.revision(
        "r1",
        &[],
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);\nCREATE INDEX ix_artist_name ON artist (name);\nINSERT INTO artist (name) VALUES ('a'), ('b'), ('c');",
        "DROP TABLE artist;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p.autogenerate("rename", "r2");
    p.ok(&["verify"]);
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM singer"), 3);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name = 'ix_artist_name' AND tbl_name = 'artist'"),
        1
    );
}

#[test]
fn a_comment_before_the_semicolon_does_not_swallow_the_next_statement_in_offline_sql() {
    let p = Project::with_config();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE a (x INT) -- the first table\n;\nCREATE TABLE b (y INT);",
        "DROP TABLE b;\nDROP TABLE a;",
    );
    p.ok(&["hash"]);
    let script = p.ok(&["upgrade", "--sql"]);
    p.sql("offline.db", &script);
    let conn = p.conn("offline.db");
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 2, "{script}");
}

#[test]
fn a_nul_in_the_version_table_name_is_a_config_error() {
    let p = Project::with_config();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:app.db\"\n\n[migrations]\nversion_table = \"v\\u0000; DROP TABLE t\"\n",
    );
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("migrate.toml") && err.contains("version_table") && err.contains("NUL"),
        "{err}"
    );
    assert!(!p.path("app.db").exists());
}

#[test]
fn a_rebuild_in_a_non_transactional_revision_is_refused_before_anything_runs() {
    let p = with_artists();
    p.write(
        "migrations/versions/r2_index.sql",
        "-- revision: r2\n-- down_revision: r1\n-- transactional: false\n\n-- migrate:up\nCREATE INDEX ix_name ON artist (name);\n\n-- migrate:down\nDROP INDEX ix_name;\n",
    );
    p.write(
        "migrations/versions/r3_rebuild.sql",
        "-- revision: r3\n-- down_revision: r2\n-- transactional: false\n\n-- migrate:up\n\
         CREATE TABLE artist_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\n\
         INSERT INTO artist_new SELECT id, IFNULL(name, '') FROM artist;\n\
         DROP TABLE artist;\n\
         ALTER TABLE artist_new RENAME TO artist;\n\n-- migrate:down\nSELECT 1;\n",
    );
    p.ok(&["hash"]);
    // Nor is a script printed that would do it.
    let err = p.fails(&["upgrade", "--sql"]);
    assert!(err.contains("transactional: false"), "{err}");
    let err = p.fails(&["upgrade"]);
    assert!(
        !p.path("backups").exists(),
        "a backup was taken before refusing"
    );
    assert!(
        err.contains("r3")
            && err.contains("up statement 3 at line 8")
            && err.contains("transactional: false")
            && err.contains("Nothing ran"),
        "{err}"
    );
    // Not even r2, which comes before it, ran.
    assert_eq!(p.applied(), ["r1"]);
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name IN ('ix_name', 'artist_new')"),
        0
    );
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
    // Without the rebuild, the non-transactional revision runs.
    std::fs::remove_file(p.path("migrations/versions/r3_rebuild.sql")).unwrap();
    p.ok(&["hash"]);
    p.ok(&["upgrade", "--no-backup"]);
    assert_eq!(p.applied(), ["r1", "r2"]);
}

#[test]
fn a_table_rename_in_a_non_transactional_revision_is_refused() {
    let p = with_artists();
    p.write(
        "migrations/versions/r2_rename.sql",
        "-- revision: r2\n-- down_revision: r1\n-- transactional: false\n\n-- migrate:up\nALTER TABLE main.artist RENAME TO singer;\n\n-- migrate:down\nALTER TABLE singer RENAME TO artist;\n",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("renames a table"), "{err}");
    assert_eq!(p.count("SELECT count(*) FROM artist"), 3);
}
