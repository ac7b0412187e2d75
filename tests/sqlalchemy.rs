//! `[model] sqlalchemy = "module:Base"` through the real binary: the models
//! read by SQLAlchemy itself under the project's Python, renames said with
//! `info={"renamed_from": ...}`, `init --template sqlalchemy`, errors in the
//! user's module, and the tutorial's own application (tests/fixtures/
//! sqlalchemy_app) doing its CRUD on databases `migrate` built. The tests
//! that need SQLAlchemy say so on stderr and return when it is missing.

mod common;

use std::path::{Path, PathBuf};

use common::Project;

const CONFIG: &str =
    "[database]\nurl = \"sqlite:music.db\"\n\n[model]\nsqlalchemy = \"models:Base\"\n";

/// The interpreter migrate picks in a project with no `.venv` and no
/// `python` setting: the active virtualenv's, else `python3`.
fn python() -> PathBuf {
    match std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        Some(venv) => Path::new(&venv).join("bin").join("python"),
        None => PathBuf::from("python3"),
    }
}

fn sqlalchemy_available() -> bool {
    let ok = std::process::Command::new(python())
        .args([
            "-c",
            "import sqlalchemy; assert sqlalchemy.__version__.startswith('2.')",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        common::say(
            "SQLAlchemy 2.x is not importable: a [model] sqlalchemy test did not run \
             (pip install -r migrations-example/requirements.txt; .ci/run does this)",
        );
    }
    ok
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sqlalchemy_app")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn project(models: &str) -> Project {
    let p = Project::new();
    p.write("migrate.toml", CONFIG);
    p.write("models.py", models);
    std::fs::create_dir_all(p.path("migrations/versions")).unwrap();
    p
}

/// The tutorial's application run once (phase names its rows), returning
/// its JSON summary of the database.
fn run_app(p: &Project, phase: &str) -> serde_json::Value {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sqlalchemy_app/app.py");
    let out = std::process::Command::new(python())
        .arg(app)
        .args(["music.db", phase])
        .current_dir(p.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the application failed in phase {phase}:\n{}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

fn names(p: &Project, column: &str) -> Vec<String> {
    let conn = p.conn("music.db");
    let mut stmt = conn
        .prepare(&format!("SELECT {column} FROM artist ORDER BY {column}"))
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn count(p: &Project, sql: &str) -> i64 {
    p.conn("music.db").query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_tutorial_application_runs_at_head_before_and_after_a_model_change_and_after_downgrade() {
    if !sqlalchemy_available() {
        return;
    }
    let p = project(&fixture("models_v1.py"));
    p.autogenerate("catalogue", "a1");
    p.ok(&["upgrade", "head"]);
    let v1 = run_app(&p, "v1");
    assert_eq!(
        v1["artists"],
        serde_json::json!(["v1 artist 0", "v1 artist 1"])
    );
    assert_eq!(v1["tracks"], 10);

    // The models change: a renamed column (said with info) and a new column
    // with a server default. The revision renames; it does not drop and add.
    p.write("models.py", &fixture("models_v2.py"));
    p.autogenerate("display name and plays", "a2");
    let revision =
        std::fs::read_to_string(p.path("migrations/versions/a2_display_name_and_plays.sql"))
            .unwrap();
    let up = revision.split("-- migrate:down").next().unwrap();
    assert!(
        up.contains("RENAME COLUMN name TO display_name"),
        "{revision}"
    );
    assert!(!up.contains("DROP"), "{revision}");
    p.ok(&["upgrade", "head"]);
    assert!(p.ok(&["check"]).contains("ok:"));
    // The rows of the first version survived under the new name.
    assert_eq!(names(&p, "display_name"), ["v1 artist 0", "v1 artist 1"]);
    let v2 = run_app(&p, "v2");
    assert_eq!(v2["tracks"], 20);
    assert_eq!(v2["plays"], serde_json::json!([0]));
    assert_eq!(v2["artists"].as_array().unwrap().len(), 4);

    // Back down: the first models work again on the rows both versions wrote.
    p.ok(&["downgrade", "-1"]);
    p.write("models.py", &fixture("models_v1.py"));
    let down = run_app(&p, "down");
    assert_eq!(down["tracks"], 30);
    assert_eq!(
        names(&p, "name"),
        [
            "down artist 0",
            "down artist 1",
            "v1 artist 0",
            "v1 artist 1",
            "v2 artist 0",
            "v2 artist 1"
        ]
    );
    assert_eq!(
        count(&p, "SELECT count(*) FROM track WHERE title LIKE '%Yelow%'"),
        0
    );
    assert_eq!(
        count(&p, "SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
}

#[test]
fn renames_in_info_keep_the_rows_even_for_odd_names() {
    if !sqlalchemy_available() {
        return;
    }
    let before = r#"
from sqlalchemy import Column, Integer, MetaData, String, Table
metadata = MetaData()
Table("old list", metadata, Column("id", Integer, primary_key=True), Column('odd "col"', String))
"#;
    // Declarative this time: the hints of `__table_args__` and `mapped_column`.
    let after = r#"
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
class Base(DeclarativeBase):
    pass
class Entry(Base):
    __tablename__ = "new list"
    __table_args__ = {"info": {"renamed_from": "old list"}}
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column("it's new", String, nullable=True, info={"renamed_from": 'odd "col"'})
metadata = Base.metadata
"#;
    let p = project(before);
    p.write(
        "migrate.toml",
        &CONFIG.replace("models:Base", "models:metadata"),
    );
    p.autogenerate("lists", "b1");
    p.ok(&["upgrade", "head"]);
    p.sql("music.db", r#"INSERT INTO "old list" VALUES (1, 'kept')"#);
    p.write("models.py", after);
    let out = p.autogenerate("rename", "b2");
    let revision = std::fs::read_to_string(p.path("migrations/versions/b2_rename.sql")).unwrap();
    assert!(!revision.contains("DROP"), "{out}\n{revision}");
    p.ok(&["upgrade", "head"]);
    let kept: String = p
        .conn("music.db")
        .query_row(
            r#"SELECT "it's new" FROM "new list" WHERE id = 1"#,
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, "kept");
    assert!(p.ok(&["check"]).contains("ok:"));
    p.ok(&["downgrade", "-1"]);
    assert_eq!(
        count(
            &p,
            r#"SELECT count(*) FROM "old list" WHERE "odd ""col""" = 'kept'"#
        ),
        1
    );
}

#[test]
fn an_error_in_the_models_shows_its_traceback_and_changes_nothing() {
    if !sqlalchemy_available() {
        return;
    }
    let p = project("import sqlalchemy\nrate = 1 / 0\n");
    let err = p.fails(&["revision", "--autogenerate", "-m", "x"]);
    assert!(err.contains("Traceback (most recent call last)"), "{err}");
    assert!(err.contains("ZeroDivisionError"), "{err}");
    assert!(err.contains("models.py\", line 2"), "{err}");
    assert!(
        err.contains("python3") || err.contains("VIRTUAL_ENV"),
        "names the interpreter: {err}"
    );
    assert_eq!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .count(),
        0
    );
    assert!(
        !p.path("__pycache__").exists(),
        "no bytecode left in the project"
    );
}

#[test]
fn mistakes_in_the_target_get_one_line_saying_what_to_do() {
    if !sqlalchemy_available() {
        return;
    }
    let p = project(
        "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\nnumber = 3\n",
    );
    for (target, says) in [
        ("models:Nope", "has no attribute 'Nope'"),
        ("nomodule:Base", "no module 'nomodule'"),
        (
            "models:number",
            "is a int, not a declarative base or a MetaData",
        ),
    ] {
        p.write("migrate.toml", &CONFIG.replace("models:Base", target));
        let err = p.fails(&["check"]);
        assert!(err.contains(says), "{target}: {err}");
        assert!(
            err.contains("python"),
            "{target}: names the interpreter: {err}"
        );
    }
    p.write(
        "models.py",
        "from sqlalchemy import Column, Integer, MetaData, Table\nmetadata = MetaData()\n\
         Table('t', metadata, Column('id', Integer, primary_key=True, info={'renamed_from': 7}))\n",
    );
    p.write(
        "migrate.toml",
        &CONFIG.replace("models:Base", "models:metadata"),
    );
    let err = p.fails(&["check"]);
    assert!(
        err.contains("must be the old name as a non-empty string"),
        "{err}"
    );
    // The DDL takes the road of any SQL model: a NUL byte is refused, not cut.
    p.write(
        "models.py",
        "from sqlalchemy import Column, Integer, MetaData, String, Table\nmetadata = MetaData()\n\
         Table('t', metadata, Column('id', Integer, primary_key=True), Column('s', String, server_default='a\\x00b'))\n",
    );
    let err = p.fails(&["check"]);
    assert!(err.contains("a NUL byte"), "{err}");
}

#[test]
fn what_the_models_print_does_not_spoil_the_ddl_and_no_bytecode_is_left() {
    if !sqlalchemy_available() {
        return;
    }
    let p = project(&format!(
        "print('loading models')\n{}",
        fixture("models_v1.py")
    ));
    // Python as a user runs it, writing bytecode unless told not to.
    let out = p
        .plain_command()
        .env_remove("PYTHONDONTWRITEBYTECODE")
        .args([
            "revision",
            "--autogenerate",
            "-m",
            "catalogue",
            "--rev-id",
            "c1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revision = std::fs::read_to_string(p.path("migrations/versions/c1_catalogue.sql")).unwrap();
    assert!(revision.contains("CREATE TABLE artist"), "{revision}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the models said:\nloading models"),
        "{stderr}"
    );
    assert!(
        !p.path("__pycache__").exists(),
        "migrate left bytecode in the project"
    );
}

#[test]
fn the_interpreter_comes_from_python_and_is_named_when_it_cannot_run() {
    let p = project("");
    p.write(
        "migrate.toml",
        &format!("{CONFIG}python = \"venv/bin/python\"\n"),
    );
    let err = p.fails(&["check"]);
    assert!(
        err.contains("venv/bin/python (from [model] python)"),
        "{err}"
    );
    assert!(err.contains("set [model] python"), "{err}");
}

#[test]
fn the_sqlalchemy_setting_is_checked_before_anything_runs() {
    let p = project("");
    for (model, says) in [
        ("sqlalchemy = \"models\"", "\"package.module:Base\""),
        (
            "sqlalchemy = \"models:Base\"\npath = \"m.toml\"",
            "keep one",
        ),
        (
            "path = \"m.toml\"\npython = \"python3\"",
            "[model] python is the interpreter for",
        ),
    ] {
        p.write(
            "migrate.toml",
            &format!("[database]\nurl = \"sqlite:music.db\"\n\n[model]\n{model}\n"),
        );
        let err = p.fails(&["check"]);
        assert!(err.contains(says), "{model}: {err}");
    }
    assert!(!p.path("music.db").exists());
}

#[test]
fn init_sqlalchemy_template_gives_a_project_whose_models_are_the_model() {
    let p = Project::new();
    let out = p.ok(&["init", "--template", "sqlalchemy", "music"]);
    assert!(out.contains("models.py"), "{out}");
    let config = std::fs::read_to_string(p.path("music/migrate.toml")).unwrap();
    assert!(config.contains("sqlalchemy = \"models:Base\""), "{config}");
    assert!(p.path("music/migrations/script.sql.tmpl").is_file());
    if !sqlalchemy_available() {
        return;
    }
    // The starter's commented example, uncommented, is a working model.
    let starter = std::fs::read_to_string(p.path("music/models.py")).unwrap();
    let uncommented: String = starter
        .lines()
        .map(|l| l.strip_prefix("# ").or(l.strip_prefix("#")).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    p.write("music/models.py", &uncommented);
    let config = "music/migrate.toml";
    p.ok(&[
        "-c",
        config,
        "revision",
        "--autogenerate",
        "-m",
        "catalogue",
    ]);
    p.ok(&["-c", config, "upgrade", "head"]);
    let conn = p.conn("music/app.db");
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('artist', 'track')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 2);
}
