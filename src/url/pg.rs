//! PostgreSQL URLs, read as libpq reads them
//! (`postgresql://[user[:password]@][host][:port][/dbname][?param=value&...]`,
//! parts percent-encoded), also under SQLAlchemy's `postgresql+driver://`
//! spellings. Only what the URL says is kept here: the `PG*` environment
//! variables, `~/.pgpass` and the defaults are libpq's fallbacks, applied when
//! connecting (`crate::postgres::connect`), so that a URL parses the same on
//! every machine. A [`PgUrl`] prints only its redacted text.

use std::fmt;

use percent_encoding::percent_decode_str;

/// libpq's `sslmode`, with libpq's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain text only.
    Disable,
    /// Plain text first; TLS (unverified) if the server refuses plain text.
    Allow,
    /// TLS (unverified) when the server offers it, else plain text; libpq's default.
    Prefer,
    /// TLS without verifying the certificate (unless a root certificate is
    /// there: then as `verify-ca`, as libpq does).
    Require,
    /// TLS, the certificate chain checked against the root certificate; the
    /// host name is not checked.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyFull,
}

const SSL_MODES: [(&str, SslMode); 6] = [
    ("disable", SslMode::Disable),
    ("allow", SslMode::Allow),
    ("prefer", SslMode::Prefer),
    ("require", SslMode::Require),
    ("verify-ca", SslMode::VerifyCa),
    ("verify-full", SslMode::VerifyFull),
];

impl SslMode {
    /// `text` as libpq spells the modes; the error lists them.
    pub fn parse(text: &str) -> Result<SslMode, String> {
        SSL_MODES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, mode)| *mode)
            .ok_or_else(|| {
                let names: Vec<&str> = SSL_MODES.iter().map(|(n, _)| *n).collect();
                format!(
                    "sslmode {text:?} is not one of libpq's: {}",
                    names.join(", ")
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        SSL_MODES
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("", |p| p.0)
    }
}

/// Query parameters a PostgreSQL URL may carry (libpq's names).
const PARAMS: [&str; 10] = [
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "passfile",
    "connect_timeout",
    "application_name",
];

/// What a PostgreSQL URL says; `None` where it says nothing (a fallback
/// applies when connecting). Debug and Display show the redacted URL only.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct PgUrl {
    /// A host name, an IP address, or a Unix-socket directory (starts with `/`).
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub dbname: Option<String>,
    pub sslmode: Option<SslMode>,
    pub sslrootcert: Option<String>,
    pub passfile: Option<String>,
    pub connect_timeout: Option<u64>,
    pub application_name: Option<String>,
    /// The URL as written, password replaced by `***`.
    pub redacted: String,
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({:?})", self.redacted)
    }
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// Parses what follows `scheme:` of a PostgreSQL URL (`//...`); `shown` is
/// the whole URL redacted, for messages.
pub(crate) fn parse(rest: &str, shown: &str) -> Result<PgUrl, String> {
    let bad = |what: String| format!("database url {shown:?}: {what}");
    let Some(rest) = rest.strip_prefix("//") else {
        return Err(bad(
            "a PostgreSQL URL starts with postgresql:// (postgresql://user@host:5432/dbname)"
                .into(),
        ));
    };
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut url = PgUrl {
        redacted: shown.to_string(),
        ..PgUrl::default()
    };
    // userinfo ends at the last `@`, so that a raw `@` or `/` in a password
    // (libpq wants it percent-encoded) still reads as the password.
    let (userinfo, hostpart) = match location.rfind('@') {
        Some(at) => (Some(&location[..at]), &location[at + 1..]),
        None => (None, location),
    };
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        url.user = non_empty(decode(user).map_err(bad)?);
        if let Some(p) = password {
            url.password = Some(
                decode(p)
                    .map_err(|_| bad("the password is not valid percent-encoded UTF-8".into()))?,
            );
        }
    }
    let (hostport, dbname) = hostpart.split_once('/').unwrap_or((hostpart, ""));
    url.dbname = non_empty(decode(dbname).map_err(bad)?);
    if hostport.contains(',') {
        return Err(bad("several hosts are not supported; name one host".into()));
    }
    let (host, port) = split_host_port(hostport).map_err(bad)?;
    url.host = non_empty(decode(host).map_err(bad)?);
    if let Some(port) = port {
        url.port = Some(parse_port(&port).map_err(bad)?);
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = if key == "password" {
            decode(value)
                .map_err(|_| bad("the password is not valid percent-encoded UTF-8".into()))?
        } else {
            decode(value).map_err(bad)?
        };
        set_param(&mut url, key, value).map_err(bad)?;
    }
    Ok(url)
}

fn set_param(url: &mut PgUrl, key: &str, value: String) -> Result<(), String> {
    match key {
        "host" => url.host = non_empty(value),
        "port" => url.port = Some(parse_port(&value)?),
        "user" => url.user = non_empty(value),
        "password" => url.password = Some(value),
        "dbname" => url.dbname = non_empty(value),
        "sslmode" => url.sslmode = Some(SslMode::parse(&value)?),
        "sslrootcert" => url.sslrootcert = non_empty(value),
        "passfile" => url.passfile = non_empty(value),
        "connect_timeout" => url.connect_timeout = Some(parse_timeout(&value)?),
        "application_name" => url.application_name = Some(value),
        _ => {
            return Err(format!(
                "unknown query parameter {key:?}; a PostgreSQL URL takes {}",
                PARAMS.join(", ")
            ));
        }
    }
    Ok(())
}

/// `host[:port]`, the host maybe a bracketed IPv6 address.
fn split_host_port(text: &str) -> Result<(&str, Option<String>), String> {
    if let Some(inside) = text.strip_prefix('[') {
        let Some((host, after)) = inside.split_once(']') else {
            return Err("an IPv6 address opened with [ is not closed with ]".into());
        };
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port.to_string()))),
                None => Err(format!("unexpected {after:?} after the IPv6 address")),
            },
        };
    }
    Ok(match text.rsplit_once(':') {
        Some((host, port)) => (host, Some(port.to_string())),
        None => (text, None),
    })
}

pub(crate) fn parse_port(text: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("port {text:?} is not a port number (1 to 65535)"))
}

pub(crate) fn parse_timeout(text: &str) -> Result<u64, String> {
    text.parse::<u64>()
        .map_err(|_| format!("connect_timeout {text:?} is not a whole number of seconds"))
}

fn decode(text: &str) -> Result<String, String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| format!("{text:?} is not valid percent-encoded UTF-8"))
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(rest: &str) -> PgUrl {
        parse(rest, "shown").unwrap()
    }

    #[test]
    fn libpq_urls() {
        let u = pg("//app:s%40cret@db.example:6543/sales?sslmode=verify-full&sslrootcert=/ca.pem");
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password.as_deref(), Some("s@cret"));
        assert_eq!(u.host.as_deref(), Some("db.example"));
        assert_eq!(u.port, Some(6543));
        assert_eq!(u.dbname.as_deref(), Some("sales"));
        assert_eq!(u.sslmode, Some(SslMode::VerifyFull));
        assert_eq!(u.sslrootcert.as_deref(), Some("/ca.pem"));
        let empty = pg("//");
        assert_eq!(empty.host, None);
        assert_eq!(empty.user, None);
        let v6 = pg("//[::1]:5433/x");
        assert_eq!((v6.host.as_deref(), v6.port), (Some("::1"), Some(5433)));
        let socket = pg("///db?host=%2Fvar%2Frun%2Fpostgresql");
        assert_eq!(socket.host.as_deref(), Some("/var/run/postgresql"));
        assert_eq!(socket.dbname.as_deref(), Some("db"));
        let raw = pg("//u:p@ss/w@h/db");
        assert_eq!(raw.password.as_deref(), Some("p@ss/w"));
        assert_eq!(raw.host.as_deref(), Some("h"));
    }

    #[test]
    fn bad_urls_say_what() {
        for (rest, says) in [
            ("//h/db?sslmode=strict", "sslmode \"strict\""),
            ("//h:99999/db", "port"),
            ("//h1,h2/db", "several hosts"),
            ("//h/db?sslcert=x", "unknown query parameter"),
            ("//[::1/db", "not closed"),
            ("h/db", "postgresql://"),
        ] {
            let err = parse(rest, "shown").unwrap_err();
            assert!(err.contains(says), "{rest}: {err}");
        }
    }

    #[test]
    fn debug_and_display_hide_the_password() {
        let u = parse("//u:hunter2@h/db", "postgres://u:***@h/db").unwrap();
        assert!(!format!("{u:?}").contains("hunter2"));
        assert!(!format!("{u}").contains("hunter2"));
        let err = parse("//u:%ff@h/db", "postgres://u:***@h/db").unwrap_err();
        assert!(!err.contains("%ff"), "{err}");
    }
}
