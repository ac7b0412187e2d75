//! `migrate import-alembic` on small Alembic histories made with Alembic in
//! the test (`alembic init`, revision modules, `alembic upgrade` on a real
//! database): ids and graph kept, SQL from Alembic's offline mode without
//! Alembic's bookkeeping, stubs for what it cannot render, and a database
//! Alembic built adopted where Alembic stopped, its rows intact.
//! Skipped, with a notice, when Alembic is not importable by python3.

mod common;

use common::Project;

fn alembic_available() -> bool {
    let found = std::process::Command::new("python3")
        .args(["-c", "import alembic"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        common::say(
            "Alembic is not installed: the import-alembic tests did not run \
             (pip install -r migrations-example/requirements.txt; .ci/run does this)",
        );
    }
    found
}

/// Runs Alembic's own command line in the project.
fn alembic(p: &Project, args: &[&str]) {
    let out = std::process::Command::new("python3")
        .args(["-m", "alembic"])
        .args(args)
        .current_dir(p.dir.path())
        .output()
        .expect("run alembic");
    assert!(
        out.status.success(),
        "alembic {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A project made by `alembic init` (its own alembic.ini and env.py) on
/// `alembic.db`, with migrate.toml on the same database; `None` (said) when
/// Alembic is not installed.
fn alembic_project() -> Option<Project> {
    if !alembic_available() {
        return None;
    }
    let p = Project::new();
    alembic(&p, &["init", "alembic"]);
    let ini = std::fs::read_to_string(p.path("alembic.ini")).unwrap();
    let ini: String = ini
        .lines()
        .map(|l| {
            if l.starts_with("sqlalchemy.url") {
                "sqlalchemy.url = sqlite:///alembic.db".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    p.write("alembic.ini", &ini);
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:alembic.db\"\n\n[model]\npath = \"model.sql\"\n",
    );
    Some(p)
}

/// One Alembic revision module.
fn alembic_revision(p: &Project, id: &str, parents: &[&str], message: &str, up: &str, down: &str) {
    let down_revision = match parents {
        [] => "None".to_string(),
        [one] => format!("{one:?}"),
        many => format!(
            "({})",
            many.iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    p.write(
        &format!("alembic/versions/{id}_rev.py"),
        &format!(
            "\"\"\"{message}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
             revision = {id:?}\ndown_revision = {down_revision}\nbranch_labels = None\ndepends_on = None\n\n\
             def upgrade():\n{up}\n\ndef downgrade():\n{down}\n"
        ),
    );
}

/// [`alembic_project`] with [`branching_history`].
fn branching_project() -> Option<Project> {
    let p = alembic_project()?;
    branching_history(&p);
    Some(p)
}

/// The revisions of [`branching_history`].
const BRANCHING_IDS: [&str; 5] = [
    "1a2b3c4d5e6f",
    "2b3c4d5e6f70",
    "3c4d5e6f7081",
    "4d5e6f708192",
    "5e6f708192a3",
];

/// base -> (email | tag) -> merge -> note: a branch point and a merge.
fn branching_history(p: &Project) {
    alembic_revision(
        p,
        "1a2b3c4d5e6f",
        &[],
        "create account",
        "    op.create_table('account', sa.Column('id', sa.Integer, primary_key=True), \
         sa.Column('name', sa.String(50), nullable=False))",
        "    op.drop_table('account')",
    );
    alembic_revision(
        p,
        "2b3c4d5e6f70",
        &["1a2b3c4d5e6f"],
        "add email",
        "    op.add_column('account', sa.Column('email', sa.String(100)))",
        "    op.drop_column('account', 'email')",
    );
    alembic_revision(
        p,
        "3c4d5e6f7081",
        &["1a2b3c4d5e6f"],
        "create tag",
        "    op.create_table('tag', sa.Column('id', sa.Integer, primary_key=True), sa.Column('label', sa.String(20)))\n    \
         op.create_index('ix_tag_label', 'tag', ['label'], unique=True)",
        "    op.drop_index('ix_tag_label', 'tag')\n    op.drop_table('tag')",
    );
    alembic_revision(
        p,
        "4d5e6f708192",
        &["2b3c4d5e6f70", "3c4d5e6f7081"],
        "merge",
        "    pass",
        "    pass",
    );
    alembic_revision(
        p,
        "5e6f708192a3",
        &["4d5e6f708192"],
        "add note",
        "    op.add_column('account', sa.Column('note', sa.Text, server_default='none', nullable=False))",
        "    op.drop_column('account', 'note')",
    );
}

fn revision_file(p: &Project, id: &str) -> String {
    let dir = p.path("migrations/versions");
    let entry = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.file_name().unwrap().to_string_lossy().starts_with(id))
        .unwrap_or_else(|| panic!("no revision file for {id} in {}", dir.display()));
    std::fs::read_to_string(entry).unwrap()
}

/// The user's objects of a database, as SQLite keeps their text, with runs
/// of whitespace as one space (Alembic indents offline SQL with spaces, and
/// SQLAlchemy's online DDL with tabs).
fn user_schema(p: &Project, db: &str) -> Vec<(String, String)> {
    let conn = p.conn(db);
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'alembic_version%' AND name NOT LIKE 'migrate_version%' ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .map(|(name, sql)| (name, sql.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect()
}

#[test]
fn a_history_with_a_branch_and_a_merge_is_imported_and_its_database_adopted() {
    let Some(p) = branching_project() else {
        return;
    };
    // Alembic takes its database to the merge, and the app writes rows.
    alembic(&p, &["upgrade", "4d5e6f708192"]);
    p.sql(
        "alembic.db",
        "INSERT INTO account (name, email) VALUES ('Ada', 'ada@example.org'), ('Grace', NULL);\
         INSERT INTO tag (label) VALUES ('jazz');",
    );

    let out = p.ok(&["import-alembic"]);
    for id in BRANCHING_IDS {
        assert!(out.contains(id), "{id} imported: {out}");
    }
    assert!(out.contains("stamped at 4d5e6f708192"), "{out}");

    // The ids and the graph: a branch point, a merge with both parents, one head.
    let merge = revision_file(&p, "4d5e6f708192");
    assert!(
        merge.contains("-- down_revision: 2b3c4d5e6f70, 3c4d5e6f7081"),
        "{merge}"
    );
    assert!(merge.contains("-- message: merge"), "{merge}");
    assert!(revision_file(&p, "1a2b3c4d5e6f").contains("-- down_revision:\n"));
    let heads = p.ok(&["heads"]);
    assert!(
        heads.contains("5e6f708192a3") && heads.lines().count() == 1,
        "{heads}"
    );
    let history = p.ok(&["history"]);
    assert!(
        history.contains("(branchpoint)") && history.contains("(mergepoint)"),
        "{history}"
    );
    assert!(p.path("migrations/migrate.sum").is_file());

    // Alembic's SQL, without Alembic's bookkeeping.
    let tag = revision_file(&p, "3c4d5e6f7081");
    assert!(tag.contains("CREATE TABLE tag"), "{tag}");
    assert!(
        tag.contains("CREATE UNIQUE INDEX ix_tag_label ON tag (label);"),
        "{tag}"
    );
    assert!(tag.contains("DROP TABLE tag;"), "{tag}");
    for id in BRANCHING_IDS {
        let text = revision_file(&p, id);
        assert!(!text.contains("alembic_version"), "{id}: {text}");
        assert!(!text.contains("STUB"), "{id}: {text}");
    }

    // Adopted: the next upgrade runs only what Alembic had not run, rows intact.
    assert!(p.ok(&["current"]).contains("4d5e6f708192"));
    p.ok(&["upgrade"]);
    assert!(p.ok(&["current"]).contains("5e6f708192a3"));
    let conn = p.conn("alembic.db");
    let rows: Vec<(String, Option<String>, String)> = conn
        .prepare("SELECT name, email, note FROM account ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows,
        [
            ("Ada".into(), Some("ada@example.org".into()), "none".into()),
            ("Grace".into(), None, "none".into())
        ]
    );
    assert_eq!(
        conn.query_row("SELECT label FROM tag", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "jazz"
    );

    // From base, migrate builds what Alembic builds; and takes it back down.
    let ini = std::fs::read_to_string(p.path("alembic.ini")).unwrap();
    p.write(
        "by_alembic.ini",
        &ini.replace("sqlite:///alembic.db", "sqlite:///by_alembic.db"),
    );
    alembic(&p, &["-c", "by_alembic.ini", "upgrade", "head"]);
    p.ok(&["--database", "fresh.db", "upgrade"]);
    assert!(!user_schema(&p, "fresh.db").is_empty());
    assert_eq!(
        user_schema(&p, "fresh.db"),
        user_schema(&p, "by_alembic.db")
    );
    p.ok(&["--database", "fresh.db", "downgrade", "base"]);
    assert!(user_schema(&p, "fresh.db").is_empty());
}

#[test]
fn revisions_alembic_cannot_render_offline_are_listed_and_written_as_stubs() {
    let Some(p) = alembic_project() else {
        return;
    };
    // An id with `_` (ours are letters and digits) keeps its letters and digits.
    alembic_revision(
        &p,
        "0001_initial",
        &[],
        "create account",
        "    op.create_table('account', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(50)))",
        "    op.drop_table('account')",
    );
    // A data migration that reads the database: there is none offline.
    alembic_revision(
        &p,
        "aa11bb22cc33",
        &["0001_initial"],
        "backfill names",
        "    conn = op.get_bind()\n    for row in conn.execute(sa.text('SELECT id FROM account')):\n        pass",
        "    pass",
    );
    // A batch operation on SQLite reflects the table: none offline either.
    alembic_revision(
        &p,
        "bb22cc33dd44",
        &["aa11bb22cc33"],
        "name not null",
        "    with op.batch_alter_table('account') as b:\n        b.alter_column('name', nullable=False)",
        "    with op.batch_alter_table('account') as b:\n        b.alter_column('name', nullable=True)",
    );
    alembic(&p, &["upgrade", "0001_initial"]);
    p.sql("alembic.db", "INSERT INTO account (name) VALUES ('Ada');");

    let (code, out, err) = p.run(&["import-alembic"]);
    assert_eq!(code, 0, "{err}{out}");
    assert!(
        err.contains("Alembic revision 0001_initial becomes 0001initial"),
        "{err}"
    );
    assert!(err.contains("3 section(s)"), "{err}");
    assert!(err.contains("aa11bb22cc33 upgrade"), "{err}");
    assert!(err.contains("bb22cc33dd44 upgrade: CommandError"), "{err}");
    assert!(
        err.contains("bb22cc33dd44 downgrade: CommandError"),
        "{err}"
    );
    assert!(out.contains("stamped at 0001initial"), "{out}");
    let backfill = revision_file(&p, "aa11bb22cc33");
    assert!(
        backfill.contains("-- down_revision: 0001initial"),
        "{backfill}"
    );
    assert!(
        backfill.contains("-- STUB: Alembic could not render upgrade()"),
        "{backfill}"
    );
    let batch = revision_file(&p, "bb22cc33dd44");
    assert!(
        batch.contains("batch mode with dialect sqlite requires a live database connection"),
        "{batch}"
    );

    // A stub stops upgrade, naming itself, and the database stays as it was.
    let err = p.fails(&["upgrade"]);
    assert!(
        err.contains("import-alembic stub: write revision aa11bb22cc33 by hand"),
        "{err}"
    );
    assert!(p.ok(&["current"]).contains("0001initial"));
    let rows: i64 = p
        .conn("alembic.db")
        .query_row("SELECT count(*) FROM account", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn an_alembic_database_at_a_revision_the_history_lacks_is_refused_and_nothing_is_written() {
    let Some(p) = branching_project() else {
        return;
    };
    p.sql(
        "alembic.db",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);\
         INSERT INTO alembic_version VALUES ('ffffffffffff');",
    );
    let err = p.fails(&["import-alembic"]);
    assert!(err.contains("ffffffffffff"), "{err}");
    assert!(!p.path("migrations/versions").exists() || revision_files(&p) == 0);
    assert!(!p.path("migrations/migrate.sum").exists());
}

#[test]
fn a_migrations_directory_that_holds_revisions_is_refused() {
    let Some(p) = branching_project() else {
        return;
    };
    p.revision("abc", &[], "CREATE TABLE x (id INTEGER);", "DROP TABLE x;");
    let err = p.fails(&["import-alembic"]);
    assert!(err.contains("empty migrations directory"), "{err}");
    assert_eq!(revision_files(&p), 1);
}

#[test]
fn a_missing_alembic_ini_is_one_clear_error() {
    let p = Project::new();
    let err = p.fails(&["import-alembic", "--alembic-config", "nope.ini"]);
    assert!(err.contains("nope.ini: no such file"), "{err}");
    assert!(!p.path("migrations").exists());
}

#[test]
fn alembic_ini_given_as_config_is_told_which_flag_takes_it() {
    let p = Project::new();
    p.write("alembic.ini", "[alembic]\nscript_location = alembic\n");
    let err = p.fails(&["import-alembic", "--config", "alembic.ini"]);
    assert!(err.contains("--alembic-config alembic.ini"), "{err}");
    assert!(!p.path("migrations").exists());
}

fn revision_files(p: &Project) -> usize {
    std::fs::read_dir(p.path("migrations/versions")).map_or(0, |d| d.count())
}

/// Alembic's `branch_labels` and `depends_on` come across as our headers:
/// two labelled branches, the second depending on the first, stay apart.
#[test]
fn branch_labels_and_depends_on_are_carried_across() {
    let Some(p) = alembic_project() else {
        return;
    };
    let module = |id: &str, labels: &str, depends: &str, up: &str, down: &str| {
        p.write(
            &format!("alembic/versions/{id}_rev.py"),
            &format!(
                "\"\"\"step {id}\n\nRevision ID: {id}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
                 revision = {id:?}\ndown_revision = None\nbranch_labels = {labels}\ndepends_on = {depends}\n\n\
                 def upgrade():\n{up}\n\ndef downgrade():\n{down}\n"
            ),
        );
    };
    module(
        "aa11",
        "('core',)",
        "None",
        "    op.create_table('account', sa.Column('id', sa.Integer, primary_key=True))",
        "    op.drop_table('account')",
    );
    module(
        "bb22",
        "('reports',)",
        "'aa11'",
        "    op.create_table('report', sa.Column('id', sa.Integer, primary_key=True))",
        "    op.drop_table('report')",
    );
    alembic(&p, &["upgrade", "heads"]);
    p.sql("alembic.db", "INSERT INTO account (id) VALUES (1);");
    p.ok(&["import-alembic"]);
    let reports = revision_file(&p, "bb22");
    assert!(
        reports.contains("-- branch_labels: reports\n-- depends_on: aa11\n"),
        "{reports}"
    );
    assert!(revision_file(&p, "aa11").contains("-- branch_labels: core\n"));
    let heads = p.ok(&["heads"]);
    assert!(
        heads.contains("aa11 (core) (head)") && heads.contains("bb22 (reports) (head)"),
        "{heads}"
    );
    assert!(p.ok(&["upgrade", "heads"]).contains("nothing to do"));
    // The dependency holds: core cannot go while reports needs it.
    let err = p.fails(&["downgrade", "core@base"]);
    assert!(err.contains("bb22"), "{err}");
    let rows: i64 = p
        .conn("alembic.db")
        .query_row("SELECT count(*) FROM account", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
    p.ok(&["verify"]);
}
