//! Connecting to PostgreSQL as libpq does: what the URL says, else the `PG*`
//! environment variables, else libpq's defaults; the password from the URL,
//! `PGPASSWORD` or the password file ([`crate::postgres::pgpass`]); TLS as
//! `sslmode` says ([`crate::postgres::tls`]). Then the server's version is
//! checked. Every failure becomes one message in plain words that names the
//! server as `postgres://user@host:port/dbname`, never with a password.

use std::error::Error as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use postgres::config::SslMode as WireMode;
use postgres::error::SqlState;
use postgres::{Client, Config};

use crate::error::{Error, Result};
use crate::postgres::pgpass;
use crate::postgres::tls::{self, Check};
use crate::url::{PgUrl, SslMode, pg};

/// The oldest server migrate drives: 12 (`server_version_num`).
pub(crate) const MIN_SERVER_VERSION: i32 = 120_000;

/// Where a connection without `connect_timeout` gives up (libpq waits for
/// ever; a migration should say so instead).
const DEFAULT_CONNECT_TIMEOUT: u64 = 10;

/// Everything a connection needs, resolved. Debug leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// A host name, an IP address, or a Unix-socket directory.
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub dbname: String,
    pub sslmode: SslMode,
    /// `sslrootcert` as given.
    pub sslrootcert: Option<PathBuf>,
    /// `~/.postgresql/root.crt`, libpq's default root certificate.
    pub default_root: Option<PathBuf>,
    pub passfile: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub application_name: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Settings({}, sslmode={})",
            self.place(),
            self.sslmode.as_str()
        )
    }
}

impl Settings {
    /// The server and database as a URL without a password, for messages.
    pub(crate) fn place(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "postgres://{}@{host}:{}/{}",
            self.user, self.port, self.dbname
        )
    }

    fn is_socket(&self) -> bool {
        self.host.starts_with('/')
    }

    /// How much of the certificate to check, and against which roots.
    fn verification(&self) -> std::result::Result<(Check, Option<PathBuf>), String> {
        let root = self
            .sslrootcert
            .clone()
            .or_else(|| self.default_root.clone().filter(|p| p.exists()));
        let check = match self.sslmode {
            // libpq: `require` with a root certificate checks the chain.
            SslMode::Require if root.is_some() => Check::Chain,
            SslMode::VerifyCa => Check::Chain,
            SslMode::VerifyFull => Check::ChainAndName,
            _ => return Ok((Check::Nothing, None)),
        };
        match root {
            Some(root) if root.as_os_str() == "system" => Err(
                "sslrootcert=system (the system's trusted roots) is not supported; name a PEM file of root certificates".into(),
            ),
            Some(root) => Ok((check, Some(root))),
            None => Err(format!(
                "sslmode={} checks the server's certificate, and there is no root certificate: name a PEM file \
                 with sslrootcert (or PGSSLROOTCERT, or put it at ~/.postgresql/root.crt), or use \
                 sslmode=require to encrypt without checking",
                self.sslmode.as_str()
            )),
        }
    }
}

/// The settings for `url`, the gaps filled from the environment (`env`)
/// and libpq's defaults (the user name: `os_user`, this process's, as
/// libpq takes it from the system rather than from `$USER`). Pure but for
/// looking for the default socket.
pub(crate) fn settings(
    url: &PgUrl,
    env: &dyn Fn(&str) -> Option<String>,
    os_user: Option<String>,
) -> std::result::Result<Settings, String> {
    let pick = |given: &Option<String>, var: &str| given.clone().or_else(|| env(var));
    let port = match (url.port, env("PGPORT")) {
        (Some(port), _) => port,
        (None, Some(text)) => pg::parse_port(&text).map_err(|e| format!("PGPORT: {e}"))?,
        (None, None) => 5432,
    };
    let host = pick(&url.host, "PGHOST").unwrap_or_else(|| default_host(port));
    let user = pick(&url.user, "PGUSER")
        .or(os_user)
        .ok_or("no user name: write it in the URL (postgresql://user@host/db) or set PGUSER")?;
    let sslmode = match (url.sslmode, env("PGSSLMODE")) {
        (Some(mode), _) => mode,
        (None, Some(text)) => SslMode::parse(&text).map_err(|e| format!("PGSSLMODE: {e}"))?,
        (None, None) => SslMode::Prefer,
    };
    let connect_timeout = match (url.connect_timeout, env("PGCONNECT_TIMEOUT")) {
        (Some(secs), _) => secs,
        (None, Some(text)) => {
            pg::parse_timeout(&text).map_err(|e| format!("PGCONNECT_TIMEOUT: {e}"))?
        }
        (None, None) => DEFAULT_CONNECT_TIMEOUT,
    };
    let home = env("HOME").map(PathBuf::from);
    Ok(Settings {
        password: pick(&url.password, "PGPASSWORD"),
        dbname: pick(&url.dbname, "PGDATABASE").unwrap_or_else(|| user.clone()),
        host,
        port,
        sslmode,
        sslrootcert: pick(&url.sslrootcert, "PGSSLROOTCERT").map(PathBuf::from),
        default_root: home.as_ref().map(|h| h.join(".postgresql/root.crt")),
        passfile: pick(&url.passfile, "PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".pgpass"))),
        connect_timeout: Duration::from_secs(connect_timeout.max(1)),
        application_name: pick(&url.application_name, "PGAPPNAME")
            .unwrap_or_else(|| "migrate".into()),
        user,
    })
}

/// libpq's default: the Unix socket where Debian's server (or a stock
/// build's) puts it, when there is one for `port`; else TCP to localhost.
fn default_host(port: u16) -> String {
    ["/var/run/postgresql", "/tmp"]
        .into_iter()
        .find(|dir| Path::new(dir).join(format!(".s.PGSQL.{port}")).exists())
        .unwrap_or("localhost")
        .to_string()
}

/// A connection to the server `url` names, from this process's environment,
/// refused when the server is older than PostgreSQL 12; with the database
/// for messages (`postgres://user@host:port/dbname`, no password).
pub(crate) fn connect(url: &PgUrl) -> Result<(Client, String)> {
    let s = resolved(url)?;
    let mut client = open(&s)?;
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version')",
            &[],
        )
        .map_err(|e| Error::database(s.place(), describe(&s, &e)))?;
    supported_version(row.get(0), row.get(1))
        .map_err(|m| Error::Refused(format!("database {}: {m}", s.place())))?;
    Ok((client, s.place()))
}

/// The settings for `url` as [`connect`] uses them: the gaps filled from
/// this process's environment, the password from the password file.
pub(crate) fn resolved(url: &PgUrl) -> Result<Settings> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let os_user = whoami::username().ok();
    let mut s = settings(url, &env, os_user).map_err(|m| Error::database(&url.redacted, m))?;
    if s.password.is_none() {
        s.password = password_from_file(&s);
    }
    Ok(s)
}

/// The password for `s` from the password file, warning when the file is
/// there but not used.
fn password_from_file(s: &Settings) -> Option<String> {
    let path = s.passfile.as_ref()?;
    match pgpass::lookup(path, &s.host, s.port, &s.dbname, &s.user) {
        pgpass::Found::Password(p) => Some(p),
        pgpass::Found::NoMatch => None,
        pgpass::Found::Ignored(why) => {
            crate::warnln!("warning: {why}; it was not used");
            None
        }
    }
}

/// Refuses a server older than [`MIN_SERVER_VERSION`].
pub(crate) fn supported_version(num: i32, text: &str) -> std::result::Result<(), String> {
    if num >= MIN_SERVER_VERSION {
        return Ok(());
    }
    Err(format!(
        "the server runs PostgreSQL {text}, and migrate supports PostgreSQL 12 and later; \
         nothing was changed: upgrade the server"
    ))
}

fn open(s: &Settings) -> Result<Client> {
    let fail = |m: String| Error::database(s.place(), m);
    let (check, root) = s.verification().map_err(fail)?;
    let connector = tls::connector(check, root.as_deref()).map_err(fail)?;
    let first = match s.sslmode {
        // TLS is not spoken over a Unix socket; libpq does not try it there.
        _ if s.is_socket() => WireMode::Disable,
        SslMode::Disable | SslMode::Allow => WireMode::Disable,
        SslMode::Prefer => WireMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => WireMode::Require,
    };
    match config(s, first).connect(connector.clone()) {
        Ok(client) => Ok(client),
        // `allow`: plain text first, TLS when the server wants it.
        Err(_) if s.sslmode == SslMode::Allow && !s.is_socket() => config(s, WireMode::Require)
            .connect(connector)
            .map_err(|e| fail(describe(s, &e))),
        Err(e) => Err(fail(describe(s, &e))),
    }
}

fn config(s: &Settings, mode: WireMode) -> Config {
    let mut config = Config::new();
    config
        .host(&s.host)
        .port(s.port)
        .user(&s.user)
        .dbname(&s.dbname)
        .ssl_mode(mode)
        .connect_timeout(s.connect_timeout)
        .application_name(&s.application_name);
    if let Some(password) = &s.password {
        config.password(password);
    }
    config
}

/// A connection failure in plain words: what happened and what to do.
fn describe(s: &Settings, e: &postgres::Error) -> String {
    let at = format!("{}:{}", s.host, s.port);
    if let Some(db) = e.as_db_error() {
        return match *db.code() {
            SqlState::INVALID_PASSWORD => format!(
                "password authentication failed for user {:?}; check the password (in the URL, PGPASSWORD or {})",
                s.user,
                passfile_name(s)
            ),
            SqlState::INVALID_CATALOG_NAME => format!(
                "database {:?} does not exist on {at}; create it (createdb {:?}) or name another database in the URL",
                s.dbname, s.dbname
            ),
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                format!(
                    "the server at {at} refused the connection: {}",
                    db.message()
                )
            }
            _ => format!("{}: {}", db.severity(), db.message()),
        };
    }
    let causes = causes(e);
    if let Some(io) = causes
        .iter()
        .find_map(|c| c.downcast_ref::<std::io::Error>())
        && io.kind() == std::io::ErrorKind::ConnectionRefused
    {
        return format!(
            "cannot connect to {at}: connection refused; is the server running there and accepting connections?"
        );
    }
    if let Some(tls) = causes
        .iter()
        .find_map(|c| c.downcast_ref::<rustls::Error>())
    {
        return tls_failure(s, tls);
    }
    // Each cause once: an I/O error repeats the text of the error it wraps.
    let mut text: Vec<String> = causes.iter().map(|c| c.to_string()).collect();
    text.dedup();
    text.retain(|t| t != "error connecting to server");
    let text = text.join(": ");
    if text.contains("server does not support TLS") {
        return format!(
            "the server at {at} does not accept TLS, and sslmode={} requires it; turn on ssl in the server, \
             or use sslmode=prefer (or disable) if an unencrypted connection is acceptable",
            s.sslmode.as_str()
        );
    }
    if text.contains("password missing") {
        return format!(
            "the server asks for a password and none was given: put it in the URL, PGPASSWORD or {}",
            passfile_name(s)
        );
    }
    if text.contains("timeout") {
        return format!(
            "no answer from {at} within {}s; is the server reachable? (connect_timeout sets the wait)",
            s.connect_timeout.as_secs()
        );
    }
    format!("cannot connect to {at}: {text}")
}

fn tls_failure(s: &Settings, e: &rustls::Error) -> String {
    let mode = s.sslmode.as_str();
    match e {
        rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName
            | rustls::CertificateError::NotValidForNameContext { .. },
        ) => format!(
            "the server's certificate is not valid for the host name {:?} (sslmode={mode} checks it); \
             connect by a name the certificate lists, or use sslmode=verify-ca to check the chain only",
            s.host
        ),
        rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer | rustls::CertificateError::BadSignature,
        ) => format!(
            "the server's certificate is not signed by the root certificate{} (sslmode={mode} checks it); \
             name the right one with sslrootcert",
            s.sslrootcert
                .as_ref()
                .map_or(String::new(), |p| format!(" {}", p.display()))
        ),
        other => format!(
            "the TLS handshake with {}:{} failed: {other}",
            s.host, s.port
        ),
    }
}

fn passfile_name(s: &Settings) -> String {
    s.passfile.as_ref().map_or("~/.pgpass".into(), |p| {
        format!("the password file {}", p.display())
    })
}

/// `e` and its causes, looking inside I/O errors too (whose `source` skips
/// the error they wrap, where rustls's lives).
fn causes<'e>(e: &'e postgres::Error) -> Vec<&'e (dyn std::error::Error + 'static)> {
    let mut out: Vec<&(dyn std::error::Error + 'static)> = vec![e];
    let mut next = e.source();
    while let Some(cause) = next {
        out.push(cause);
        if let Some(inner) = cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            out.push(inner);
        }
        next = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_url_wins_then_the_environment_then_defaults() {
        let url = crate::url::pg::parse("//app@db:6000/sales?sslmode=verify-ca", "shown").unwrap();
        let vars = env(&[
            ("PGHOST", "other"),
            ("PGUSER", "bob"),
            ("PGPASSWORD", "pw"),
            ("PGSSLMODE", "disable"),
            ("PGSSLROOTCERT", "/ca.pem"),
            ("HOME", "/home/app"),
        ]);
        let s = settings(&url, &vars, None).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.user.as_str()),
            ("db", 6000, "app")
        );
        assert_eq!(s.dbname, "sales");
        assert_eq!(s.password.as_deref(), Some("pw"));
        assert_eq!(s.sslmode, SslMode::VerifyCa);
        assert_eq!(s.sslrootcert, Some(PathBuf::from("/ca.pem")));
        assert_eq!(s.passfile, Some(PathBuf::from("/home/app/.pgpass")));
        assert_eq!(s.place(), "postgres://app@db:6000/sales");

        let empty = crate::url::pg::parse("//", "shown").unwrap();
        let s = settings(
            &empty,
            &env(&[
                ("PGHOST", "h"),
                ("PGPORT", "5433"),
                ("PGUSER", "u"),
                ("PGDATABASE", "d"),
                ("PGSSLMODE", "require"),
                ("PGPASSFILE", "/pw"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(s.place(), "postgres://u@h:5433/d");
        assert_eq!(s.sslmode, SslMode::Require);
        assert_eq!(s.passfile, Some(PathBuf::from("/pw")));
        let s = settings(&empty, &env(&[("PGHOST", "h")]), Some("me".into())).unwrap();
        assert_eq!(
            (s.dbname.as_str(), s.sslmode, s.port),
            ("me", SslMode::Prefer, 5432)
        );
    }

    #[test]
    fn bad_environment_values_name_the_variable() {
        let url = crate::url::pg::parse("//h/d", "shown").unwrap();
        for (vars, says) in [
            (&[("PGSSLMODE", "on"), ("PGUSER", "u")][..], "PGSSLMODE"),
            (&[("PGPORT", "x"), ("PGUSER", "u")][..], "PGPORT"),
            (&[][..], "PGUSER"),
        ] {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let lookup = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let err = settings(&url, &lookup, None).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let url = crate::url::pg::parse("//u:hunter2@h/d", "shown").unwrap();
        let s = settings(&url, &|_| None, None).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn servers_before_12_are_refused() {
        assert!(supported_version(120_000, "12.0").is_ok());
        assert!(supported_version(170_002, "17.2").is_ok());
        let err = supported_version(110_022, "11.22").unwrap_err();
        assert!(
            err.contains("11.22") && err.contains("12 and later"),
            "{err}"
        );
    }

    #[test]
    fn verification_follows_libpq() {
        let url = crate::url::pg::parse("//u@h/d", "shown").unwrap();
        let mut s = settings(&url, &|_| None, None).unwrap();
        for (mode, root, want) in [
            (SslMode::Prefer, None, Some(Check::Nothing)),
            (SslMode::Require, None, Some(Check::Nothing)),
            (SslMode::Require, Some("/ca.pem"), Some(Check::Chain)),
            (SslMode::VerifyCa, Some("/ca.pem"), Some(Check::Chain)),
            (
                SslMode::VerifyFull,
                Some("/ca.pem"),
                Some(Check::ChainAndName),
            ),
            (SslMode::VerifyFull, None, None),
        ] {
            s.sslmode = mode;
            s.sslrootcert = root.map(PathBuf::from);
            assert_eq!(
                s.verification().ok().map(|v| v.0),
                want,
                "{mode:?} {root:?}"
            );
        }
    }
}
