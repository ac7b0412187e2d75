//! Bad input, one case per way the user can get it wrong (the table below):
//! each gets one clear message naming what is wrong, exit code 2, no panic,
//! and the database file is byte for byte unchanged.

mod common;

use common::{Project, snapshot};

struct Case {
    name: &'static str,
    /// Prepares the project (a music project at r1 is ready beforehand).
    setup: fn(&Project),
    args: &'static [&'static str],
    /// What the message must say.
    says: &'static [&'static str],
}

const MODEL: &str = "[[table]]\nname = \"artist\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"name\", type = \"TEXT\" } ]\n";

fn base() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MODEL);
    p.revision(
        "r1",
        &[],
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);",
        "DROP TABLE artist;",
    );
    p.revision(
        "r2",
        &["r1"],
        "CREATE INDEX ix_name ON artist (name);",
        "DROP INDEX ix_name;",
    );
    p.ok(&["hash"]);
    p.ok(&["upgrade", "r1"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p
}

/// Adds a revision file and accepts it into migrate.sum (as a reviewer who
/// missed the problem would), so the graph itself is what gets judged.
fn versions(p: &Project, name: &str, text: &str) {
    p.write(&format!("migrations/versions/{name}"), text);
    migrate::internal::sum::write(&p.path("migrations")).unwrap();
}

fn none(_: &Project) {}

const CASES: &[Case] = &[
    Case {
        name: "header without revision",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- down_revision: r2\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:1", "revision"],
    },
    Case {
        name: "no down section",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r2\n-- migrate:up\nSELECT 1;\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql", "migrate:down"],
    },
    Case {
        name: "down before up",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r2\n-- migrate:down\n-- migrate:up\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:3", "before"],
    },
    Case {
        name: "two up sections",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r2\n-- migrate:up\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:4", "second"],
    },
    Case {
        name: "bad revision id",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3/../x\n-- down_revision: r2\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:1", "letters and digits"],
    },
    Case {
        name: "file name does not match id",
        setup: |p| {
            versions(
                p,
                "zz_x.sql",
                "-- revision: r3\n-- down_revision: r2\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["zz_x.sql", "file name"],
    },
    Case {
        name: "SQL before the up section",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r2\nDROP TABLE artist;\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:3", "SQL before"],
    },
    Case {
        name: "bad transactional value",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r2\n-- transactional: maybe\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:3", "true or false"],
    },
    Case {
        name: "duplicate revision id",
        setup: |p| {
            versions(
                p,
                "r2_copy.sql",
                "-- revision: r2\n-- down_revision: r1\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["duplicate revision id r2"],
    },
    Case {
        name: "missing parent",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: nothere\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:2", "nothere"],
    },
    Case {
        name: "self parent",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r3\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["r3_x.sql:2", "itself"],
    },
    Case {
        name: "cycle",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r4\n-- migrate:up\n-- migrate:down\n",
            );
            versions(
                p,
                "r4_x.sql",
                "-- revision: r4\n-- down_revision: r3\n-- migrate:up\n-- migrate:down\n",
            );
        },
        args: &["upgrade"],
        says: &["cycle", "r3", "r4"],
    },
    Case {
        name: "stray file in versions",
        setup: |p| {
            p.write("migrations/versions/README.md", "notes");
        },
        args: &["upgrade"],
        says: &["README.md", "not a revision file"],
    },
    Case {
        name: "unknown target",
        setup: none,
        args: &["upgrade", "doesnotexist"],
        says: &["no revision matches \"doesnotexist\""],
    },
    Case {
        name: "ambiguous target",
        setup: none,
        args: &["upgrade", "r"],
        says: &["ambiguous", "r1", "r2"],
    },
    Case {
        name: "relative beyond head",
        setup: none,
        args: &["upgrade", "+5"],
        says: &["+5", "above"],
    },
    Case {
        name: "relative below base",
        setup: none,
        args: &["downgrade", "-3"],
        says: &["below base"],
    },
    Case {
        name: "several heads",
        setup: |p| {
            versions(
                p,
                "r3_x.sql",
                "-- revision: r3\n-- down_revision: r1\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["2 heads", "migrate merge"],
    },
    Case {
        name: "broken TOML model",
        setup: |p| {
            p.write("models.toml", "[[table]\nname = \"a\"");
        },
        args: &["check"],
        says: &["models.toml:1"],
    },
    Case {
        name: "unknown model key",
        setup: |p| {
            p.write("models.toml", &MODEL.replace("primary_key", "primary"));
        },
        args: &["check"],
        says: &["models.toml:3", "primary"],
    },
    Case {
        name: "model of unknown kind",
        setup: |p| {
            p.write("models.yaml", "a: b");
        },
        args: &["--model", "models.yaml", "check"],
        says: &["models.yaml", ".toml or .sql"],
    },
    Case {
        name: "missing model file",
        setup: none,
        args: &["--model", "nothere.toml", "check"],
        says: &["nothere.toml"],
    },
    Case {
        name: "SQL model syntax error",
        setup: |p| {
            p.write(
                "m.sql",
                "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT,);\n",
            );
        },
        args: &["--model", "m.sql", "check"],
        says: &["m.sql:2", "syntax error"],
    },
    Case {
        name: "model foreign key to nothing",
        setup: |p| {
            p.write("models.toml", &format!("{MODEL}\n[[table]]\nname = \"t\"\ncolumns = [ {{ name = \"a\", type = \"INT\", references = \"ghost.id\" }} ]\n"));
        },
        args: &["check"],
        says: &["ghost"],
    },
    Case {
        name: "model command fails",
        setup: |p| {
            p.write(
                "migrate.toml",
                "[database]\nurl = \"sqlite:app.db\"\n[model]\ncommand = \"exit 3\"\n",
            );
        },
        args: &["check"],
        says: &["model command", "exit"],
    },
    Case {
        name: "broken migrate.toml",
        setup: |p| {
            p.write("migrate.toml", "[database\nurl = 1");
        },
        args: &["current"],
        says: &["migrate.toml"],
    },
    Case {
        name: "unknown config key",
        setup: |p| {
            p.write(
                "migrate.toml",
                "[database]\nurl = \"sqlite:app.db\"\npassword = \"x\"\n",
            );
        },
        args: &["current"],
        says: &["migrate.toml", "password"],
    },
    Case {
        name: "unsupported database scheme",
        setup: none,
        args: &["--database", "mysql://db/x", "current"],
        says: &["mysql", "not supported"],
    },
    Case {
        name: "text file as database",
        setup: |p| {
            p.write("notes.txt", "hello, not sqlite\n");
        },
        args: &["--database", "notes.txt", "upgrade"],
        says: &["not an SQLite database"],
    },
    Case {
        name: "locked database",
        setup: none,
        args: &["upgrade"],
        says: &["locked"],
    },
    Case {
        name: "edited applied revision",
        setup: |p| {
            let f = p.path("migrations/versions/r1_step.sql");
            let t = std::fs::read_to_string(&f).unwrap();
            std::fs::write(&f, t.replace("name TEXT", "name BLOB")).unwrap();
            p.ok(&["hash"]);
        },
        args: &["upgrade"],
        says: &["r1", "edited after it was applied", "migrate approve"],
    },
    Case {
        name: "stale migrate.sum",
        setup: |p| {
            p.write(
                "migrations/versions/r3_x.sql",
                "-- revision: r3\n-- down_revision: r2\n-- migrate:up\n-- migrate:down\n",
            );
        },
        args: &["upgrade"],
        says: &["r3_x.sql: added", "migrate hash"],
    },
    Case {
        name: "rename without =",
        setup: |p| {
            p.ok(&["upgrade"]);
        },
        args: &[
            "revision",
            "--autogenerate",
            "-m",
            "x",
            "--rename",
            "artist",
        ],
        says: &["OLD=NEW"],
    },
    Case {
        name: "rename of a name made to break quoting",
        setup: |p| {
            p.ok(&["upgrade"]);
        },
        args: &[
            "revision",
            "--autogenerate",
            "-m",
            "x",
            "--rename",
            "a\"; DROP TABLE artist; --=b",
        ],
        says: &["no table"],
    },
    Case {
        name: "invalid --rev-id",
        setup: none,
        args: &["revision", "-m", "x", "--rev-id", "../../etc"],
        says: &["--rev-id", "letters and digits"],
    },
    Case {
        name: "existing --rev-id",
        setup: none,
        args: &["revision", "-m", "x", "--rev-id", "r2"],
        says: &["r2 exists already"],
    },
    Case {
        name: "merge of one revision",
        setup: none,
        args: &["merge", "-m", "x", "r2"],
        says: &["two or more"],
    },
    Case {
        name: "revision file with a reserved id",
        setup: |p| {
            versions(
                p,
                "head_x.sql",
                "-- revision: head\n-- down_revision: r2\n-- migrate:up\n-- migrate:down\n",
            )
        },
        args: &["upgrade"],
        says: &["head_x.sql", "reserved"],
    },
    Case {
        name: "reserved --rev-id",
        setup: none,
        args: &["revision", "-m", "x", "--rev-id", "heads"],
        says: &["--rev-id", "reserved"],
    },
    Case {
        name: "merge of a revision with itself",
        setup: none,
        args: &["merge", "-m", "x", "r2", "r2"],
        says: &["r2", "itself"],
    },
    Case {
        name: "merge of a revision with its ancestor",
        setup: none,
        args: &["merge", "-m", "x", "r1", "r2"],
        says: &["r1 is already below r2"],
    },
    Case {
        name: "reversed --sql range",
        setup: none,
        args: &["upgrade", "r2:r1", "--sql"],
        says: &["migrate downgrade r2:r1 --sql"],
    },
    Case {
        name: "reversed --sql downgrade range",
        setup: none,
        args: &["downgrade", "r1:r2", "--sql"],
        says: &["migrate upgrade r1:r2 --sql"],
    },
    Case {
        name: "--rename onto a table that exists",
        setup: |p| {
            p.ok(&["upgrade"]);
            versions(
                p,
                "r3_album.sql",
                "-- revision: r3\n-- down_revision: r2\n-- migrate:up\nCREATE TABLE album (id INTEGER PRIMARY KEY, name TEXT);\n-- migrate:down\nDROP TABLE album;\n",
            );
            p.ok(&["upgrade"]);
            p.write("models.toml", &MODEL.replace("artist", "album"));
        },
        args: &[
            "revision",
            "--autogenerate",
            "-m",
            "x",
            "--rename",
            "artist=album",
        ],
        says: &["already has a table \"album\""],
    },
    Case {
        name: "--rename onto a column that exists",
        setup: |p| {
            p.ok(&["upgrade"]);
            p.write(
                "models.toml",
                &MODEL
                    .replace("\"id\"", "\"name2\"")
                    .replace("\"name\"", "\"id\""),
            );
        },
        args: &[
            "revision",
            "--autogenerate",
            "-m",
            "x",
            "--rename",
            "artist.name=artist.id",
        ],
        says: &["already has a column \"id\""],
    },
    Case {
        name: "autogenerate on a drifted database",
        setup: |p| {
            p.ok(&["upgrade"]);
            p.sql("app.db", "CREATE TABLE hotfix (id INT);");
            p.write("models.toml", &MODEL.replace("TEXT", "TEXT NOT NULL"));
        },
        args: &["revision", "--autogenerate", "-m", "x"],
        says: &["drifted", "hotfix", "stamp"],
    },
    Case {
        name: "show unknown revision",
        setup: none,
        args: &["show", "zzz"],
        says: &["no revision matches"],
    },
    Case {
        name: "approve a revision not applied",
        setup: none,
        args: &["approve", "r2"],
        says: &["not applied"],
    },
    Case {
        name: "history with a bad range",
        setup: none,
        args: &["history", "-r", "r1"],
        says: &["FROM:TO"],
    },
    Case {
        name: "unknown init template",
        setup: none,
        args: &["init", "x", "--template", "fancy"],
        says: &["unknown template", "generic"],
    },
];

#[test]
fn every_bad_input_gets_one_clear_error_and_changes_nothing() {
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    let mut names = Vec::new();
    for case in CASES {
        let p = base();
        (case.setup)(&p);
        let before = p.bytes("app.db");
        let sum_before = p.bytes("migrations/migrate.sum");
        // The "locked database" case holds the write lock from another connection.
        let holder = (case.name == "locked database").then(|| {
            let c = p.conn("app.db");
            c.execute_batch("BEGIN EXCLUSIVE").unwrap();
            c
        });
        let out = p
            .migrate()
            .env("MIGRATE_LOCK_TIMEOUT", "0.2")
            .args(case.args)
            .output()
            .unwrap();
        drop(holder);
        let err = String::from_utf8_lossy(&out.stderr);
        let problems: Vec<String> = [
            (out.status.code() != Some(2)).then(|| format!("exit {:?}", out.status.code())),
            err.contains("panicked").then(|| "panic".to_string()),
            (err.lines().filter(|l| l.starts_with("error: ")).count() != 1)
                .then(|| "not exactly one error line".to_string()),
            case.says
                .iter()
                .find(|s| !err.contains(*s))
                .map(|s| format!("does not say {s:?}")),
            (before != p.bytes("app.db")).then(|| "database bytes changed".to_string()),
            (sum_before != p.bytes("migrations/migrate.sum"))
                .then(|| "migrate.sum changed".to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        // The whole message is pinned in a reviewed snapshot, so a change
        // of wording shows up in review.
        let name = snapshot::slug(case.name);
        let command = format!("migrate {}", case.args.join(" "));
        if names.contains(&name) {
            failures.push(format!("{}: two cases named {name}", case.name));
        } else if !snapshot::matches("bad_input", &name, &command, Some(p.dir.path()), &err) {
            failures.push(format!(
                "{}: message does not match tests/snapshots/bad_input__{name}.snap (differs, or missing)",
                case.name
            ));
        }
        names.push(name);
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{err}", case.name, problems.join(", ")));
        }
    }
    failures.extend(
        snapshot::orphans("bad_input", &names)
            .into_iter()
            .map(|f| format!("{f}: snapshot of no case (delete it)")),
    );
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}\n({})",
        failures.len(),
        failures.join("\n"),
        snapshot::how_to_accept("bad_input")
    );
}

#[test]
fn names_made_to_break_quoting_migrate_cleanly() {
    let p = Project::with_config();
    let nasty = "a\"; DROP TABLE artist; --";
    p.write(
        "models.toml",
        &format!(
            "[[table]]\nname = {nasty:?}\ncolumns = [ {{ name = \"it's\", type = \"TEXT\" }}, {{ name = \"select\", type = \"INT\" }}, {{ name = \"ü ñ\", type = \"INT\" }} ]\nindexes = [ {{ name = \"ix ]\", columns = [\"it's\"] }} ]\n"
        ),
    );
    p.ok(&["revision", "--autogenerate", "-m", "nasty"]);
    p.ok(&["upgrade"]);
    p.ok(&["check"]);
    p.ok(&["downgrade", "base"]);
    assert_eq!(p.schema_text("app.db"), "");
}
