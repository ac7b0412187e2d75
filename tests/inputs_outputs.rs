//! What the tool reads and writes at its edges: a closed stdout, numbers from
//! the environment, input files that are endless or not files, atomic
//! revision files, a missing migrations directory, the tool's own tables.

mod common;

use common::{MUSIC_MODEL, Project};

/// A project at head with two revisions, a row of data and the music model.
fn music() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC_MODEL);
    p.autogenerate("catalogue", "r1");
    p.ok(&["revision", "-m", "by hand", "--rev-id", "r2"]);
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p
}

/// Runs migrate with stdout connected to a pipe whose reader is already gone.
fn run_with_closed_stdout(p: &Project, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    p.plain_command()
        .args(args)
        .stdout(writer)
        .output()
        .expect("run migrate")
}

#[test]
fn a_closed_stdout_is_a_normal_end_for_every_command() {
    let p = music();
    let commands: &[&[&str]] = &[
        &["history"],
        &["history", "--verbose"],
        &["heads"],
        &["branches"],
        &["current"],
        &["show", "r1"],
        &["check"],
        &["check", "--format", "json"],
        &["inspect"],
        &["inspect", "--format", "toml"],
        &["upgrade", "head", "--sql"],
        &["downgrade", "r1", "--sql"],
        &["lint"],
        &["verify"],
        &["restore"],
        &["upgrade"],
        &["completions", "bash"],
        &["hash"],
        &["--help"],
        &["--version"],
    ];
    for args in commands {
        let out = run_with_closed_stdout(&p, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
    // The data is where it was.
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

/// Runs migrate under limits, so that a regression cannot take the machine
/// with it: at most 1 GiB of address space, killed after 120 s (a hang
/// guard, not a timing assertion), and optionally files of at most
/// `max_file` bytes (with SIGXFSZ ignored, a write past it fails with EFBIG,
/// as on a full disk).
fn run_bounded(p: &Project, args: &[&str], max_file: Option<u64>) -> (Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let mut cmd = p.plain_command();
    cmd.args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = |resource, bytes: u64| {
                let l = libc::rlimit {
                    rlim_cur: bytes as libc::rlim_t,
                    rlim_max: bytes as libc::rlim_t,
                };
                libc::setrlimit(resource, &l);
            };
            limit(libc::RLIMIT_AS, 1 << 30);
            if let Some(bytes) = max_file {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                limit(libc::RLIMIT_FSIZE, bytes);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn migrate");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut err = String::new();
    use std::io::Read;
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    let Some(status) = status else {
        panic!("migrate {args:?} hung (killed after 120 s): {err}");
    };
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    (status.code(), err)
}

fn mkfifo(p: &Project, rel: &str) {
    let path = p.path(rel);
    let ok = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo");
    assert!(ok.success());
}

#[test]
fn inputs_that_are_not_regular_files_or_are_huge_are_refused() {
    let p = music();
    let db = p.bytes("app.db");
    mkfifo(&p, "fifo.toml");
    mkfifo(&p, "fifo-config.toml");
    // A sparse file: 65 MiB long, nothing on disk.
    let huge = std::fs::File::create(p.path("huge.toml")).unwrap();
    huge.set_len(65 << 20).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--model", "/dev/zero", "check"], "not a regular file"),
        (&["--model", "fifo.toml", "check"], "not a regular file"),
        (&["--model", "migrations", "check"], "directory"),
        (&["--model", "huge.toml", "check"], "larger than 64 MiB"),
        (&["-c", "fifo-config.toml", "current"], "not a regular file"),
        (&["-c", "/dev/zero", "current"], "not a regular file"),
        (
            &["--database", "fifo.toml", "current"],
            "not a regular file",
        ),
        (
            &["--database", "/dev/zero", "upgrade"],
            "not a regular file",
        ),
        (&["--database", "migrations", "inspect"], "directory"),
    ];
    for (args, says) in cases {
        let (code, err) = run_bounded(&p, args, None);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} should say {says:?}: {err}");
    }
    // A revision file that is a FIFO, and a model command that never ends.
    mkfifo(&p, "migrations/versions/r9_fifo.sql");
    let (code, err) = run_bounded(&p, &["history"], None);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("r9_fifo.sql") && err.contains("not a regular file"),
        "{err}"
    );
    std::fs::remove_file(p.path("migrations/versions/r9_fifo.sql")).unwrap();
    p.write(
        "endless.toml",
        "[database]\nurl = \"sqlite:app.db\"\n[model]\ncommand = \"yes 'CREATE TABLE IF NOT EXISTS t (a);'\"\n",
    );
    let (code, err) = run_bounded(&p, &["-c", "endless.toml", "check"], None);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("model command") && err.contains("larger than"),
        "{err}"
    );
    assert_eq!(db, p.bytes("app.db"));
}

#[test]
fn a_revision_on_a_full_disk_leaves_no_file_behind() {
    let p = music();
    let sum = p.bytes("migrations/migrate.sum");
    let files_before = std::fs::read_dir(p.path("migrations/versions"))
        .unwrap()
        .count();
    let message = "a message long enough that the revision file passes the size limit ".repeat(8);
    let (code, err) = run_bounded(
        &p,
        &["revision", "-m", &message, "--rev-id", "r3"],
        Some(300),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("File too large") || err.contains("too large"),
        "{err}"
    );
    // No revision file, no temporary file, the sum as it was: every command still works.
    assert_eq!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .count(),
        files_before
    );
    assert_eq!(
        std::fs::read_dir(p.path("migrations"))
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp"))
            .count(),
        0
    );
    assert_eq!(sum, p.bytes("migrations/migrate.sum"));
    p.ok(&["history"]);
    p.ok(&["check"]);
    p.ok(&["revision", "-m", "after", "--rev-id", "r3"]);
    p.ok(&["upgrade"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn numbers_from_the_environment_and_the_config_are_checked() {
    let p = music();
    // A pending revision, so that upgrade opens the database for writing.
    p.ok(&["revision", "-m", "pending", "--rev-id", "r3"]);
    let db = p.bytes("app.db");
    for value in ["1e300", "-1", "86401", "NaN", "soon"] {
        let out = p
            .migrate()
            .env("MIGRATE_LOCK_TIMEOUT", value)
            .args(["upgrade"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{value}: {err}");
        assert!(
            err.contains("MIGRATE_LOCK_TIMEOUT") && err.contains("seconds"),
            "{value}: {err}"
        );
    }
    assert_eq!(db, p.bytes("app.db"));
    p.migrate()
        .env("MIGRATE_LOCK_TIMEOUT", "0.5")
        .args(["upgrade"])
        .assert()
        .success();
    assert_eq!(p.applied(), vec!["r1", "r2", "r3"]);
    for keep in ["0", "100000"] {
        p.write(
            "keep.toml",
            &format!("[database]\nurl = \"sqlite:app.db\"\n[backup]\nkeep = {keep}\n"),
        );
        let err = p.fails(&["-c", "keep.toml", "current"]);
        assert!(err.contains("keep"), "{err}");
    }
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn the_tools_own_tables_are_one_list_matched_exactly() {
    let p = Project::new();
    p.write(
        "migrate.toml",
        "[database]\nurl = \"sqlite:app.db\"\n[migrations]\nversion_table = \"a\"\n[model]\npath = \"models.toml\"\n",
    );
    // `artist` and `a_logbook` start with the version table's name; neither is the tool's.
    p.write(
        "models.toml",
        &format!(
            "{MUSIC_MODEL}\n[[table]]\nname = \"a_logbook\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\", primary_key = true }} ]\n"
        ),
    );
    p.autogenerate("catalogue", "r1");
    p.ok(&["upgrade"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p.ok(&["check"]);
    let inspected = p.ok(&["inspect"]);
    assert!(
        inspected.contains("CREATE TABLE artist") && inspected.contains("a_logbook"),
        "{inspected}"
    );
    assert!(
        !inspected.contains("CREATE TABLE a ") && !inspected.contains("a_log "),
        "{inspected}"
    );
    // A change to `artist` made by hand is drift, not the tool's business.
    p.sql("app.db", "ALTER TABLE artist ADD COLUMN born INT;");
    let (code, out, _) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("born"), "{out}");
    p.sql("app.db", "ALTER TABLE artist DROP COLUMN born;");
    // A model table with one of the tool's names is refused, naming it.
    for own in ["a", "A_LOG"] {
        p.write(
            "models.toml",
            &format!(
                "{MUSIC_MODEL}\n[[table]]\nname = \"{own}\"\ncolumns = [ {{ name = \"id\", type = \"INTEGER\" }} ]\n"
            ),
        );
        let err = p.fails(&["check"]);
        assert!(
            err.contains(&format!("{own:?}")) && err.contains("version_table"),
            "{err}"
        );
        p.fails(&["revision", "--autogenerate", "-m", "x"]);
    }
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn a_missing_migrations_directory_is_named_with_the_setting_that_points_there() {
    let p = music();
    let db = p.bytes("app.db");
    for args in [
        &["--dir", "migratons", "upgrade"][..],
        &["--dir", "migratons", "downgrade", "-1"],
        &["--dir", "migratons", "current"],
        &["--dir", "migratons", "check"],
        &[
            "--dir",
            "migratons",
            "revision",
            "--autogenerate",
            "-m",
            "x",
        ],
    ] {
        let err = p.fails(args);
        assert!(
            err.contains("migratons") && err.contains("does not exist") && err.contains("--dir"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("not in the versions directory"), "{err}");
    }
    p.write(
        "typo.toml",
        "[database]\nurl = \"sqlite:app.db\"\n[migrations]\ndir = \"migratons\"\n",
    );
    let err = p.fails(&["-c", "typo.toml", "upgrade"]);
    assert!(
        err.contains("migratons") && err.contains("[migrations] dir in typo.toml"),
        "{err}"
    );
    assert!(!p.path("migratons").exists());
    assert_eq!(db, p.bytes("app.db"));
}

#[test]
fn closed_stdout_and_stderr_do_not_stop_an_upgrade_halfway() {
    let p = music();
    p.revision(
        "r3",
        &["r2"],
        "CREATE TABLE tmp (x INT);",
        "DROP TABLE tmp;",
    );
    // Destructive: a backup is taken and announced on stderr.
    p.revision(
        "r4",
        &["r3"],
        "DROP TABLE tmp;",
        "CREATE TABLE tmp (x INT);",
    );
    p.ok(&["hash"]);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = p
        .plain_command()
        .arg("upgrade")
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(out.code(), Some(0));
    assert_eq!(p.applied(), vec!["r1", "r2", "r3", "r4"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}
