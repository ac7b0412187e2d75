//! The password file, with libpq's format and rules
//! (<https://www.postgresql.org/docs/current/libpq-pgpass.html>): lines of
//! `hostname:port:database:username:password`, `*` matching anything in the
//! first four fields, `\:` and `\\` escapes, `#` comment lines, the first
//! matching line wins. A file that group or others can read is ignored with a
//! warning, as libpq does, since a password in it is then not private.

use std::path::Path;

/// What a password-file lookup found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    Password(String),
    NoMatch,
    /// The file was not used; the reason, for a warning.
    Ignored(String),
}

/// The password for a connection from the file at `path`; a missing file is
/// no match. `host` is the host as connected to: a socket directory matches
/// `localhost`, as in libpq.
pub(crate) fn lookup(path: &Path, host: &str, port: u16, dbname: &str, user: &str) -> Found {
    let Ok(meta) = std::fs::metadata(path) else {
        return Found::NoMatch;
    };
    if !meta.is_file() {
        return Found::Ignored(format!(
            "password file {} is not a plain file",
            path.display()
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Found::Ignored(format!(
                "password file {} has group or world access; permissions should be u=rw (0600) or less",
                path.display()
            ));
        }
    }
    match std::fs::read_to_string(path) {
        Ok(text) => find(&text, host, port, dbname, user).map_or(Found::NoMatch, Found::Password),
        Err(e) => Found::Ignored(format!(
            "password file {} cannot be read: {e}",
            path.display()
        )),
    }
}

/// The first line of `text` that matches, its password field unescaped.
pub(crate) fn find(text: &str, host: &str, port: u16, dbname: &str, user: &str) -> Option<String> {
    let host = if host.starts_with('/') {
        "localhost"
    } else {
        host
    };
    let port = port.to_string();
    let wanted = [host, port.as_str(), dbname, user];
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .find_map(|line| {
            let fields = fields(line);
            // A line with fewer than five fields matches nothing (libpq).
            if fields.len() < 5 {
                return None;
            }
            let matches = wanted
                .iter()
                .zip(&fields)
                .all(|(want, field)| field == "*" || field == want);
            matches.then(|| fields[4].clone())
        })
}

/// The four match fields and the password (the rest of the line, so it may
/// hold a `:`), with `\:` and `\\` unescaped.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' if out.len() < 4 => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# comment
db.example:5432:sales:app:first
*:*:*:app:any\\:thing\\\\
localhost:5433:*:*:socket
short:line
";

    #[test]
    fn the_first_matching_line_wins() {
        let f = |h, p, d, u| find(FILE, h, p, d, u);
        assert_eq!(
            f("db.example", 5432, "sales", "app").as_deref(),
            Some("first")
        );
        assert_eq!(
            f("db.example", 5432, "other", "app").as_deref(),
            Some("any:thing\\")
        );
        assert_eq!(
            f("/var/run/postgresql", 5433, "x", "bob").as_deref(),
            Some("socket")
        );
        assert_eq!(f("elsewhere", 5432, "x", "bob"), None);
        assert_eq!(f("short", 5432, "line", "x"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let found = lookup(&path, "h", 5432, "d", "u");
        assert!(
            matches!(&found, Found::Ignored(why) if why.contains("0600")),
            "{found:?}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            lookup(&path, "h", 5432, "d", "u"),
            Found::Password("pw".into())
        );
        assert_eq!(
            lookup(&dir.path().join("none"), "h", 5432, "d", "u"),
            Found::NoMatch
        );
    }
}
