//! Issue 7's judge: the music catalogue in migrations-example goes base ->
//! head -> base -> head with `check` passing at head and the seed rows intact
//! after every step; and autogenerate from the SQLAlchemy models (read by the
//! built-in `[model] sqlalchemy = "models:Base"` of migrate-sqlalchemy.toml,
//! no exporter script) gives the same revision as from models.toml.

mod common;

use common::Project;
use common::example::{example, sqlalchemy_available};

fn seed_rows(p: &Project) -> (i64, i64, String) {
    let conn = p.conn("music.db");
    let artists = conn
        .query_row("SELECT count(*) FROM artist", [], |r| r.get(0))
        .unwrap();
    let tracks = conn
        .query_row("SELECT count(*) FROM track", [], |r| r.get(0))
        .unwrap();
    let titles: String = conn
        .query_row(
            "SELECT group_concat(title, '|') FROM (SELECT title FROM track ORDER BY id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (artists, tracks, titles)
}

#[test]
fn catalogue_goes_base_head_base_head_with_seed_rows_intact() {
    let p = example();
    let revisions = p.ok(&["history"]).lines().count();
    assert!(
        revisions >= 5,
        "the example has a history of at least five revisions"
    );
    for round in 0..2 {
        p.ok(&["upgrade", "+1"]);
        p.sql(
            "music.db",
            &std::fs::read_to_string(p.path("seed.sql")).unwrap(),
        );
        let seeded = seed_rows(&p);
        assert_eq!((seeded.0, seeded.1), (3, 15));
        for _ in 1..revisions {
            p.ok(&["upgrade", "+1"]);
            assert_eq!(
                seed_rows(&p),
                seeded,
                "round {round}: rows changed on the way up"
            );
        }
        assert!(p.ok(&["current"]).contains("(head)"));
        let out = p.ok(&["check"]);
        assert!(out.contains("ok:"), "{out}");
        for _ in 1..revisions {
            p.ok(&["downgrade", "-1"]);
            assert_eq!(
                seed_rows(&p),
                seeded,
                "round {round}: rows changed on the way down"
            );
        }
        p.ok(&["downgrade", "base"]);
        assert_eq!(p.ok(&["current"]).trim(), "base (no revision applied)");
    }
    p.ok(&["verify"]);
}

fn up_and_down(text: &str) -> String {
    text.split_once("-- migrate:up")
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_default()
}

#[test]
fn sqlalchemy_models_and_models_toml_autogenerate_the_same_revision() {
    if !sqlalchemy_available() {
        common::say(
            "SQLAlchemy 2.x is not installed: the SQLAlchemy interop test did not run \
             (pip install -r migrations-example/requirements.txt; .ci/run does this)",
        );
        return;
    }
    let p = example();
    // From an empty migrations directory, each model gives one revision.
    std::fs::remove_dir_all(p.path("migrations/versions")).unwrap();
    std::fs::remove_file(p.path("migrations/migrate.sum")).unwrap();
    p.autogenerate("from toml", "t1");
    let from_toml =
        std::fs::read_to_string(p.path("migrations/versions/t1_from_toml.sql")).unwrap();
    std::fs::remove_file(p.path("migrations/versions/t1_from_toml.sql")).unwrap();
    p.ok(&["hash"]);
    p.ok(&[
        "-c",
        "migrate-sqlalchemy.toml",
        "revision",
        "--autogenerate",
        "-m",
        "from toml",
        "--rev-id",
        "t1",
    ]);
    let from_sqlalchemy =
        std::fs::read_to_string(p.path("migrations/versions/t1_from_toml.sql")).unwrap();
    assert_eq!(up_and_down(&from_toml), up_and_down(&from_sqlalchemy));
    assert!(from_toml.contains("CREATE TABLE album"));

    // The built-in path, not a script: the example ships none.
    assert!(!p.path("export_schema.py").exists());
    let config = std::fs::read_to_string(p.path("migrate-sqlalchemy.toml")).unwrap();
    assert!(config.contains("sqlalchemy = \"models:Base\""), "{config}");

    // And the shipped history builds the SQLAlchemy models exactly.
    let q = example();
    let out = q.ok(&["-c", "migrate-sqlalchemy.toml", "check"]);
    assert!(out.contains("ok:"), "{out}");
}

/// `upgrade head` in one command from every revision of the history, with
/// the seed rows loaded: a later revision's data check is phrased for the
/// schema the earlier pending ones leave (album.title after the rename), so
/// on the live database (still album.name) it cannot run; it must be skipped,
/// never turn a valid upgrade into an error.
#[test]
fn upgrade_head_in_one_go_from_every_revision_keeps_the_seed_rows() {
    let revisions = example().ok(&["history"]).lines().count();
    for start in 1..revisions {
        let p = example();
        p.ok(&["upgrade", "+1"]);
        p.sql(
            "music.db",
            &std::fs::read_to_string(p.path("seed.sql")).unwrap(),
        );
        let seeded = seed_rows(&p);
        for _ in 1..start {
            p.ok(&["upgrade", "+1"]);
        }
        p.ok(&["upgrade", "head"]);
        assert_eq!(seed_rows(&p), seeded, "from revision {start}: rows changed");
        assert!(p.ok(&["current"]).contains("(head)"));
    }
}
