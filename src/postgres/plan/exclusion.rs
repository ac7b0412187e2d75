//! A table's exclusion constraints (`EXCLUDE USING gist (during WITH &&)`)
//! as `ALTER TABLE ... DROP CONSTRAINT` / `ADD CONSTRAINT name definition`.
//! PostgreSQL cannot alter one in place, so one whose definition changed is
//! dropped and added. The drops run before the columns change (dropping a
//! column silently drops the constraints over it, and a later `DROP
//! CONSTRAINT` would then fail), the adds after (a new column may be in one).

use crate::plan::Statement;
use crate::risk::Risk;
use crate::schema::{Exclusion, Table};

use super::super::names::{quote_ident, quote_one};

/// `DROP CONSTRAINT` for each exclusion of `from` that `to` lacks or
/// defines otherwise.
pub(super) fn drops(from: &Table, to: &Table) -> Vec<Statement> {
    let kept = to.postgres().exclusions;
    from.postgres()
        .exclusions
        .iter()
        .filter(|e| !kept.contains(e))
        .map(|e| {
            Statement::plain(format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                quote_ident(&to.name),
                quote_one(&e.name)
            ))
        })
        .collect()
}

/// `ADD CONSTRAINT` for each exclusion of `to` that `from` lacks or defines
/// otherwise.
pub(super) fn adds(from: &Table, to: &Table) -> Vec<Statement> {
    let had = from.postgres().exclusions;
    to.postgres()
        .exclusions
        .iter()
        .filter(|e| !had.contains(e))
        .map(|e| add(&to.name, e))
        .collect()
}

/// Every exclusion of a new table (after `CREATE TABLE`).
pub(super) fn all(t: &Table) -> Vec<Statement> {
    adds(&Table::default(), t)
}

/// One `ADD CONSTRAINT`: rows already there may conflict under it.
fn add(table: &str, e: &Exclusion) -> Statement {
    Statement::with_risk(
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            quote_ident(table),
            quote_one(&e.name),
            e.definition
        ),
        Risk::DataDependent(format!(
            "fails if rows of {table} conflict under exclusion constraint {}",
            e.name
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{PostgresTable, TableOptions};

    fn table(exclusions: &[(&str, &str)]) -> Table {
        Table {
            name: "booking".into(),
            options: TableOptions::postgres(PostgresTable {
                exclusions: exclusions
                    .iter()
                    .map(|(n, d)| Exclusion {
                        name: n.to_string(),
                        definition: d.to_string(),
                    })
                    .collect(),
                ..PostgresTable::default()
            }),
            ..Table::default()
        }
    }

    fn sql(statements: Vec<Statement>) -> Vec<String> {
        statements.into_iter().map(|s| s.sql).collect()
    }

    const GIST: &str = "EXCLUDE USING gist (room WITH =, during WITH &&)";

    #[test]
    fn a_new_exclusion_is_added_under_its_name() {
        let (a, b) = (table(&[]), table(&[("no_overlap", GIST)]));
        assert!(drops(&a, &b).is_empty());
        assert_eq!(
            sql(adds(&a, &b)),
            [format!(
                "ALTER TABLE booking ADD CONSTRAINT no_overlap {GIST}"
            )]
        );
    }

    #[test]
    fn a_changed_definition_is_dropped_and_added() {
        let a = table(&[("ex", "EXCLUDE USING btree (name WITH =)")]);
        let b = table(&[("ex", GIST)]);
        assert_eq!(
            sql(drops(&a, &b)),
            ["ALTER TABLE booking DROP CONSTRAINT ex"]
        );
        assert_eq!(sql(adds(&a, &b)).len(), 1);
    }

    #[test]
    fn an_unchanged_exclusion_plans_nothing() {
        let a = table(&[("ex", GIST)]);
        assert!(drops(&a, &a).is_empty() && adds(&a, &a).is_empty());
    }

    #[test]
    fn adding_one_says_rows_may_conflict() {
        let risks = &all(&table(&[("ex", GIST)]))[0].risks;
        assert!(risks[0].reason().contains("conflict"), "{risks:?}");
    }
}
