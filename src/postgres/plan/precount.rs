//! The queries that count the rows a data-dependent step would fail on
//! (NULLs before SET NOT NULL, duplicates before a UNIQUE, orphans before a
//! foreign key, violations before a CHECK, values a type change converts),
//! and the [`Risk`] that carries one. The query rides in the risk's reason
//! (`... (pre-count: SELECT count(*) ...)`), so it reaches the revision
//! file's review comment and the apply side reads it back with [`of`],
//! to run it under a `statement_timeout` before the step.

use crate::risk::Risk;
use crate::schema::ForeignKey;

use super::super::ddl::ident_list;
use super::super::names::quote_ident;

const MARK: &str = " (pre-count: ";

/// A data-dependent risk: `reason`, and the query counting the rows at stake.
pub fn risk(reason: String, query: String) -> Risk {
    Risk::DataDependent(format!("{reason}{MARK}{query})"))
}

/// The pre-count query a risk carries, if any.
pub fn of(risk: &Risk) -> Option<&str> {
    let Risk::DataDependent(reason) = risk else {
        return None;
    };
    let (_, rest) = reason.rsplit_once(MARK)?;
    rest.strip_suffix(')')
}

/// Rows whose `column` is NULL.
pub fn nulls(table: &str, column: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE {} IS NULL",
        quote_ident(table),
        quote_ident(column)
    )
}

/// Rows that share their values of `columns` (or expressions) with another row.
pub fn duplicates(table: &str, columns: &[String]) -> String {
    let cols = columns.join(", ");
    format!(
        "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {} GROUP BY {cols} HAVING count(*) > 1) AS d",
        quote_ident(table)
    )
}

/// Rows for which `expr` is false.
pub fn violations(table: &str, expr: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE NOT ({expr})",
        quote_ident(table)
    )
}

/// Child rows whose key has no parent row (`parent_key` is the referenced
/// columns, the parent's primary key when the key names none).
pub fn orphans(table: &str, fk: &ForeignKey, parent_key: &[String]) -> String {
    let child: Vec<String> = fk
        .columns
        .iter()
        .map(|c| format!("c.{}", quote_ident(c)))
        .collect();
    let matches: Vec<String> = fk
        .columns
        .iter()
        .zip(parent_key)
        .map(|(c, p)| format!("p.{} = c.{}", quote_ident(p), quote_ident(c)))
        .collect();
    let not_null: Vec<String> = child.iter().map(|c| format!("{c} IS NOT NULL")).collect();
    format!(
        "SELECT count(*) FROM {} AS c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
        quote_ident(table),
        not_null.join(" AND "),
        quote_ident(&fk.ref_table),
        matches.join(" AND ")
    )
}

/// Rows with a value in `column`: the ones a type change converts.
pub fn values(table: &str, column: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
        quote_ident(table),
        quote_ident(column)
    )
}

/// `columns` as an identifier list (for [`duplicates`] over plain columns).
pub fn columns(columns: &[String]) -> Vec<String> {
    vec![ident_list(columns)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_reads_back_from_the_risk_and_its_comment() {
        let r = risk("fails if t.a has NULLs".into(), nulls("t", "a"));
        assert_eq!(of(&r), Some("SELECT count(*) FROM t WHERE a IS NULL"));
        let back = Risk::from_comment(&r.to_string()).unwrap();
        assert_eq!(of(&back), of(&r));
        assert_eq!(of(&Risk::Destructive("x".into())), None);
    }
}
