//! What migrate manages: `[model] include = [...]` / `exclude = [...]`, glob
//! patterns on the names of tables, virtual tables, views and triggers
//! (Alembic's `include_name` / `include_object`).
//!
//! The rule, applied the same way to both sides (the model, and the database
//! or the replayed migrations):
//! - a name is managed when it matches an `include` pattern (or there is no
//!   `include`) and matches no `exclude` pattern; case does not count, as in
//!   SQLite names;
//! - an index belongs to its table, and a trigger to its table (or view): a
//!   trigger is managed only when both its own name and its table's are;
//! - a view is matched by its own name only (one that reads an unmanaged
//!   table is still managed when its name is).
//!
//! What is not managed is neither compared, created nor dropped: the target
//! of every comparison is the desired schema's managed objects plus the
//! current schema's unmanaged ones, exactly as they are ([`Filter::target`]).
//! Carrying them (rather than cutting them out of both sides) keeps them out
//! of every plan; a rebuild of a managed table that takes one down leaves it
//! to `upgrade`, which carries it across as the database has it
//! ([`Filter::leave_unmanaged`], [`crate::sqlite::carry`]).
//!
//! Patterns are matched by the `glob` crate (rust-lang's, no dependencies):
//! `*`, `?`, `[abc]`, `[!abc]`; `*` also matches `.` and `/`.

use glob::{MatchOptions, Pattern};

use crate::plan::Statement;
use crate::schema::{Schema, Trigger};
use crate::sqlite::sql::{self, display_name, quote_ident};

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: false,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

/// The compiled `[model] include` / `exclude` patterns; the default manages everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl Filter {
    /// Compiles the patterns; the error names the key and the pattern at fault.
    pub fn new(include: Option<&[String]>, exclude: &[String]) -> Result<Filter, String> {
        let compile = |key: &str, patterns: &[String]| {
            patterns
                .iter()
                .map(|p| {
                    Pattern::new(p).map_err(|e| {
                        format!(
                            "[model] {key}: {p:?} is not a glob pattern ({} at character {}); \
                             use * for any characters, ? for one, [abc] for one of a set",
                            e.msg,
                            e.pos + 1
                        )
                    })
                })
                .collect::<Result<Vec<_>, String>>()
        };
        if include.is_some_and(<[String]>::is_empty) {
            return Err(
                "[model] include = [] would manage nothing; remove the key to manage \
                        every table, or list the patterns to manage"
                    .into(),
            );
        }
        Ok(Filter {
            include: compile("include", include.unwrap_or_default())?,
            exclude: compile("exclude", exclude)?,
        })
    }

    /// True when no pattern is set: everything is managed.
    pub fn is_everything(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// True when an object called `name` is migrate's to compare, create and drop.
    pub fn manages(&self, name: &str) -> bool {
        let hit = |patterns: &[Pattern]| patterns.iter().any(|p| p.matches_with(name, OPTIONS));
        (self.include.is_empty() || hit(&self.include)) && !hit(&self.exclude)
    }

    fn manages_trigger(&self, t: &Trigger) -> bool {
        self.manages(&t.name) && self.manages(&t.table)
    }

    /// The objects of `schema` that are (`managed`) or are not (`!managed`) migrate's.
    fn part(&self, schema: &Schema, managed: bool) -> Schema {
        let mut s = schema.clone();
        s.tables.retain(|t| self.manages(&t.name) == managed);
        s.views.retain(|v| self.manages(&v.name) == managed);
        s.triggers.retain(|t| self.manages_trigger(t) == managed);
        s.sqlite
            .virtual_tables
            .retain(|v| self.manages(&v.name) == managed);
        s
    }

    /// What migrate manages of `schema`.
    pub fn managed(&self, schema: &Schema) -> Schema {
        self.part(schema, true)
    }

    /// What migrate leaves alone in `schema`.
    pub fn unmanaged(&self, schema: &Schema) -> Schema {
        self.part(schema, false)
    }

    /// The schema to reach from `current`: `desired` for what migrate
    /// manages, `current` as it is for the rest. Every unmanaged trigger is
    /// kept, even one whose table the desired schema renames or drops: a
    /// rename carries it along (SQLite rewrites it), a drop takes it with
    /// the table, and neither is a change of its own for migrate to plan.
    pub fn target(&self, desired: &Schema, current: &Schema) -> Schema {
        if self.is_everything() {
            return desired.clone();
        }
        let mut out = self.managed(desired);
        let rest = self.unmanaged(current);
        out.tables.extend(rest.tables);
        out.views.extend(rest.views);
        out.sqlite.virtual_tables.extend(rest.sqlite.virtual_tables);
        out.triggers.extend(rest.triggers);
        out.sort();
        out
    }

    /// Takes out of a plan the statements that drop or recreate an object
    /// migrate does not manage: a view or trigger of `current` that depends
    /// on a managed table a rebuild takes down. The revision does not carry
    /// them as text: that would be this database's version, written over
    /// (or created in) every database the revision later runs on. `upgrade`
    /// carries each one as the database being upgraded has it (see
    /// [`crate::sqlite::carry`]). Returns the objects, for a note.
    pub fn leave_unmanaged(&self, current: &Schema, steps: &mut Vec<Statement>) -> Vec<String> {
        if self.is_everything() {
            return vec![];
        }
        let rest = self.unmanaged(current);
        let objects = rest
            .views
            .iter()
            .map(|v| ("VIEW", &v.name, &v.sql))
            .chain(rest.triggers.iter().map(|t| ("TRIGGER", &t.name, &t.sql)));
        let mut touched = Vec::new();
        for (kind, name, create) in objects {
            let drop = format!("DROP {kind} {}", quote_ident(name));
            let create = sql::canonical(create);
            let before = steps.len();
            steps.retain(|s| s.sql != drop && sql::canonical(&s.sql) != create);
            if steps.len() != before {
                touched.push(format!(
                    "{} {}",
                    kind.to_ascii_lowercase(),
                    display_name(name)
                ));
            }
        }
        touched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Table, View};

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn schema(tables: &[&str], triggers: &[(&str, &str)]) -> Schema {
        let mut s = Schema {
            tables: tables
                .iter()
                .map(|n| Table {
                    name: n.to_string(),
                    ..Table::default()
                })
                .collect(),
            views: vec![View {
                name: "v_fts".into(),
                sql: "CREATE VIEW v_fts AS SELECT 1".into(),
            }],
            triggers: triggers
                .iter()
                .map(|(name, table)| Trigger {
                    name: name.to_string(),
                    table: table.to_string(),
                    sql: format!(
                        "CREATE TRIGGER {name} AFTER INSERT ON {table} BEGIN SELECT 1; END"
                    ),
                })
                .collect(),
            ..Schema::default()
        };
        s.sort();
        s
    }

    #[test]
    fn names_match_without_case_and_exclude_wins() {
        let f = Filter::new(Some(&strings(&["app_*", "user?"])), &strings(&["*_tmp"])).unwrap();
        assert!(f.manages("app_user"));
        assert!(f.manages("APP_User"));
        assert!(f.manages("users"));
        assert!(!f.manages("user"));
        assert!(!f.manages("app_tmp"));
        assert!(!f.manages("spatial_ref_sys"));
        assert!(Filter::default().manages("anything"));
    }

    #[test]
    fn bad_patterns_and_empty_include_are_refused() {
        let err = Filter::new(None, &strings(&["[abc"])).unwrap_err();
        assert!(
            err.contains("[model] exclude") && err.contains("\"[abc\""),
            "{err}"
        );
        let err = Filter::new(Some(&[]), &[]).unwrap_err();
        assert!(err.contains("include = []"), "{err}");
    }

    #[test]
    fn triggers_follow_their_table() {
        let f = Filter::new(None, &strings(&["fts_*"])).unwrap();
        let s = schema(
            &["doc", "fts_doc"],
            &[("on_fts", "fts_doc"), ("fts_sync", "doc"), ("keep", "doc")],
        );
        let managed = f.managed(&s);
        let names: Vec<&str> = managed.triggers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["keep"]);
        assert_eq!(managed.tables.len(), 1);
        assert_eq!(f.unmanaged(&s).triggers.len(), 2);
    }

    #[test]
    fn target_takes_the_rest_from_the_current_side() {
        let f = Filter::new(None, &strings(&["fts_*", "v_*"])).unwrap();
        let current = schema(
            &["doc", "fts_doc", "gone"],
            &[("fts_sync", "doc"), ("fts_x", "gone")],
        );
        let desired = schema(&["doc", "label", "fts_other"], &[]);
        let t = f.target(&desired, &current);
        let tables: Vec<&str> = t.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(tables, ["doc", "fts_doc", "label"]);
        // Unmanaged triggers stay, even on a table the target drops (SQLite
        // drops it with the table) or renames (SQLite rewrites it).
        let triggers: Vec<&str> = t.triggers.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(triggers, ["fts_sync", "fts_x"]);
        assert_eq!(t.views, current.views);
        assert_eq!(Filter::default().target(&desired, &current), desired);
    }
}
