//! SQLite's conflict clause (`ON CONFLICT ROLLBACK|ABORT|FAIL|IGNORE|REPLACE`,
//! sqlite.org/lang_conflict.html) on a PRIMARY KEY, UNIQUE or NOT NULL
//! constraint: what an INSERT or UPDATE without its own `OR ...` does when it
//! would break that constraint. It changes what the application's statements
//! do (REPLACE deletes the old row), so the schema keeps it like any other
//! part of the constraint.

/// The resolution a constraint declares. `ABORT` is SQLite's default, so it
/// is also what a constraint without a clause has: the two are one value,
/// and the DDL writer leaves it unsaid.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum OnConflict {
    Rollback,
    #[default]
    Abort,
    Fail,
    Ignore,
    Replace,
}

impl OnConflict {
    const ALL: [OnConflict; 5] = [
        OnConflict::Rollback,
        OnConflict::Abort,
        OnConflict::Fail,
        OnConflict::Ignore,
        OnConflict::Replace,
    ];

    /// The keyword as SQLite spells it.
    pub fn keyword(self) -> &'static str {
        match self {
            OnConflict::Rollback => "ROLLBACK",
            OnConflict::Abort => "ABORT",
            OnConflict::Fail => "FAIL",
            OnConflict::Ignore => "IGNORE",
            OnConflict::Replace => "REPLACE",
        }
    }

    /// The keyword in any ASCII case; `None` for anything else.
    pub fn from_keyword(word: &str) -> Option<OnConflict> {
        Self::ALL
            .into_iter()
            .find(|c| c.keyword().eq_ignore_ascii_case(word.trim()))
    }

    /// ` ON CONFLICT REPLACE` to append to a constraint; empty for the default.
    pub fn clause(self) -> String {
        if self == OnConflict::Abort {
            String::new()
        } else {
            format!(" ON CONFLICT {}", self.keyword())
        }
    }

    /// `None` for the default: the form a model file writes (nothing said).
    pub fn declared(self) -> Option<&'static str> {
        (self != OnConflict::Abort).then(|| self.keyword())
    }
}

impl super::Table {
    /// True when a constraint of this table says its own conflict resolution.
    pub fn declares_conflict_clause(&self) -> bool {
        let declared = |c: OnConflict| c != OnConflict::Abort;
        self.primary_key
            .as_ref()
            .is_some_and(|pk| declared(pk.on_conflict))
            || self.uniques.iter().any(|u| declared(u.on_conflict))
            || self
                .columns
                .iter()
                .any(|c| declared(c.sqlite().not_null_on_conflict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip_and_abort_is_unsaid() {
        for c in OnConflict::ALL {
            assert_eq!(OnConflict::from_keyword(c.keyword()), Some(c));
        }
        assert_eq!(
            OnConflict::from_keyword("replace"),
            Some(OnConflict::Replace)
        );
        assert_eq!(OnConflict::from_keyword("UPSERT"), None);
        assert_eq!(OnConflict::Abort.clause(), "");
        assert_eq!(OnConflict::default(), OnConflict::Abort);
        assert_eq!(OnConflict::Ignore.clause(), " ON CONFLICT IGNORE");
    }
}
