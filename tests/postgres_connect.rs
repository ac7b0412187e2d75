//! Connecting to PostgreSQL through the real binary: every fault is one
//! clear message and exit 2 (a missing database, a server that is down, TLS
//! the server does not offer, a wrong or missing password, a certificate
//! that does not check out), passwords never appear in any message, and the
//! password file, the PG* variables, SQLAlchemy's URL spellings and every
//! sslmode work against servers of our own (password auth, TLS with a
//! certificate made by rcgen).

mod common;

use common::pg_project::{OwnServer, fails_env, project, run_env};

const PASSWORD: &str = "s3cret-Pw_h33";

/// Fails the test when `text` shows the password.
fn no_password(text: &str) {
    assert!(!text.contains(PASSWORD), "the password is shown: {text}");
    assert!(!text.contains("wr0ng-h33"), "the password is shown: {text}");
}

#[test]
fn a_database_that_does_not_exist() {
    let Some(admin) = common::pg::server_url() else {
        return;
    };
    let url = common::pg::with_database(&admin, "no_such_db_h33");
    let p = project(&url);
    let err = fails_env(&p, &[], &["current"]);
    assert!(
        err.contains("database \"no_such_db_h33\" does not exist") && err.contains("createdb"),
        "{err}"
    );
    let err = fails_env(&p, &[], &["upgrade"]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn a_server_that_is_down() {
    if common::pg::server_url().is_none() {
        return;
    }
    // A port nothing listens on: bound, then freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = project(&format!(
        "postgresql+psycopg2://app:{PASSWORD}@127.0.0.1:{port}/db"
    ));
    let err = fails_env(&p, &[], &["upgrade"]);
    assert!(
        err.contains(&format!(
            "cannot connect to 127.0.0.1:{port}: connection refused"
        )),
        "{err}"
    );
    assert!(err.contains("postgres://app@127.0.0.1"), "{err}");
    no_password(&err);
}

#[test]
fn tls_required_but_the_server_has_none() {
    let Some(db) = common::pg::fresh_db("tls_none") else {
        return;
    };
    let p = project(&format!("{}?sslmode=require", db.url));
    let err = fails_env(&p, &[], &["current"]);
    assert!(
        err.contains("does not accept TLS") && err.contains("sslmode=require"),
        "{err}"
    );
    // `prefer`, libpq's default, falls back to plain text.
    let p = project(&format!("{}?sslmode=prefer", db.url));
    assert!(p.ok(&["current"]).contains("base"));
}

#[test]
fn a_bad_sslmode_names_where_it_came_from() {
    let Some(db) = common::pg::fresh_db("bad_sslmode") else {
        return;
    };
    let p = project(&format!("{}?sslmode=strict", db.url));
    let err = p.fails(&["current"]);
    assert!(
        err.contains("sslmode \"strict\" is not one of libpq's"),
        "{err}"
    );
    let p = project(&db.url);
    let err = fails_env(&p, &[("PGSSLMODE", "on")], &["current"]);
    assert!(err.contains("PGSSLMODE"), "{err}");
}

/// A self-signed certificate for `localhost` and its key, as PEM files in `dir`.
fn certificate(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let sub = dir.join(name);
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("server.crt"), made.cert.pem()).unwrap();
    std::fs::write(sub.join("server.key"), made.signing_key.serialize_pem()).unwrap();
    sub
}

// Long: one server (password auth over TLS only) serves every case below; each block is one case.
#[test]
fn passwords_tls_and_the_password_file_on_a_server_of_our_own() {
    if common::pg::server_url().is_none() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    let server_cert = certificate(certs.path(), "server");
    let other_cert = certificate(certs.path(), "other");
    let ssl_dir = server_cert.to_str().unwrap();
    let server = OwnServer::start(&[
        ("PG_TEST_SERVER_PASSWORD", PASSWORD),
        ("PG_TEST_SERVER_SSL", ssl_dir),
    ]);
    let port = server.port;
    let root = server_cert.join("server.crt");
    let wrong_root = other_cert.join("server.crt");
    let root = root.to_str().unwrap();
    let url = |host: &str, auth: &str, query: &str| {
        format!("postgresql+pg8000://postgres{auth}@{host}:{port}/postgres{query}")
    };

    // A wrong password: one message, the password never shown.
    let p = project(&url("127.0.0.1", ":wr0ng-h33", ""));
    let err = fails_env(&p, &[], &["current"]);
    assert!(
        err.contains("password authentication failed for user \"postgres\""),
        "{err}"
    );
    no_password(&err);
    let err = fails_env(&p, &[], &["upgrade"]);
    no_password(&err);

    // No password anywhere.
    let p = project(&url("127.0.0.1", "", ""));
    let nowhere = certs.path().join("no-pgpass").display().to_string();
    let err = fails_env(&p, &[("PGPASSFILE", &nowhere)], &["current"]);
    assert!(err.contains("asks for a password"), "{err}");

    // PGPASSWORD, and the password file (0600 only, as libpq).
    let (code, out, err) = run_env(&p, &[("PGPASSWORD", PASSWORD)], &["current"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("base"), "{out}");
    let pgpass = certs.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("# ours\n127.0.0.1:{port}:*:postgres:{PASSWORD}\n"),
    )
    .unwrap();
    set_mode(&pgpass, 0o600);
    let pgpass = pgpass.display().to_string();
    let (code, _, err) = run_env(&p, &[("PGPASSFILE", &pgpass)], &["current"]);
    assert_eq!(code, 0, "{err}");
    set_mode(std::path::Path::new(&pgpass), 0o644);
    let err = fails_env(&p, &[("PGPASSFILE", &pgpass)], &["current"]);
    assert!(
        err.contains("group or world access") && err.contains("asks for a password"),
        "{err}"
    );
    no_password(&err);

    // The server takes TCP over TLS only: `require` encrypts without checking
    // the certificate; `disable` is turned away; `allow` tries plain text, then TLS.
    let pw = format!(":{PASSWORD}");
    for mode in ["require", "prefer", "allow"] {
        let p = project(&url("127.0.0.1", &pw, &format!("?sslmode={mode}")));
        assert!(p.ok(&["current"]).contains("base"), "sslmode={mode}");
    }
    let p = project(&url("127.0.0.1", &pw, "?sslmode=disable"));
    let err = p.fails(&["current"]);
    assert!(
        err.contains("refused the connection") && err.contains("no encryption"),
        "{err}"
    );
    no_password(&err);

    // verify-full checks the chain and the host name; verify-ca the chain only.
    let q = |mode: &str, root: &str| format!("?sslmode={mode}&sslrootcert={root}");
    let p = project(&url("localhost", &pw, &q("verify-full", root)));
    assert!(p.ok(&["current"]).contains("base"));
    let p = project(&url("127.0.0.1", &pw, &q("verify-full", root)));
    let err = p.fails(&["current"]);
    assert!(
        err.contains("not valid for the host name \"127.0.0.1\""),
        "{err}"
    );
    no_password(&err);
    let p = project(&url("127.0.0.1", &pw, &q("verify-ca", root)));
    assert!(p.ok(&["current"]).contains("base"));
    let p = project(&url(
        "localhost",
        &pw,
        &q("verify-ca", wrong_root.to_str().unwrap()),
    ));
    let err = p.fails(&["current"]);
    assert!(err.contains("not signed by the root certificate"), "{err}");
    let p = project(&url("localhost", &pw, "?sslmode=verify-full"));
    let home = certs.path().display().to_string();
    let err = fails_env(&p, &[("HOME", &home)], &["current"]);
    assert!(err.contains("no root certificate"), "{err}");

    // PGSSLROOTCERT and PGSSLMODE from the environment; a revision applied over TLS.
    let p = project(&format!(
        "postgresql+asyncpg://postgres@localhost:{port}/postgres"
    ));
    p.revision(
        "a1",
        &[],
        "CREATE TABLE over_tls (id int PRIMARY KEY);",
        "DROP TABLE over_tls;",
    );
    p.ok(&["hash"]);
    let env = [
        ("PGPASSWORD", PASSWORD),
        ("PGSSLMODE", "verify-full"),
        ("PGSSLROOTCERT", root),
    ];
    let (code, out, err) = run_env(&p, &env, &["upgrade"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 revision(s) applied"), "{out}");
    let (code, out, err) = run_env(&p, &env, &["downgrade", "base"]);
    assert_eq!(code, 0, "{err}{out}");
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
