//! Database URLs, read as SQLAlchemy reads them, so that an application and
//! `migrate` can share one `DATABASE_URL`: `sqlite:///relative.db`,
//! `sqlite:////absolute.db`, `dialect+driver://...` with the driver ignored,
//! and the query parameters SQLite URIs (and SQLAlchemy's pysqlite) allow.
//! Also `sqlite:PATH` and a plain path, this tool's own short forms.
//!
//! The one place a URL is parsed: the rest of the program gets a
//! [`DatabaseUrl`], and shows a URL only through [`redact`] (passwords become
//! `***`). PostgreSQL URLs are read by [`pg`].

use std::path::PathBuf;

pub(crate) mod pg;

pub(crate) use pg::PgUrl;
#[cfg(any(feature = "postgres", test))]
pub(crate) use pg::SslMode;

/// Query parameters accepted on an SQLite URL: SQLite's URI parameters
/// (<https://sqlite.org/uri.html>) and those SQLAlchemy's SQLite drivers read.
/// `migrate` opens the file itself, so they are checked but not applied.
const SQLITE_PARAMS: [&str; 10] = [
    "vfs",
    "mode",
    "cache",
    "psow",
    "nolock",
    "immutable",
    "uri",
    "timeout",
    "check_same_thread",
    "isolation_level",
];

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite database file.
    Sqlite {
        /// The file as written: relative ones are resolved by the caller
        /// (from the working directory or from the config file).
        path: PathBuf,
        /// For `sqlite:///x` (SQLAlchemy: relative `x`), the absolute `/x`
        /// this tool read it as before, so that an old config pointing at
        /// an existing absolute file is refused instead of given a new one.
        old_absolute: Option<PathBuf>,
    },
    /// `postgresql://`, `postgres://` or `postgresql+driver://`: what the
    /// URL says, shown redacted.
    Postgres(PgUrl),
}

impl DatabaseUrl {
    /// Parses `text`; the error says what is wrong and what to write instead
    /// (the caller adds where the URL came from).
    pub fn parse(text: &str) -> Result<DatabaseUrl, String> {
        let shown = redact(text);
        let no_file = || {
            format!(
                "database url {shown:?} names no file (an in-memory database would be gone when migrate exits); \
                 use sqlite:///relative.db or sqlite:////absolute/path.db"
            )
        };
        let (scheme, rest) = match split_scheme(text) {
            Some(parts) => parts,
            // A plain path, as written.
            None if text.is_empty() => return Err(no_file()),
            None => return Ok(sqlite(text, None)),
        };
        let dialect = scheme.split('+').next().unwrap_or(scheme);
        match dialect {
            "sqlite" => {}
            "postgresql" | "postgres" => return pg::parse(rest, &shown).map(DatabaseUrl::Postgres),
            _ => {
                return Err(format!(
                    "database url {shown:?}: the {dialect} scheme is not supported; \
                     use sqlite:///relative.db, sqlite:////absolute/path.db or postgresql://user@host/dbname"
                ));
            }
        }
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        check_params(&shown, query)?;
        let uri = query_value(query, "uri").is_some_and(|v| matches!(v, "true" | "1"));
        if query_value(query, "mode") == Some("memory") {
            return Err(no_file());
        }
        // `sqlite:PATH`: this tool's short form, the path as written.
        let Some(after_slashes) = location.strip_prefix("//") else {
            return file(location, None, uri).ok_or_else(no_file);
        };
        // `sqlite://HOST/...`: SQLAlchemy reads HOST as a host name, which
        // SQLite has no use for; `sqlite://music.db` is an in-memory database there.
        let (host, path) = match after_slashes.split_once('/') {
            Some((host, path)) => (host, path),
            None => (after_slashes, ""),
        };
        if !host.is_empty() {
            let slash = if path.is_empty() { "" } else { "/" };
            let relative = redact(&format!("sqlite:///{host}{slash}{path}"));
            return Err(format!(
                "database url {shown:?}: the part after // is a host name, as SQLAlchemy reads it; \
                 write {relative} for a file relative to the working directory (or the config file), \
                 or sqlite:////absolute/path.db"
            ));
        }
        // `sqlite:////abs` keeps its leading slash; `sqlite:///rel` is relative.
        let old = (!path.starts_with('/')).then(|| PathBuf::from(format!("/{path}")));
        file(path, old, uri).ok_or_else(no_file)
    }
}

fn sqlite(path: &str, old_absolute: Option<PathBuf>) -> DatabaseUrl {
    DatabaseUrl::Sqlite {
        path: PathBuf::from(path),
        old_absolute,
    }
}

/// The file part of an SQLite URL; `None` when it names no file.
fn file(path: &str, old: Option<PathBuf>, uri: bool) -> Option<DatabaseUrl> {
    // SQLAlchemy's URI form: `sqlite:///file:data.db?mode=ro&uri=true`.
    let path = if uri {
        path.strip_prefix("file:").unwrap_or(path)
    } else {
        path
    };
    let old = old.map(|o| {
        let s = o.to_string_lossy();
        PathBuf::from(if uri {
            s.replacen("/file:", "/", 1)
        } else {
            s.into_owned()
        })
    });
    (!path.is_empty() && path != ":memory:").then(|| sqlite(path, old))
}

/// `scheme` and what follows its colon, for `scheme://...` and `sqlite:...`
/// (with or without `+driver`); `None` for a plain path.
fn split_scheme(text: &str) -> Option<(&str, &str)> {
    if let Some((scheme, _)) = text.split_once("://") {
        let valid = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid {
            // What follows the colon keeps its `//`.
            return Some((scheme, &text[scheme.len() + 1..]));
        }
    }
    let (scheme, rest) = text.split_once(':')?;
    (scheme == "sqlite" || scheme.starts_with("sqlite+")).then_some((scheme, rest))
}

fn params(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

fn query_value<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    params(query).find(|(k, _)| *k == key).map(|(_, v)| v)
}

fn check_params(shown: &str, query: &str) -> Result<(), String> {
    match params(query).find(|(k, _)| !SQLITE_PARAMS.contains(k)) {
        None => Ok(()),
        Some((key, _)) => Err(format!(
            "database url {shown:?}: unknown query parameter {key:?}; an SQLite URL takes {}",
            SQLITE_PARAMS.join(", ")
        )),
    }
}

/// `text` with any password replaced by `***`: the one in `user:password@`
/// and a `password=` query parameter. Everything shown to a user goes
/// through here.
pub(crate) fn redact(text: &str) -> String {
    let mut out = text.to_string();
    if let Some(start) = text.find("://").map(|i| i + 3) {
        // Up to the query, not the first `/`: a password is often written
        // with a raw `/` in it, and showing a bit too little is the safe side.
        let end = text[start..]
            .find(['?', '#'])
            .map_or(text.len(), |i| start + i);
        let authority = &text[start..end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
        {
            out = format!("{}***{}", &text[..start + colon + 1], &text[start + at..]);
        }
    }
    if let Some((head, query)) = out.split_once('?') {
        let query: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        out = format!("{head}?{}", query.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(url: &str) -> (PathBuf, Option<PathBuf>) {
        match DatabaseUrl::parse(url).unwrap() {
            DatabaseUrl::Sqlite { path, old_absolute } => (path, old_absolute),
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn sqlalchemy_sqlite_urls() {
        let p = PathBuf::from;
        assert_eq!(
            path("sqlite:///music.db"),
            (p("music.db"), Some(p("/music.db")))
        );
        assert_eq!(path("sqlite:////srv/m.db"), (p("/srv/m.db"), None));
        assert_eq!(path("sqlite+pysqlite:///a/b.db").0, p("a/b.db"));
        assert_eq!(path("sqlite+aiosqlite:////x.db").0, p("/x.db"));
        assert_eq!(path("sqlite:///m.db?mode=ro&cache=shared").0, p("m.db"));
        assert_eq!(path("sqlite:///file:m.db?mode=ro&uri=true").0, p("m.db"));
        assert_eq!(path("sqlite:music.db"), (p("music.db"), None));
        assert_eq!(path("sqlite:/abs.db").0, p("/abs.db"));
        assert_eq!(path("plain.db").0, p("plain.db"));
        assert_eq!(path("dir/with:colon.db").0, p("dir/with:colon.db"));
    }

    #[test]
    fn urls_that_name_no_sqlite_file() {
        for bad in [
            "",
            "sqlite://",
            "sqlite:///",
            "sqlite::memory:",
            "sqlite:///:memory:",
            "sqlite:///m.db?mode=memory",
            "sqlite://music.db",
            "sqlite:///m.db?foo=1",
            "mysql://u@h/db",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn postgres_urls_in_every_spelling() {
        for scheme in [
            "postgres",
            "postgresql",
            "postgresql+psycopg",
            "postgresql+psycopg2",
            "postgresql+pg8000",
            "postgresql+asyncpg",
        ] {
            let url = format!("{scheme}://u:pw@h:5433/db?sslmode=require");
            let DatabaseUrl::Postgres(pg) = DatabaseUrl::parse(&url).unwrap() else {
                panic!("{url}");
            };
            assert_eq!(
                pg.redacted,
                format!("{scheme}://u:***@h:5433/db?sslmode=require")
            );
            assert_eq!(
                (pg.host.as_deref(), pg.port, pg.dbname.as_deref()),
                (Some("h"), Some(5433), Some("db"))
            );
            assert_eq!(pg.password.as_deref(), Some("pw"));
            assert_eq!(pg.sslmode, Some(SslMode::Require));
            let shown = format!("{:?}", DatabaseUrl::Postgres(pg));
            assert!(!shown.contains("pw@"), "{shown}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://app:s3cret@h:5432/db"),
            "postgres://app:***@h:5432/db"
        );
        assert_eq!(redact("postgres://app@h/db"), "postgres://app@h/db");
        assert_eq!(
            redact("postgres://h/db?password=x&a=b"),
            "postgres://h/db?password=***&a=b"
        );
        assert_eq!(redact("mysql://u:p@ss@h/db"), "mysql://u:***@h/db");
        assert_eq!(redact("postgres://u:pa/ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(
            redact("sqlite:///a/b.db?mode=ro"),
            "sqlite:///a/b.db?mode=ro"
        );
        for url in [
            "mysql://u:hunter2@h/db",
            "sqlite://u:hunter2@h/db",
            "sqlite:///a.db?password=hunter2",
        ] {
            let err = DatabaseUrl::parse(url).unwrap_err();
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
