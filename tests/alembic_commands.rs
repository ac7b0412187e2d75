//! The Alembic commands and flags teams type (issue 18, item 3), through the
//! real binary: `merge heads`, `show head(s)`, `heads --verbose`, `current
//! --verbose`, `history --indicate-current`, `stamp --purge`, `stamp --sql`,
//! `revision --splice`, `list-templates` (and `list_templates`, `init
//! --list-templates`), and `--sql` ranges for each target form.

mod common;

use common::Project;

/// r1 (artist), then two branches: a1 (album) and b1 (genre), b1 labelled `genres`.
fn branched() -> Project {
    let p = Project::with_config();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);",
        "DROP TABLE artist;",
    );
    p.revision(
        "a1",
        &["r1"],
        "CREATE TABLE album (x INT);",
        "DROP TABLE album;",
    );
    p.write(
        "migrations/versions/b1_step.sql",
        "-- revision: b1\n-- down_revision: r1\n-- branch_labels: genres\n-- message: step b1\n\n-- migrate:up\nCREATE TABLE genre (y INT);\n\n-- migrate:down\nDROP TABLE genre;\n",
    );
    p.ok(&["hash"]);
    p
}

#[test]
fn merge_heads_joins_every_head() {
    let p = branched();
    let out = p.ok(&["merge", "-m", "join", "heads", "--rev-id", "m1"]);
    assert!(out.contains("created"), "{out}");
    let text = std::fs::read_to_string(p.path("migrations/versions/m1_join.sql")).unwrap();
    assert!(text.contains("-- down_revision: a1, b1"), "{text}");
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), ["a1", "b1", "m1", "r1"]);
    // One head left: nothing to merge.
    let err = p.fails(&["merge", "-m", "again", "heads"]);
    assert!(err.contains("two or more"), "{err}");
    p.ok(&["verify"]);
}

#[test]
fn show_head_and_heads_print_the_files() {
    let p = branched();
    let out = p.ok(&["show", "heads"]);
    assert!(
        out.contains("-- revision: a1") && out.contains("-- revision: b1"),
        "{out}"
    );
    let out = p.ok(&["show", "genres@head"]);
    assert!(
        out.contains("-- revision: b1") && !out.contains("a1"),
        "{out}"
    );
    let err = p.fails(&["show", "head"]);
    assert!(err.contains("2 heads"), "{err}");
    p.ok(&["merge", "-m", "join", "a1", "b1", "--rev-id", "m1"]);
    assert!(p.ok(&["show", "head"]).contains("-- revision: m1"));
}

#[test]
fn heads_and_current_verbose_and_history_indicate_current() {
    let p = branched();
    let out = p.ok(&["heads", "--verbose"]);
    assert!(
        out.contains("Revision: a1 (head)") && out.contains("Revision: b1 (genres) (head)"),
        "{out}"
    );
    assert!(
        out.contains("Parent: r1") && out.contains("Path: "),
        "{out}"
    );
    p.ok(&["upgrade", "genres@head"]);
    p.sql("app.db", "INSERT INTO genre VALUES (1);");
    let out = p.ok(&["current", "--verbose"]);
    assert!(
        out.contains("Revision: b1 (genres) (head) (current)"),
        "{out}"
    );
    assert!(
        out.contains("Applied: ") && out.contains("1 revision(s) not applied"),
        "{out}"
    );
    let out = p.ok(&["history", "--indicate-current"]);
    assert!(out.contains("r1 -> b1 (genres) (head) (current)"), "{out}");
    assert!(p.ok(&["history", "-i"]).contains("(current)"));
    assert_eq!(p.count("SELECT count(*) FROM genre"), 1);
}

#[test]
fn stamp_purge_rewrites_every_row_and_stamp_sql_prints_them() {
    let p = branched();
    p.ok(&["upgrade", "heads"]);
    p.sql("app.db", "INSERT INTO album VALUES (1);");
    // A row for a revision this project never had, and an edited checksum.
    p.sql(
        "app.db",
        "INSERT INTO migrate_version (revision, parents, message, checksum, applied_at) VALUES ('zz', '', 'gone', 'x', 'then'); \
         UPDATE migrate_version SET checksum = 'stale' WHERE revision = 'a1';",
    );
    p.ok(&["stamp", "genres@head", "--purge"]);
    assert_eq!(p.applied(), ["b1", "r1"]);
    p.ok(&["stamp", "heads", "--purge"]);
    assert_eq!(p.applied(), ["a1", "b1", "r1"]);
    let fresh: i64 = p.count("SELECT count(*) FROM migrate_version WHERE checksum = 'stale'");
    assert_eq!(fresh, 0);
    assert_eq!(p.count("SELECT count(*) FROM album"), 1);
    assert!(p.ok(&["upgrade", "heads"]).contains("nothing to do"));
    // --sql: the version-table statements only, the database untouched.
    let before = p.bytes("app.db");
    let sql = p.ok(&["stamp", "genres@head", "--sql"]);
    assert!(
        sql.contains("VALUES ('r1'") && sql.contains("VALUES ('b1'"),
        "{sql}"
    );
    assert!(
        !sql.contains("VALUES ('a1'") && !sql.contains("CREATE TABLE genre"),
        "{sql}"
    );
    let sql = p.ok(&["stamp", "r1:heads", "--sql"]);
    assert!(
        !sql.contains("VALUES ('r1'") && sql.contains("VALUES ('a1'"),
        "{sql}"
    );
    let sql = p.ok(&["stamp", "heads:r1", "--sql"]);
    assert!(
        sql.contains("DELETE FROM migrate_version WHERE revision = 'a1'"),
        "{sql}"
    );
    let sql = p.ok(&["stamp", "genres@head", "--sql", "--purge"]);
    assert!(
        sql.contains("DELETE FROM migrate_version WHERE revision = 'a1'"),
        "{sql}"
    );
    assert!(
        sql.contains("('b1', 'stamp'") && !sql.contains("('a1', 'stamp'"),
        "{sql}"
    );
    assert_eq!(before, p.bytes("app.db"));
    // The script runs: sqlite3-style through rusqlite.
    let script = p.ok(&["stamp", "base:genres@head", "--sql"]);
    let q = Project::with_config();
    q.conn("app.db").execute_batch(&script).unwrap();
    assert_eq!(q.applied(), ["b1", "r1"]);
}

#[test]
fn upgrade_ranges_print_sql_for_every_target_form() {
    let p = branched();
    p.revision(
        "a2",
        &["a1"],
        "CREATE TABLE single (z INT);",
        "DROP TABLE single;",
    );
    p.ok(&["hash"]);
    let before = p.bytes("app.db");
    for (range, has, lacks) in [
        ("base:r1", vec!["artist"], vec!["album", "genre"]),
        (
            "base:heads",
            vec!["artist", "album", "genre", "single"],
            vec![],
        ),
        ("r1:genres@head", vec!["genre"], vec!["artist", "album"]),
        ("r1:a1", vec!["album"], vec!["genre", "artist"]),
        ("a1:+1", vec!["single"], vec!["album", "genre"]),
        ("r1:genres@+1", vec!["genre"], vec!["album"]),
        ("base:genres@b1", vec!["artist", "genre"], vec!["album"]),
        ("r:a1+1", vec!["album", "single"], vec!["genre", "artist"]),
    ] {
        let sql = p.ok(&["upgrade", range, "--sql"]);
        for t in has {
            assert!(
                sql.contains(&format!("CREATE TABLE {t}")),
                "{range}: {t}\n{sql}"
            );
        }
        for t in lacks {
            assert!(
                !sql.contains(&format!("CREATE TABLE {t}")),
                "{range}: not {t}\n{sql}"
            );
        }
    }
    for (range, has, lacks) in [
        (
            "heads:genres@-1",
            vec!["genre"],
            vec!["album", "single", "artist"],
        ),
        ("heads:a1", vec!["single", "genre"], vec!["album", "artist"]),
        (
            "heads:base",
            vec!["artist", "album", "genre", "single"],
            vec![],
        ),
    ] {
        let sql = p.ok(&["downgrade", range, "--sql"]);
        for t in has {
            assert!(
                sql.contains(&format!("DROP TABLE {t}")),
                "{range}: {t}\n{sql}"
            );
        }
        for t in lacks {
            assert!(
                !sql.contains(&format!("DROP TABLE {t}")),
                "{range}: not {t}\n{sql}"
            );
        }
    }
    // Nothing was read from or written to a database.
    assert_eq!(before, p.bytes("app.db"));
}

#[test]
fn revision_splice_and_list_templates_as_alembic_spells_them() {
    let p = branched();
    // --splice: a branch from a revision that is not a head (accepted; --head does it).
    p.ok(&[
        "revision", "-m", "side", "--rev-id", "s1", "--head", "r1", "--splice",
    ]);
    let text = std::fs::read_to_string(p.path("migrations/versions/s1_side.sql")).unwrap();
    assert!(text.contains("-- down_revision: r1\n"), "{text}");
    p.ok(&["verify"]);
    for args in [
        vec!["list-templates"],
        vec!["list_templates"],
        vec!["init", "--list-templates"],
    ] {
        let out = p.ok(&args);
        assert!(
            out.contains("generic") && out.contains("sqlalchemy"),
            "{args:?}: {out}"
        );
    }
    // `init --list-templates` creates nothing.
    let q = Project::new();
    q.ok(&["init", "--list-templates"]);
    assert!(!q.path("migrate.toml").exists());
}
