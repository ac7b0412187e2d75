//! Changing an enum type's labels, as pure functions over the old and new
//! label lists. PostgreSQL adds a label in place (`ALTER TYPE ... ADD
//! VALUE ... BEFORE|AFTER`) but has no `DROP VALUE` and no reorder: those
//! need the type recreated (rename it away, create the new one, convert
//! every column through text, drop the old), which fails if a row still
//! holds a removed label, so the planner counts those rows first
//! ([`rows_using_sql`]).

use super::names::{quote_ident, quote_str};

/// How to get from one label list to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumChange {
    Unchanged,
    /// Only additions, each placed relative to a label that exists by then:
    /// run in order.
    Add(Vec<AddValue>),
    /// A label removed or the order changed: the type must be recreated.
    Recreate {
        removed: Vec<String>,
        reordered: bool,
    },
}

/// One `ALTER TYPE ... ADD VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddValue {
    pub label: String,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// At the end (the default).
    End,
    Before(String),
    After(String),
}

/// What turns the labels `old` into `new`.
pub fn plan(old: &[String], new: &[String]) -> EnumChange {
    if old == new {
        return EnumChange::Unchanged;
    }
    let removed: Vec<String> = old.iter().filter(|l| !new.contains(l)).cloned().collect();
    let kept_in_new: Vec<&String> = new.iter().filter(|l| old.contains(l)).collect();
    let kept_in_old: Vec<&String> = old.iter().filter(|l| new.contains(l)).collect();
    let reordered = kept_in_new != kept_in_old;
    if !removed.is_empty() || reordered {
        return EnumChange::Recreate { removed, reordered };
    }
    let first_old = new.iter().find(|l| old.contains(l));
    let adds = new
        .iter()
        .enumerate()
        .filter(|(_, l)| !old.contains(l))
        .map(|(k, label)| {
            // After the label before it (old, or added just before); labels
            // before every old one go before the first old one, in order.
            let before_any_old = new[..k].iter().all(|l| !old.contains(l));
            let place = match (before_any_old, first_old) {
                (true, Some(first)) => Place::Before(first.clone()),
                (true, None) => Place::End,
                (false, _) => Place::After(new[k - 1].clone()),
            };
            AddValue {
                label: label.clone(),
                place,
            }
        })
        .collect();
    EnumChange::Add(adds)
}

/// `ALTER TYPE type ADD VALUE 'label' [BEFORE|AFTER 'other']`. Outside a
/// transaction block when the label is used in the same revision (see
/// [`crate::postgres::no_transaction`]).
pub fn add_value_sql(type_name: &str, add: &AddValue) -> String {
    let place = match &add.place {
        Place::End => String::new(),
        Place::Before(l) => format!(" BEFORE {}", quote_str(l)),
        Place::After(l) => format!(" AFTER {}", quote_str(l)),
    };
    format!(
        "ALTER TYPE {} ADD VALUE {}{place}",
        quote_ident(type_name),
        quote_str(&add.label)
    )
}

/// `CREATE TYPE type AS ENUM (...)`.
pub fn create_sql(type_name: &str, labels: &[String]) -> String {
    let labels: Vec<String> = labels.iter().map(|l| quote_str(l)).collect();
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        quote_ident(type_name),
        labels.join(", ")
    )
}

/// A column of the enum type: table, column, and its default (which must
/// be dropped while the column changes type, then set again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumColumn {
    pub table: String,
    pub column: String,
    pub default: Option<String>,
    /// The default set once the type is recreated, when not `default`
    /// (which may name a label the new type lacks); `None`: `default`.
    pub default_after: Option<Option<String>>,
}

/// The statements that recreate `type_name` with `labels`, converting each
/// column in `columns` through text. Run in one transaction: it fails, and
/// changes nothing, if a row holds a label `labels` lacks.
pub fn recreate_sql(type_name: &str, labels: &[String], columns: &[EnumColumn]) -> Vec<String> {
    let old = format!("{type_name}__migrate_old");
    let ty = quote_ident(type_name);
    let mut out = vec![
        format!(
            "ALTER TYPE {ty} RENAME TO {}",
            quote_ident(&super::names::local_name(&old))
        ),
        create_sql(type_name, labels),
    ];
    for c in columns {
        let (table, column) = (quote_ident(&c.table), quote_ident(&c.column));
        if c.default.is_some() {
            out.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"
            ));
        }
        out.push(format!(
            "ALTER TABLE {table} ALTER COLUMN {column} TYPE {ty} USING {column}::text::{ty}"
        ));
        if let Some(default) = c.default_after.as_ref().unwrap_or(&c.default) {
            out.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default}"
            ));
        }
    }
    out.push(format!("DROP TYPE {}", quote_ident(&old)));
    out
}

/// A query counting the rows of `column` that hold one of `labels` (the
/// ones a recreate would remove): the number a refusal names.
pub fn rows_using_sql(table: &str, column: &str, labels: &[String]) -> String {
    let labels: Vec<String> = labels.iter().map(|l| quote_str(l)).collect();
    format!(
        "SELECT count(*) FROM {} WHERE {}::text IN ({})",
        quote_ident(table),
        quote_ident(column),
        labels.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn adds(old: &str, new: &str) -> Vec<String> {
        match plan(&labels(old), &labels(new)) {
            EnumChange::Add(adds) => adds.iter().map(|a| add_value_sql("mood", a)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn additions_are_placed_relative_to_existing_labels() {
        assert_eq!(plan(&labels("a b"), &labels("a b")), EnumChange::Unchanged);
        assert_eq!(
            adds("a b", "a b c"),
            ["ALTER TYPE mood ADD VALUE 'c' AFTER 'b'"]
        );
        assert_eq!(
            adds("b d", "a0 a b c d e"),
            [
                "ALTER TYPE mood ADD VALUE 'a0' BEFORE 'b'",
                "ALTER TYPE mood ADD VALUE 'a' BEFORE 'b'",
                "ALTER TYPE mood ADD VALUE 'c' AFTER 'b'",
                "ALTER TYPE mood ADD VALUE 'e' AFTER 'd'",
            ]
        );
        assert_eq!(
            adds("", "x y"),
            [
                "ALTER TYPE mood ADD VALUE 'x'",
                "ALTER TYPE mood ADD VALUE 'y'"
            ]
        );
    }

    #[test]
    fn removals_and_reorders_need_a_recreate() {
        assert_eq!(
            plan(&labels("a b c"), &labels("a c")),
            EnumChange::Recreate {
                removed: vec!["b".into()],
                reordered: false
            }
        );
        assert_eq!(
            plan(&labels("a b c"), &labels("a c b x")),
            EnumChange::Recreate {
                removed: vec![],
                reordered: true
            }
        );
    }
}
