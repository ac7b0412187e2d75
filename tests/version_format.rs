//! Issue 14.6: the tool's own tables carry a format number. A database made
//! by the release before format numbers (format 1) is upgraded in place, in
//! the transaction of the step that needs it; a format newer than this build
//! reads is refused by every command that reads the version table, with
//! nothing changed.

mod common;

use common::Project;

/// Format 1: the exact DDL the release before format numbers wrote (migrate
/// at commit 2ab6ae5, read back from `sqlite_schema` of a database it made).
/// Copied here, not generated, so that a change to today's DDL cannot
/// change what "a database made by that release" means.
const FORMAT_1_DDL: &str = "CREATE TABLE migrate_version (
    revision TEXT PRIMARY KEY NOT NULL,
    parents TEXT NOT NULL,
    message TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE migrate_version_log (
    id INTEGER PRIMARY KEY,
    revision TEXT NOT NULL,
    direction TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    duration_ms INTEGER
);";

const R00_UP: &str = "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);";

/// A project with r00 (artist) and r01 (`r01_up`), and app.db as the format-1
/// release left it after `upgrade r00` plus one row of data.
fn at_format_1(r01_up: &str) -> Project {
    let p = Project::with_config();
    let r00 = p.revision("r00", &[], R00_UP, "DROP TABLE artist;");
    p.revision("r01", &["r00"], r01_up, "DROP TABLE album;");
    p.ok(&["hash"]);
    let checksum = checksum_of(&r00);
    p.sql(
        "app.db",
        &format!(
            "{FORMAT_1_DDL}\n{R00_UP}\nINSERT INTO artist VALUES (1, 'Nina Simone');\n\
             INSERT INTO migrate_version VALUES ('r00', '', 'step r00', '{checksum}', '2026-01-02T03:04:05.000Z');\n\
             INSERT INTO migrate_version_log (revision, direction, applied_at, duration_ms) \
             VALUES ('r00', 'up', '2026-01-02T03:04:05.000Z', 7);"
        ),
    );
    p
}

fn has_table(p: &Project, name: &str) -> bool {
    p.count(&format!(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{name}'"
    )) == 1
}

/// The DDL of migrate's own tables in `db`, in name order.
fn own_ddl(p: &Project, db: &str) -> Vec<String> {
    let conn = p.conn(db);
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE name LIKE 'migrate_version%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn tables_of_the_format_1_release_are_upgraded_in_place_and_keep_their_rows() {
    let p = at_format_1("CREATE TABLE album (id INTEGER PRIMARY KEY);");
    // Reading does not upgrade: `current` works on format 1 and writes nothing.
    let before = p.bytes("app.db");
    assert!(p.ok(&["current"]).starts_with("r00"));
    assert_eq!(p.bytes("app.db"), before, "current wrote to the database");

    p.ok(&["upgrade"]);
    assert_eq!(p.applied(), ["r00", "r01"]);
    let (format, written_by): (i64, String) = p
        .conn("app.db")
        .query_row(
            "SELECT format, written_by FROM migrate_version_format",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(format, migrate::internal::sqlite::version_table::FORMAT);
    assert_eq!(written_by, format!("migrate {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(p.count("SELECT count(*) FROM migrate_version_format"), 1);
    // What the old release recorded survived, as it was.
    assert_eq!(
        p.count(
            "SELECT count(*) FROM migrate_version WHERE revision = 'r00' \
             AND applied_at = '2026-01-02T03:04:05.000Z'"
        ),
        1
    );
    assert_eq!(
        p.count("SELECT count(*) FROM migrate_version_log WHERE duration_ms = 7"),
        1
    );
    assert_eq!(p.count("SELECT count(*) FROM migrate_version_log"), 2);
    assert_eq!(
        p.count("SELECT count(*) FROM artist WHERE name = 'Nina Simone'"),
        1
    );

    // An upgraded database's own tables are those a new one gets.
    p.write(
        "fresh.toml",
        "[database]\nurl = \"sqlite:fresh.db\"\n\n[migrations]\ndir = \"migrations\"\n",
    );
    p.ok(&["--config", "fresh.toml", "upgrade"]);
    assert_eq!(own_ddl(&p, "app.db"), own_ddl(&p, "fresh.db"));
    assert_eq!(own_ddl(&p, "app.db").len(), 3);

    // The format table is one of the tool's own: never part of the schema.
    let inspected = p.ok(&["inspect"]);
    assert!(!inspected.contains("migrate_version"), "{inspected}");
}

#[test]
fn the_upgrade_of_the_tables_commits_with_the_revision_or_not_at_all() {
    let p = at_format_1(
        "CREATE TABLE album (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);",
    );
    p.fails(&["upgrade"]);
    assert!(
        !has_table(&p, "migrate_version_format"),
        "upgraded without its step"
    );
    assert!(!has_table(&p, "album"));
    assert_eq!(p.applied(), ["r00"]);
    assert_eq!(p.count("SELECT count(*) FROM migrate_version_log"), 1);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn stamp_upgrades_the_tables_too() {
    let p = at_format_1("CREATE TABLE album (id INTEGER PRIMARY KEY);");
    p.ok(&["stamp", "r01"]);
    assert_eq!(p.applied(), ["r00", "r01"]);
    assert_eq!(p.count("SELECT format FROM migrate_version_format"), 2);
}

/// Every command that reads the version table, against a database at a
/// format newer than this build's.
const READERS: &[&[&str]] = &[
    &["upgrade"],
    &["upgrade", "--sql"],
    &["downgrade", "base"],
    &["downgrade", "base", "--sql"],
    &["stamp", "r01"],
    &["stamp", "base"],
    &["approve", "r00"],
    &["current"],
    &["history"],
    &["check"],
    &["lint"],
    &["verify", "--data"],
    &["revision", "--autogenerate", "-m", "more"],
];

#[test]
fn a_newer_format_is_refused_by_every_command_that_reads_the_version_table() {
    let p = at_format_1("CREATE TABLE album (id INTEGER PRIMARY KEY);");
    p.ok(&["stamp", "r00"]); // the tables at this build's format
    let newer = migrate::internal::sqlite::version_table::FORMAT + 1;
    p.sql(
        "app.db",
        &format!(
            "UPDATE migrate_version_format SET format = {newer}, written_by = 'migrate 9.1.0'"
        ),
    );
    let before = p.bytes("app.db");
    let files = std::fs::read_dir(p.path("migrations/versions"))
        .unwrap()
        .count();
    for args in READERS {
        let err = p.fails(args);
        assert!(
            err.contains(&format!("format {newer}, written by migrate 9.1.0"))
                && err.contains("nothing was changed")
                && err.contains("use migrate 9.1.0 or a later one"),
            "{args:?}: {err}"
        );
        assert_eq!(p.bytes("app.db"), before, "{args:?} changed the database");
    }
    let now = std::fs::read_dir(p.path("migrations/versions"))
        .unwrap()
        .count();
    assert_eq!(now, files, "a revision file was written");
}

#[test]
fn an_emptied_format_table_is_refused_rather_than_guessed() {
    let p = at_format_1("CREATE TABLE album (id INTEGER PRIMARY KEY);");
    p.ok(&["stamp", "r00"]);
    p.sql("app.db", "DELETE FROM migrate_version_format");
    let before = p.bytes("app.db");
    let err = p.fails(&["upgrade"]);
    assert!(err.contains("migrate_version_format holds no row"), "{err}");
    assert_eq!(p.bytes("app.db"), before);
}

#[test]
fn a_model_table_named_like_the_format_table_is_refused() {
    let p = Project::with_sql_model("CREATE TABLE migrate_version_format (x INTEGER);");
    let err = p.fails(&["check"]);
    assert!(
        err.contains("migrate_version_format") && err.contains("own tables"),
        "{err}"
    );
}

#[test]
fn offline_sql_run_by_hand_on_a_format_1_database_upgrades_it_too() {
    let p = at_format_1("CREATE TABLE album (id INTEGER PRIMARY KEY);");
    let sql = p.ok(&["upgrade", "--sql"]);
    assert_eq!(p.applied(), ["r00"], "--sql ran something");
    p.conn("app.db").execute_batch(&sql).unwrap();
    assert_eq!(p.applied(), ["r00", "r01"]);
    assert_eq!(p.count("SELECT format FROM migrate_version_format"), 2);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    // Running it on a database that has nothing yet makes the same tables.
    p.conn("fresh.db")
        .execute_batch(&p.ok(&["upgrade", "base:head", "--sql"]))
        .unwrap();
    assert_eq!(own_ddl(&p, "app.db"), own_ddl(&p, "fresh.db"));
    // And the next run sees this build's format: nothing to upgrade or refuse.
    p.ok(&["stamp", "r01"]);
    assert_eq!(p.count("SELECT count(*) FROM migrate_version_format"), 1);
}

#[test]
fn approve_upgrades_the_tables_before_it_writes() {
    let p = at_format_1("CREATE TABLE album (id INTEGER PRIMARY KEY);");
    let r00 = p.path("migrations/versions/r00_step.sql");
    let text = std::fs::read_to_string(&r00).unwrap();
    std::fs::write(&r00, text.replace(R00_UP, &format!("{R00_UP}\nSELECT 1;"))).unwrap();
    p.ok(&["hash"]);
    p.ok(&["approve", "r00"]);
    assert_eq!(p.count("SELECT format FROM migrate_version_format"), 2);
    let checksum = checksum_of(&r00);
    assert_eq!(
        p.count(&format!(
            "SELECT count(*) FROM migrate_version WHERE revision = 'r00' AND checksum = '{checksum}'"
        )),
        1
    );
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

/// The checksum migrate records for the revision file at `path`.
fn checksum_of(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    migrate::internal::script::parse(
        path,
        &text,
        migrate::internal::engine::Engine::Sqlite.dialect(),
    )
    .unwrap()
    .checksum()
    .to_string()
}
