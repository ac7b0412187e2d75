//! The music catalogue as a small service: it migrates its own SQLite
//! database at start-up from revisions compiled into the binary (the
//! example project's `migrations-example/migrations`, through
//! `migrate::embed_migrations!`), loads the story's seed rows into an empty
//! catalogue, and serves them as JSON (`GET /artists`,
//! `GET /artists/ID/tracks`).
//!
//! ```text
//! cargo run --example catalogue -- catalogue.db 127.0.0.1:8080
//! curl http://127.0.0.1:8080/artists
//! ```
//!
//! Start several at once on one file: one applies the revisions, the others
//! wait for its lock and then find nothing left to apply.

mod http;

use std::process::ExitCode;

// The library's own rusqlite: a binary links one SQLite (`links =
// "sqlite3"`), so the application opens its connection with the same crate.
use migrate::rusqlite::{self, Connection};

/// The example project's revisions and `migrate.sum`, checked when this
/// example was compiled (a stale sum would not have compiled).
static MIGRATIONS: migrate::EmbeddedMigrations =
    migrate::embed_migrations!("migrations-example/migrations");

/// The story's 3 artists and 15 tracks.
const SEED: &str = include_str!("../../migrations-example/seed.sql");

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(db), listen) = (args.next(), args.next()) else {
        eprintln!("usage: catalogue DATABASE_FILE [LISTEN_ADDRESS (default 127.0.0.1:8080)]");
        return ExitCode::from(2);
    };
    let listen = listen.unwrap_or_else(|| "127.0.0.1:8080".into());
    match start(&db, &listen) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("catalogue: {e}");
            ExitCode::FAILURE
        }
    }
}

fn start(db: &str, listen: &str) -> Result<(), Box<dyn std::error::Error>> {
    let conn = migrate_at_start_up(Connection::open(db)?)?;
    seed_if_empty(&conn)?;
    let listener = std::net::TcpListener::bind(listen)?;
    // The address actually bound (port 0 picks a free one): the tests read it.
    println!("listening on http://{}", listener.local_addr()?);
    http::serve(&listener, &conn)
}

/// Brings the database to the head revision on the application's own
/// connection and hands the connection back. Another instance migrating at
/// the same moment holds the lock; this one waits, then finds the revisions
/// applied and runs none of them again.
fn migrate_at_start_up(conn: Connection) -> migrate::Result<Connection> {
    let mut migrator = migrate::Migrator::embedded(&MIGRATIONS)?
        .sqlite_connection(conn)?
        // The example's revisions drop nothing; a real service would keep
        // the backups (beside its database, with `.backups(dir, keep)`).
        .no_backups();
    let report = migrator.upgrade("head")?;
    let applied: Vec<&str> = report.steps.iter().map(|r| r.id.as_str()).collect();
    println!(
        "migrated: applied {} revision(s) [{}], at {}",
        applied.len(),
        applied.join(" "),
        report.current.join(",")
    );
    Ok(migrator
        .into_sqlite_connection()
        .expect("the migrator holds the connection it was given"))
}

/// Loads the seed rows into an empty catalogue. `BEGIN IMMEDIATE` takes the
/// write lock before the count, so of two instances starting together only
/// the first seeds.
fn seed_if_empty(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let artists: i64 = conn.query_row("SELECT count(*) FROM artist", [], |r| r.get(0))?;
    let done = if artists == 0 {
        conn.execute_batch(SEED)
    } else {
        Ok(())
    };
    match done {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            Err(e)
        }
    }
}
