//! Revision files read with SQLite's dialect (moved from `src/script.rs`,
//! whose unit tests may not name an engine): header and sections, errors
//! that name the line, a checksum that ignores comments and layout.

use std::path::Path;

use migrate::internal::engine::Engine;
use migrate::internal::script::parse;

const FILE: &str = "-- revision: abc123\n-- down_revision: 000aaa, 111bbb\n-- message: add album\n-- created: 2026-11-25T13:37:00Z\n\n-- migrate:up\nCREATE TABLE album (id INT);\nCREATE INDEX ix ON album (id);\n\n-- migrate:down\nDROP TABLE album;\n";

#[test]
fn parses_header_and_sections() {
    let r = parse(
        Path::new("v/abc123_add_album.sql"),
        FILE,
        Engine::Sqlite.dialect(),
    )
    .unwrap();
    assert_eq!(r.id, "abc123");
    assert_eq!(r.parents, vec!["000aaa", "111bbb"]);
    assert_eq!(r.message, "add album");
    assert!(r.transactional);
    let stmts = r.up.statements();
    assert_eq!(stmts.len(), 2);
    assert_eq!(stmts[1].line, 8);
    assert_eq!(r.down.statements()[0].sql, "DROP TABLE album");
}

#[test]
fn errors_name_the_line() {
    let bad = FILE.replace("-- migrate:down\n", "");
    let e = parse(Path::new("abc123_x.sql"), &bad, Engine::Sqlite.dialect())
        .unwrap_err()
        .to_string();
    assert!(e.contains("abc123_x.sql:"), "{e}");
    assert!(e.contains("migrate:down"), "{e}");
    let e = parse(Path::new("zzz_x.sql"), FILE, Engine::Sqlite.dialect())
        .unwrap_err()
        .to_string();
    assert!(e.contains("zzz_x.sql:1") && e.contains("file name"), "{e}");
}

#[test]
fn checksum_ignores_comments_and_layout() {
    let a = parse(Path::new("abc123.sql"), FILE, Engine::Sqlite.dialect()).unwrap();
    let edited = FILE.replace(
        "CREATE TABLE album (id INT);",
        "-- the album\nCREATE TABLE album\n  (id INT);\r",
    );
    let b = parse(Path::new("abc123.sql"), &edited, Engine::Sqlite.dialect()).unwrap();
    assert_eq!(a.checksum(), b.checksum());
    let changed = FILE.replace("(id INT)", "(id TEXT)");
    let c = parse(Path::new("abc123.sql"), &changed, Engine::Sqlite.dialect()).unwrap();
    assert_ne!(a.checksum(), c.checksum());
}
