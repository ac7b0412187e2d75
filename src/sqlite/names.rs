//! SQLite's name rule, for the SQLite code that compares names without a
//! schema at hand: ASCII case does not matter (`Users` is `users`).

use crate::schema::NameRule;

/// SQLite's name rule, what [`crate::sqlite::dialect::SqliteDialect`] gives.
pub(crate) const NAMES: NameRule = NameRule::AsciiCaseInsensitive;

/// Whether two names are one to SQLite ([`NAMES`]).
pub fn same_name(a: &str, b: &str) -> bool {
    NAMES.same(a, b)
}
