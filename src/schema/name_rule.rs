//! The name rule: when two identifiers name the same object. Each dialect
//! has its own ([`crate::dialect::Dialect::name_rule`]): SQLite ignores
//! ASCII case; PostgreSQL compares names exactly, as its catalog keeps them
//! (unquoted names were folded to lower case when the object was made). A
//! schema, and each of its tables, carries the rule of whoever built it
//! ([`super::Schema::set_name_rule`]); comparing two schemas built under
//! different rules is a programming error.

use std::cmp::Ordering;

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum NameRule {
    /// SQLite: `Users` and `users` are one table.
    #[default]
    AsciiCaseInsensitive,
    /// PostgreSQL: names as the catalog has them, compared byte for byte.
    Exact,
}

impl NameRule {
    /// Whether `a` and `b` name the same object.
    pub fn same(self, a: &str, b: &str) -> bool {
        match self {
            NameRule::AsciiCaseInsensitive => a.eq_ignore_ascii_case(b),
            NameRule::Exact => a == b,
        }
    }

    /// The order names are kept in: by name, under this rule.
    pub fn cmp(self, a: &str, b: &str) -> Ordering {
        match self {
            NameRule::AsciiCaseInsensitive => a
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
            NameRule::Exact => a.cmp(b),
        }
    }

    /// `name` in the one spelling the rule gives all the names it calls the same.
    pub fn key(self, name: &str) -> String {
        let mut key = name.to_string();
        self.fold(&mut key);
        key
    }

    /// Turns `name` into its [`NameRule::key`] in place.
    pub fn fold(self, name: &mut str) {
        if self == NameRule::AsciiCaseInsensitive {
            name.make_ascii_lowercase();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_ignores_ascii_case_and_postgres_does_not() {
        let (sqlite, postgres) = (NameRule::AsciiCaseInsensitive, NameRule::Exact);
        assert!(sqlite.same("Users", "users"));
        assert!(!sqlite.same("Straße", "STRASSE"));
        assert!(!postgres.same("Users", "users"));
        assert!(postgres.same("users", "users"));
        assert_eq!(sqlite.key("Users"), "users");
        assert_eq!(postgres.key("Users"), "Users");
        assert_eq!(sqlite.cmp("b", "A"), Ordering::Greater);
        assert_eq!(postgres.cmp("b", "A"), Ordering::Greater);
        assert_eq!(postgres.cmp("B", "a"), Ordering::Less);
    }
}
