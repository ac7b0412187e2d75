//! Issue 18 item 4: `migrate squash FROM TO` on the example catalogue, with
//! seed rows in databases below the range, in the middle of it and past it:
//! each reaches head with its rows and `check` passing, before and after
//! `migrate squash --prune`; and the refusals (data statements, FROM after
//! TO, unknown ids) exit 2 naming what, with nothing written.

mod common;

use std::path::Path;

use common::Project;

const FROM: &str = "70f8f3a4c5f1";
const MIDDLE: &str = "9abe96eacc5e";
const TO: &str = "caa1a38db517";

/// The example project's config, model, seed and migrations (no database).
fn catalogue() -> Project {
    let p = Project::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations-example");
    for rel in [
        "migrate.toml",
        "models.toml",
        "seed.sql",
        "migrations/migrate.sum",
    ] {
        p.write(rel, &std::fs::read_to_string(src.join(rel)).unwrap());
    }
    for entry in std::fs::read_dir(src.join("migrations/versions")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        p.write(
            &format!("migrations/versions/{name}"),
            &std::fs::read_to_string(&path).unwrap(),
        );
    }
    p
}

/// A database `name` seeded right after the first revision, then upgraded
/// through `steps`, one run each: `upgrade head` from the middle of the
/// example trips an unrelated data check (see the h46 report).
fn seeded_db(p: &Project, name: &str, steps: &[&str]) -> String {
    let url = format!("sqlite:{name}");
    p.ok(&["--database", &url, "upgrade", "34e511a57ae6"]);
    p.sql(name, &std::fs::read_to_string(p.path("seed.sql")).unwrap());
    for step in steps {
        p.ok(&["--database", &url, "upgrade", step]);
    }
    url
}

/// (tracks with their titles, applied ids) of a database.
fn rows(p: &Project, db: &str) -> (String, Vec<String>) {
    let conn = p.conn(db);
    let tracks: String = conn
        .query_row(
            "SELECT count(*) || ':' || ifnull(group_concat(title, '|'), '') FROM (SELECT title FROM track ORDER BY id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT revision FROM migrate_version ORDER BY revision")
        .unwrap();
    let ids = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (tracks, ids)
}

fn versions(p: &Project) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.path("migrations/versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Upgrades to head and checks.
fn to_head_and_check(p: &Project, url: &str) {
    p.ok(&["--database", url, "upgrade", "heads"]);
    p.ok(&["--database", url, "check"]);
}

#[test]
fn databases_below_in_and_past_the_range_reach_head_with_rows_intact() {
    let p = catalogue();
    let below = seeded_db(&p, "below.db", &[]);
    let middle = seeded_db(&p, "middle.db", &[MIDDLE]);
    let past = seeded_db(&p, "past.db", &[TO, "head"]);
    let seeded = rows(&p, "below.db").0;
    assert!(seeded.starts_with("15:"), "{seeded}");
    let out = p.ok(&[
        "squash",
        FROM,
        TO,
        "-m",
        "album and duration",
        "--rev-id",
        "5a5a",
    ]);
    assert!(out.contains("replacing 3 revision(s)"), "{out}");
    let text =
        std::fs::read_to_string(p.path("migrations/versions/5a5a_album_and_duration.sql")).unwrap();
    assert!(
        text.contains(&format!("-- replaces: {FROM}, {MIDDLE}, {TO}\n")),
        "{text}"
    );
    assert!(text.contains("-- down_revision: 34e511a57ae6\n"), "{text}");
    // migrate.sum was rewritten: verify and check would refuse a stale one.
    let verified = p.ok(&["verify"]);
    assert!(
        verified.contains("5a5a") && verified.contains(MIDDLE),
        "both ways proved: {verified}"
    );

    // Below the range: the squash, then the rest.
    to_head_and_check(&p, &below);
    assert_eq!(rows(&p, "below.db").0, seeded);
    assert!(rows(&p, "below.db").1.contains(&"5a5a".to_string()));
    assert!(!rows(&p, "below.db").1.contains(&FROM.to_string()));
    // In the middle: it finishes the range through the replaced files.
    let history = p.ok(&["--database", &middle, "history"]);
    assert!(
        history.contains(TO) && !history.contains("5a5a"),
        "{history}"
    );
    p.ok(&["--database", &middle, "upgrade", TO]);
    to_head_and_check(&p, &middle);
    assert_eq!(rows(&p, "middle.db").0, seeded);
    // Past it: nothing to do.
    let out = p.ok(&["--database", &past, "upgrade", "head"]);
    assert!(out.contains("nothing to do"), "{out}");
    p.ok(&["--database", &past, "check"]);
    // A new database takes the squash.
    to_head_and_check(&p, "sqlite:fresh.db");
    assert!(rows(&p, "fresh.db").1.contains(&"5a5a".to_string()));

    // Prune: every database is past the range now.
    let before_prune = versions(&p);
    let out = p.ok(&["--database", &past, "squash", "--prune"]);
    assert!(out.contains(FROM) && out.contains(TO), "{out}");
    let after = versions(&p);
    assert_eq!(after.len(), before_prune.len() - 3, "{after:?}");
    assert!(!after.iter().any(|f| f.starts_with(MIDDLE)));
    p.ok(&["verify"]);
    // The databases that went through the replaced files (their version
    // rows name pruned ids) count the squash as applied: check passes, and
    // downgrading below it reverts the squash and forgets those rows.
    for (db, url) in [
        ("middle.db", &middle),
        ("past.db", &past),
        ("below.db", &below),
    ] {
        p.ok(&["--database", url, "check"]);
        p.ok(&["--database", url, "downgrade", "34e511a57ae6"]);
        let (tracks, ids) = rows(&p, db);
        assert_eq!(tracks, seeded, "{db}: rows survive the squash's down");
        assert_eq!(ids, ["34e511a57ae6"], "{db}");
        to_head_and_check(&p, url);
        assert_eq!(rows(&p, db).0, seeded, "{db}");
    }
    let out = p.ok(&["squash", "--prune"]);
    assert!(out.contains("nothing to prune"), "{out}");
}

#[test]
fn prune_waits_for_a_database_in_the_middle_and_one_stranded_there_is_told_why() {
    let p = catalogue();
    let middle = seeded_db(&p, "middle.db", &[MIDDLE]);
    p.ok(&["squash", FROM, TO, "-m", "squash", "--rev-id", "5a5a"]);
    let sum = p.bytes("migrations/migrate.sum");
    let err = p.fails(&["--database", &middle, "squash", "--prune"]);
    assert!(
        err.contains("middle") && err.contains("5a5a") && err.contains(TO),
        "{err}"
    );
    assert_eq!(versions(&p).len(), 6, "nothing removed");
    assert_eq!(p.bytes("migrations/migrate.sum"), sum);
    // Pruned anyway (the configured database is elsewhere): the stranded
    // database is refused, naming what it needs, and left as it was.
    p.ok(&["--database", "sqlite:other.db", "squash", "--prune"]);
    let before = rows(&p, "middle.db");
    for command in ["upgrade", "check"] {
        let err = p.fails(&["--database", &middle, command]);
        assert!(
            err.contains("restore the replaced files") && err.contains(TO),
            "{err}"
        );
    }
    assert_eq!(rows(&p, "middle.db"), before);
}

#[test]
fn refusals_name_what_and_write_nothing() {
    let p = catalogue();
    let sum = p.bytes("migrations/migrate.sum");
    let files = versions(&p);
    let err = p.fails(&["squash", TO, FROM, "-m", "backwards"]);
    assert!(
        err.contains(TO) && err.contains(FROM) && err.contains("not below"),
        "{err}"
    );
    let err = p.fails(&["squash", "feedface", TO, "-m", "unknown"]);
    assert!(err.contains("feedface"), "{err}");
    let err = p.fails(&["squash", FROM, FROM, "-m", "one"]);
    assert!(err.contains("one revision"), "{err}");
    assert_eq!(versions(&p), files);
    assert_eq!(p.bytes("migrations/migrate.sum"), sum);

    // A hand-written data statement inside the range.
    let path = p.path(&format!(
        "migrations/versions/{MIDDLE}_add_track_duration_seconds.sql"
    ));
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "DEFAULT 0;\n",
        "DEFAULT 0;\n-- backfill\nUPDATE track SET duration_seconds = 180;\n",
    );
    std::fs::write(&path, text).unwrap();
    p.ok(&["hash"]);
    let sum = p.bytes("migrations/migrate.sum");
    let err = p.fails(&["squash", FROM, TO, "-m", "with data"]);
    assert!(
        err.contains(&format!("{MIDDLE}_add_track_duration_seconds.sql up line"))
            && err.contains("UPDATE track SET duration_seconds = 180"),
        "{err}"
    );
    assert_eq!(versions(&p), files);
    assert_eq!(p.bytes("migrations/migrate.sum"), sum);
    // The rebuild copies the planner writes are not data statements; a
    // rename inside the range is not guessed, and is kept when named.
    let err = p.fails(&["squash", TO, "bee2c66e4c70", "-m", "guess"]);
    assert!(err.contains("--rename album.name=album.title"), "{err}");
    p.ok(&[
        "squash",
        TO,
        "bee2c66e4c70",
        "-m",
        "rebuilds are schema",
        "--rename",
        "album.name=album.title",
        "--rev-id",
        "5b5b",
    ]);
    let text = std::fs::read_to_string(p.path("migrations/versions/5b5b_rebuilds_are_schema.sql"))
        .unwrap();
    assert!(
        text.contains("(id, title, artist_id) SELECT id, name, artist_id FROM album"),
        "the rename keeps the titles: {text}"
    );
    p.ok(&["verify"]);
}

/// After a prune, a database whose version table names the pruned ids is
/// at the squash, as `upgrade` sees it: `current` (plain, verbose and
/// JSON, one footer) and `history` show the squash, count one revision
/// pending and call no row unknown; `stamp -1` steps back from the squash.
#[test]
fn current_history_and_stamp_read_pruned_ids_as_the_squash() {
    let p = catalogue();
    let at = seeded_db(&p, "at.db", &[TO]);
    p.ok(&["squash", FROM, TO, "-m", "squash", "--rev-id", "5a5a"]);
    p.ok(&["--database", &at, "squash", "--prune"]);
    let before = rows(&p, "at.db");
    assert!(before.1.contains(&TO.to_string()), "{before:?}");

    let plain = p.ok(&["--database", &at, "current"]);
    let verbose = p.ok(&["--database", &at, "current", "--verbose"]);
    for out in [&plain, &verbose] {
        assert!(out.contains("5a5a"), "{out}");
        assert!(!out.contains("not in the versions directory"), "{out}");
        assert!(out.contains("1 revision(s) not applied"), "{out}");
        assert!(!out.contains("(head)"), "{out}");
    }
    assert!(plain.starts_with("5a5a  squash\n"), "{plain}");
    let json = p.ok(&["--database", &at, "current", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["current"][0]["revision"], "5a5a", "{json}");
    assert_eq!(json["pending"], 1, "{json}");
    assert_eq!(json["unknown"], serde_json::json!([]), "{json}");
    let history = p.ok(&["--database", &at, "history"]);
    assert!(history.contains("5a5a (current)"), "{history}");
    assert_eq!(rows(&p, "at.db"), before, "shown, not written");

    // One step back from the squash is the revision below it, not base.
    p.ok(&["--database", &at, "stamp", "-1"]);
    assert_eq!(rows(&p, "at.db").1, ["34e511a57ae6"]);
    assert_eq!(rows(&p, "at.db").0, before.0, "stamp runs no SQL");
}
