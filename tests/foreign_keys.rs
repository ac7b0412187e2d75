//! The foreign-key check before each COMMIT (by design, foreign keys are off
//! while a revision runs, so `PRAGMA foreign_key_check` must catch what the
//! revision breaks, and roll it back). The check looks only at the tables a
//! revision can affect; these cases are the ways a revision reaches a table
//! without naming it as a child: a parent's rows, a trigger, a rename, a
//! table created earlier in the same run.

mod common;

use common::Project;

/// The catalogue every case starts from: two artists, a track of each.
const SETUP: &str = "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);\n\
    CREATE TABLE track (id INTEGER PRIMARY KEY, title TEXT, artist_id INTEGER REFERENCES artist(id));\n\
    INSERT INTO artist VALUES (1, 'Nina'), (2, 'Miles');\n\
    INSERT INTO track VALUES (1, 'Sinnerman', 1), (2, 'So What', 2);";

/// Revisions r0 (SETUP), r1.. (`good`), then `bad`, all run by one
/// `upgrade`; returns the project and the error, after checking that the
/// run stopped exactly before `bad`.
fn refused(good: &[&str], bad: &str) -> (Project, String) {
    let p = Project::with_config();
    let mut ups = vec![SETUP];
    ups.extend_from_slice(good);
    ups.push(bad);
    let ids: Vec<String> = (0..ups.len()).map(|i| format!("r{i}")).collect();
    for (i, up) in ups.iter().enumerate() {
        let parents: Vec<&str> = if i == 0 { vec![] } else { vec![&ids[i - 1]] };
        p.revision(&ids[i], &parents, up, "SELECT 1;");
    }
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade", "--no-backup"]);
    assert!(err.contains("would break foreign keys"), "{err}");
    assert!(err.contains("rolled back"), "{err}");
    assert_eq!(p.applied(), ids[..ids.len() - 1].to_vec(), "{err}");
    (p, err)
}

#[test]
fn deleting_a_parent_row_is_rolled_back() {
    let (p, err) = refused(&[], "DELETE FROM artist WHERE id = 2;");
    assert!(
        err.contains("1 row(s) of track reference missing rows of artist"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM artist"), 2);
}

#[test]
fn changing_a_parent_key_is_rolled_back() {
    let (p, err) = refused(&[], "UPDATE artist SET id = 10 WHERE id = 1;");
    assert!(
        err.contains("track reference missing rows of artist"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM artist WHERE id = 1"), 1);
}

#[test]
fn a_child_row_without_parent_is_rolled_back() {
    let (p, err) = refused(&[], "INSERT INTO track VALUES (3, 'Orphan', 99);");
    assert!(
        err.contains("track reference missing rows of artist"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM track"), 2);
}

#[test]
fn a_trigger_that_deletes_a_parent_is_caught() {
    let (_, err) = refused(
        &["CREATE TABLE purge (artist_id INTEGER);\n\
           CREATE TRIGGER purge_artist AFTER INSERT ON purge BEGIN DELETE FROM artist WHERE id = NEW.artist_id; END;"],
        "INSERT INTO purge VALUES (1);",
    );
    assert!(
        err.contains("track reference missing rows of artist"),
        "{err}"
    );
}

#[test]
fn a_renamed_parent_is_still_watched_in_the_same_run() {
    // The rename rewrites track's foreign key to `performer` (SQLite >= 3.26).
    let (_, err) = refused(
        &["ALTER TABLE artist RENAME TO performer;"],
        "DELETE FROM performer WHERE id = 1;",
    );
    assert!(
        err.contains("track reference missing rows of performer"),
        "{err}"
    );
}

#[test]
fn a_child_created_earlier_in_the_run_is_watched() {
    let (_, err) = refused(
        &[
            "CREATE TABLE review (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist(id));\n\
           INSERT INTO review VALUES (1, 2);",
        ],
        "DELETE FROM track WHERE artist_id = 2;\nDELETE FROM artist WHERE id = 2;",
    );
    assert!(
        err.contains("1 row(s) of review reference missing rows of artist"),
        "{err}"
    );
    assert!(!err.contains("of track"), "{err}");
}

#[test]
fn a_rebuilt_parent_keeps_its_children_and_passes() {
    let p = Project::with_config();
    p.revision("r0", &[], SETUP, "SELECT 1;");
    p.revision(
        "r1",
        &["r0"],
        "CREATE TABLE artist_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\n\
         INSERT INTO artist_new (id, name) SELECT id, IFNULL(name, '') FROM artist;\n\
         DROP TABLE artist;\n\
         ALTER TABLE artist_new RENAME TO artist;",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "--no-backup"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 2);
    assert_eq!(p.count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

#[test]
fn orphans_that_were_there_before_do_not_block_other_revisions() {
    let p = Project::with_config();
    p.revision("r0", &[], SETUP, "SELECT 1;");
    // An orphan already in the database, written with foreign keys off.
    p.revision(
        "r1",
        &["r0"],
        "CREATE TABLE note (id INTEGER PRIMARY KEY, track_id INTEGER REFERENCES track(id));",
        "DROP TABLE note;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "PRAGMA foreign_keys = OFF; INSERT INTO note VALUES (1, 77);",
    );
    p.revision(
        "r2",
        &["r1"],
        "INSERT INTO note VALUES (2, 1);\nCREATE TABLE extra (id INTEGER PRIMARY KEY);",
        "DROP TABLE extra;",
    );
    p.revision(
        "r3",
        &["r2"],
        "DELETE FROM track WHERE id = 1;",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade", "--no-backup"]);
    // r2 passes with the old orphan in place; r3 adds one more and is refused.
    assert_eq!(p.applied(), vec!["r0", "r1", "r2"]);
    assert!(
        err.contains("revision r3")
            && err.contains("2 row(s) of note reference missing rows of track"),
        "{err}"
    );
}

#[test]
fn names_with_spaces_quotes_and_capitals_are_watched() {
    let (_, err) = refused(
        &[
            "CREATE TABLE \"Band \"\"X\"\"\" (id INTEGER PRIMARY KEY);\n\
           CREATE TABLE \"Song\" (id INTEGER PRIMARY KEY, band INTEGER REFERENCES \"band \"\"x\"\"\"(id));\n\
           INSERT INTO \"Band \"\"X\"\"\" VALUES (1);\nINSERT INTO \"Song\" VALUES (1, 1);",
        ],
        "DELETE FROM \"BAND \"\"X\"\"\" WHERE id = 1;",
    );
    assert!(
        err.contains("1 row(s) of Song reference missing rows of"),
        "{err}"
    );
}

#[test]
fn a_child_created_by_a_non_transactional_revision_is_watched() {
    let p = Project::with_config();
    p.revision("r0", &[], SETUP, "SELECT 1;");
    p.write(
        "migrations/versions/r1_step.sql",
        "-- revision: r1\n-- down_revision: r0\n-- message: review\n-- transactional: false\n\n-- migrate:up\n\
         CREATE TABLE review (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist(id));\n\
         INSERT INTO review VALUES (1, 2);\n\n-- migrate:down\nDROP TABLE review;\n",
    );
    p.revision(
        "r2",
        &["r1"],
        "DELETE FROM track WHERE artist_id = 2;\nDELETE FROM artist WHERE id = 2;",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade", "--no-backup"]);
    assert!(
        err.contains("1 row(s) of review reference missing rows of artist"),
        "{err}"
    );
    assert_eq!(p.applied(), vec!["r0", "r1"]);
}
