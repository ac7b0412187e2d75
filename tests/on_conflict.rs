//! SQLite's conflict clauses (`ON CONFLICT REPLACE` and the rest) through the
//! real binary: declared in a SQL or TOML model, they reach the database and
//! decide what a plain INSERT does; a rebuild keeps them, rows intact;
//! `inspect --format toml` says them and builds them again; and a change of
//! the clause alone is a change, planned up and down.

mod common;

use common::Project;

/// Every placement SQLite keeps: the column and the table PRIMARY KEY,
/// NOT NULL, the column and the table UNIQUE.
const MODEL: &str = "
CREATE TABLE kv (
    id INTEGER PRIMARY KEY ON CONFLICT REPLACE,
    k TEXT UNIQUE ON CONFLICT IGNORE,
    v INTEGER NOT NULL ON CONFLICT REPLACE DEFAULT 0,
    a TEXT,
    b VARCHAR(10),
    UNIQUE (a, b) ON CONFLICT REPLACE
);
CREATE TABLE pair (x INTEGER, y INTEGER, PRIMARY KEY (x, y) ON CONFLICT IGNORE);
";

/// The `CREATE TABLE` text SQLite keeps for `table`.
fn stored_sql(p: &Project, table: &str) -> String {
    p.conn("app.db")
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap()
}

/// The clauses of [`MODEL`] are in the stored text of its tables.
fn assert_clauses_stored(p: &Project) {
    let kv = stored_sql(p, "kv");
    for clause in [
        "PRIMARY KEY ON CONFLICT REPLACE",
        "UNIQUE (a, b) ON CONFLICT REPLACE",
        "NOT NULL ON CONFLICT REPLACE",
    ] {
        assert!(kv.contains(clause), "kv lost {clause}: {kv}");
    }
    assert!(kv.contains("ON CONFLICT IGNORE"), "kv's k: {kv}");
    let pair = stored_sql(p, "pair");
    assert!(pair.contains("ON CONFLICT IGNORE"), "pair: {pair}");
}

/// Plain INSERTs (no `OR ...`) do what [`MODEL`] declares.
fn assert_inserts_behave_as_declared(p: &Project) {
    p.sql(
        "app.db",
        "DELETE FROM kv; DELETE FROM pair;
         INSERT INTO kv VALUES (1, 'one', 1, 'a', 'b');
         INSERT INTO kv VALUES (1, 'uno', 2, 'x', 'y');   -- REPLACE on the key
         INSERT INTO kv VALUES (2, 'uno', 3, 'p', 'q');   -- IGNORE on k
         INSERT INTO kv VALUES (3, 'three', NULL, 'c', 'd'); -- NULL becomes the default
         INSERT INTO kv VALUES (4, 'four', 4, 'c', 'd');  -- REPLACE on (a, b)
         INSERT INTO pair VALUES (1, 1);
         INSERT INTO pair VALUES (1, 1);                  -- IGNORE on the key",
    );
    let row = |sql: &str| p.count(sql);
    assert_eq!(row("SELECT count(*) FROM kv"), 2);
    assert_eq!(row("SELECT count(*) FROM kv WHERE id = 1 AND k = 'uno'"), 1);
    assert_eq!(row("SELECT count(*) FROM kv WHERE id = 4 AND a = 'c'"), 1);
    assert_eq!(row("SELECT count(*) FROM pair"), 1);
    p.sql(
        "app.db",
        "INSERT INTO kv VALUES (5, 'five', NULL, 'e', 'f');",
    );
    assert_eq!(row("SELECT v FROM kv WHERE id = 5"), 0);
}

#[test]
fn every_placement_reaches_the_database_and_decides_what_an_insert_does() {
    let p = Project::with_sql_model(MODEL);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    assert_clauses_stored(&p);
    assert_inserts_behave_as_declared(&p);
    // The database and the model agree: the clauses are read back.
    p.ok(&["check"]);
    let out = p.ok(&["revision", "--autogenerate", "-m", "same", "--rev-id", "r2"]);
    assert!(out.contains("No changes detected"), "{out}");
}

#[test]
fn inspect_as_toml_says_the_clauses_and_builds_them_again() {
    let p = Project::with_sql_model(MODEL);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    let toml = p.ok(&["inspect", "--format", "toml"]);
    for key in [
        "on_conflict = \"REPLACE\"",
        "on_conflict = \"IGNORE\"",
        "primary_key_on_conflict = \"IGNORE\"",
    ] {
        assert!(toml.contains(key), "{key} missing:\n{toml}");
    }
    let t = Project::with_config();
    t.write("models.toml", &toml);
    t.autogenerate("initial", "r1");
    t.ok(&["upgrade"]);
    assert_eq!(stored_sql(&t, "kv"), stored_sql(&p, "kv"));
    assert_eq!(stored_sql(&t, "pair"), stored_sql(&p, "pair"));
    assert_inserts_behave_as_declared(&t);
    t.ok(&["check"]);
    assert_eq!(t.ok(&["inspect", "--format", "toml"]), toml);
}

#[test]
fn a_toml_model_says_each_placement() {
    let p = Project::with_config();
    p.write(
        "models.toml",
        r#"
[[table]]
name = "kv"
columns = [
  { name = "id", type = "INTEGER", primary_key = true, on_conflict = "replace" },
  { name = "k", type = "TEXT", unique = true, on_conflict = "IGNORE" },
  { name = "v", type = "INTEGER", nullable = false, default = "0", on_conflict = "REPLACE" },
  { name = "a", type = "TEXT" },
  { name = "b", type = "VARCHAR(10)" },
]
uniques = [{ columns = ["a", "b"], on_conflict = "REPLACE" }]

[[table]]
name = "pair"
columns = [{ name = "x", type = "INTEGER" }, { name = "y", type = "INTEGER" }]
primary_key = ["x", "y"]
primary_key_on_conflict = "IGNORE"
"#,
    );
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    assert_clauses_stored(&p);
    assert_inserts_behave_as_declared(&p);
    p.ok(&["check"]);
}

#[test]
fn a_clause_that_is_not_one_or_applies_to_nothing_is_refused() {
    let p = Project::with_config();
    let model = |column: &str| {
        format!(
            "[[table]]\nname = \"t\"\ncolumns = [{{ name = \"id\", type = \"INTEGER\" }}, {column}]\n"
        )
    };
    p.write(
        "models.toml",
        &model(r#"{ name = "a", unique = true, on_conflict = "UPSERT" }"#),
    );
    let err = p.fails(&["check"]);
    assert!(
        err.contains("\"UPSERT\"") && err.contains("REPLACE") && err.contains("\"a\""),
        "{err}"
    );
    p.write(
        "models.toml",
        &model(r#"{ name = "a", on_conflict = "REPLACE" }"#),
    );
    let err = p.fails(&["check"]);
    assert!(
        err.contains("applies to") && err.contains("nullable = false"),
        "{err}"
    );
    p.write(
        "models.toml",
        "[[table]]\nname = \"t\"\ncolumns = [{ name = \"a\" }]\nprimary_key_on_conflict = \"REPLACE\"\n",
    );
    let err = p.fails(&["check"]);
    assert!(err.contains("needs primary_key = [...]"), "{err}");
    assert!(!p.path("app.db").exists(), "nothing was created");
}

#[test]
fn a_rebuild_keeps_the_clauses_and_the_rows() {
    let p = Project::with_sql_model(MODEL);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql(
        "app.db",
        "INSERT INTO kv VALUES (1, 'one', 1, 'a', 'b'), (2, 'two', 2, 'c', 'd');
         INSERT INTO pair VALUES (1, 2);",
    );
    // Another column's type changes: SQLite cannot ALTER that, so a rebuild.
    p.write("model.sql", &MODEL.replace("b VARCHAR(10)", "b TEXT"));
    p.autogenerate("widen b", "r2");
    let text = std::fs::read_to_string(p.path("migrations/versions/r2_widen_b.sql")).unwrap();
    assert!(text.contains("_migrate_new_kv"), "a rebuild: {text}");
    p.ok(&["upgrade"]);
    assert!(stored_sql(&p, "kv").contains("b TEXT"));
    let rows = "SELECT count(*) FROM kv WHERE (id, k, v, a, b) IN \
                (VALUES (1, 'one', 1, 'a', 'b'), (2, 'two', 2, 'c', 'd'))";
    assert_eq!(p.count(rows), 2);
    assert_clauses_stored(&p);
    p.ok(&["check"]);
    // Down again: the live table is rebuilt from what inspect read of it.
    p.ok(&["downgrade", "r1"]);
    assert!(stored_sql(&p, "kv").contains("b VARCHAR(10)"));
    assert_eq!(p.count(rows), 2);
    assert_clauses_stored(&p);
    assert_inserts_behave_as_declared(&p);
}

#[test]
fn a_change_of_the_clause_alone_is_planned_up_and_down() {
    let plain = "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL, UNIQUE (email));";
    let cases = [
        ("UNIQUE (email)", "UNIQUE (email) ON CONFLICT REPLACE"),
        ("TEXT NOT NULL", "TEXT NOT NULL ON CONFLICT IGNORE"),
        ("PRIMARY KEY", "PRIMARY KEY ON CONFLICT FAIL"),
    ];
    for (from, to) in cases {
        let p = Project::with_sql_model(plain);
        p.autogenerate("initial", "r1");
        p.ok(&["upgrade"]);
        p.sql("app.db", "INSERT INTO t VALUES (1, 'a@x'), (2, 'b@x');");
        let declared = plain.replace(from, to);
        p.write("model.sql", &declared);
        let drift = p.run(&["check"]);
        assert_ne!(drift.0, 0, "{to}: check sees the difference");
        let out = p.autogenerate("clause", "r2");
        assert!(!out.contains("No changes detected"), "{to}: {out}");
        p.ok(&["upgrade"]);
        let clause = &to[to.find(" ON CONFLICT").unwrap()..];
        assert!(stored_sql(&p, "t").contains(clause), "{to} up");
        assert_eq!(p.count("SELECT count(*) FROM t"), 2, "{to}: rows kept up");
        p.ok(&["check"]);
        p.ok(&["downgrade", "r1"]);
        assert!(!stored_sql(&p, "t").contains("ON CONFLICT"), "{to} down");
        assert_eq!(p.count("SELECT count(*) FROM t"), 2, "{to}: rows kept down");
    }
}

#[test]
fn a_rebuild_copy_that_would_replace_a_row_fails_instead() {
    // 'a' and 'A' become one value under the new collation: the copy into
    // the rebuilt table meets its UNIQUE twice. The table's ON CONFLICT
    // REPLACE would delete a row there; the copy says ABORT itself, so the
    // upgrade stops with nothing lost.
    let model = "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE ON CONFLICT REPLACE);";
    let p = Project::with_sql_model(model);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO t VALUES (1, 'a'), (2, 'A');");
    p.write(
        "model.sql",
        &model.replace("code TEXT", "code TEXT COLLATE NOCASE"),
    );
    p.autogenerate("nocase", "r2");
    let (code, out, err) = p.run(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM t"), 2, "{out}\n{err}");
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(err.contains("UNIQUE"), "{err}");
    assert_eq!(p.applied(), ["r1"]);
}
