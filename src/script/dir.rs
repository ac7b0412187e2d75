//! The versions directory: which files are revisions, their ids from the
//! file names alone, and every revision read and parsed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Revision, parse};
use crate::error::{Error, Result};
use crate::statement::Splitter;

/// Reads every `*.sql` file of the versions directory, sorted by file name.
/// A missing directory has no revisions; any other file is an error.
pub(crate) fn read_dir(dir: &Path, dialect: &dyn Splitter) -> Result<Vec<Revision>> {
    let mut revisions = Vec::new();
    for path in revision_files(dir)? {
        let text = crate::files::read_text(&path)?;
        revisions.push(parse(&path, &text, dialect)?);
    }
    Ok(revisions)
}

/// The revision ids in `dir`, from the file names alone (`<id>_<slug>.sql`).
pub(crate) fn revision_ids(dir: &Path) -> Result<HashSet<String>> {
    Ok(revision_files(dir)?
        .iter()
        .map(|p| id_of_file(p).to_string())
        .filter(|id| !id.is_empty())
        .collect())
}

/// The revision id a file name claims (`<id>_<slug>.sql`), without reading it.
pub(crate) fn id_of_file(path: &Path) -> &str {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    stem.split_once('_').map_or(stem, |(id, _)| id)
}

/// The revision files of `dir`, sorted; refuses files that are not revisions.
pub(crate) fn revision_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        // The directory listing's own file type: no stat per file.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || is_dir {
            continue;
        }
        if !name.ends_with(".sql") {
            return Err(Error::Script {
                path,
                line: None,
                message: "not a revision file (versions/ holds only <rev>_<slug>.sql files); move it elsewhere".into(),
            });
        }
        files.push((name, path));
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(files.into_iter().map(|(_, path)| path).collect())
}
