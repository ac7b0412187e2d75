//! The library's entry point, [`Migrator`]: an application migrates its own
//! database at start-up with the command-line tool's guarantees, because it
//! runs the same code (`commands::run_migration` for upgrade and downgrade,
//! `autogen::check_outcome` for check). Nothing is printed: every call
//! returns what it found ([`Report`], [`CheckReport`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::apply::{Direction as Dir, Plan};
use crate::commands::{self, Backup};
use crate::config::Config;
use crate::embedded::EmbeddedMigrations;
use crate::error::{Error, Result};
use crate::graph::Target;
#[cfg(feature = "postgres")]
use crate::postgres::driver::Postgres;
use crate::sqlite::driver::Sqlite;

mod report;

pub use report::{CheckReport, Differences, Direction, Model, Report, RevisionInfo};

/// Moves one database along a set of revisions: the migrations directory
/// of a project made with the `migrate` command-line tool, or the same
/// files compiled into the application.
///
/// Every run is the command-line tool's `upgrade`/`downgrade`: the
/// revisions are checked against `migrate.sum` and the database's recorded
/// checksums first; the engine's lock keeps other migrators (another
/// instance of the application starting at the same time) out, so no
/// revision runs twice; each revision runs in its own transaction with its
/// version row; the data checks refuse a revision that would not keep the
/// rows that are there, before anything runs; a revision that breaks
/// foreign-key references is rolled back; on SQLite a backup is taken
/// before a revision that drops data.
///
/// ```
/// # fn main() -> migrate::Result<()> {
/// # let tmp = tempfile::tempdir().unwrap();
/// # std::env::set_current_dir(tmp.path()).unwrap();
/// # std::fs::create_dir_all("migrations/versions").unwrap();
/// # std::fs::write("migrations/versions/a1_create_artist.sql",
/// #     "-- revision: a1\n-- down_revision:\n-- message: create artist\n\n-- migrate:up\n\
/// #      CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n\
/// #      -- migrate:down\nDROP TABLE artist;\n").unwrap();
/// # migrate::Migrator::write_sum("migrations")?;
/// let mut migrator = migrate::Migrator::from_dir("migrations")?.database("sqlite:///app.db")?;
/// let report = migrator.upgrade("head")?;
/// assert_eq!(report.current, ["a1"]);
/// assert!(migrator.pending()?.is_empty());
/// # Ok(())
/// # }
/// ```
pub struct Migrator {
    config: Config,
    backups: bool,
    /// `backups(dir, ..)` was called: the database no longer moves them.
    backup_dir_set: bool,
    own: Own,
}

/// The application's own connection, when it gave one.
enum Own {
    None,
    /// Taken out for a run and put back after it.
    Sqlite(Option<rusqlite::Connection>),
    /// Lent to each run.
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::Client),
}

impl Migrator {
    /// A migrator for the migrations directory `dir` (`dir/versions/*.sql`
    /// and `dir/migrate.sum`, as `migrate init` made it). The revisions are
    /// read, and checked against `migrate.sum`, here and again before
    /// every run: a stale sum is refused as the command-line tool refuses it.
    ///
    /// # Errors
    /// [`Error::Refused`] when `migrate.sum` does not match the files;
    /// [`Error::Script`] for a revision file that cannot be read.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrator> {
        Migrator::with(Config::for_library(dir.as_ref().to_path_buf(), None)?)
    }

    /// A migrator for revisions compiled into the application (what the
    /// `embed_migrations!` macro builds). Their `migrate.sum` is checked
    /// against their texts here, as a directory's is.
    ///
    /// # Errors
    /// As [`Migrator::from_dir`].
    ///
    /// ```
    /// use migrate::EmbeddedMigrations;
    /// static NONE: EmbeddedMigrations = EmbeddedMigrations { revisions: &[], sum: "" };
    /// let migrator = migrate::Migrator::embedded(&NONE).unwrap();
    /// ```
    pub fn embedded(migrations: &'static EmbeddedMigrations) -> Result<Migrator> {
        Migrator::with(Config::for_library(PathBuf::from("."), Some(migrations))?)
    }

    fn with(config: Config) -> Result<Migrator> {
        config.ensure_sum_current()?;
        crate::graph::Graph::new(config.read_revisions()?)?;
        Ok(Migrator {
            config,
            backups: true,
            backup_dir_set: false,
            own: Own::None,
        })
    }

    /// Writes `dir/migrate.sum` from the revision files as they are now
    /// (what `migrate hash` does), after checking they read as a graph.
    pub fn write_sum(dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let config = Config::for_library(dir.to_path_buf(), None)?;
        crate::graph::Graph::new(config.read_revisions()?)?;
        crate::sum::write(dir)
    }

    /// The database, as any URL the command-line tool takes:
    /// `sqlite:///app.db` (relative to the working directory),
    /// `sqlite:////var/lib/app.db`, `sqlite:app.db`, a plain path, or
    /// `postgresql://user@host/dbname`. The connection is opened for each
    /// run, not here.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that cannot be read.
    pub fn database(mut self, url: &str) -> Result<Migrator> {
        self.config.set_database_url(url)?;
        self.backups_beside_the_database();
        // A lent client stays for the same engine's URL (`postgres_client` needs both).
        if !(self.lends_postgres() && self.config.postgres.is_some()) {
            self.own = Own::None;
        }
        Ok(self)
    }

    /// The application's own SQLite connection to a database file: the
    /// revisions run on it, under its `BEGIN IMMEDIATE` (the lock that
    /// keeps every other connection, and so every other migrator, waiting),
    /// one transaction each. The data checks and the backup read the same
    /// file through connections of their own while that lock is held. The
    /// migrator owns the connection until [`Migrator::into_sqlite_connection`]
    /// gives it back: a run needs it whole (its foreign-key setting, its
    /// transactions), and owning it leaves no borrow to thread through the
    /// application. Its busy timeout is set to the lock wait.
    ///
    /// # Errors
    /// [`Error::Usage`] for an in-memory database (there is no file to
    /// check or back up) or a connection inside a transaction.
    pub fn sqlite_connection(mut self, conn: rusqlite::Connection) -> Result<Migrator> {
        let path = crate::sqlite::driver::own_connection_path(&conn)?;
        self.config
            .set_database_url(&format!("sqlite:{}", path.display()))?;
        self.backups_beside_the_database();
        self.own = Own::Sqlite(Some(conn));
        Ok(self)
    }

    /// Embedded revisions have no project directory to keep backups beside:
    /// they go beside the SQLite file (never into the working directory).
    fn backups_beside_the_database(&mut self) {
        if self.config.embedded.is_none() || self.backup_dir_set {
            return;
        }
        if let Some(db) = &self.config.database {
            let dir = db.parent().unwrap_or(Path::new("."));
            self.config.backup_dir = dir.join("backups");
        }
    }

    /// The application's SQLite connection back (`None` when it gave none).
    pub fn into_sqlite_connection(self) -> Option<rusqlite::Connection> {
        match self.own {
            Own::Sqlite(conn) => conn,
            _ => None,
        }
    }

    #[cfg(feature = "postgres")]
    /// The application's own PostgreSQL client (of the `postgres` crate,
    /// 0.19), to the database [`Migrator::database`] named first: the
    /// revisions, the advisory lock and the version rows go through it, so
    /// the lock is held by the application's session during each run and
    /// released after it. What only reads (the version table before a run,
    /// the data checks' counts, `check`) opens short connections of its own
    /// from that URL. [`Migrator::into_postgres_client`] gives it back.
    ///
    /// # Errors
    /// [`Error::Usage`] when no PostgreSQL URL was given before.
    pub fn postgres_client(mut self, client: crate::postgres::Client) -> Result<Migrator> {
        if self.config.postgres.is_none() {
            return Err(Error::Usage(
                "Migrator::postgres_client: name the same database with \
                 .database(\"postgresql://...\") first (what only reads connects with it)"
                    .into(),
            ));
        }
        self.own = Own::Postgres(client);
        Ok(self)
    }

    /// Whether the application lent its PostgreSQL client.
    fn lends_postgres(&self) -> bool {
        #[cfg(feature = "postgres")]
        return matches!(self.own, Own::Postgres(_));
        #[cfg(not(feature = "postgres"))]
        false
    }

    #[cfg(feature = "postgres")]
    /// The application's PostgreSQL client back (`None` when it gave none).
    pub fn into_postgres_client(self) -> Option<crate::postgres::Client> {
        match self.own {
            Own::Postgres(client) => Some(client),
            _ => None,
        }
    }

    /// The table that records the applied revisions (default `migrate_version`).
    pub fn version_table(mut self, name: &str) -> Result<Migrator> {
        self.config.set_version_table(name)?;
        Ok(self)
    }

    /// Where SQLite backups go and how many are kept (default: `backups/`
    /// beside the migrations directory, or for embedded revisions beside
    /// the database file; 5 kept).
    pub fn backups(mut self, dir: impl AsRef<Path>, keep: usize) -> Result<Migrator> {
        self.config.set_backups(dir.as_ref(), keep)?;
        self.backups = true;
        self.backup_dir_set = true;
        Ok(self)
    }

    /// The PostgreSQL schemas the migrations manage, in `search_path`
    /// order (the command-line tool's `[database] schemas`; default
    /// `["public"]`): unqualified names and the version table go into the
    /// first, which must exist. Every session of a run has them as its
    /// `search_path`, a client lent with [`Migrator::postgres_client`] too,
    /// for the run only: its own `search_path` is put back after it, when
    /// a revision failed as well. (With the default list a lent client's
    /// own `SET search_path` is undone for the run, as the connections
    /// migrate opens itself do not have it.) Call after
    /// [`Migrator::database`].
    ///
    /// # Errors
    /// [`Error::Usage`] before a PostgreSQL URL, or for a list the
    /// command-line tool refuses (empty, a name twice, a bad name).
    pub fn schemas<S: AsRef<str>>(mut self, schemas: &[S]) -> Result<Migrator> {
        let list = schemas.iter().map(|s| s.as_ref().to_string()).collect();
        self.config.set_schemas(list)?;
        Ok(self)
    }

    /// Takes no backup before a revision that drops data (`--no-backup`).
    pub fn no_backups(mut self) -> Migrator {
        self.backups = false;
        self
    }

    /// How long to wait for another migrator's lock (default 60 s). One
    /// value for the process: the last run's setting holds for all.
    pub fn lock_wait(mut self, wait: Duration) -> Migrator {
        self.config.lock_wait = wait;
        self
    }

    /// Applies revisions up to `target`: `head` (the single head), `heads`,
    /// a revision id or a unique prefix of one, `+N`, or `BRANCH@head`.
    ///
    /// # Errors
    /// Whatever `migrate upgrade` refuses: a stale sum, an applied revision
    /// edited since, data a step would not keep, a failing statement (its
    /// revision rolled back; those before it stay applied), a lock held
    /// longer than the lock wait.
    pub fn upgrade(&mut self, target: &str) -> Result<Report> {
        self.run(Dir::Up, target)
    }

    /// Reverts revisions down to `target`: a revision id, `-N`, or `base`.
    ///
    /// # Errors
    /// As [`Migrator::upgrade`].
    pub fn downgrade(&mut self, target: &str) -> Result<Report> {
        self.run(Dir::Down, target)
    }

    fn run(&mut self, direction: Dir, target: &str) -> Result<Report> {
        self.config.target()?;
        crate::lock_wait::set(self.config.lock_wait);
        crate::output::take_notes();
        let backup = if self.backups {
            Backup::Default
        } else {
            Backup::Skip
        };
        let (config, vt) = (&self.config, self.config.version_table.as_str());
        let outcome = match &mut self.own {
            Own::None => commands::run_migration(config, direction, target, backup, None),
            Own::Sqlite(slot) => {
                let conn = slot.take().ok_or_else(lost_connection)?;
                let mut driver = match Sqlite::on_connection(conn, vt) {
                    Ok(d) => d,
                    Err(failed) => {
                        let (e, conn) = *failed;
                        *slot = Some(conn);
                        return Err(e);
                    }
                };
                let outcome =
                    commands::run_migration(config, direction, target, backup, Some(&mut driver));
                *slot = Some(driver.into_connection());
                outcome
            }
            #[cfg(feature = "postgres")]
            Own::Postgres(client) => {
                let url = config.postgres.as_ref().ok_or_else(lost_connection)?;
                let mut driver = Postgres::on_client(
                    client,
                    url,
                    vt,
                    config.lock_timeout,
                    config.capabilities,
                    &config.schemas,
                )?;
                commands::run_migration(config, direction, target, backup, Some(&mut driver))
            }
        };
        let notes = crate::output::take_notes();
        let outcome = outcome?;
        Ok(Report {
            direction: match direction {
                Dir::Up => Direction::Up,
                Dir::Down => Direction::Down,
            },
            steps: outcome
                .steps
                .into_iter()
                .map(|s| RevisionInfo {
                    id: s.revision,
                    parents: s.parents,
                    message: s.message,
                })
                .collect(),
            current: outcome.current,
            backup: outcome.backup,
            notes,
        })
    }

    /// The revisions the database is at (the applied ones no other applied
    /// one builds on), from its version table, as `migrate current` shows
    /// them (the same function): an id that `squash --prune` removed counts
    /// as its squash. Empty means `base`.
    pub fn current(&mut self) -> Result<Vec<RevisionInfo>> {
        let rows = self
            .config
            .target()?
            .read_applied(&self.config.version_table)?;
        let (position, _) = crate::views::position(&self.config, &rows, false)?;
        Ok(position
            .current
            .into_iter()
            .map(|a| RevisionInfo {
                id: a.revision,
                parents: a.parents,
                message: a.message,
            })
            .collect())
    }

    /// What `upgrade("heads")` would run, in order (after the same checks
    /// of the sum and of the applied revisions).
    pub fn pending(&mut self) -> Result<Vec<RevisionInfo>> {
        let st = commands::state(&self.config)?;
        let heads = Target::Revisions(st.graph.heads().iter().map(|r| r.id.clone()).collect());
        Ok(Plan::upgrade(&st.graph, &heads)
            .steps(&st.graph, &st.applied)
            .into_iter()
            .map(|(rev, _)| RevisionInfo::from(rev))
            .collect())
    }

    /// `migrate check`: whether the migrations build `model`, and whether
    /// the database (when there is one) matches the revision it records.
    /// Differences are findings, not errors: see [`CheckReport::ok`].
    ///
    /// # Errors
    /// A stale sum, a model or revision that cannot be read.
    pub fn check(&mut self, model: Model) -> Result<CheckReport> {
        let mut config = self.config.clone();
        config.model = Some(model.0);
        let outcome = crate::autogen::check_outcome(&config, false)?;
        Ok(CheckReport {
            migrations_vs_model: outcome.model.into(),
            database_drift: outcome.drift.transpose()?.map(Into::into),
            heads: outcome.heads,
            unlabelled_heads: outcome.unlabelled_heads,
        })
    }
}

fn lost_connection() -> Error {
    Error::Refused(
        "the SQLite connection was lost by an earlier run that panicked; make a new Migrator"
            .into(),
    )
}
