//! Revision files: `migrations/versions/<rev>_<slug>.sql`, parsed into
//! [`Revision`] values and rendered from the project's `script.sql.tmpl`.
//!
//! A revision's checksum is SHA-256 over the significant tokens of its up
//! section ([`Splitter::checksum_text`]): comments and layout may change
//! freely, any statement change is an edit. Sections are split into
//! statements by the dialect too, once, as the file is read.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::files::nul_line;
use crate::statement::{Splitter, Statement};

mod branch;
mod dir;
pub(crate) use branch::{BranchHeaders, valid_label};
pub(crate) use dir::{id_of_file, read_dir, revision_files, revision_ids};

pub(crate) const UP_MARKER: &str = "-- migrate:up";
pub(crate) const DOWN_MARKER: &str = "-- migrate:down";

/// One revision file, parsed. Sections keep their text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub id: String,
    /// Empty for a base revision; two or more for a merge.
    pub parents: Vec<String>,
    pub message: String,
    pub created: String,
    pub transactional: bool,
    pub up: Section,
    pub down: Section,
    pub path: PathBuf,
    /// Line of the `down_revision` header, for errors about parents.
    pub parents_line: usize,
    /// The revisions a squash replaced (`-- replaces:`), parents first, the
    /// top of the range last; empty for every other revision.
    pub replaces: Vec<String>,
    /// The `branch_labels` and `depends_on` headers ([`BranchHeaders`]).
    pub branch: BranchHeaders,
    checksum: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub sql: String,
    /// Line in the file where the section's text begins.
    pub first_line: usize,
    /// Its statements as the dialect splits them, lines in the file.
    statements: Vec<Statement>,
}

impl Section {
    /// Statements with their line numbers in the file.
    pub fn statements(&self) -> Vec<Statement> {
        self.statements.clone()
    }
}

/// Which section of a revision runs: `up` applies it, `down` reverts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

impl Revision {
    pub fn section(&self, direction: Direction) -> &Section {
        match direction {
            Direction::Up => &self.up,
            Direction::Down => &self.down,
        }
    }

    /// Hex SHA-256 of the up section's significant text.
    /// Hex SHA-256 of the up section's significant text, computed once at parse.
    pub fn checksum(&self) -> &str {
        &self.checksum
    }

    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

pub(crate) fn checksum(dialect: &dyn Splitter, section: &str) -> String {
    hex(&Sha256::digest(dialect.checksum_text(section).as_bytes()))
}

// One hex writer for checksums and the sum file (the `migrate-sum` crate).
pub(crate) use migrate_sum::hex;

/// A revision id is what may stand in a file name and on a command line:
/// ASCII letters and digits (no `_`, which separates the id from the slug).
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Parses one revision file, its sections split by `dialect`. Errors name
/// the file and line.
// Long: one pass over the file's lines (header, markers, sections), each error naming its line.
pub fn parse(path: &Path, text: &str, dialect: &dyn Splitter) -> Result<Revision> {
    let err = |line: usize, message: String| Error::Script {
        path: path.to_path_buf(),
        line: Some(line),
        message,
    };
    let mut id = None;
    let mut parents = None;
    let mut message = None;
    let mut created = String::new();
    let mut transactional = true;
    let mut replaces = Vec::new();
    let mut branch = BranchHeaders::default();
    let mut up_line = None;
    let mut down_line = None;
    if let Some(n) = nul_line(text) {
        return Err(err(
            n,
            "a NUL byte (SQLite would stop reading the statement there); remove it".into(),
        ));
    }
    // Editors on Windows may start the file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if is_marker(line, UP_MARKER) {
            if up_line.is_some() {
                return Err(err(n, format!("a second `{UP_MARKER}` line")));
            }
            up_line = Some(n);
            continue;
        }
        if is_marker(line, DOWN_MARKER) {
            if up_line.is_none() {
                return Err(err(
                    n,
                    format!("`{DOWN_MARKER}` comes before `{UP_MARKER}`"),
                ));
            }
            if down_line.is_some() {
                return Err(err(n, format!("a second `{DOWN_MARKER}` line")));
            }
            down_line = Some(n);
            continue;
        }
        if up_line.is_some() {
            continue;
        }
        // The header: `-- key: value` lines before the up section.
        let Some(rest) = line.strip_prefix("--") else {
            if line.trim().is_empty() {
                continue;
            }
            return Err(err(
                n,
                format!("SQL before `{UP_MARKER}`; statements belong in a section"),
            ));
        };
        let Some((key, value)) = rest.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "revision" => {
                if !valid_id(&value) {
                    return Err(err(
                        n,
                        format!("revision id {value:?} must be ASCII letters and digits"),
                    ));
                }
                id = Some((value, n));
            }
            "down_revision" => {
                let list: Vec<String> = value
                    .split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
                if let Some(bad) = list.iter().find(|p| !valid_id(p)) {
                    return Err(err(
                        n,
                        format!("down_revision {bad:?} is not a revision id"),
                    ));
                }
                parents = Some((list, n));
            }
            "message" => message = Some(value),
            "replaces" => replaces = parse_replaces(&value).map_err(|m| err(n, m))?,
            "created" => created = value,
            "branch_labels" | "depends_on" => {
                branch.read(key.trim(), &value, n).map_err(|m| err(n, m))?;
            }
            "transactional" => {
                transactional = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(err(
                            n,
                            format!("transactional must be true or false, not {other:?}"),
                        ));
                    }
                }
            }
            _ => {} // other comments in the header are the author's
        }
    }
    let (id, id_line) = id.ok_or_else(|| err(1, "no `-- revision: ID` header".into()))?;
    let (parents, parents_line) = parents.ok_or_else(|| {
        err(
            1,
            "no `-- down_revision:` header (leave it empty for the first revision)".into(),
        )
    })?;
    let up_line =
        up_line.ok_or_else(|| err(lines.len().max(1), format!("no `{UP_MARKER}` line")))?;
    let down_line =
        down_line.ok_or_else(|| err(lines.len().max(1), format!("no `{DOWN_MARKER}` line")))?;
    if parents.contains(&id) {
        return Err(err(
            parents_line,
            format!("revision {id} names itself as its parent"),
        ));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != id && !stem.starts_with(&format!("{id}_")) {
        return Err(err(
            id_line,
            format!("the file name must start with its revision id ({id}_...)"),
        ));
    }
    let section = |from: usize, to: usize| {
        let sql = lines[from..to].join("\n");
        let statements = dialect
            .split(&sql)
            .map_err(|(line, message)| err(line + from, message))?;
        Ok::<_, Error>(Section {
            statements: statements
                .into_iter()
                .map(|s| Statement {
                    line: s.line + from,
                    sql: s.sql,
                })
                .collect(),
            sql,
            first_line: from + 1,
        })
    };
    let up = section(up_line, down_line - 1)?;
    let down = section(down_line, lines.len())?;
    Ok(Revision {
        id,
        parents,
        message: message.unwrap_or_default(),
        created,
        transactional,
        checksum: checksum(dialect, &up.sql),
        up,
        down,
        path: path.to_path_buf(),
        parents_line,
        replaces,
        branch,
    })
}

/// The `-- replaces:` header of a squashed revision: ids, comma-separated.
fn parse_replaces(value: &str) -> std::result::Result<Vec<String>, String> {
    let ids: Vec<String> = value
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(bad) = ids.iter().find(|p| !valid_id(p)) {
        return Err(format!("replaces {bad:?} is not a revision id"));
    }
    Ok(ids)
}

/// A section marker line, alone or followed by a comment
/// (`-- migrate:up  -- create tables`).
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker).is_some_and(|rest| {
        rest.is_empty()
            || (rest.starts_with(char::is_whitespace) && rest.trim_start().starts_with("--"))
    })
}

/// What a new revision file says; rendered through the project's template.
pub(crate) struct NewRevision<'a> {
    pub id: &'a str,
    pub parents: &'a [String],
    pub message: &'a str,
    pub up: &'a str,
    pub down: &'a str,
    pub transactional: bool,
}

pub(crate) fn render(template: &str, rev: &NewRevision) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env.add_template("script", template)?;
    let text = env.get_template("script")?.render(minijinja::context! {
        revision => rev.id,
        down_revision => rev.parents.join(", "),
        message => rev.message.replace(['\n', '\r'], " "),
        created => utc_now(),
        up => rev.up,
        down => rev.down,
        transactional => rev.transactional,
    })?;
    Ok(text)
}

/// The file name for a revision: `<id>_<slug>.sql`.
pub(crate) fn file_name(id: &str, message: &str) -> String {
    let mut slug = String::new();
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('_');
    if slug.is_empty() {
        format!("{id}.sql")
    } else {
        format!("{id}_{slug}.sql")
    }
}

/// A fresh 12-hex-digit id.
pub(crate) fn new_id(message: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!("{nanos}:{}:{message}", std::process::id());
    hex(&Sha256::digest(seed.as_bytes()))[..12].to_string()
}

/// Now, as `2026-11-25T13:37:00Z`.
pub(crate) fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(
            file_name("ab", "Add album table!"),
            "ab_add_album_table.sql"
        );
        assert_eq!(file_name("ab", "../../etc/passwd"), "ab_etc_passwd.sql");
        assert_eq!(file_name("ab", "ünïcode"), "ab_n_code.sql");
        assert_eq!(file_name("ab", "!!!"), "ab.sql");
    }

    #[test]
    fn timestamps_look_like_rfc3339() {
        let t = utc_now();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
