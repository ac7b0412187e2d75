//! What migrate manages (`[model] include` / `exclude`) and what it says it
//! detected ("Detected added table 'label'"), through the real binary.

mod common;

use common::MUSIC_MODEL as MUSIC;
use common::Project;

const CONFIG: &str = "[database]\nurl = \"sqlite:app.db\"\n\n[migrations]\ndir = \"migrations\"\n\n[model]\npath = \"models.toml\"\n";

/// The music catalogue at head with rows, and a config whose `[model]` ends with `model_keys`.
fn music(model_keys: &str) -> Project {
    let p = Project::with_config();
    p.write("migrate.toml", &format!("{CONFIG}{model_keys}"));
    p.write("models.toml", MUSIC);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'Nina'), (2, 'Miles');
         INSERT INTO track (title, artist_id) VALUES ('a', 1), ('b', 1), ('c', 2);",
    );
    p
}

/// Objects another tool owns: a table with rows, a view on it, an FTS index
/// and a trigger on the managed `track` that keeps the FTS index up to date.
const OTHERS: &str = "
    CREATE TABLE ext_cache (k TEXT PRIMARY KEY, v TEXT);
    INSERT INTO ext_cache VALUES ('a', '1'), ('b', '2');
    CREATE VIEW ext_view AS SELECT k FROM ext_cache;
    CREATE VIEW ext_titles AS SELECT title FROM track;
    CREATE VIRTUAL TABLE fts_track USING fts5(title);
    INSERT INTO fts_track (title) SELECT title FROM track;
    CREATE TRIGGER ext_track_sync AFTER INSERT ON track BEGIN
        INSERT INTO fts_track (title) VALUES (new.title);
    END;
";

fn revision_text(p: &Project, id: &str) -> String {
    let dir = p.path("migrations/versions");
    let file = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.file_name().unwrap().to_str().unwrap().starts_with(id))
        .unwrap();
    std::fs::read_to_string(file).unwrap()
}

#[test]
fn excluded_objects_are_neither_compared_dropped_nor_created() {
    let p = music("exclude = [\"ext_*\", \"FTS_*\"]\n");
    p.sql("app.db", OTHERS);
    // The database has what the migrations do not: not drift, for what is excluded.
    let out = p.ok(&["check"]);
    assert!(out.contains("ok:"), "{out}");
    // A rebuild of track (its title type narrows) and an excluded table in the model.
    p.write(
        "models.toml",
        &format!(
            "{}\n[[table]]\nname = \"ext_model_only\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n",
            MUSIC.replace(
                "{ name = \"title\",     type = \"VARCHAR\"",
                "{ name = \"title\",     type = \"VARCHAR(200)\""
            )
        ),
    );
    p.autogenerate("retitle", "r2");
    let text = revision_text(&p, "r2");
    assert!(
        !text.contains("ext_cache") && !text.contains("ext_model_only"),
        "{text}"
    );
    assert!(!text.contains("DROP TABLE fts_track"), "{text}");
    // The unmanaged trigger on the rebuilt table, and the unmanaged view
    // reading it (SQLite refuses the rename under it), are not written into
    // the revision (this database's version would be imposed on every other
    // one): upgrade carries each across as the database it runs on has it.
    assert!(
        !text.contains("ext_track_sync") && !text.contains("ext_titles"),
        "{text}"
    );
    let (_, _, err) = p.run(&["upgrade"]);
    assert!(
        err.contains("trigger ext_track_sync") && err.contains("view ext_titles"),
        "{err}"
    );
    assert_eq!(p.count("SELECT count(*) FROM track"), 3);
    assert_eq!(p.count("SELECT count(*) FROM ext_cache"), 2);
    assert_eq!(p.count("SELECT count(*) FROM ext_view"), 2);
    assert_eq!(p.count("SELECT count(*) FROM ext_titles"), 3);
    p.sql(
        "app.db",
        "INSERT INTO track (title, artist_id) VALUES ('d', 2)",
    );
    assert_eq!(
        p.count("SELECT count(*) FROM fts_track"),
        4,
        "the trigger still fires"
    );
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name = 'ext_model_only'"),
        0
    );
    let out = p.ok(&["check"]);
    assert!(out.contains("ok:"), "{out}");
    p.ok(&["verify", "--data"]);
    p.ok(&["downgrade", "r1"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 4);
    assert_eq!(p.count("SELECT count(*) FROM ext_cache"), 2);
}

#[test]
fn a_renamed_table_keeps_the_unmanaged_trigger_on_it() {
    let p = music("exclude = [\"ext_*\", \"fts_*\"]\n");
    p.sql("app.db", OTHERS);
    p.write(
        "models.toml",
        &MUSIC.replace(
            "name = \"track\"",
            "name = \"song\"\nrenamed_from = \"track\"",
        ),
    );
    p.autogenerate("rename", "r2");
    let text = revision_text(&p, "r2");
    assert!(!text.contains("ext_track_sync"), "{text}");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM song"), 3);
    p.sql(
        "app.db",
        "INSERT INTO song (title, artist_id) VALUES ('d', 2)",
    );
    assert_eq!(
        p.count("SELECT count(*) FROM fts_track"),
        4,
        "the trigger still fires"
    );
    p.ok(&["check"]);
    p.ok(&["downgrade", "r1"]);
    assert_eq!(p.count("SELECT count(*) FROM track"), 4);
    p.sql(
        "app.db",
        "INSERT INTO track (title, artist_id) VALUES ('e', 2)",
    );
    assert_eq!(p.count("SELECT count(*) FROM fts_track"), 5);
}

#[test]
fn without_a_filter_the_same_objects_are_drift() {
    // The test above would fail without the filter: the same database is drift.
    let p = music("");
    p.sql("app.db", OTHERS);
    let (code, out, _) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Detected removed table 'ext_cache'"), "{out}");
}

#[test]
fn include_manages_only_what_it_names() {
    let p = music("include = [\"artist\", \"track\"]\n");
    p.sql(
        "app.db",
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)",
    );
    p.ok(&["check"]);
    // A model table outside `include` is not created.
    p.write(
        "models.toml",
        &format!("{MUSIC}\n[[table]]\nname = \"label\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n"),
    );
    let out = p.ok(&[
        "revision",
        "--autogenerate",
        "-m",
        "nothing",
        "--rev-id",
        "r2",
    ]);
    assert!(out.contains("No changes detected"), "{out}");
}

#[test]
fn verify_compares_only_what_is_managed() {
    // A hand-written revision that also makes an excluded table, and whose
    // down leaves it: not migrate's to prove.
    let p = Project::with_config();
    p.write("migrate.toml", &format!("{CONFIG}exclude = [\"ext_*\"]\n"));
    p.revision(
        "r1",
        &[],
        "CREATE TABLE label (id INTEGER PRIMARY KEY);\nCREATE TABLE IF NOT EXISTS ext_log (x);",
        "DROP TABLE label;",
    );
    p.ok(&["hash"]);
    p.ok(&["verify"]);
    // The same revisions without the filter do not reverse exactly.
    p.write("migrate.toml", CONFIG);
    let (code, out, _) = p.run(&["verify"]);
    assert_eq!(code, 1, "{out}");
}

#[test]
fn lint_and_upgrade_leave_an_extension_s_tables_alone() {
    // A virtual table of a module this SQLite does not have (an extension's).
    let p = music("exclude = [\"spatial*\"]\n");
    p.sql(
        "app.db",
        "PRAGMA writable_schema = ON;
         INSERT INTO sqlite_schema VALUES ('table', 'spatial_index', 'spatial_index', 0,
             'CREATE VIRTUAL TABLE spatial_index USING no_such_module(a, b)');",
    );
    p.revision(
        "r2",
        &["r1"],
        "CREATE UNIQUE INDEX ux_artist_name ON artist (name);",
        "DROP INDEX ux_artist_name;",
    );
    p.ok(&["hash"]);
    let out = p.ok(&["lint"]);
    assert!(out.starts_with("ok:"), "{out}");
    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), ["r1", "r2"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 2);
    // Without the filter, lint cannot build its schema-only copy.
    p.write("migrate.toml", CONFIG);
    p.ok(&["downgrade", "r1"]);
    let err = p.fails(&["lint"]);
    assert!(err.contains("no_such_module"), "{err}");
}

#[test]
fn a_bad_pattern_is_one_clear_error() {
    let p = music("");
    p.write("migrate.toml", &format!("{CONFIG}exclude = [\"ext_[a\"]\n"));
    let before = p.bytes("app.db");
    let err = p.fails(&["check"]);
    assert!(
        err.contains("[model] exclude") && err.contains("ext_[a"),
        "{err}"
    );
    assert!(err.contains("migrate.toml"), "{err}");
    p.write("migrate.toml", &format!("{CONFIG}include = []\n"));
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("include = []"), "{err}");
    assert_eq!(p.bytes("app.db"), before);
}

#[test]
fn autogenerate_and_check_list_what_they_detected() {
    let p = music("");
    let model = MUSIC
        .replace("VARCHAR(30)", "VARCHAR(60)")
        .replace(
            "indexes = [ { name = \"ix_track_title\", columns = [\"title\"] } ]",
            "",
        )
        .replace(
            "references = \"artist.id\", on_delete = \"CASCADE\" },",
            "references = \"artist.id\", on_delete = \"CASCADE\" },\n  { name = \"album_id\", type = \"INTEGER\" },",
        );
    let model = format!(
        "{model}\n[[table]]\nname = \"label\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n\
         \n[[table]]\nname = \"odd\\nDetected removed table 'artist'\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\" }} ]\n"
    );
    p.write("models.toml", &model);
    let detected = [
        "  Detected type change from VARCHAR(30) to VARCHAR(60) on 'artist.name'",
        "  Detected added table 'label'",
        "  Detected added table '\"odd\\nDetected removed table 'artist'\"'",
        "  Detected added column 'track.album_id'",
        "  Detected removed index 'ix_track_title' on 'track'",
    ];
    let (code, out, _) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    for line in detected {
        assert!(out.lines().any(|l| l == line), "{line} in:\n{out}");
    }
    // The name's newline is escaped: it cannot start a line of its own in
    // the list (the SQL after it holds the name as it is, being SQL).
    let list: Vec<&str> = out.lines().skip(1).take_while(|l| !l.is_empty()).collect();
    assert_eq!(list.len(), 5, "{out}");
    assert!(
        !list.iter().any(|l| l
            .trim_start()
            .starts_with("Detected removed table 'artist'")),
        "{out}"
    );
    // The same lines under --format json, beside the SQL operations.
    let (code, json, _) = p.run(&["check", "--format", "json"]);
    assert_eq!(code, 1, "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changes = &report["model_vs_migrations"]["changes"];
    assert_eq!(changes.as_array().map(Vec::len), Some(5), "{json}");
    assert!(
        changes[0].as_str().unwrap().starts_with("Detected "),
        "{json}"
    );
    let out = p.autogenerate("more", "r2");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].ends_with("(5 change(s) against the database):"),
        "{out}"
    );
    assert_eq!(lines.len(), 6, "{out}");
    let mut got = lines[1..].to_vec();
    let mut want = detected.to_vec();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{out}");
}
