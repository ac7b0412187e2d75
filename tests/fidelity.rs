//! Issue 11's schema-fidelity items through the real binary: a declared NOT
//! NULL on a rowid alias survives into the database (and compares equal to
//! none), table constraints without commas are read, and column order is not
//! drift.

mod common;

use common::Project;

/// The four spellings of issue 11: SQLAlchemy, Chinook, Grafana, Firefox.
const ROWID_NOT_NULL: &str = "
CREATE TABLE sa (id INTEGER NOT NULL, name VARCHAR, PRIMARY KEY (id));
CREATE TABLE chinook (id INTEGER NOT NULL, name NVARCHAR(120), CONSTRAINT pk_chinook PRIMARY KEY (id));
CREATE TABLE grafana (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, name TEXT);
CREATE TABLE firefox (place_id INTEGER PRIMARY KEY NOT NULL REFERENCES sa(id), n INTEGER);
";
const TABLES: [&str; 4] = ["sa", "chinook", "grafana", "firefox"];

/// `PRAGMA table_info` of `table`: (cid, name, type, notnull, dflt_value, pk).
fn table_info(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)")
        .unwrap();
    stmt.query_map([table], |r| {
        Ok(format!(
            "{}|{}|{}|{}|{:?}|{}",
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, i64>(5)?
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Column by column, `db` declares what running `model` itself gives.
fn assert_same_columns_as_model_ddl(p: &Project, db: &str, model: &str, tables: &[&str]) {
    let direct = rusqlite::Connection::open_in_memory().unwrap();
    direct.execute_batch(model).unwrap();
    let migrated = p.conn(db);
    for &t in tables {
        assert_eq!(
            table_info(&migrated, t),
            table_info(&direct, t),
            "table {t}: the migrated database differs from the model's DDL"
        );
    }
}

/// `model` upgraded from empty declares its columns as the model's DDL does;
/// `inspect --format toml` says the same, and as the model builds it again.
fn assert_declared_as_model(model: &str, tables: &[&str]) -> Project {
    let p = Project::with_sql_model(model);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    assert_same_columns_as_model_ddl(&p, "app.db", model, tables);
    p.ok(&["check"]);
    let toml = p.ok(&["inspect", "--format", "toml"]);
    let t = Project::with_config();
    t.write("models.toml", &toml);
    t.autogenerate("initial", "r1");
    t.ok(&["upgrade"]);
    assert_same_columns_as_model_ddl(&t, "app.db", model, tables);
    t.ok(&["check"]);
    p
}

#[test]
fn not_null_on_a_rowid_alias_is_kept_as_declared() {
    assert_declared_as_model(ROWID_NOT_NULL, &TABLES);
}

#[test]
fn not_null_on_a_rowid_alias_is_no_difference() {
    // The database says nothing about NOT NULL; the model says it: equal.
    let p = Project::with_sql_model(&ROWID_NOT_NULL.replace(" NOT NULL", ""));
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO sa VALUES (1, 'a'); INSERT INTO firefox VALUES (1, 2);",
    );
    p.write("model.sql", ROWID_NOT_NULL);
    p.ok(&["check"]);
    let out = p.ok(&["revision", "--autogenerate", "-m", "same", "--rev-id", "r2"]);
    assert!(out.contains("No changes detected"), "{out}");
    // And the other way round.
    let p = Project::with_sql_model(ROWID_NOT_NULL);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.write("model.sql", &ROWID_NOT_NULL.replace(" NOT NULL", ""));
    p.ok(&["check"]);
    let out = p.ok(&["revision", "--autogenerate", "-m", "same", "--rev-id", "r2"]);
    assert!(out.contains("No changes detected"), "{out}");
}

/// Defaults spelled as sakila and Firefox spell them.
const DEFAULTS: &str = "
CREATE TABLE d (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL DEFAULT -1,
    fk INTEGER DEFAULT NULL,
    at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    made TEXT DEFAULT (datetime('now')),
    n INTEGER DEFAULT ( 3 ),
    s TEXT DEFAULT 'x'
);
";

#[test]
fn defaults_are_declared_as_written_and_compared_by_meaning() {
    let p = assert_declared_as_model(DEFAULTS, &["d"]);
    p.sql("app.db", "INSERT INTO d (id) VALUES (1)");

    // Spelled otherwise in the model, the same default: nothing to do.
    p.write(
        "model.sql",
        &DEFAULTS
            .replace("DEFAULT -1", "DEFAULT - 1")
            .replace("DEFAULT NULL", "DEFAULT null")
            .replace("( 3 )", "(3)"),
    );
    p.ok(&["check"]);
    let out = p.ok(&["revision", "--autogenerate", "-m", "same", "--rev-id", "r2"]);
    assert!(out.contains("No changes detected"), "{out}");

    // A column added with a default SQLite's ADD COLUMN refuses, however it
    // is spelled: the table is rebuilt, and the row stays.
    p.write(
        "model.sql",
        &DEFAULTS.replace(
            "s TEXT DEFAULT 'x'",
            "s TEXT DEFAULT 'x',\n    seen TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
        ),
    );
    p.autogenerate("seen", "r2");
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM d WHERE seen IS NOT NULL AND kind = -1"),
        1
    );
    p.ok(&["check"]);
}

/// As Firefox's places schema writes it: no comma between table constraints.
const NO_COMMA: &str = "
CREATE TABLE p (id INTEGER PRIMARY KEY);
CREATE TABLE c (
    a INTEGER NOT NULL,
    b INTEGER NOT NULL,
    FOREIGN KEY (a) REFERENCES p(id) ON DELETE CASCADE
    CHECK (a <> b)
    CONSTRAINT uq_ab UNIQUE (a, b)
);
";

#[test]
fn table_constraints_without_a_comma_are_read() {
    let p = Project::with_sql_model(NO_COMMA);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1, 2), (2, 1);",
    );
    p.ok(&["check"]);
    let sql = p.ok(&["inspect"]);
    assert!(
        sql.contains("CHECK (a <> b)") && sql.contains("CONSTRAINT uq_ab UNIQUE (a, b)"),
        "{sql}"
    );

    // A live database made outside migrate, holding such a table.
    let live = Project::new();
    live.sql("live.db", NO_COMMA);
    let out = live.ok(&["--database", "live.db", "inspect", "--format", "toml"]);
    assert!(out.contains("a <> b"), "{out}");

    // A change to the table is planned and keeps the rows.
    p.write(
        "model.sql",
        &NO_COMMA.replace("b INTEGER NOT NULL,", "b INTEGER NOT NULL,\n    note TEXT,"),
    );
    p.autogenerate("note", "r2");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM c"), 2);
    p.ok(&["check"]);
}

#[test]
fn column_order_from_branches_applied_in_either_order_is_not_drift() {
    let p = Project::with_config();
    p.write(
        "models.toml",
        r#"
[[table]]
name = "t"
columns = [
  { name = "id", type = "INTEGER", primary_key = true },
  { name = "a",  type = "TEXT" },
  { name = "c",  type = "TEXT" },
  { name = "b",  type = "TEXT" },
]
"#,
    );
    p.revision(
        "r0",
        &[],
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        "DROP TABLE t;",
    );
    p.revision(
        "r1a",
        &["r0"],
        "ALTER TABLE t ADD COLUMN b TEXT;",
        "ALTER TABLE t DROP COLUMN b;",
    );
    p.revision(
        "r1b",
        &["r0"],
        "ALTER TABLE t ADD COLUMN c TEXT;",
        "ALTER TABLE t DROP COLUMN c;",
    );
    p.revision("r2", &["r1a", "r1b"], "", "");
    p.ok(&["hash"]);
    // The right branch first, then the left: columns id, a, c, b, while a
    // replay of the graph gives another order.
    p.ok(&["upgrade", "r1b"]);
    p.sql("app.db", "INSERT INTO t (a, c) VALUES ('x', 'z');");
    p.ok(&["upgrade"]);
    let cols: Vec<String> = {
        let conn = p.conn("app.db");
        let mut stmt = conn
            .prepare("SELECT name FROM pragma_table_info('t')")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(cols, ["id", "a", "c", "b"]);
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    // Whatever order the model says, autogenerate plans nothing.
    for model_order in [["b", "c"], ["c", "b"]] {
        p.write(
            "models.toml",
            &format!(
                "[[table]]\nname = \"t\"\ncolumns = [\n  {{ name = \"id\", type = \"INTEGER\", primary_key = true }},\n  {{ name = \"{}\", type = \"TEXT\" }},\n  {{ name = \"a\", type = \"TEXT\" }},\n  {{ name = \"{}\", type = \"TEXT\" }},\n]\n",
                model_order[0], model_order[1]
            ),
        );
        let out = p.ok(&[
            "revision",
            "--autogenerate",
            "-m",
            "order",
            "--rev-id",
            "r3",
        ]);
        assert!(out.contains("No changes detected"), "{out}");
        p.ok(&["check"]);
    }
    assert_eq!(
        p.count("SELECT count(*) FROM t WHERE a = 'x' AND c = 'z'"),
        1
    );
}

#[test]
fn a_column_renamed_and_retyped_at_once_is_asked_about() {
    let p = Project::with_config();
    p.write("models.toml", common::MUSIC_MODEL);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'Nina'), (2, 'Miles');",
    );
    let model = common::MUSIC_MODEL.replace(
        "{ name = \"name\", type = \"VARCHAR(30)\"",
        "{ name = \"full_name\", type = \"VARCHAR(60)\"",
    );
    assert_ne!(model, common::MUSIC_MODEL);
    p.write("models.toml", &model);
    // No terminal, no hint: drop + add, with the warning that names the way out.
    let (code, _, err) = p.run(&["revision", "--autogenerate", "-m", "full", "--rev-id", "r2"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Did you rename artist.name to artist.full_name?")
            && err.contains("--rename artist.name=artist.full_name"),
        "{err}"
    );
    let text = std::fs::read_to_string(p.path("migrations/versions/r2_full.sql")).unwrap();
    assert!(
        text.contains("-- WARNING: Did you rename artist.name"),
        "{text}"
    );
    std::fs::remove_file(p.path("migrations/versions/r2_full.sql")).unwrap();
    p.ok(&["hash"]);

    // Declared: the data is kept both ways.
    p.ok(&[
        "revision",
        "--autogenerate",
        "-m",
        "full",
        "--rev-id",
        "r2",
        "--rename",
        "artist.name=artist.full_name",
    ]);
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM artist WHERE full_name IN ('Nina', 'Miles')"),
        2
    );
    p.ok(&["check"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(
        p.count("SELECT count(*) FROM artist WHERE name IN ('Nina', 'Miles')"),
        2
    );
}

#[test]
fn a_rebuild_under_a_declared_not_null_on_the_rowid_alias_is_not_flagged() {
    // The database says nothing about NOT NULL on its key; the model says it
    // (as SQLAlchemy does) and widens a column, which needs a rebuild.
    let p = Project::with_sql_model("CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(10));");
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO t VALUES (1, 'x'), (5, 'y');");
    p.write(
        "model.sql",
        "CREATE TABLE t (id INTEGER NOT NULL, a TEXT, PRIMARY KEY (id));",
    );
    let out = p.autogenerate("widen", "r2");
    let text = std::fs::read_to_string(p.path("migrations/versions/r2_widen.sql")).unwrap();
    assert!(text.contains("INSERT INTO"), "a rebuild: {text}");
    assert!(
        !text.contains("becomes NOT NULL") && !out.contains("review:"),
        "a rowid is never NULL:\n{out}\n{text}"
    );
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM t WHERE (id, a) IN (VALUES (1, 'x'), (5, 'y'))"),
        2
    );
    assert_same_columns_as_model_ddl(
        &p,
        "app.db",
        "CREATE TABLE t (id INTEGER NOT NULL, a TEXT, PRIMARY KEY (id));",
        &["t"],
    );
    p.ok(&["check"]);
}
