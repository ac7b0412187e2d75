//! `migrations/migrate.sum`, after Atlas's `atlas.sum`: one line per revision
//! file with its SHA-256, and a first line that hashes the whole list.
//!
//! Because `migrate revision` rewrites the first line, two branches that each
//! add a revision conflict in version control instead of deploying two heads;
//! and a file added, removed or edited by hand is caught before anything runs.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::files;
use crate::script;

// The algorithm itself is the `migrate-sum` crate's, shared with the
// `embed_migrations!` macro that checks the sum at compile time.
pub(crate) use migrate_sum::{FILE_NAME, Stale};

fn lines_for(versions: &Path) -> Result<Vec<(String, String)>> {
    let mut lines = Vec::new();
    for path in script::revision_files(versions)? {
        let bytes = files::read_bytes(&path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        lines.push((name, migrate_sum::file_hash(&bytes)));
    }
    Ok(lines)
}

pub(crate) fn path(migrations_dir: &Path) -> PathBuf {
    migrations_dir.join(FILE_NAME)
}

/// Rewrites the sum from the files as they are now.
pub fn write(migrations_dir: &Path) -> Result<PathBuf> {
    let lines = lines_for(&migrations_dir.join("versions"))?;
    let text = migrate_sum::render(&lines);
    let p = path(migrations_dir);
    std::fs::create_dir_all(migrations_dir).map_err(|e| Error::io(migrations_dir, e))?;
    files::write_atomic(&p, text.as_bytes())?;
    Ok(p)
}

/// The total on the sum's first line (it hashes every revision file's
/// hash), as recorded; `None` without a sum.
pub(crate) fn recorded_total(migrations_dir: &Path) -> Result<Option<String>> {
    let text = files::read_text_if_exists(&path(migrations_dir))?;
    Ok(text.map(|t| t.lines().next().unwrap_or("").trim().to_string()))
}

/// Every disagreement between the directory and its sum; empty when current.
pub(crate) fn validate(migrations_dir: &Path) -> Result<Vec<Stale>> {
    let actual = lines_for(&migrations_dir.join("versions"))?;
    let text = files::read_text_if_exists(&path(migrations_dir))?;
    Ok(migrate_sum::stale(&actual, text.as_deref()))
}

/// [`validate`] for revisions held in memory (compiled into an application
/// by `embed_migrations!`): `(file name, text)` of each, and the sum's text.
pub(crate) fn validate_texts<'a>(
    revisions: impl IntoIterator<Item = (&'a str, &'a str)>,
    sum: Option<&str>,
) -> Vec<Stale> {
    let mut actual: Vec<(String, String)> = revisions
        .into_iter()
        .map(|(name, text)| (name.to_string(), migrate_sum::file_hash(text.as_bytes())))
        .collect();
    // Sorted by name as the directory listing is: the total depends on the order.
    actual.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    migrate_sum::stale(&actual, sum)
}

/// Refuses, naming every file, when the sum is stale.
pub(crate) fn ensure_current(migrations_dir: &Path) -> Result<()> {
    refuse_stale(
        &path(migrations_dir).display().to_string(),
        &validate(migrations_dir)?,
    )
}

/// The refusal for a stale sum named `sum` (a path, or where an embedded
/// one came from); `Ok` when nothing is stale.
pub(crate) fn refuse_stale(sum: &str, stale: &[Stale]) -> Result<()> {
    if stale.is_empty() {
        return Ok(());
    }
    Err(Error::Refused(migrate_sum::stale_message(sum, stale)))
}
