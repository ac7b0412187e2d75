//! What a database engine can do that the apply loop relies on, as one set
//! the loop consults ([`Capabilities`]): DDL inside a transaction, a
//! session lock that keeps other migrators out, and `CONCURRENTLY`. An
//! engine that speaks PostgreSQL's protocol but lacks some (CockroachDB,
//! YugabyteDB) is PostgreSQL with these switched off, never a third copy of
//! the code. The driver detects them from the server; `[database]
//! capabilities` in the config switches them off further (so that each
//! mode can be tested on plain PostgreSQL), never on.

/// The capabilities of one database connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// A revision's DDL, its data changes and its version row commit or
    /// roll back together. Without it a revision runs one statement per
    /// transaction, its progress recorded per statement, and a killed run
    /// resumes at the first statement that did not commit.
    pub transactional_ddl: bool,
    /// A session-level advisory lock keeps other migrators out. Without it
    /// the lock is a lease row with an expiry in the tool's own tables.
    pub advisory_locks: bool,
    /// `CREATE INDEX CONCURRENTLY` and its kin do what PostgreSQL's do.
    /// Without it a revision using them is refused before anything runs.
    pub concurrently: bool,
}

impl Capabilities {
    /// Everything on: PostgreSQL, SQLite (whose DDL is transactional and
    /// whose write lock is the database's own).
    pub const ALL: Capabilities = Capabilities {
        transactional_ddl: true,
        advisory_locks: true,
        concurrently: true,
    };

    /// What both have: `self` with what `mask` switches off switched off.
    pub fn and(self, mask: Capabilities) -> Capabilities {
        Capabilities {
            transactional_ddl: self.transactional_ddl && mask.transactional_ddl,
            advisory_locks: self.advisory_locks && mask.advisory_locks,
            concurrently: self.concurrently && mask.concurrently,
        }
    }

    /// The names of the capabilities switched off, as the config spells them.
    pub fn missing(self) -> Vec<&'static str> {
        [
            (self.transactional_ddl, "transactional_ddl"),
            (self.advisory_locks, "advisory_locks"),
            (self.concurrently, "concurrently"),
        ]
        .into_iter()
        .filter(|(on, _)| !on)
        .map(|(_, name)| name)
        .collect()
    }

    /// `[database] capabilities = { transactional_ddl = false, ... }`: the
    /// capabilities to switch off. `true` means "as the server has it" (a
    /// capability the engine lacks cannot be switched on). An unknown key or
    /// a value that is not a boolean is refused, naming it in `section`
    /// (`[database]`, or the environment's `[env.NAME]`).
    pub fn from_config(
        value: &toml::Value,
        section: &str,
    ) -> std::result::Result<Capabilities, String> {
        let example = "e.g. capabilities = { transactional_ddl = false, advisory_locks = false }";
        let Some(table) = value.as_table() else {
            return Err(format!(
                "{section} capabilities must be a table of booleans, {example}"
            ));
        };
        let mut mask = Capabilities::ALL;
        for (key, v) in table {
            let Some(on) = v.as_bool() else {
                return Err(format!(
                    "{section} capabilities.{key} = {v}: give true or false, {example}"
                ));
            };
            let slot = match key.as_str() {
                "transactional_ddl" => &mut mask.transactional_ddl,
                "advisory_locks" => &mut mask.advisory_locks,
                "concurrently" => &mut mask.concurrently,
                _ => {
                    return Err(format!(
                        "{section} capabilities.{key} is not a capability; the known ones are \
                         transactional_ddl, advisory_locks and concurrently"
                    ));
                }
            };
            *slot = on;
        }
        Ok(mask)
    }
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Capabilities, String> {
        let doc: toml::Table = toml::from_str(&format!("c = {text}")).unwrap();
        Capabilities::from_config(&doc["c"], "[database]")
    }

    #[test]
    fn the_config_switches_capabilities_off_and_refuses_what_it_does_not_know() {
        let mask = parse("{ transactional_ddl = false, advisory_locks = true }").unwrap();
        assert!(!mask.transactional_ddl && mask.advisory_locks && mask.concurrently);
        assert_eq!(mask.missing(), ["transactional_ddl"]);
        // `true` never switches on what the server lacks.
        let server = Capabilities {
            advisory_locks: false,
            ..Capabilities::ALL
        };
        assert_eq!(
            server.and(mask).missing(),
            ["transactional_ddl", "advisory_locks"]
        );
        let err = parse("{ transactional_dll = false }").unwrap_err();
        assert!(err.contains("capabilities.transactional_dll") && err.contains("advisory_locks"));
        assert!(
            parse("{ concurrently = \"no\" }")
                .unwrap_err()
                .contains("true or false")
        );
        assert!(parse("false").unwrap_err().contains("table of booleans"));
    }
}
