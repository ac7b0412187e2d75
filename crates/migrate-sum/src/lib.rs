//! The `migrate.sum` algorithm, after Atlas's `atlas.sum`: one line per
//! revision file with its SHA-256, and a first line that hashes the whole
//! list. It works on names and bytes, never on a directory, so the library
//! (which reads `migrations/`) and the `embed_migrations!` macro (which reads
//! it at compile time) compute the same sum and report the same staleness.

use std::collections::{HashMap, HashSet};
use std::fmt;

use sha2::{Digest, Sha256};

/// The sum file's name, beside `versions/` in the migrations directory.
pub const FILE_NAME: &str = "migrate.sum";

/// One way the revision files and their sum disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// A revision file the sum does not list.
    Added(String),
    /// A file the sum lists that is gone.
    Removed(String),
    /// A file whose hash differs from the sum's line.
    Edited(String),
    /// The sum file was edited by hand (its total does not match its lines).
    Tampered,
    /// There are revision files but no sum file.
    Missing,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    text
}

/// A file's hash: its bytes with CRLF read as LF, so a Windows checkout
/// does not look like an edit.
pub fn file_hash(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    format!("h1:{}", hex(&Sha256::digest(text.as_bytes())))
}

/// The first line: a hash over every `name hash` line, so that two branches
/// that each add a revision conflict on it in version control.
pub fn total(lines: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    for (name, hash) in lines {
        h.update(format!("{name} {hash}\n").as_bytes());
    }
    format!("h1:{}", hex(&h.finalize()))
}

/// The sum file's text for these `(file name, file hash)` lines, in the
/// order given (sorted by file name, as the directory is read).
pub fn render(lines: &[(String, String)]) -> String {
    let mut text = format!("{}\n", total(lines));
    for (name, hash) in lines {
        text.push_str(&format!("{name} {hash}\n"));
    }
    text
}

/// Every disagreement between the actual `(file name, file hash)` lines and
/// the sum file's text (`None`: there is no sum file); empty when current.
pub fn stale(actual: &[(String, String)], sum_text: Option<&str>) -> Vec<Stale> {
    let Some(text) = sum_text else {
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

/// The refusal for a stale sum, naming every file and what to run; the CLI,
/// the library and the compile-time check all say it this way.
pub fn stale_message(sum_path: &str, stale: &[Stale]) -> String {
    let list: Vec<String> = stale.iter().map(|s| format!("  {s}")).collect();
    format!(
        "{sum_path} does not match the revision files:\n{}\nreview the changes, then run `migrate hash` to accept them",
        list.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(n, t)| (n.to_string(), file_hash(t.as_bytes())))
            .collect()
    }

    #[test]
    fn crlf_hashes_like_lf() {
        assert_eq!(file_hash(b"a\r\nb\r\n"), file_hash(b"a\nb\n"));
        assert_ne!(file_hash(b"a\nb\n"), file_hash(b"a\nc\n"));
    }

    #[test]
    fn a_rendered_sum_is_current_and_each_change_is_named() {
        let files = lines(&[("1_a.sql", "x"), ("2_b.sql", "y")]);
        let sum = render(&files);
        assert!(stale(&files, Some(&sum)).is_empty());
        let edited = lines(&[("1_a.sql", "x"), ("2_b.sql", "z")]);
        assert_eq!(
            stale(&edited, Some(&sum)),
            [Stale::Edited("2_b.sql".into())]
        );
        let added = lines(&[("1_a.sql", "x"), ("2_b.sql", "y"), ("3_c.sql", "")]);
        assert_eq!(stale(&added, Some(&sum)), [Stale::Added("3_c.sql".into())]);
        assert_eq!(
            stale(&files[..1], Some(&sum)),
            [Stale::Removed("2_b.sql".into())]
        );
        assert_eq!(stale(&files, None), [Stale::Missing]);
        assert!(stale(&[], None).is_empty());
        let tampered = sum.replacen("h1:", "h1:0", 1);
        assert_eq!(stale(&files, Some(&tampered)), [Stale::Tampered]);
    }
}
