//! Golden snapshots (insta) of the revision scripts `revision --autogenerate`
//! writes for the music catalogue's story (as in migrations-example/): create
//! artist and track, add album, add a NOT NULL column with a default, rename a
//! column, add indexes and a unique constraint, then rebuild the parent table
//! `artist` under its children. A change to the planner, the DDL writer or
//! the script template shows up as a reviewed snapshot diff
//! (`cargo insta review`, or `INSTA_UPDATE=always` and `git diff`).
//!
//! Each step is applied before the next is generated, with rows in every
//! table, and the rows are checked at the end: the scripts run, not only read.

mod common;

use common::Project;
use common::catalogue::STEPS;

/// The revision file `id` wrote, found by its id.
fn script(p: &Project, id: &str) -> String {
    let dir = p.path("migrations/versions");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{id}_"))
        })
        .unwrap_or_else(|| panic!("no file for {id} in {}", dir.display()));
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn the_catalogue_story_generates_the_scripts_it_always_has() {
    let p = Project::with_sql_model("");
    for (i, (id, message, model)) in STEPS.iter().enumerate() {
        p.write("model.sql", model);
        p.autogenerate(message, id);
        insta::with_settings!({
            // The only line that changes from run to run.
            filters => vec![(r"(?m)^-- created: .*$", "-- created: [when]")],
            snapshot_suffix => format!("{}_{id}", i + 1),
        }, {
            insta::assert_snapshot!("catalogue", script(&p, id));
        });
        p.ok(&["upgrade"]);
        match *id {
            "r1" => p.sql(
                "app.db",
                "INSERT INTO artist VALUES (1, 'Nina Simone');
                 INSERT INTO track (id, title, artist_id) VALUES (1, 'Sinnerman', 1);",
            ),
            "r2" => p.sql(
                "app.db",
                "INSERT INTO album VALUES (1, 'Pastel Blues', 1);
                 UPDATE track SET album_id = 1;",
            ),
            _ => {}
        }
    }
    // Every row survived every step, the parent rebuild under its children
    // included (no ON DELETE CASCADE fired).
    assert_eq!(
        p.count(
            "SELECT count(*) FROM track JOIN album ON album.id = track.album_id \
             JOIN artist ON artist.id = track.artist_id \
             WHERE track.title = 'Sinnerman' AND album.title = 'Pastel Blues' \
             AND artist.name = 'Nina Simone' AND track.duration_seconds = 0"
        ),
        1
    );
    // And the way back down runs too, to an empty database.
    p.ok(&["downgrade", "base"]);
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name IN ('artist', 'album', 'track')"),
        0
    );
}
