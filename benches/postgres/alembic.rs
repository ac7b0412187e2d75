//! Alembic on the same model and server, for the PostgreSQL rows: an Alembic
//! project generated in a temp dir (env.py with `target_metadata` from
//! generated SQLAlchemy models that mean what `model_sql` means), timed
//! running `alembic check`, `alembic revision --autogenerate`,
//! `alembic current` and a chain's `alembic upgrade head`, each as its own
//! process like ours. Run by the Python that has alembic and psycopg2 (its
//! real executable, not a version manager's shim).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{chain_up, client, drop_db, fresh, timed, times};

pub struct SchemaTimes {
    pub check: Duration,
    pub autogenerate: Duration,
    pub current: Duration,
}

/// The Python to run Alembic with, or why there is none.
pub fn available() -> Result<String, String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, alembic, sqlalchemy, psycopg2; print(sys.executable)",
        ])
        .output()
        .map_err(|e| format!("python3 not found ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "python3 lacks alembic, sqlalchemy or psycopg2 (pip install alembic psycopg2-binary): {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn python() -> String {
    available().expect("checked by the caller")
}

/// SQLAlchemy's spelling of a libpq URL.
fn sqlalchemy_url(url: &str) -> String {
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .unwrap_or(url);
    format!("postgresql+psycopg2://{rest}")
}

const ENV_PY: &str = r#"from alembic import context
from sqlalchemy import engine_from_config, pool
import models

config = context.config
target_metadata = models.metadata

connectable = engine_from_config(
    config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
"#;

const MAKO: &str = r#"revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
"#;

/// The SQLAlchemy tables `model_sql(n)` creates.
fn models_py(n: usize) -> String {
    format!(
        r#"from sqlalchemy import (MetaData, Table, Column, Integer, Text, Numeric, String, Boolean,
    DateTime, ForeignKey, Index, text)

metadata = MetaData()
for i in range({n}):
    parent = max(i - 1, 0)
    Table(
        f"t{{i}}", metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", Text, nullable=False),
        Column("qty", Integer, nullable=False, server_default=text("0")),
        Column("price", Numeric(10, 2)),
        Column("note", String(50)),
        Column("active", Boolean),
        Column("created", DateTime),
        Column("parent_id", Integer, ForeignKey(f"t{{parent}}.id", ondelete="CASCADE")),
        Index(f"ix_t{{i}}_name", "name"),
    )
"#
    )
}

/// An Alembic project in `root/name` on `url`, with `models_py` as its
/// metadata; its directory.
fn project(root: &Path, name: &str, url: &str, models: &str) -> PathBuf {
    let dir = root.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("versions")).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        format!(
            "[alembic]\nscript_location = .\nprepend_sys_path = .\nsqlalchemy.url = {}\n",
            sqlalchemy_url(url)
        ),
    )
    .unwrap();
    std::fs::write(dir.join("env.py"), ENV_PY).unwrap();
    std::fs::write(dir.join("script.py.mako"), MAKO).unwrap();
    std::fs::write(dir.join("models.py"), models).unwrap();
    dir
}

fn alembic(dir: &Path, args: &[&str]) -> Duration {
    let mut all = vec!["-m", "alembic", "-c", "alembic.ini"];
    all.extend_from_slice(args);
    timed(dir, &python(), &all)
}

fn revision_file(dir: &Path, id: &str, parent: Option<&str>, up: &str, down: &str) {
    std::fs::write(
        dir.join(format!("versions/{id}.py")),
        format!(
            "revision = {id:?}\ndown_revision = {}\nbranch_labels = None\ndepends_on = None\n\n\
             from alembic import op\n\n\ndef upgrade():\n    {up}\n\n\ndef downgrade():\n    {down}\n",
            parent.map_or("None".to_string(), |p| format!("{p:?}"))
        ),
    )
    .unwrap();
}

/// `alembic check`, `revision --autogenerate` (no change: an empty revision,
/// removed after each run) and `current` at `n` tables, on a database holding
/// the model, stamped at Alembic's one revision.
pub fn schema_times(
    root: &Path,
    admin: &str,
    n: usize,
    model: &str,
    runs: usize,
) -> Option<SchemaTimes> {
    let name = format!("bench_alembic_{n}");
    let url = fresh(admin, &name);
    client(&url).batch_execute(model).expect("model DDL");
    let dir = project(root, &format!("alembic{n}"), &url, &models_py(n));
    revision_file(&dir, "base0001", None, "pass", "pass");
    alembic(&dir, &["stamp", "head"]);
    let check = times(runs, || alembic(&dir, &["check"]));
    let autogenerate = times(runs, || {
        let took = alembic(&dir, &["revision", "--autogenerate", "-m", "x"]);
        for entry in std::fs::read_dir(dir.join("versions")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "py") && !path.ends_with("base0001.py") {
                std::fs::remove_file(path).unwrap();
            }
        }
        took
    });
    let current = times(runs, || alembic(&dir, &["current"]));
    drop_db(admin, &name);
    Some(SchemaTimes {
        check,
        autogenerate,
        current,
    })
}

/// `alembic upgrade head` from an empty database through `count` revisions
/// running the same statements as ours.
pub fn chain_time(root: &Path, admin: &str, count: usize, runs: usize) -> Option<Duration> {
    let name = "bench_alembic_chain";
    let url = fresh(admin, name);
    let dir = project(root, "alembicchain", &url, "metadata = None\n");
    for i in 0..count {
        let parent = (i > 0).then(|| format!("r{:04}", i - 1));
        revision_file(
            &dir,
            &format!("r{i:04}"),
            parent.as_deref(),
            &format!("op.execute({:?})", chain_up(i)),
            &format!("op.execute(\"DROP TABLE c{i}\")"),
        );
    }
    let took = times(runs, || {
        fresh(admin, name);
        alembic(&dir, &["upgrade", "head"])
    });
    drop_db(admin, name);
    Some(took)
}
