//! The PostgreSQL dialect's SQL against a real server (one database per
//! test, `MIGRATE_TEST_PG_URL`; skipped without one outside CI): the key
//! word table and quoting agree with the server's own, the version tables'
//! SQL runs and records what SQLite's records, the `--sql` preamble takes
//! the migration lock without waiting, and the splitter's statements run.

mod common;

use std::path::Path;

use common::pg::fresh_db;
use migrate::internal::dialect::Dialect;
use migrate::internal::driver::RowChange;
use migrate::internal::postgres::dialect::{LOCK_KEY, PostgresDialect, offline_preamble};
use migrate::internal::postgres::{keywords, names, sql};
use migrate::internal::script;
use migrate::internal::sqlite::dialect::SqliteDialect;

/// Runs each statement of `text` as the driver will: split, one by one.
fn run_script(client: &mut postgres::Client, text: &str) -> Result<(), postgres::Error> {
    for s in sql::check(text).expect("the script splits") {
        client.batch_execute(&s.sql)?;
    }
    Ok(())
}

#[test]
fn key_words_and_quoting_agree_with_the_server() {
    let Some(db) = fresh_db("pg_keywords") else {
        return;
    };
    let mut client = db.client();
    let rows = client
        .query(
            "SELECT word, catcode::text, quote_ident(word) FROM pg_get_keywords()",
            &[],
        )
        .unwrap();
    assert!(rows.len() > 400);
    for row in &rows {
        let (word, cat, quoted): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(keywords::needs_quotes(&word), cat != "U", "{word} ({cat})");
        assert_eq!(names::quote_ident(&word), quoted, "{word}");
    }
    for name in [
        "artist", "Artist", "a$b", "1st", "café", "a\"b", "x y", "_t2", "ÉCOLE",
    ] {
        let quoted: String = client
            .query_one("SELECT quote_ident($1)", &[&name])
            .unwrap()
            .get(0);
        assert_eq!(names::quote_ident(name), quoted, "{name}");
    }
}

#[test]
fn names_fold_and_truncate_as_the_server_stores_them() {
    let Some(db) = fresh_db("pg_fold") else {
        return;
    };
    let mut client = db.client();
    let long = format!("MixedCase_{}é", "x".repeat(52));
    let quoted_long = format!("Quoted_{}", "y".repeat(70));
    client
        .batch_execute(&format!(
            "CREATE TABLE {long} (a int); CREATE TABLE \"{quoted_long}\" (a int); CREATE TABLE U&\"d\\0061t\" (a int)"
        ))
        .unwrap();
    let mut stored: Vec<String> = client
        .query("SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    stored.sort();
    let tokens = [
        long.clone(),
        format!("\"{quoted_long}\""),
        "U&\"d\\0061t\"".to_string(),
    ];
    let mut ours: Vec<String> = tokens
        .iter()
        .map(|t| names::ident(&sql::tokenize(t)[0]).unwrap())
        .collect();
    ours.sort();
    assert_eq!(ours, stored);
}

const REVISION: &str = "-- revision: abc123\n-- down_revision: 000aaa\n-- message: it's an album\n-- created: 2026-11-25T13:37:00Z\n\n-- migrate:up\nCREATE TABLE album (id int);\n\n-- migrate:down\nDROP TABLE album;\n";

#[test]
fn version_table_sql_runs_and_records_like_sqlite() {
    let Some(db) = fresh_db("pg_version_table") else {
        return;
    };
    let mut client = db.client();
    let d = PostgresDialect;
    let table = "Migrate_Version";
    // Twice: a no-op on tables that are there.
    run_script(&mut client, &d.version_table_sql(table)).unwrap();
    run_script(&mut client, &d.version_table_sql(table)).unwrap();
    let rev = script::parse(Path::new("abc123_album.sql"), REVISION, &PostgresDialect).unwrap();
    run_script(
        &mut client,
        &d.record_sql(table, RowChange::Insert(&rev), "up", Some(12)),
    )
    .unwrap();
    let vt = migrate::internal::postgres::version_table::VersionTable::new(table);
    let row = client.query_one(&vt.select(), &[]).unwrap();
    let (id, checksum, applied_at, parents, message): (String, String, String, String, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert_eq!(
        (
            id.as_str(),
            checksum.as_str(),
            parents.as_str(),
            message.as_str()
        ),
        ("abc123", rev.checksum(), "000aaa", "it's an album")
    );
    let iso = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").unwrap();
    assert!(iso.is_match(&applied_at), "{applied_at}");
    run_script(
        &mut client,
        &d.record_sql(table, RowChange::Approve(&rev), "approve", None),
    )
    .unwrap();
    run_script(
        &mut client,
        &d.record_sql(table, RowChange::Delete("abc123"), "down", Some(3)),
    )
    .unwrap();
    assert!(client.query(&vt.select(), &[]).unwrap().is_empty());
    let log: Vec<(String, String, Option<i64>)> = client
        .query(
            "SELECT revision, direction, duration_ms FROM \"Migrate_Version_log\" ORDER BY id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        log,
        [
            ("abc123".into(), "up".into(), Some(12)),
            ("abc123".into(), "approve".into(), None),
            ("abc123".into(), "down".into(), Some(3)),
        ]
    );
    let format = client.query_one(&vt.select_format(), &[]).unwrap();
    let (number, written_by): (i64, String) = (format.get(0), format.get(1));
    assert_eq!(number, migrate::internal::postgres::version_table::FORMAT);
    assert!(written_by.starts_with("migrate "), "{written_by}");
}

#[test]
fn the_offline_preamble_refuses_a_second_migrator_instead_of_queueing() {
    let Some(db) = fresh_db("pg_preamble") else {
        return;
    };
    let preamble = offline_preamble("2s");
    // The first line continues the `-- generated by` comment; the rest is SQL.
    let (_, statements) = preamble.split_once('\n').unwrap();
    let mut first = db.client();
    run_script(&mut first, statements).unwrap();
    let timeout: String = first.query_one("SHOW lock_timeout", &[]).unwrap().get(0);
    assert_eq!(timeout, "2s");
    let mut second = db.client();
    let err = run_script(&mut second, statements).unwrap_err();
    let message = err
        .as_db_error()
        .map(|e| e.message().to_string())
        .unwrap_or_default();
    assert!(
        message.contains("another migrate run holds the migration lock"),
        "{err}"
    );
    assert!(message.contains(&LOCK_KEY.to_string()), "{message}");
    // The lock is the session's: it goes with the first connection.
    drop(first);
    let mut third = db.client();
    let mut tries = 0;
    while run_script(&mut third, statements).is_err() {
        tries += 1;
        assert!(tries < 100, "the lock outlived its session");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn split_statements_of_a_tricky_script_all_run() {
    let Some(db) = fresh_db("pg_split_runs") else {
        return;
    };
    let mut client = db.client();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pg_splitter/01_functions.sql"),
    )
    .unwrap();
    client
        .batch_execute("CREATE TABLE tbl (a int); CREATE TABLE t (updated_at timestamptz)")
        .unwrap();
    run_script(&mut client, &text).unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) FROM tbl", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}

#[test]
fn the_dialect_creates_a_schema_the_server_accepts() {
    // Built from `..Default::default()` so that fields the model gains do
    // not break it.
    use migrate::internal::schema::{Column, ForeignKey, PrimaryKey, Schema, Table};
    let Some(db) = fresh_db("pg_create_schema") else {
        return;
    };
    let column = |name: &str, decl_type: &str| Column {
        name: name.into(),
        decl_type: decl_type.into(),
        ..Column::default()
    };
    let key = |c: &str| {
        Some(PrimaryKey {
            columns: vec![c.into()],
            ..PrimaryKey::default()
        })
    };
    let schema = Schema {
        tables: vec![
            Table {
                name: "Album".into(),
                columns: vec![
                    column("id", "integer"),
                    column("artist_id", "integer"),
                    column("order", "text"),
                ],
                primary_key: key("id"),
                foreign_keys: vec![ForeignKey {
                    columns: vec!["artist_id".into()],
                    ref_table: "artist".into(),
                    on_delete: Some("CASCADE".into()),
                    ..ForeignKey::default()
                }],
                ..Table::default()
            },
            Table {
                name: "artist".into(),
                columns: vec![
                    Column {
                        not_null: true,
                        default: Some("'x'".into()),
                        ..column("name", "text")
                    },
                    column("id", "integer"),
                ],
                primary_key: key("id"),
                ..Table::default()
            },
        ],
        ..Schema::default()
    };
    let mut client = db.client();
    for stmt in PostgresDialect.create_schema(&schema) {
        client
            .batch_execute(&stmt)
            .unwrap_or_else(|e| panic!("{stmt}: {e}"));
    }
    client
        .batch_execute(
            "INSERT INTO artist (id) VALUES (1); INSERT INTO \"Album\" VALUES (1, 1, 'a')",
        )
        .unwrap();
}

/// A PostgreSQL revision: a PL/pgSQL body with `;` and `END;` in a dollar
/// quote, and a trigger without a body (which SQLite's rules read as an
/// unterminated `CREATE TRIGGER`).
const PG_REVISION: &str = "-- revision: abc123\n-- down_revision:\n-- message: touch\n-- created: 2026-11-25T13:37:00Z\n\n-- migrate:up\nCREATE TABLE t (a int, at timestamptz);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.at := now(); -- ; inside\n  RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\n\n-- migrate:down\nDROP TABLE t;\nDROP FUNCTION touch();\n";

#[test]
fn a_postgresql_revision_is_read_by_postgresql_rules() {
    let path = Path::new("abc123_touch.sql");
    let rev = script::parse(path, PG_REVISION, &PostgresDialect).unwrap();
    let up: Vec<usize> = rev.up.statements().iter().map(|s| s.line).collect();
    assert_eq!(up, [7, 8, 14]);
    assert!(rev.up.statements()[1].sql.ends_with("END;\n$$"));
    assert_eq!(rev.down.statements().len(), 2);
    // Checksummed by PostgreSQL's tokens: a comment inside a function body is part of it.
    let edited = PG_REVISION.replace("-- ; inside", "-- ; reworded");
    let other = script::parse(path, &edited, &PostgresDialect).unwrap();
    assert_ne!(rev.checksum(), other.checksum());
    let moved = PG_REVISION.replace(
        "CREATE TABLE t (a int, at timestamptz);",
        "CREATE TABLE t (a int, at timestamptz); -- new comment",
    );
    assert_eq!(
        rev.checksum(),
        script::parse(path, &moved, &PostgresDialect)
            .unwrap()
            .checksum()
    );
    // An unclosed dollar quote is refused at parse, naming its line in the file.
    let open = PG_REVISION.replace("END;\n$$;", "END;\n$;");
    let err = script::parse(path, &open, &PostgresDialect)
        .unwrap_err()
        .to_string();
    // One line number, the file's (not also the section's).
    assert!(
        err.contains("abc123_touch.sql:8: a dollar-quoted string $$ is never closed")
            && !err.contains(": line "),
        "{err}"
    );
    // SQLite's rules refuse the trigger: why revisions must be read by the engine's rules.
    assert!(script::parse(path, PG_REVISION, &SqliteDialect).is_err());
}
