//! Table-driven tests of the core without a database file or the binary:
//! two schemas as SQL text (loaded through `load::load_sql`, rename hints
//! included) -> the changes `diff` finds (told as `describe` tells them) and
//! the statements `plan` writes (as the script text `render` makes). A case is
//! a few lines, so a change to the diff or the planner shows up here as a
//! readable difference, and a new behaviour is one more row. The kinds the
//! diff gives modified columns and tables are a table too.

use std::path::Path;

use migrate::internal::describe;
use migrate::internal::diff::{self, Change, ColumnChange, ConstraintChange, Renames};
use migrate::internal::engine::Engine;
use migrate::internal::load::{self, Model};
use migrate::internal::sqlite::plan;

fn schema(sql: &str) -> Model {
    load::load_sql(Engine::Sqlite, sql, Path::new("case.sql"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The changes from `from` to `to` (renames from the hints in `to`), one line each.
fn changes(from: &str, to: &str) -> Vec<String> {
    let (from, to) = (schema(from).schema, schema(to));
    let renames = Renames::from_hints(&from, &to.schema, &to.hints);
    let lines = describe::describe(&diff::diff(&from, &to.schema, &renames));
    lines
        .into_iter()
        .map(|l| l.strip_prefix("Detected ").unwrap_or(&l).to_string())
        .collect()
}

/// The upgrade and downgrade scripts from `from` to `to`.
fn scripts(from: &str, to: &str) -> (String, String) {
    let (from, to) = (schema(from).schema, schema(to));
    let m = plan::migration(
        &from,
        &to.schema,
        &Renames::from_hints(&from, &to.schema, &to.hints),
    );
    (plan::render(&m.up), plan::render(&m.down))
}

const ARTIST: &str = "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);";
const WITH_BORN: &str =
    "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER);";

/// (what, from, to, expected changes)
const DIFF_CASES: &[(&str, &str, &str, &[&str])] = &[
    ("nothing", ARTIST, ARTIST, &[]),
    (
        "names differ only in case",
        ARTIST,
        "CREATE TABLE Artist (ID INTEGER PRIMARY KEY, Name TEXT NOT NULL);",
        &[],
    ),
    ("add a table", "", ARTIST, &["added table 'artist'"]),
    ("drop a table", ARTIST, "", &["removed table 'artist'"]),
    (
        "add a column",
        ARTIST,
        WITH_BORN,
        &["added column 'artist.born'"],
    ),
    (
        "drop a column",
        WITH_BORN,
        ARTIST,
        &["removed column 'artist.born'"],
    ),
    (
        "rename a column by hint",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, title TEXT NOT NULL -- @renamed from=name\n);",
        &["renamed column 'artist.name' to 'artist.title'"],
    ),
    (
        "rename a table by hint",
        ARTIST,
        "CREATE TABLE performer ( -- @renamed from=artist\n id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
        &["renamed table 'artist' to 'performer'"],
    ),
    (
        "without a hint a rename is a drop and an add",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, title TEXT NOT NULL);",
        &[
            "removed column 'artist.name'",
            "added column 'artist.title'",
        ],
    ),
    (
        "change a type",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);",
        &["type change from TEXT to VARCHAR(30) on 'artist.name'"],
    ),
    (
        "allow NULL",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);",
        &["NULL on column 'artist.name'"],
    ),
    (
        "add an index",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX ix_name ON artist (name);",
        &["added index 'ix_name' on 'artist'"],
    ),
    (
        "change an index's columns",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX ix_name ON artist (name);",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX ix_name ON artist (name, id);",
        &["changed index 'ix_name' on 'artist'"],
    ),
    (
        "add a view",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE VIEW names AS SELECT name FROM artist;",
        &["added view 'names'"],
    ),
    (
        "add a trigger",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE TRIGGER t_name AFTER INSERT ON artist BEGIN SELECT 1; END;",
        &["added trigger 't_name' on 'artist'"],
    ),
    (
        "add a foreign key",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE track (id INTEGER PRIMARY KEY, artist_id INTEGER);",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE track (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist (id));",
        &["added foreign key (artist_id) -> artist on 'track'"],
    ),
    (
        "rename a column a constraint names: no constraint changes",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE album (id INTEGER PRIMARY KEY, name TEXT, artist_id INT REFERENCES artist (id), UNIQUE (artist_id, name));",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE album (id INTEGER PRIMARY KEY, title TEXT -- @renamed from=name\n, artist INT REFERENCES artist (id) -- @renamed from=artist_id\n, UNIQUE (artist, title));",
        &[
            "renamed column 'album.name' to 'album.title'",
            "renamed column 'album.artist_id' to 'album.artist'",
        ],
    ),
    (
        "NOT NULL on the rowid alias does not count beside a type change",
        "CREATE TABLE t (id INTEGER PRIMARY KEY NOT NULL);",
        "CREATE TABLE t (id INT PRIMARY KEY NOT NULL);",
        &[
            "type change from INTEGER to INT on 't.id'",
            "NOT NULL on column 't.id'",
        ],
    ),
];

#[test]
fn diff_finds_the_changes_of_each_case() {
    let mut wrong = Vec::new();
    for (what, from, to, want) in DIFF_CASES {
        let got = changes(from, to);
        if got != *want {
            wrong.push(format!("{what}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// (what, from, to, expected upgrade script, expected downgrade script)
const PLAN_CASES: &[(&str, &str, &str, &str, &str)] = &[
    ("nothing", ARTIST, ARTIST, "", ""),
    (
        "add a table",
        "",
        ARTIST,
        "CREATE TABLE artist (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL\n);",
        "-- destructive: drops table artist and every row in it\nDROP TABLE artist;",
    ),
    (
        "add a nullable column",
        ARTIST,
        WITH_BORN,
        "ALTER TABLE artist ADD COLUMN born INTEGER;",
        "-- destructive: drops column artist.born and its data\nALTER TABLE artist DROP COLUMN born;",
    ),
    (
        "drop a column",
        WITH_BORN,
        ARTIST,
        "-- destructive: drops column artist.born and its data\nALTER TABLE artist DROP COLUMN born;",
        "ALTER TABLE artist ADD COLUMN born INTEGER;",
    ),
    (
        "add a NOT NULL column with a default",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL DEFAULT 'unknown');",
        "ALTER TABLE artist ADD COLUMN country TEXT NOT NULL DEFAULT 'unknown';",
        "-- destructive: drops column artist.country and its data\nALTER TABLE artist DROP COLUMN country;",
    ),
    (
        "add a NOT NULL column without a default: a rebuild that says it needs an empty table",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL);",
        r"-- rebuild artist: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_artist (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL
);
-- data-dependent: new column country is NOT NULL without a default: fails if artist has rows
INSERT INTO _migrate_new_artist (id, name) SELECT id, name FROM artist;
-- rebuild artist: dropped to be replaced; its rows are carried across
DROP TABLE artist;
ALTER TABLE _migrate_new_artist RENAME TO artist;",
        "-- destructive: drops column artist.country and its data\nALTER TABLE artist DROP COLUMN country;",
    ),
    (
        "rename a column by hint",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, title TEXT NOT NULL -- @renamed from=name\n);",
        "ALTER TABLE artist RENAME COLUMN name TO title;",
        "ALTER TABLE artist RENAME COLUMN title TO name;",
    ),
    (
        "rename a table by hint",
        ARTIST,
        "CREATE TABLE performer ( -- @renamed from=artist\n id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
        "ALTER TABLE artist RENAME TO performer;",
        "ALTER TABLE performer RENAME TO artist;",
    ),
    (
        "change a type: a rebuild both ways",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL);",
        r"-- rebuild artist: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_artist (
    id INTEGER PRIMARY KEY,
    name VARCHAR(30) NOT NULL
);
-- data-dependent: narrowing: artist.name changes type TEXT -> VARCHAR(30): the declared length shrinks; SQLite keeps longer values, your application may not
INSERT INTO _migrate_new_artist (id, name) SELECT id, name FROM artist;
-- rebuild artist: dropped to be replaced; its rows are carried across
DROP TABLE artist;
ALTER TABLE _migrate_new_artist RENAME TO artist;",
        r"-- rebuild artist: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_artist (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO _migrate_new_artist (id, name) SELECT id, name FROM artist;
-- rebuild artist: dropped to be replaced; its rows are carried across
DROP TABLE artist;
ALTER TABLE _migrate_new_artist RENAME TO artist;",
    ),
    (
        "add an index",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE INDEX ix_name ON artist (name);",
        "CREATE INDEX ix_name ON artist (name);",
        "DROP INDEX ix_name;",
    ),
    (
        "add a unique index: data-dependent",
        ARTIST,
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nCREATE UNIQUE INDEX ux_name ON artist (name);",
        "-- data-dependent: fails if artist has duplicate values for this unique index\nCREATE UNIQUE INDEX ux_name ON artist (name);",
        "DROP INDEX ux_name;",
    ),
    (
        "add a foreign key: a rebuild of the child",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE track (id INTEGER PRIMARY KEY, artist_id INTEGER);",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY);\nCREATE TABLE track (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist (id));",
        r"-- rebuild track: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_track (
    id INTEGER PRIMARY KEY,
    artist_id INTEGER,
    FOREIGN KEY (artist_id) REFERENCES artist (id)
);
-- data-dependent: new foreign key (artist_id) -> artist: rows without a parent fail the check before commit
INSERT INTO _migrate_new_track (id, artist_id) SELECT id, artist_id FROM track;
-- rebuild track: dropped to be replaced; its rows are carried across
DROP TABLE track;
ALTER TABLE _migrate_new_track RENAME TO track;",
        r"-- rebuild track: SQLite cannot ALTER this change; rows are copied into a new table
CREATE TABLE _migrate_new_track (
    id INTEGER PRIMARY KEY,
    artist_id INTEGER
);
INSERT INTO _migrate_new_track (id, artist_id) SELECT id, artist_id FROM track;
-- rebuild track: dropped to be replaced; its rows are carried across
DROP TABLE track;
ALTER TABLE _migrate_new_track RENAME TO track;",
    ),
    (
        "change a virtual table's columns: rows copied out and back",
        "CREATE VIRTUAL TABLE doc USING fts5(title, body);",
        "CREATE VIRTUAL TABLE doc USING fts5(title, body, tags);",
        r"-- replace virtual table doc: SQLite cannot alter one; it is dropped and created
CREATE TABLE _migrate_copy_doc AS SELECT rowid AS _migrate_rowid, title, body FROM doc;
-- rebuild doc: dropped to be replaced; its rows are carried across
DROP TABLE doc;
CREATE VIRTUAL TABLE doc USING fts5(title, body, tags);
INSERT INTO doc (rowid, title, body) SELECT _migrate_rowid, title, body FROM _migrate_copy_doc;
-- rebuild _migrate_copy_doc: the copy goes once its rows are back
DROP TABLE _migrate_copy_doc;",
        // Lint reads a drop whose copy does not bring every column back as a
        // loss, and so does the plan now.
        r"-- replace virtual table doc: SQLite cannot alter one; it is dropped and created
CREATE TABLE _migrate_copy_doc AS SELECT rowid AS _migrate_rowid, title, body, tags FROM doc;
-- destructive: drops table doc
DROP TABLE doc;
CREATE VIRTUAL TABLE doc USING fts5(title, body);
-- destructive: column doc.tags of the virtual table and its data are dropped
INSERT INTO doc (rowid, title, body) SELECT _migrate_rowid, title, body FROM _migrate_copy_doc;
-- rebuild _migrate_copy_doc: the copy goes once its rows are back
DROP TABLE _migrate_copy_doc;",
    ),
];

#[test]
fn plan_writes_the_statements_of_each_case() {
    let mut wrong = Vec::new();
    for (what, from, to, want_up, want_down) in PLAN_CASES {
        let (up, down) = scripts(from, to);
        if (up.as_str(), down.as_str()) != (*want_up, *want_down) {
            wrong.push(format!(
                "{what}:\n--- want up\n{want_up}\n--- got up\n{up}\n--- want down\n{want_down}\n--- got down\n{down}"
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn the_schemas_name_rule_decides_which_names_are_one() {
    use migrate::internal::schema::{Column, NameRule, Schema, Table};
    let schema = |table: &str, column: &str, rule: NameRule| {
        let mut s = Schema {
            tables: vec![Table {
                name: table.into(),
                columns: vec![Column {
                    name: column.into(),
                    decl_type: "INTEGER".into(),
                    ..Column::default()
                }],
                ..Table::default()
            }],
            ..Schema::default()
        };
        s.set_name_rule(rule);
        s.sort();
        s
    };
    let changes = |rule| {
        let (from, to) = (schema("Users", "Id", rule), schema("users", "id", rule));
        describe::describe(&diff::diff(&from, &to, &Renames::default()))
    };
    // SQLite: one table, one column, nothing to do.
    assert_eq!(
        changes(NameRule::AsciiCaseInsensitive),
        Vec::<String>::new()
    );
    // PostgreSQL: "Users" and users are two tables.
    assert_eq!(
        changes(NameRule::Exact),
        [
            "Detected added table 'users'",
            "Detected removed table 'Users'"
        ]
    );
}

/// What the diff says changed on each modified table and column, and the
/// constraints gained (+) and lost (-), one line each.
fn kinds(from: &str, to: &str) -> Vec<String> {
    let (from, to) = (schema(from).schema, schema(to));
    let flags = |k: diff::ChangeKind| {
        let d = format!("{k:?}");
        d.trim_start_matches("ChangeKind(")
            .trim_end_matches(')')
            .to_string()
    };
    let mut out = Vec::new();
    let renames = Renames::from_hints(&from, &to.schema, &to.hints);
    for c in diff::diff(&from, &to.schema, &renames) {
        let Change::ModifyTable {
            to,
            columns,
            kind,
            constraints,
            ..
        } = c
        else {
            continue;
        };
        for c in &columns {
            if let ColumnChange::Modify { to: col, kind, .. } = c {
                out.push(format!("{}.{} {}", to.name, col.name, flags(*kind)));
            }
        }
        if !kind.is_empty() {
            out.push(format!("{} {}", to.name, flags(kind)));
        }
        for c in &constraints {
            out.push(match c {
                ConstraintChange::AddForeignKey(f) => format!("+fk ({})", f.columns.join(", ")),
                ConstraintChange::DropForeignKey(f) => format!("-fk ({})", f.columns.join(", ")),
                ConstraintChange::AddUnique(u) => format!("+unique ({})", u.columns.join(", ")),
                ConstraintChange::DropUnique(u) => format!("-unique ({})", u.columns.join(", ")),
                ConstraintChange::AddCheck(k) => format!("+check ({})", k.expr),
                ConstraintChange::DropCheck(k) => format!("-check ({})", k.expr),
            });
        }
    }
    out
}

const T: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT REFERENCES p (id));\nCREATE TABLE p (id INTEGER PRIMARY KEY);";

/// (what, from, to, expected kinds)
const KIND_CASES: &[(&str, &str, &str, &[&str])] = &[
    ("nothing", T, T, &[]),
    (
        "a type",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(9) NOT NULL, b INT REFERENCES p (id));\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &["t.a TYPE"],
    ),
    (
        "a type and NULL at once",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(9), b INT REFERENCES p (id));\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &["t.a TYPE | NULL"],
    ),
    (
        "a default, a collation",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'x' COLLATE NOCASE, b INT REFERENCES p (id));\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &["t.a DEFAULT | COLLATION"],
    ),
    (
        "a default spelled otherwise is no change",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT DEFAULT (-1));",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT DEFAULT -1);",
        &[],
    ),
    (
        "a generated expression",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, g INT AS (a + 1));",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, g INT AS (a + 2));",
        &["t.g GENERATED"],
    ),
    (
        "a NOT NULL's ON CONFLICT clause is a column option",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL ON CONFLICT REPLACE, b INT REFERENCES p (id));\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &["t.a OPTIONS"],
    ),
    (
        "STRICT is a table option",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT) STRICT;",
        &["t OPTIONS"],
    ),
    (
        "AUTOINCREMENT is a table option",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);",
        &["t OPTIONS"],
    ),
    (
        "the primary key",
        "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a));",
        "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b));",
        &["t PRIMARY_KEY"],
    ),
    (
        "a foreign key's action: lost and gained",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT REFERENCES p (id) ON DELETE CASCADE);\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &["t FOREIGN_KEY", "+fk (b)", "-fk (b)"],
    ),
    (
        "a unique and a check gained",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL UNIQUE CHECK (a <> ''), b INT REFERENCES p (id));\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &["t UNIQUE | CHECK", "+unique (a)", "+check (a <> '')"],
    ),
    (
        "a renamed column keeps its constraints",
        T,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, c INT REFERENCES p (id) -- @renamed from=b\n);\nCREATE TABLE p (id INTEGER PRIMARY KEY);",
        &[],
    ),
    (
        "NOT NULL declared on the rowid alias does not count",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY NOT NULL, a TEXT);",
        &[],
    ),
];

#[test]
fn diff_says_what_changed_on_each_modified_column_and_table() {
    let mut wrong = Vec::new();
    for (what, from, to, want) in KIND_CASES {
        let got = kinds(from, to);
        if got != *want {
            wrong.push(format!("{what}:\n  want {want:?}\n  got  {got:?}"));
        }
        // Reversed, the same kinds, constraints gained and lost swapped.
        let back: Vec<String> = kinds(to, from);
        let swapped: Vec<String> = want
            .iter()
            .map(|k| match k.split_at(1) {
                ("+", rest) => format!("-{rest}"),
                ("-", rest) => format!("+{rest}"),
                _ => k.to_string(),
            })
            .collect();
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        if !what.contains("renamed") && sorted(back.clone()) != sorted(swapped.clone()) {
            wrong.push(format!(
                "{what} reversed:\n  want {swapped:?}\n  got  {back:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}
