//! Which engine is at the other end of a PostgreSQL connection, from
//! `SELECT version()`, and what it can do ([`Capabilities`]). CockroachDB
//! answers `CockroachDB CCL v24.3.5 (x86_64-pc-linux-gnu, built ...)` (or
//! `CockroachDB OSS ...`); YugabyteDB answers PostgreSQL's text with its
//! own release in the version, `PostgreSQL 11.2-YB-2.18.0.0-b0 on ...`
//! (`15.12-YB-2.25.2.0-b0` since its PostgreSQL 15 base).

use crate::capabilities::Capabilities;

/// A server speaking PostgreSQL's protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Server {
    PostgreSql,
    CockroachDb,
    YugabyteDb,
}

impl Server {
    /// The server `SELECT version()` describes; PostgreSQL for anything
    /// else (the forks that keep its behaviour keep its text too).
    pub(crate) fn detect(version: &str) -> Server {
        if version.trim_start().starts_with("CockroachDB") {
            Server::CockroachDb
        } else if version.contains("-YB-") {
            Server::YugabyteDb
        } else {
            Server::PostgreSql
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Server::PostgreSql => "PostgreSQL",
            Server::CockroachDb => "CockroachDB",
            Server::YugabyteDb => "YugabyteDB",
        }
    }

    /// What the server can do, as far as the apply loop cares. From the
    /// engines' documentation, not from a running server (none can be
    /// installed here): CockroachDB runs a schema change as a job after its
    /// transaction commits, and advises one DDL statement per transaction;
    /// YugabyteDB commits DDL outside the transaction unless an option says
    /// otherwise; neither gives advisory locks PostgreSQL's guarantee; both
    /// accept `CONCURRENTLY` without PostgreSQL's meaning.
    pub(crate) fn capabilities(self) -> Capabilities {
        match self {
            Server::PostgreSql => Capabilities::ALL,
            Server::CockroachDb | Server::YugabyteDb => Capabilities {
                transactional_ddl: false,
                advisory_locks: false,
                concurrently: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_told_from_its_version_string() {
        let cases = [
            (
                "PostgreSQL 16.4 (Debian 16.4-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc",
                Server::PostgreSql,
            ),
            (
                "CockroachDB CCL v24.3.5 (x86_64-pc-linux-gnu, built 2025/02/03 17:28:15, go1.22.8)",
                Server::CockroachDb,
            ),
            (
                "CockroachDB OSS v20.1.0 (x86_64-unknown-linux-gnu)",
                Server::CockroachDb,
            ),
            (
                "PostgreSQL 11.2-YB-2.18.0.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 15.0.3",
                Server::YugabyteDb,
            ),
            (
                "PostgreSQL 15.12-YB-2.25.2.0-b0 on x86_64-pc-linux-gnu",
                Server::YugabyteDb,
            ),
        ];
        for (version, want) in cases {
            assert_eq!(Server::detect(version), want, "{version}");
        }
        assert_eq!(Server::PostgreSql.capabilities(), Capabilities::ALL);
        assert_eq!(
            Server::CockroachDb.capabilities().missing(),
            ["transactional_ddl", "advisory_locks", "concurrently"]
        );
    }
}
