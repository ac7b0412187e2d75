//! The tool's own files at the edge of the disk: every input (config, model,
//! revision files, `migrate.sum`, the template, a model command's output) is
//! read through [`read_text`] or [`read_bytes`], which refuse what is not a
//! regular file (a FIFO would block, `/dev/zero` never ends) and anything
//! larger than [`MAX_INPUT`]; every file the tool writes for the user goes
//! through [`write_atomic`], so a full disk never leaves a half-written file.
//! A database path that exists must be a regular file too
//! ([`ensure_regular_if_exists`]).

use std::io::{self, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// The largest input read: far above any real model or revision (a
/// 2,000-table model is about 1 MB), far below what hurts a machine.
pub(crate) const MAX_INPUT: u64 = 64 * 1024 * 1024;

fn refuse(path: &Path, kind: io::ErrorKind, message: String) -> Error {
    Error::io(path, io::Error::new(kind, message))
}

fn too_big(path: &Path) -> Error {
    refuse(
        path,
        io::ErrorKind::InvalidData,
        format!(
            "larger than {} MiB, which no model, revision or config file should be; check the path",
            MAX_INPUT >> 20
        ),
    )
}

fn not_regular(path: &Path, meta: &std::fs::Metadata) -> Error {
    refuse(
        path,
        io::ErrorKind::InvalidInput,
        format!(
            "not a regular file (it is a {}); point the setting at a file",
            if meta.is_dir() {
                "directory"
            } else {
                "device, pipe or socket"
            }
        ),
    )
}

/// Refuses a path that exists and is not a regular file (the database: SQLite
/// would block on a FIFO, and read `/dev/zero` as an empty database).
pub(crate) fn ensure_regular_if_exists(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(not_regular(path, &meta)),
        _ => Ok(()),
    }
}

/// The bytes of a regular file of at most [`MAX_INPUT`] bytes.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    if meta.len() > MAX_INPUT {
        return Err(too_big(path));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_limited(file, path)
}

/// Up to [`MAX_INPUT`] bytes from `reader`; more is an error naming `origin`.
pub(crate) fn read_limited(reader: impl Read, origin: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(origin, e))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(too_big(origin));
    }
    Ok(bytes)
}

/// A regular file as UTF-8 text (see [`read_bytes`]).
pub(crate) fn read_text(path: &Path) -> Result<String> {
    utf8(read_bytes(path)?, path)
}

/// [`read_text`], or `None` when the file does not exist.
pub(crate) fn read_text_if_exists(path: &Path) -> Result<Option<String>> {
    match read_text(path) {
        Ok(text) => Ok(Some(text)),
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) fn utf8(bytes: Vec<u8>, origin: &Path) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        refuse(
            origin,
            io::ErrorKind::InvalidData,
            "is not UTF-8 text".to_string(),
        )
    })
}

/// Writes `bytes` to `path` all or nothing: a temporary file in the same
/// directory, synced, then renamed over `path`. On a full disk the old file
/// (or no file) stays, never an empty or truncated one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".migrate-").suffix(".tmp");
    // A temporary file is private (0600); the file it becomes is made as
    // `std::fs::write` would make it (0666 less the umask), or keeps its mode.
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map_or_else(
            |_| std::fs::Permissions::from_mode(0o666),
            |m| m.permissions(),
        )
    };
    #[cfg(unix)]
    builder.permissions(mode);
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    // The rename itself is durable once the directory is synced; where a
    // directory cannot be opened for that (some platforms), the file is still whole.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A TOML input as `T`; a syntax or shape error names the file and line.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(" (line {})", 1 + text[..s.start].matches('\n').count()))
            .unwrap_or_default();
        Error::Config {
            path: path.to_path_buf(),
            message: format!("{}{line}", e.message()),
        }
    })
}

/// A path relative to the working directory when it is below it.
pub(crate) fn display_rel(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The first NUL byte in `text`, as a 1-based line. SQLite stops reading a
/// statement at NUL, so a NUL would silently cut a statement short; every SQL
/// text the tool reads is refused with it.
pub(crate) fn nul_line(text: &str) -> Option<usize> {
    let at = text.find('\0')?;
    Some(1 + text[..at].matches('\n').count())
}

#[cfg(test)]
mod nul_tests {
    use super::nul_line;

    #[test]
    fn a_nul_is_found_by_its_line() {
        assert_eq!(nul_line("a\nb\0c"), Some(2));
        assert_eq!(nul_line("abc"), None);
    }
}
