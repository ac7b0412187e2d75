//! The queries that count the rows a data-dependent step would fail on
//! (NULLs before SET NOT NULL, duplicates before a UNIQUE, orphans before a
//! foreign key, violations before a CHECK, values a type change converts),
//! and the [`Risk`] that carries one. The query rides in the risk's reason
//! (`... (pre-count: SELECT count(*) ...)`), so it reaches the revision
//! file's review comment and the apply side reads it back with [`of`],
//! to run it under a `statement_timeout` before the step.

use crate::risk::{PreCount, Risk};
use crate::schema::ForeignKey;

use super::super::ddl::ident_list;
use super::super::names::quote_ident;

const MARK: &str = " (pre-count: ";

/// A data-dependent risk: `reason`, and the query counting the rows at stake.
pub(crate) fn risk(reason: String, query: String) -> Risk {
    Risk::DataDependent(format!("{reason}{MARK}{query})"))
}

/// A type change's risk: `reason`, and the query counting the values it
/// converts. Not a pre-count (a value that converts is no failure), so
/// nothing refuses on it; the count is there for the reviewer.
pub(crate) fn conversion(reason: String, query: String) -> Risk {
    Risk::DataDependent(format!("{reason} (values to convert: {query})"))
}

/// The pre-count query a risk carries, if any.
pub fn of(risk: &Risk) -> Option<&str> {
    let Risk::DataDependent(reason) = risk else {
        return None;
    };
    let (_, rest) = reason.rsplit_once(MARK)?;
    rest.strip_suffix(')')
}

/// The risk's reason, query and the table it counts, for running it.
pub(crate) fn read(risk: &Risk) -> Option<PreCount<'_>> {
    let query = of(risk)?;
    let reason = risk.reason().strip_suffix(&format!("{MARK}{query})"))?;
    Some(PreCount {
        table: counted_table(query)?,
        reason,
        query,
    })
}

/// The table a pre-count query reads: the first `FROM` not followed by a
/// subquery (every query here counts rows of one table, maybe joined to
/// its parent after).
fn counted_table(query: &str) -> Option<String> {
    let tokens = super::super::sql::tokenize(query);
    let mut words = tokens.iter().filter(|t| !t.is_trivia());
    while let Some(w) = words.next() {
        if w.is_word("FROM")
            && let Some(name) = words.next().and_then(super::super::names::ident)
        {
            return Some(name);
        }
    }
    None
}

/// Rows whose `column` is NULL.
pub(crate) fn nulls(table: &str, column: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE {} IS NULL",
        quote_ident(table),
        quote_ident(column)
    )
}

/// Rows that share their values of `columns` (or expressions) with another row.
pub(crate) fn duplicates(table: &str, columns: &[String]) -> String {
    let cols = columns.join(", ");
    format!(
        "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {} GROUP BY {cols} HAVING count(*) > 1) AS d",
        quote_ident(table)
    )
}

/// Rows for which `expr` is false.
pub(crate) fn violations(table: &str, expr: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE NOT ({expr})",
        quote_ident(table)
    )
}

/// Child rows whose key has no parent row (`parent_key` is the referenced
/// columns, the parent's primary key when the key names none).
pub(crate) fn orphans(table: &str, fk: &ForeignKey, parent_key: &[String]) -> String {
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
pub(crate) fn values(table: &str, column: &str) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
        quote_ident(table),
        quote_ident(column)
    )
}

/// `columns` as an identifier list (for [`duplicates`] over plain columns).
pub(crate) fn columns(columns: &[String]) -> Vec<String> {
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
        let read = read(&back).unwrap();
        assert_eq!(read.reason, "fails if t.a has NULLs");
        assert_eq!(read.table, "t");
    }

    #[test]
    fn the_counted_table_is_the_first_one_read() {
        let q = duplicates("Order Items", &columns(&["a".into()]));
        assert_eq!(counted_table(&q).as_deref(), Some("Order Items"));
        assert_eq!(
            counted_table("SELECT count(*) FROM t AS c WHERE NOT EXISTS (SELECT 1 FROM p)")
                .as_deref(),
            Some("t")
        );
    }
}
