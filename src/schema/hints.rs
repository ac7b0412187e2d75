//! Rename hints: what a model says a table or column was called before
//! (`renamed_from` in TOML, `-- @renamed from=old` in SQL,
//! `info={"renamed_from": ...}` in SQLAlchemy). They tell autogenerate what
//! to rename; they are not part of what a schema means (a database never
//! has them, comparisons never see them), so they travel beside the schema
//! ([`crate::load::Model`]) instead of inside it.

use super::NameRule;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RenameHints {
    /// (table, the name it had before)
    pub tables: Vec<(String, String)>,
    /// (table, column, the name the column had before); the table as the
    /// model names it.
    pub columns: Vec<(String, String, String)>,
}

impl RenameHints {
    /// The name the model says `table` had before; names compared by
    /// `rule`, the model schema's.
    pub fn table(&self, rule: NameRule, table: &str) -> Option<&str> {
        self.tables
            .iter()
            .find(|(t, _)| rule.same(t, table))
            .map(|(_, old)| old.as_str())
    }

    /// The name the model says `table`.`column` had before.
    pub fn column(&self, rule: NameRule, table: &str, column: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(t, c, _)| rule.same(t, table) && rule.same(c, column))
            .map(|(_, _, old)| old.as_str())
    }

    /// Says `table` was called `old` (instead of what was said before).
    pub fn set_table(&mut self, rule: NameRule, table: &str, old: &str) {
        self.tables.retain(|(t, _)| !rule.same(t, table));
        self.tables.push((table.to_string(), old.to_string()));
    }

    /// Says `table`.`column` was called `old` (instead of what was said before).
    pub fn set_column(&mut self, rule: NameRule, table: &str, column: &str, old: &str) {
        self.columns
            .retain(|(t, c, _)| !(rule.same(t, table) && rule.same(c, column)));
        self.columns
            .push((table.to_string(), column.to_string(), old.to_string()));
    }

    /// Keeps the hints of the tables `keep` says yes to (and of their columns).
    pub fn retain_tables(&mut self, keep: impl Fn(&str) -> bool) {
        self.tables.retain(|(t, _)| keep(t));
        self.columns.retain(|(t, _, _)| keep(t));
    }
}

/// What follows `@renamed from=` in a SQL comment (the old name, still as
/// its dialect writes it), if the comment is a hint.
pub(crate) fn renamed_from_text(comment: &str) -> Option<&str> {
    let at = comment.find("@renamed")?;
    let rest = comment[at + "@renamed".len()..].trim_start();
    Some(
        rest.strip_prefix("from")?
            .trim_start()
            .strip_prefix('=')?
            .trim_start(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_found_by_the_models_names() {
        let mut hints = RenameHints {
            tables: vec![("Song".into(), "track".into())],
            columns: vec![("song".into(), "Title".into(), "name".into())],
        };
        let sqlite = NameRule::AsciiCaseInsensitive;
        assert_eq!(hints.table(sqlite, "song"), Some("track"));
        assert_eq!(hints.table(NameRule::Exact, "song"), None);
        assert_eq!(hints.column(sqlite, "SONG", "title"), Some("name"));
        assert_eq!(hints.column(sqlite, "song", "name"), None);
        hints.retain_tables(|t| t != "song");
        assert_eq!(
            hints.table(sqlite, "song"),
            Some("track"),
            "kept: named Song"
        );
        assert_eq!(hints.column(sqlite, "song", "title"), None);
    }
}
