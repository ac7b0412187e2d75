//! `cargo bench -- postgres` (issue 17 item 4): `check` and autogenerate at
//! 100 and 500 tables, `check` on the committed snapshot, `current`, and
//! `upgrade` through 200 small revisions, on the server of
//! `MIGRATE_TEST_PG_URL`. Each row has a floor measured in the same run by
//! this process with the `postgres` crate (the model's DDL in a scratch
//! database plus the catalog reads; the live catalog reads alone for the
//! snapshot path; the version-table read for `current`; the chain's
//! statements one transaction each), and Alembic on the same model and
//! server ([`alembic`]) when it and psycopg2 are installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls};

use super::{median, ms, run};

mod alembic;

/// One measured row: ours, its floor, and Alembic's when measured.
struct PgRow {
    name: String,
    ours: Duration,
    floor: Duration,
    floor_is: &'static str,
    alembic: Option<Duration>,
}

pub fn run_group(root: &Path, quick: bool) {
    let Some(admin) = std::env::var("MIGRATE_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!(
            "postgres: skipped: MIGRATE_TEST_PG_URL is not set (an admin URL of a PostgreSQL server, \
             e.g. one started by scripts/pg-test-server)"
        );
        return;
    };
    let alembic = alembic::available();
    if let Err(why) = &alembic {
        println!("postgres: Alembic columns skipped: {why}");
    }
    // QUICK: one run of each (the median of one), same sizes.
    let runs = if quick { 1 } else { 3 };
    let mut rows = Vec::new();
    for n in [100, 500] {
        rows.extend(schema_rows(root, &admin, n, runs, alembic.is_ok()));
    }
    rows.extend(chain_rows(root, &admin, 200, runs, alembic.is_ok()));
    print_rows(&rows);
}

fn print_rows(rows: &[PgRow]) {
    println!("\n| PostgreSQL benchmark | ours | floor | ratio | Alembic | Alembic/ours |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let (alembic, times) = match r.alembic {
            Some(a) => (
                format!("{:.0} ms", ms(a)),
                format!("{:.1}x", ms(a) / ms(r.ours).max(0.001)),
            ),
            None => ("-".into(), "-".into()),
        };
        println!(
            "| {} | {:.0} ms | {:.0} ms ({}) | {:.2}x | {alembic} | {times} |",
            r.name,
            ms(r.ours),
            ms(r.floor),
            r.floor_is,
            ms(r.ours) / ms(r.floor).max(0.001),
        );
    }
}

/// n tables of eight columns, a foreign key to the one before and an index each.
pub fn model_sql(n: usize) -> String {
    let mut sql = String::new();
    for i in 0..n {
        let parent = i.saturating_sub(1);
        sql.push_str(&format!(
            "CREATE TABLE t{i} (\n  id integer PRIMARY KEY,\n  name text NOT NULL,\n  \
             qty integer NOT NULL DEFAULT 0,\n  price numeric(10,2),\n  note varchar(50),\n  \
             active boolean,\n  created timestamp,\n  \
             parent_id integer REFERENCES t{parent}(id) ON DELETE CASCADE\n);\n\
             CREATE INDEX ix_t{i}_name ON t{i} (name);\n"
        ));
    }
    sql
}

fn client(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|e| panic!("connect {url}: {e}"))
}

/// `with_database(url, name)`: the tests' helper, one copy for both.
#[path = "../../tests/common/pg_url.rs"]
mod pg_url;
use pg_url::with_database;

/// A fresh empty database `name`; its URL.
fn fresh(admin: &str, name: &str) -> String {
    drop_db(admin, name);
    client(admin)
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
        .expect("create bench database");
    with_database(admin, name)
}

fn drop_db(admin: &str, name: &str) {
    let _ = client(admin).batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// What any tool reads to know a schema: tables, columns, constraints,
/// indexes and their expressions, for the public schema.
fn read_catalog(c: &mut Client) {
    for sql in [
        "SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public'",
        "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
         pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d \
         ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped",
        "SELECT conrelid, conname, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE connamespace = 'public'::regnamespace",
        "SELECT indexrelid, indrelid, pg_get_indexdef(indexrelid) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace",
    ] {
        c.query(sql, &[]).expect("catalog read");
    }
}

/// The floor of check and autogenerate: the model's DDL into a scratch
/// database and its catalog read, plus the live database's catalog read.
fn floor_model(admin: &str, live: &str, model: &str) -> Duration {
    let started = Instant::now();
    let url = fresh(admin, "bench_floor_scratch");
    let mut c = client(&url);
    c.batch_execute(model).expect("model DDL");
    read_catalog(&mut c);
    drop(c);
    read_catalog(&mut client(live));
    drop_db(admin, "bench_floor_scratch");
    started.elapsed()
}

fn project(root: &Path, name: &str, url: &str, model: &str) -> PathBuf {
    let dir = root.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
    std::fs::write(
        dir.join("migrate.toml"),
        format!("[database]\nurl = \"{url}\"\n\n[model]\npath = \"model.sql\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join("model.sql"), model).unwrap();
    dir
}

fn times(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    median((0..runs).map(|_| f()).collect())
}

/// check (scratch and snapshot), autogenerate and current at `n` tables, a
/// database at head with the model's tables.
fn schema_rows(root: &Path, admin: &str, n: usize, runs: usize, alembic: bool) -> Vec<PgRow> {
    let name = format!("bench_pg_{n}");
    let url = fresh(admin, &name);
    let model = model_sql(n);
    let dir = project(root, &format!("pg{n}"), &url, &model);
    run(&dir, &["revision", "--autogenerate", "-m", "all"]);
    run(&dir, &["upgrade"]);
    let floor = times(runs, || floor_model(admin, &url, &model));
    let check = times(runs, || run(&dir, &["check"]).0);
    // No change in the model: both tools compare it all and find nothing
    // (Alembic writes an empty revision, deleted after each run).
    let autogen = times(runs, || {
        run(&dir, &["revision", "--autogenerate", "-m", "x"]).0
    });
    run(&dir, &["snapshot"]);
    let catalog = times(runs, || {
        let started = Instant::now();
        read_catalog(&mut client(&url));
        started.elapsed()
    });
    let snap = times(runs, || run(&dir, &["check"]).0);
    let autogen_snap = times(runs, || {
        run(&dir, &["revision", "--autogenerate", "-m", "x"]).0
    });
    let version_read = times(runs, || {
        let started = Instant::now();
        client(&url)
            .query("SELECT revision FROM migrate_version", &[])
            .expect("version rows");
        started.elapsed()
    });
    let current = times(runs, || run(&dir, &["current"]).0);
    let theirs = alembic
        .then(|| alembic::schema_times(root, admin, n, &model, runs))
        .flatten();
    drop_db(admin, &name);
    let pick = |f: fn(&alembic::SchemaTimes) -> Duration| theirs.as_ref().map(f);
    vec![
        PgRow {
            name: format!("check, {n} tables (scratch databases)"),
            ours: check,
            floor,
            floor_is: "model DDL + catalogs",
            alembic: pick(|t| t.check),
        },
        PgRow {
            name: format!("check, {n} tables (snapshot)"),
            ours: snap,
            floor: catalog,
            floor_is: "live catalog",
            alembic: pick(|t| t.check),
        },
        PgRow {
            name: format!("revision --autogenerate, {n} tables, no change"),
            ours: autogen,
            floor,
            floor_is: "model DDL + catalogs",
            alembic: pick(|t| t.autogenerate),
        },
        PgRow {
            name: format!("revision --autogenerate, {n} tables, no change (snapshot)"),
            ours: autogen_snap,
            floor: catalog,
            floor_is: "live catalog",
            alembic: pick(|t| t.autogenerate),
        },
        PgRow {
            name: format!("current, {n} tables"),
            ours: current,
            floor: version_read,
            floor_is: "connect + version rows",
            alembic: pick(|t| t.current),
        },
    ]
}

/// The chain's statements: revision `i` creates one small table.
pub fn chain_up(i: usize) -> String {
    format!("CREATE TABLE c{i} (id integer PRIMARY KEY, v text)")
}

/// `upgrade` from an empty database through `count` revisions.
fn chain_rows(root: &Path, admin: &str, count: usize, runs: usize, alembic: bool) -> Vec<PgRow> {
    let name = "bench_pg_chain";
    let url = fresh(admin, name);
    let dir = project(root, "pgchain", &url, "");
    for i in 0..count {
        let parent = if i == 0 {
            String::new()
        } else {
            format!("r{:04}", i - 1)
        };
        std::fs::write(
            dir.join(format!("migrations/versions/r{i:04}_step.sql")),
            format!(
                "-- revision: r{i:04}\n-- down_revision: {parent}\n-- message: step {i}\n\n\
                 -- migrate:up\n{};\n\n-- migrate:down\nDROP TABLE c{i};\n",
                chain_up(i)
            ),
        )
        .unwrap();
    }
    run(&dir, &["hash"]);
    let ours = times(runs, || {
        fresh(admin, name);
        run(&dir, &["upgrade"]).0
    });
    let floor = times(runs, || {
        fresh(admin, name);
        let started = Instant::now();
        let mut c = client(&url);
        for i in 0..count {
            let mut tx = c.transaction().unwrap();
            tx.batch_execute(&chain_up(i)).unwrap();
            tx.commit().unwrap();
        }
        started.elapsed()
    });
    let theirs = alembic
        .then(|| alembic::chain_time(root, admin, count, runs))
        .flatten();
    drop_db(admin, name);
    vec![PgRow {
        name: format!("upgrade through {count} revisions"),
        ours,
        floor,
        floor_is: "the statements, a transaction each",
        alembic: theirs,
    }]
}

/// Runs a command in `dir`, insisting on success; its wall time.
fn timed(dir: &Path, program: &str, args: &[&str]) -> Duration {
    let started = Instant::now();
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{program} {args:?} failed in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}
