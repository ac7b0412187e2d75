//! Backups of a PostgreSQL database with `pg_dump` (custom format, the one
//! `pg_restore` reads): the command a user should run before a risky
//! revision, printed without the password, and the backup itself when
//! asked (`upgrade --backup`), kept per database in the backup folder,
//! newest N. The password reaches `pg_dump` through `PGPASSWORD` in its
//! environment, never its arguments (which any user can list).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::postgres::connect::{Settings, resolved};
use crate::url::PgUrl;

/// A backup's file name ends so.
const SUFFIX: &str = ".dump";

/// The folder of one database's backups, `<dir>/<dbname>-<hash>/`, the hash
/// of its host, port and name: two databases never share one.
fn folder(dir: &Path, s: &Settings) -> PathBuf {
    let digest = Sha256::digest(format!("{}:{}/{}", s.host, s.port, s.dbname).as_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let stem: String = s
        .dbname
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{stem}-{hash}"))
}

/// `text` as one shell word.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The `pg_dump` arguments that name the server and database (libpq reads
/// TLS settings from the environment: see [`environment`]).
fn server_args(s: &Settings) -> Vec<String> {
    vec![
        format!("--host={}", s.host),
        format!("--port={}", s.port),
        format!("--username={}", s.user),
        format!("--dbname={}", s.dbname),
    ]
}

/// What `pg_dump` needs beside its arguments; the password only when
/// `with_password`.
fn environment(s: &Settings, with_password: bool) -> Vec<(&'static str, String)> {
    let mut env = vec![("PGSSLMODE", s.sslmode.as_str().to_string())];
    if let Some(root) = &s.sslrootcert {
        env.push(("PGSSLROOTCERT", root.display().to_string()));
    }
    if with_password && let Some(p) = &s.password {
        env.push(("PGPASSWORD", p.clone()));
    }
    env
}

/// The command that backs the database up into `file`, as a user would type
/// it: no password (pg_dump reads `PGPASSWORD` or `~/.pgpass`, or asks).
pub(crate) fn command(url: &PgUrl, file: &Path) -> Result<String> {
    let s = resolved(url)?;
    let mut words: Vec<String> = environment(&s, false)
        .into_iter()
        .filter(|(k, v)| !(*k == "PGSSLMODE" && v == "prefer"))
        .map(|(k, v)| format!("{k}={}", shell_word(&v)))
        .collect();
    words.push("pg_dump".into());
    words.push("--format=custom".into());
    words.extend(server_args(&s).iter().map(|a| shell_word(a)));
    words.push(shell_word(&format!("--file={}", file.display())));
    Ok(words.join(" "))
}

/// Where a backup of `url` labelled `label` would go under `dir`.
pub(crate) fn path_for(url: &PgUrl, dir: &Path, label: &str) -> Result<PathBuf> {
    let s = resolved(url)?;
    let stamp = crate::script::utc_now().replace([':', '-'], "");
    let name = format!(
        "{}-{}-p{}-{label}{SUFFIX}",
        s.dbname
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_"),
        stamp.trim_end_matches('Z'),
        std::process::id()
    );
    Ok(folder(dir, &s).join(name))
}

/// Backs the database up with `pg_dump` into its folder under `dir`, checks
/// that `pg_restore` can read the file, and keeps the `keep` newest. The
/// file is written under a hidden `.partial` name and renamed once checked.
pub(crate) fn take(url: &PgUrl, dir: &Path, keep: usize, label: &str) -> Result<PathBuf> {
    let s = resolved(url)?;
    let path = path_for(url, dir, label)?;
    let folder = folder(dir, &s);
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = folder.join(format!(".{name}.partial"));
    let written = dump(&s, &partial).and_then(|()| readable(&partial));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written?;
    std::fs::rename(&partial, &path).map_err(|e| Error::io(&path, e))?;
    prune(&folder, keep)?;
    Ok(path)
}

/// Why a program is run, for its messages: what asked for it, and what to
/// do without it.
struct Purpose {
    asked: &'static str,
    instead: &'static str,
    failed: &'static str,
}

const BACKUP: Purpose = Purpose {
    asked: "a backup was asked for (--backup)",
    instead: "take the backup another way and run without --backup",
    failed: "no backup was taken",
};

const COPY: Purpose = Purpose {
    asked: "verify --data copies the PostgreSQL database with pg_dump and pg_restore",
    instead: "verify without --data (on an empty scratch database)",
    failed: "the scratch copy could not be made",
};

/// `program` started with `args` and `env`, or why it could not be.
fn spawn(
    program: &str,
    args: &[String],
    env: &[(&str, String)],
    purpose: &Purpose,
    stdin: Stdio,
    stdout: Stdio,
) -> Result<Child> {
    Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Usage(format!(
                "{}, but {program} is not on PATH: install PostgreSQL's client programs \
                 (Debian: postgresql-client, the server's major version or newer), or {}; \
                 nothing was changed",
                purpose.asked, purpose.instead
            )),
            _ => Error::Usage(format!(
                "{program} could not be started: {e}; nothing was changed"
            )),
        })
}

/// Waits for `child`; its stderr as the error.
fn finish(program: &str, child: Child, purpose: &Purpose) -> Result<()> {
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Usage(format!("{program} could not be waited for: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(Error::Refused(format!(
        "{program} failed ({}), so {} and nothing was changed: {}",
        out.status,
        purpose.failed,
        err.trim()
    )))
}

/// Runs `program` with `args` and `env` for a backup; its stderr as the error.
fn run(program: &str, args: &[String], env: &[(&str, String)]) -> Result<()> {
    let child = spawn(program, args, env, &BACKUP, Stdio::null(), Stdio::null())?;
    finish(program, child, &BACKUP)
}

/// Copies the database `live` names, schema and rows, into the empty
/// database `target` names: `pg_dump` piped into `pg_restore`, so the live
/// database is only read, in one snapshot, holding no lock that blocks
/// writes (unlike `CREATE DATABASE ... TEMPLATE`, which needs it idle).
pub(crate) fn copy_into(live: &PgUrl, target: &PgUrl) -> Result<()> {
    let (from, to) = (resolved(live)?, resolved(target)?);
    let mut dump_args = vec!["--format=custom".to_string()];
    dump_args.extend(server_args(&from));
    let env = environment(&from, true);
    let mut dump = spawn(
        "pg_dump",
        &dump_args,
        &env,
        &COPY,
        Stdio::null(),
        Stdio::piped(),
    )?;
    let piped = dump.stdout.take().map_or_else(Stdio::null, Stdio::from);
    let mut restore_args = vec![
        "--no-owner".to_string(),
        "--no-privileges".to_string(),
        "--exit-on-error".to_string(),
    ];
    restore_args.extend(server_args(&to));
    let env = environment(&to, true);
    let restored = spawn(
        "pg_restore",
        &restore_args,
        &env,
        &COPY,
        piped,
        Stdio::null(),
    )
    .and_then(|r| finish("pg_restore", r, &COPY));
    let dumped = finish("pg_dump", dump, &COPY);
    dumped.and(restored)
}

fn dump(s: &Settings, to: &Path) -> Result<()> {
    let mut args = vec!["--format=custom".to_string()];
    args.extend(server_args(s));
    args.push(format!("--file={}", to.display()));
    run("pg_dump", &args, &environment(s, true))
}

/// `pg_restore --list` reads the archive's table of contents: a truncated
/// or foreign file fails it.
fn readable(file: &Path) -> Result<()> {
    run(
        "pg_restore",
        &["--list".into(), file.display().to_string()],
        &[],
    )
}

/// Deletes all but the `keep` newest finished backups in `folder`.
fn prune(folder: &Path, keep: usize) -> Result<()> {
    let mut backups: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| Error::io(folder, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            !name.starts_with('.') && name.ends_with(SUFFIX)
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep);
    for old in &backups[..excess] {
        match std::fs::remove_file(old) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(old, e)),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_word_is_quoted_only_when_it_must_be() {
        assert_eq!(shell_word("--port=5432"), "--port=5432");
        assert_eq!(shell_word("it's here"), r"'it'\''s here'");
    }
}
