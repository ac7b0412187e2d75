//! `migrations/migrate.sum`, after Atlas's `atlas.sum`: one line per revision
//! file with its SHA-256, and a first line that hashes the whole list.
//!
//! Because `migrate revision` rewrites the first line, two branches that each
//! add a revision conflict in version control instead of deploying two heads;
//! and a file added, removed or edited by hand is caught before anything runs.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::files;
use crate::script::{self, hex};

pub const FILE_NAME: &str = "migrate.sum";

/// One way the directory and its sum disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    Added(String),
    Removed(String),
    Edited(String),
    /// The sum file was edited by hand (its total does not match its lines).
    Tampered,
    Missing,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Added(n) => write!(f, "{n}: added, not in {FILE_NAME}"),
            Stale::Removed(n) => write!(f, "{n}: in {FILE_NAME} but the file is gone"),
            Stale::Edited(n) => write!(f, "{n}: edited since {FILE_NAME} was written"),
            Stale::Tampered => write!(
                f,
                "{FILE_NAME}: its total does not match its lines (edited by hand?)"
            ),
            Stale::Missing => write!(f, "{FILE_NAME} is missing"),
        }
    }
}

/// The file's hash: its bytes with CRLF read as LF, so a Windows checkout
/// does not look like an edit.
fn file_hash(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    format!("h1:{}", hex(&Sha256::digest(text.as_bytes())))
}

fn lines_for(versions: &Path) -> Result<Vec<(String, String)>> {
    let mut lines = Vec::new();
    for path in script::revision_files(versions)? {
        let bytes = files::read_bytes(&path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        lines.push((name, file_hash(&bytes)));
    }
    Ok(lines)
}

fn total(lines: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (name, hash) in lines {
        h.update(format!("{name} {hash}\n").as_bytes());
    }
    format!("h1:{}", hex(&h.finalize()))
}

pub fn path(migrations_dir: &Path) -> PathBuf {
    migrations_dir.join(FILE_NAME)
}

/// Rewrites the sum from the files as they are now.
pub fn write(migrations_dir: &Path) -> Result<PathBuf> {
    let lines = lines_for(&migrations_dir.join("versions"))?;
    let mut text = format!("{}\n", total(&lines));
    for (name, hash) in &lines {
        text.push_str(&format!("{name} {hash}\n"));
    }
    let p = path(migrations_dir);
    std::fs::create_dir_all(migrations_dir).map_err(|e| Error::io(migrations_dir, e))?;
    files::write_atomic(&p, text.as_bytes())?;
    Ok(p)
}

/// The total on the sum's first line (it hashes every revision file's
/// hash), as recorded; `None` without a sum.
pub fn recorded_total(migrations_dir: &Path) -> Result<Option<String>> {
    let text = files::read_text_if_exists(&path(migrations_dir))?;
    Ok(text.map(|t| t.lines().next().unwrap_or("").trim().to_string()))
}

/// Every disagreement between the directory and its sum; empty when current.
pub fn validate(migrations_dir: &Path) -> Result<Vec<Stale>> {
    let actual = lines_for(&migrations_dir.join("versions"))?;
    let text = files::read_text_if_exists(&path(migrations_dir))?;
    Ok(compare(&actual, text.as_deref()))
}

/// [`validate`] for revisions held in memory (compiled into an application
/// by `embed_migrations!`): `(file name, text)` of each, and the sum's text.
pub fn validate_texts<'a>(
    revisions: impl IntoIterator<Item = (&'a str, &'a str)>,
    sum: Option<&str>,
) -> Vec<Stale> {
    let mut actual: Vec<(String, String)> = revisions
        .into_iter()
        .map(|(name, text)| (name.to_string(), file_hash(text.as_bytes())))
        .collect();
    // Sorted by name as the directory listing is: the total depends on the order.
    actual.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    compare(&actual, sum)
}

/// The revisions as they are (name and hash, sorted) against the sum's
/// text (`None`: there is no sum).
fn compare(actual: &[(String, String)], text: Option<&str>) -> Vec<Stale> {
    let Some(text) = text else {
        return if actual.is_empty() {
            vec![]
        } else {
            vec![Stale::Missing]
        };
    };
    let mut lines = text.lines();
    let recorded_total = lines.next().unwrap_or("").trim().to_string();
    let recorded: Vec<(String, String)> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.rsplit_once(' ') {
            Some((n, h)) => (n.to_string(), h.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect();
    let mut stale = Vec::new();
    if total(&recorded) != recorded_total {
        stale.push(Stale::Tampered);
    }
    // Maps, not scans: a directory of thousands of revisions is read on
    // every command.
    let recorded_by_name: HashMap<&str, &str> = recorded
        .iter()
        .map(|(n, h)| (n.as_str(), h.as_str()))
        .collect();
    for (name, hash) in actual {
        match recorded_by_name.get(name.as_str()) {
            None => stale.push(Stale::Added(name.clone())),
            Some(h) if h != hash => stale.push(Stale::Edited(name.clone())),
            Some(_) => {}
        }
    }
    let actual_names: HashSet<&str> = actual.iter().map(|(n, _)| n.as_str()).collect();
    for (name, _) in &recorded {
        if !actual_names.contains(name.as_str()) {
            stale.push(Stale::Removed(name.clone()));
        }
    }
    stale
}

/// Refuses, naming every file, when the sum is stale.
pub fn ensure_current(migrations_dir: &Path) -> Result<()> {
    refuse_stale(
        &path(migrations_dir).display().to_string(),
        &validate(migrations_dir)?,
    )
}

/// The refusal for a stale sum named `sum` (a path, or where an embedded
/// one came from); `Ok` when nothing is stale.
pub fn refuse_stale(sum: &str, stale: &[Stale]) -> Result<()> {
    if stale.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = stale.iter().map(|s| format!("  {s}")).collect();
    Err(Error::Refused(format!(
        "{sum} does not match the revision files:\n{}\nreview the changes, then run `migrate hash` to accept them",
        list.join("\n")
    )))
}
