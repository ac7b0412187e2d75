//! Virtual tables (FTS5, FTS4, R*Tree) through the real binary: inspected
//! without their shadow tables, round-tripped through TOML, changed as a
//! drop and create whose rows survive (a `MATCH` before and after), a lossy
//! change reported as destructive, drift seen by `check`, and a rebuilt
//! content table whose full-text index stays valid.

mod common;

use common::Project;

const DOCS: &str = r#"
[[table]]
name = "docs"
columns = [
  { name = "id", type = "INTEGER", primary_key = true },
  { name = "title", type = "TEXT" },
  { name = "body", type = "TEXT" },
]

[[trigger]]
name = "docs_ai"
sql = "CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN INSERT INTO docs_fts(rowid, body) VALUES (new.id, new.body); END"
"#;

fn model(ext_tokenize: &str, notes_columns: &str) -> String {
    format!(
        r#"{DOCS}
[[virtual_table]]
name = "docs_fts"
sql = "CREATE VIRTUAL TABLE docs_fts USING fts5(body, content='docs', content_rowid='id'{ext_tokenize})"

[[virtual_table]]
name = "notes"
sql = "CREATE VIRTUAL TABLE notes USING fts5({notes_columns})"

[[virtual_table]]
name = "places"
sql = "CREATE VIRTUAL TABLE places USING rtree(id, min_x, max_x)"
"#
    )
}

/// A project whose database is at its first revision, built from `model`.
fn at_head(model: &str) -> Project {
    let p = Project::with_config();
    p.write("models.toml", model);
    p.autogenerate("initial", "r1");
    p.ok(&["upgrade"]);
    p
}

/// A project at head with rows in every table.
fn seeded(notes_columns: &str) -> Project {
    let p = at_head(&model("", notes_columns));
    p.sql(
        "app.db",
        "INSERT INTO docs (id, title, body) VALUES (1, 'a', 'the quick brown fox'), (2, 'b', 'lazy dogs sleep'), (3, 'c', 'quick thinking');
         INSERT INTO notes (rowid, subject, text) VALUES (10, 'fox', 'a quick note'), (11, 'dog', 'another note');
         INSERT INTO places VALUES (1, 0.0, 1.0), (2, 5.0, 6.0);",
    );
    p
}

fn matches(p: &Project, table: &str, term: &str) -> Vec<i64> {
    let conn = p.conn("app.db");
    let mut stmt = conn
        .prepare(&format!(
            "SELECT rowid FROM {table} WHERE {table} MATCH ?1 ORDER BY rowid"
        ))
        .unwrap();
    stmt.query_map([term], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn assert_rows_intact(p: &Project) {
    assert_eq!(matches(p, "docs_fts", "quick"), vec![1, 3]);
    assert_eq!(matches(p, "docs_fts", "dogs"), vec![2]);
    assert_eq!(matches(p, "notes", "quick"), vec![10]);
    assert_eq!(matches(p, "notes", "another"), vec![11]);
    assert_eq!(
        p.count("SELECT count(*) FROM places WHERE min_x >= 4.0"),
        1,
        "r-tree rows survive"
    );
    assert_eq!(p.count("SELECT count(*) FROM places"), 2);
    assert_eq!(p.count("SELECT count(*) FROM docs"), 3);
}

fn revision_text(p: &Project, id: &str, message: &str) -> String {
    std::fs::read_to_string(p.path(&format!("migrations/versions/{id}_{message}.sql"))).unwrap()
}

#[test]
fn shadow_tables_are_not_part_of_the_schema() {
    let p = seeded("subject, text");
    let toml = p.ok(&["inspect", "--format", "toml"]);
    assert!(
        toml.contains("[[virtual_table]]\nname = \"docs_fts\""),
        "{toml}"
    );
    for shadow in [
        "docs_fts_data",
        "docs_fts_idx",
        "notes_config",
        "places_node",
    ] {
        assert!(!toml.contains(shadow), "{shadow} leaked: {toml}");
    }
    let sql = p.ok(&["inspect"]);
    assert!(
        sql.contains("CREATE VIRTUAL TABLE places USING rtree"),
        "{sql}"
    );
    // The database matches the model it was built from.
    p.ok(&["check"]);
    let out = p.ok(&["revision", "--autogenerate", "-m", "nothing"]);
    assert!(out.contains("No changes"), "{out}");
}

#[test]
fn fts_rows_survive_a_changed_definition_up_and_down() {
    let p = seeded("subject, text");
    p.sql(
        "app.db",
        "INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')",
    );
    assert_rows_intact(&p);
    // External content: a new tokenizer. Self-content: one more column.
    p.write(
        "models.toml",
        &model(", tokenize = 'porter'", "subject, text, extra"),
    );
    p.autogenerate("retokenize", "r2");
    let text = revision_text(&p, "r2", "retokenize");
    let up = text.split("-- migrate:down").next().unwrap();
    assert!(
        up.contains("INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')"),
        "{text}"
    );
    assert!(!up.contains("destructive"), "nothing is lost: {text}");
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 0, "a lossless replacement is not a finding: {out}");
    p.ok(&["upgrade"]);
    assert_rows_intact(&p);
    // The porter tokenizer now stems: "sleeping" finds "sleep".
    assert_eq!(matches(&p, "docs_fts", "sleeping"), vec![2]);
    p.ok(&["check"]);
    p.ok(&["downgrade", "-1"]);
    assert_rows_intact(&p);
    p.ok(&["check"]);
    p.ok(&["upgrade"]);
    assert_rows_intact(&p);
    p.ok(&["verify"]);
}

#[test]
fn a_lossy_change_is_destructive_and_backed_up() {
    let p = seeded("subject, text");
    p.write("models.toml", &model("", "text"));
    let out = p.autogenerate("drop subject", "r2");
    assert!(out.contains("review:"), "{out}");
    let text = revision_text(&p, "r2", "drop_subject");
    assert!(text.contains("-- destructive:"), "{text}");
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "a lossy replacement is a lint finding: {out}");
    assert!(out.contains("notes"), "{out}");
    let (_, _, err) = p.run(&["upgrade"]);
    assert!(err.contains("backup: backups/app-"), "{err}");
    // What the columns allow is kept: the text column's rows.
    assert_eq!(matches(&p, "notes", "quick"), vec![10]);
    assert_eq!(matches(&p, "notes", "another"), vec![11]);
}

#[test]
fn a_rebuilt_content_table_keeps_its_index_valid() {
    let p = seeded("subject, text");
    p.sql(
        "app.db",
        "INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')",
    );
    // NOT NULL on docs.title forces a table rebuild of the content table.
    let rebuilt = model("", "subject, text").replace(
        r#"{ name = "title", type = "TEXT" }"#,
        r#"{ name = "title", type = "TEXT", nullable = false, default = "''" }"#,
    );
    p.write("models.toml", &rebuilt);
    p.autogenerate("title required", "r2");
    let text = revision_text(&p, "r2", "title_required");
    assert!(text.contains("_migrate_new_docs"), "a rebuild: {text}");
    p.ok(&["upgrade"]);
    assert_rows_intact(&p);
    p.sql(
        "app.db",
        "INSERT INTO docs_fts(docs_fts) VALUES ('integrity-check')",
    );
    // The trigger that feeds the index came back with the table.
    p.sql(
        "app.db",
        "INSERT INTO docs (id, title, body) VALUES (4, 'd', 'quick again')",
    );
    assert_eq!(matches(&p, "docs_fts", "quick"), vec![1, 3, 4]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(matches(&p, "docs_fts", "quick"), vec![1, 3, 4]);
}

#[test]
fn check_sees_a_virtual_table_made_outside_migrations() {
    let p = seeded("subject, text");
    p.sql("app.db", "CREATE VIRTUAL TABLE extra_idx USING fts4(a, b)");
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("extra_idx"), "{out}");
    assert!(
        !out.contains("extra_idx_segdir"),
        "shadow tables are not drift: {out}"
    );
}

/// calibre (FTS5, external content, triggers writing into it) and synapse
/// (FTS4): database -> inspect --format toml -> a model -> a new database ->
/// the same inspection.
#[test]
fn realworld_schemas_round_trip_through_toml() {
    let Some(dir) = common::realworld_dir() else {
        common::absent(
            "realworld schemas not found (set MIGRATE_REALWORLD_DIR, or put a shared/realworld \
             folder beside the clone): the calibre and synapse round trip did not run",
        );
        return;
    };
    for name in ["calibre", "synapse"] {
        let source = dir.join(format!("{name}.sql"));
        let sql = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", source.display()));
        let p = Project::with_config();
        p.conn("source.db").execute_batch(&sql).unwrap();
        let (code, toml, err) = p.run(&["inspect", "--format", "toml", "--database", "source.db"]);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(toml.contains("[[virtual_table]]"), "{name}: {toml}");
        p.write("models.toml", &toml);
        p.autogenerate("initial", "r1");
        p.ok(&["upgrade"]);
        let again = p.ok(&["inspect", "--format", "toml"]);
        assert_eq!(toml, again, "{name} round trip");
        p.ok(&["check"]);
    }
}

#[test]
fn absent_realworld_schemas_fail_under_ci() {
    let (passed, out) = common::rerun_without_data(
        "realworld_schemas_round_trip_through_toml",
        "MIGRATE_REALWORLD_DIR",
    );
    assert!(!passed && out.contains("CI is set"), "{out}");
}

/// A content table whose rebuild gives its rows new rowids (an INTEGER
/// PRIMARY KEY is added): the FTS table that finds rows by rowid is refilled.
#[test]
fn new_rowids_in_a_content_table_refill_its_index() {
    let model = |id: &str| {
        format!(
            r#"
[[table]]
name = "posts"
columns = [{id}
  {{ name = "title", type = "TEXT" }},
  {{ name = "body", type = "TEXT" }},
]

[[virtual_table]]
name = "posts_fts"
sql = "CREATE VIRTUAL TABLE posts_fts USING fts5(body, content = 'posts')"
"#
        )
    };
    let p = at_head(&model(""));
    p.sql(
        "app.db",
        "INSERT INTO posts (rowid, title, body) VALUES (5, 'five', 'red apples'), (9, 'nine', 'green pears');
         INSERT INTO posts_fts(posts_fts) VALUES ('rebuild');",
    );
    let titles = |term: &str| -> Vec<String> {
        let conn = p.conn("app.db");
        let mut stmt = conn
            .prepare(
                "SELECT p.title FROM posts_fts f JOIN posts p ON p.rowid = f.rowid \
                 WHERE posts_fts MATCH ?1",
            )
            .unwrap();
        stmt.query_map([term], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(titles("pears"), ["nine"]);
    p.write(
        "models.toml",
        &model("\n  { name = \"id\", type = \"INTEGER\", primary_key = true },"),
    );
    p.autogenerate("add id", "r2");
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT max(rowid) FROM posts"), 2, "new rowids");
    assert_eq!(titles("pears"), ["nine"]);
    assert_eq!(titles("apples"), ["five"]);
    p.sql(
        "app.db",
        "INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')",
    );
    p.ok(&["downgrade", "-1"]);
    assert_eq!(titles("pears"), ["nine"]);
    p.sql(
        "app.db",
        "INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')",
    );
}

/// A table and a virtual table that swap a name: the old one goes first.
#[test]
fn a_table_can_become_a_virtual_table_and_back() {
    let p =
        at_head("[[table]]\nname = \"search\"\ncolumns = [{ name = \"word\", type = \"TEXT\" }]\n");
    p.write(
        "models.toml",
        "[[virtual_table]]\nname = \"search\"\nsql = \"CREATE VIRTUAL TABLE search USING fts5(word)\"\n",
    );
    p.autogenerate("to fts", "r2");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO search (word) VALUES ('hello')");
    assert_eq!(
        p.count("SELECT count(*) FROM search WHERE search MATCH 'hello'"),
        1
    );
    p.ok(&["check"]);
    p.ok(&["downgrade", "-1"]);
    p.ok(&["check"]);
    p.ok(&["verify"]);
}

/// A full-text table the application made and the model does not mention
/// is no longer a refusal: autogenerate plans its drop, as destructive.
#[test]
fn an_unmentioned_virtual_table_is_dropped_as_destructive() {
    let p = seeded("subject, text");
    p.write("models.toml", &format!("{DOCS}\n[[virtual_table]]\nname = \"docs_fts\"\nsql = \"CREATE VIRTUAL TABLE docs_fts USING fts5(body, content='docs', content_rowid='id')\"\n\n[[virtual_table]]\nname = \"places\"\nsql = \"CREATE VIRTUAL TABLE places USING rtree(id, min_x, max_x)\"\n"));
    let out = p.autogenerate("drop notes", "r2");
    assert!(out.contains("review:") && out.contains("notes"), "{out}");
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}");
    p.ok(&["upgrade"]);
    assert_eq!(
        p.count("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'notes%'"),
        0,
        "the table and its shadow tables are gone"
    );
    p.ok(&["downgrade", "-1"]);
    assert_eq!(matches(&p, "notes", "quick"), Vec::<i64>::new());
    p.ok(&["check"]);
}

#[test]
fn a_bad_virtual_table_in_the_model_is_one_clear_error() {
    let p = Project::with_config();
    for (sql, says) in [
        ("CREATE TABLE t (a)", "must be a CREATE VIRTUAL TABLE"),
        (
            "CREATE VIRTUAL TABLE other USING fts5(a)",
            "creates \"other\"",
        ),
        (
            "CREATE VIRTUAL TABLE t USING spellfix1",
            "no such module: spellfix1",
        ),
        (
            "CREATE VIRTUAL TABLE t USING fts5(a, nonsense=1)",
            "nonsense",
        ),
        (
            "CREATE VIRTUAL TABLE t USING fts5(a, content='nowhere')",
            "content = \"nowhere\" names no table or view",
        ),
    ] {
        p.write(
            "models.toml",
            &format!("[[virtual_table]]\nname = \"t\"\nsql = {sql:?}\n"),
        );
        let err = p.fails(&["revision", "--autogenerate", "-m", "x"]);
        assert!(
            err.contains("models.toml") && err.contains(says),
            "{sql}: {err}"
        );
        assert!(
            !p.path("migrations/versions")
                .read_dir()
                .unwrap()
                .any(|_| true)
        );
    }
}

/// FTS4 keeps its own rows: a new tokenizer copies them, docids included.
#[test]
fn fts4_rows_are_copied_across_a_new_tokenizer() {
    let model = |options: &str| {
        format!(
            "[[virtual_table]]\nname = \"memo\"\nsql = \"CREATE VIRTUAL TABLE memo USING fts4(subject, body{options})\"\n"
        )
    };
    let p = at_head(&model(""));
    p.sql(
        "app.db",
        "INSERT INTO memo (docid, subject, body) VALUES (7, 'x', 'running late'), (8, 'y', 'on time')",
    );
    assert_eq!(matches(&p, "memo", "running"), vec![7]);
    p.write("models.toml", &model(", tokenize=porter"));
    p.autogenerate("porter", "r2");
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 0, "{out}");
    p.ok(&["upgrade"]);
    assert_eq!(matches(&p, "memo", "run"), vec![7], "stemmed now");
    assert_eq!(matches(&p, "memo", "time"), vec![8]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(matches(&p, "memo", "running"), vec![7]);
    assert_eq!(matches(&p, "memo", "run"), Vec::<i64>::new(), "not stemmed");
    p.ok(&["verify"]);
}

/// A module this build does not have (a loadable extension): the database
/// is still inspected, the table kept by its statement.
#[test]
fn a_virtual_table_of_an_unknown_module_is_still_inspected() {
    let p = Project::with_config();
    p.sql(
        "app.db",
        "CREATE TABLE words (w TEXT);
         PRAGMA writable_schema = ON;
         INSERT INTO sqlite_schema VALUES ('table', 'fuzzy', 'fuzzy', 0, 'CREATE VIRTUAL TABLE fuzzy USING spellfix1');",
    );
    let toml = p.ok(&["inspect", "--format", "toml"]);
    assert!(
        toml.contains("CREATE VIRTUAL TABLE fuzzy USING spellfix1"),
        "{toml}"
    );
    assert!(toml.contains("name = \"words\""), "{toml}");
}

/// Only the FTS command itself, on the table the section just dropped and
/// created again, makes a `DROP TABLE` lossless.
#[test]
fn a_rebuild_string_elsewhere_does_not_hide_a_drop() {
    let p = Project::with_config();
    p.revision(
        "r1",
        &[],
        "CREATE TABLE keep (id INTEGER PRIMARY KEY, v TEXT);\nCREATE TABLE log (what TEXT);",
        "DROP TABLE log;\nDROP TABLE keep;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO keep VALUES (1, 'a')");
    p.revision(
        "r2",
        &["r1"],
        "DROP TABLE keep;\nCREATE TABLE keep (id INTEGER PRIMARY KEY, v TEXT);\n\
         INSERT INTO keep (v) VALUES ('rebuild');",
        "DELETE FROM keep;",
    );
    p.ok(&["hash"]);
    let (code, out, _) = p.run(&["lint"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("drops table keep"), "{out}");
    assert_eq!(
        p.count("SELECT count(*) FROM keep"),
        1,
        "lint changed nothing"
    );
}
