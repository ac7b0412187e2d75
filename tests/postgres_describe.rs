//! `revision --autogenerate` and `check` on PostgreSQL say what changed in
//! the objects only PostgreSQL has (enum types, extensions, sequences no
//! column owns) with "Detected" lines, as they do for tables; through the
//! real binary on a real server.

mod common;

use common::pg::fresh_db;
use common::pg_project::{run_env, with_sql_model};

const V1: &str = "CREATE EXTENSION IF NOT EXISTS citext;\n\
    CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
    CREATE TYPE size AS ENUM ('s', 'm');\n\
    CREATE SEQUENCE ticket;\n\
    CREATE TABLE t (id serial PRIMARY KEY, m mood, e citext);\n";

const V2: &str = "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');\n\
    CREATE TYPE colour AS ENUM ('red');\n\
    CREATE SEQUENCE ticket INCREMENT 10;\n\
    CREATE SEQUENCE invoice;\n\
    CREATE TABLE t (id serial PRIMARY KEY, m mood, e text);\n";

#[test]
fn enum_extension_and_sequence_changes_get_detected_lines() {
    let Some(db) = fresh_db("describe_objects") else {
        return;
    };
    let p = with_sql_model(&db.url, V1);
    let out = p.autogenerate("init", "r1");
    for line in [
        "Detected added extension 'citext'",
        "Detected added enum type 'mood' ('happy', 'sad')",
        "Detected added sequence 'ticket'",
    ] {
        assert!(out.contains(line), "{line} not in:\n{out}");
    }
    // A serial column's sequence comes with its column: no line of its own.
    assert!(!out.contains("t_id_seq"), "{out}");
    p.ok(&["upgrade"]);

    p.write("schema.sql", V2);
    let (code, check, err) = run_env(&p, &[], &["check"]);
    assert_eq!(code, 1, "{check}{err}");
    let out = p.autogenerate("objects", "r2");
    for text in [&check, &out] {
        for line in [
            "Detected added value(s) 'meh' to enum type 'mood'",
            "Detected added enum type 'colour' ('red')",
            "Detected removed enum type 'size'",
            "Detected removed extension 'citext'",
            "Detected changed sequence 'ticket'",
            "Detected added sequence 'invoice'",
        ] {
            assert!(text.contains(line), "{line} not in:\n{text}");
        }
    }
}
