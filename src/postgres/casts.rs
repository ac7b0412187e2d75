//! Which built-in type changes `ALTER COLUMN ... TYPE` can make without a
//! `USING` clause: PostgreSQL converts the old values by an assignment
//! cast, so the change needs an implicit or assignment cast in `pg_cast`,
//! or an I/O conversion to a string type (which the server treats as an
//! assignment cast). Anything else fails at `ALTER TABLE` time with
//! "column cannot be cast automatically", which review should catch first.
//!
//! [`CASTS`] is `pg_cast` among the common built-in types (`TYPES`),
//! checked against a real server in `tests/postgres_casts.rs`, which also
//! runs every pair through `ALTER COLUMN TYPE` on an empty table.

use super::names::quote_ident;

/// When a cast applies without being written (`pg_cast.castcontext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastContext {
    /// In any expression (`i`).
    Implicit,
    /// On assignment, and in `ALTER COLUMN TYPE` without `USING` (`a`).
    Assignment,
    /// Only when written (`CAST`, `::`), so `USING` is needed (`e`).
    Explicit,
}

/// The built-in types [`CASTS`] covers, as `format_type` names them.
pub const TYPES: &[&str] = &[
    "boolean",
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "real",
    "double precision",
    "money",
    "text",
    "character varying",
    "character",
    "\"char\"",
    "name",
    "date",
    "time without time zone",
    "time with time zone",
    "timestamp without time zone",
    "timestamp with time zone",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "bit",
    "bit varying",
    "xml",
    "oid",
];

/// `pg_cast` among [`TYPES`]: source, target, context.
pub const CASTS: &[(&str, &str, CastContext)] = &[
    ("\"char\"", "character varying", CastContext::Assignment),
    ("\"char\"", "character", CastContext::Assignment),
    ("\"char\"", "integer", CastContext::Explicit),
    ("\"char\"", "text", CastContext::Implicit),
    ("bigint", "bit", CastContext::Explicit),
    ("bigint", "double precision", CastContext::Implicit),
    ("bigint", "integer", CastContext::Assignment),
    ("bigint", "money", CastContext::Assignment),
    ("bigint", "numeric", CastContext::Implicit),
    ("bigint", "oid", CastContext::Implicit),
    ("bigint", "real", CastContext::Implicit),
    ("bigint", "smallint", CastContext::Assignment),
    ("bit varying", "bit", CastContext::Implicit),
    ("bit", "bigint", CastContext::Explicit),
    ("bit", "bit varying", CastContext::Implicit),
    ("bit", "integer", CastContext::Explicit),
    ("boolean", "character varying", CastContext::Assignment),
    ("boolean", "character", CastContext::Assignment),
    ("boolean", "integer", CastContext::Explicit),
    ("boolean", "text", CastContext::Assignment),
    ("character varying", "\"char\"", CastContext::Assignment),
    ("character varying", "character", CastContext::Implicit),
    ("character varying", "name", CastContext::Implicit),
    ("character varying", "text", CastContext::Implicit),
    ("character varying", "xml", CastContext::Explicit),
    ("character", "\"char\"", CastContext::Assignment),
    ("character", "character varying", CastContext::Implicit),
    ("character", "name", CastContext::Implicit),
    ("character", "text", CastContext::Implicit),
    ("character", "xml", CastContext::Explicit),
    ("cidr", "character varying", CastContext::Assignment),
    ("cidr", "character", CastContext::Assignment),
    ("cidr", "inet", CastContext::Implicit),
    ("cidr", "text", CastContext::Assignment),
    ("date", "timestamp with time zone", CastContext::Implicit),
    ("date", "timestamp without time zone", CastContext::Implicit),
    ("double precision", "bigint", CastContext::Assignment),
    ("double precision", "integer", CastContext::Assignment),
    ("double precision", "numeric", CastContext::Assignment),
    ("double precision", "real", CastContext::Assignment),
    ("double precision", "smallint", CastContext::Assignment),
    ("inet", "character varying", CastContext::Assignment),
    ("inet", "character", CastContext::Assignment),
    ("inet", "cidr", CastContext::Assignment),
    ("inet", "text", CastContext::Assignment),
    ("integer", "\"char\"", CastContext::Explicit),
    ("integer", "bigint", CastContext::Implicit),
    ("integer", "bit", CastContext::Explicit),
    ("integer", "boolean", CastContext::Explicit),
    ("integer", "double precision", CastContext::Implicit),
    ("integer", "money", CastContext::Assignment),
    ("integer", "numeric", CastContext::Implicit),
    ("integer", "oid", CastContext::Implicit),
    ("integer", "real", CastContext::Implicit),
    ("integer", "smallint", CastContext::Assignment),
    (
        "interval",
        "time without time zone",
        CastContext::Assignment,
    ),
    ("json", "jsonb", CastContext::Assignment),
    ("jsonb", "bigint", CastContext::Explicit),
    ("jsonb", "boolean", CastContext::Explicit),
    ("jsonb", "double precision", CastContext::Explicit),
    ("jsonb", "integer", CastContext::Explicit),
    ("jsonb", "json", CastContext::Assignment),
    ("jsonb", "numeric", CastContext::Explicit),
    ("jsonb", "real", CastContext::Explicit),
    ("jsonb", "smallint", CastContext::Explicit),
    ("macaddr", "macaddr8", CastContext::Implicit),
    ("macaddr8", "macaddr", CastContext::Implicit),
    ("money", "numeric", CastContext::Assignment),
    ("name", "character varying", CastContext::Assignment),
    ("name", "character", CastContext::Assignment),
    ("name", "text", CastContext::Implicit),
    ("numeric", "bigint", CastContext::Assignment),
    ("numeric", "double precision", CastContext::Implicit),
    ("numeric", "integer", CastContext::Assignment),
    ("numeric", "money", CastContext::Assignment),
    ("numeric", "real", CastContext::Implicit),
    ("numeric", "smallint", CastContext::Assignment),
    ("oid", "bigint", CastContext::Assignment),
    ("oid", "integer", CastContext::Assignment),
    ("real", "bigint", CastContext::Assignment),
    ("real", "double precision", CastContext::Implicit),
    ("real", "integer", CastContext::Assignment),
    ("real", "numeric", CastContext::Assignment),
    ("real", "smallint", CastContext::Assignment),
    ("smallint", "bigint", CastContext::Implicit),
    ("smallint", "double precision", CastContext::Implicit),
    ("smallint", "integer", CastContext::Implicit),
    ("smallint", "numeric", CastContext::Implicit),
    ("smallint", "oid", CastContext::Implicit),
    ("smallint", "real", CastContext::Implicit),
    ("text", "\"char\"", CastContext::Assignment),
    ("text", "character varying", CastContext::Implicit),
    ("text", "character", CastContext::Implicit),
    ("text", "name", CastContext::Implicit),
    ("text", "xml", CastContext::Explicit),
    (
        "time with time zone",
        "time without time zone",
        CastContext::Assignment,
    ),
    ("time without time zone", "interval", CastContext::Implicit),
    (
        "time without time zone",
        "time with time zone",
        CastContext::Implicit,
    ),
    ("timestamp with time zone", "date", CastContext::Assignment),
    (
        "timestamp with time zone",
        "time with time zone",
        CastContext::Assignment,
    ),
    (
        "timestamp with time zone",
        "time without time zone",
        CastContext::Assignment,
    ),
    (
        "timestamp with time zone",
        "timestamp without time zone",
        CastContext::Assignment,
    ),
    (
        "timestamp without time zone",
        "date",
        CastContext::Assignment,
    ),
    (
        "timestamp without time zone",
        "time without time zone",
        CastContext::Assignment,
    ),
    (
        "timestamp without time zone",
        "timestamp with time zone",
        CastContext::Implicit,
    ),
    ("xml", "character varying", CastContext::Assignment),
    ("xml", "character", CastContext::Assignment),
    ("xml", "text", CastContext::Assignment),
];

/// The string types: a cast to one by I/O conversion is an assignment cast.
const STRING_TYPES: &[&str] = &["text", "character varying", "character", "name"];

/// A type as written in a model or by `format_type`, in `format_type`'s
/// spelling without modifiers: `varchar(20)` -> `character varying`,
/// `timestamptz(3)` -> `timestamp with time zone`, `INT4` -> `integer`.
pub(crate) fn base_type(decl: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in decl.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => plain.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = match plain.as_str() {
        "int" | "int4" | "serial" | "serial4" => "integer",
        "int2" | "smallserial" | "serial2" => "smallint",
        "int8" | "bigserial" | "serial8" => "bigint",
        "float4" => "real",
        "float8" | "float" => "double precision",
        "bool" => "boolean",
        "decimal" => "numeric",
        "varchar" | "char varying" => "character varying",
        "char" | "bpchar" => "character",
        "varbit" => "bit varying",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        "time" => "time without time zone",
        "timetz" => "time with time zone",
        other => other,
    };
    name.to_string()
}

/// How PostgreSQL converts a `from` column to `to`: `None` when no cast is
/// known (between user types or arrays, or none at all). The same base type
/// (a changed length or precision) is an assignment.
pub fn cast_context(from: &str, to: &str) -> Option<CastContext> {
    let (from, to) = (base_type(from), base_type(to));
    if from == to {
        return Some(CastContext::Assignment);
    }
    if let Some((_, _, context)) = CASTS.iter().find(|(s, t, _)| *s == from && *t == to) {
        return Some(*context);
    }
    // I/O conversion: to a string type on assignment, from one only explicitly.
    if STRING_TYPES.contains(&to.as_str()) {
        Some(CastContext::Assignment)
    } else if STRING_TYPES.contains(&from.as_str()) {
        Some(CastContext::Explicit)
    } else {
        None
    }
}

/// Whether `ALTER COLUMN ... TYPE to` from `from` needs a `USING` clause:
/// no implicit or assignment cast exists (or none is known).
pub fn needs_using(from: &str, to: &str) -> bool {
    !matches!(
        cast_context(from, to),
        Some(CastContext::Implicit | CastContext::Assignment)
    )
}

/// `ALTER COLUMN ... TYPE` for `column` of `table` from `from` to `to`, and
/// the review comment it needs when no implicit or assignment cast exists:
/// then the statement converts with `USING column::to` (an explicit cast,
/// which fails on a value that does not convert, rolling the revision back),
/// or, when no cast is known at all, the comment says to write the `USING`
/// expression by hand.
pub fn alter_column_type(
    table: &str,
    column: &str,
    from: &str,
    to: &str,
) -> (String, Option<String>) {
    let (t, c) = (quote_ident(table), quote_ident(column));
    let alter = format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {to}");
    match cast_context(from, to) {
        Some(CastContext::Implicit | CastContext::Assignment) => (alter, None),
        Some(CastContext::Explicit) => (
            format!("{alter} USING {c}::{to}"),
            Some(format!(
                "review: no implicit cast from {from} to {to}, so the values convert by the explicit \
                 cast in USING; a value that does not convert fails the revision (nothing is changed): \
                 check the data, or write the USING expression"
            )),
        ),
        // Every type converts to and from text (its I/O functions), so the
        // text form is the one conversion that can work (one enum type to
        // another, by label) where no cast is known.
        None => (
            format!("{alter} USING {c}::text::{to}"),
            Some(format!(
                "review: PostgreSQL has no cast from {from} to {to} that migrate knows of, so the \
                 values convert through their text form; a value the new type does not accept \
                 fails the revision (nothing is changed): check the data, or write the expression \
                 that converts each value"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_spellings_reduce_to_format_type_names() {
        assert_eq!(base_type("VARCHAR(20)"), "character varying");
        assert_eq!(
            base_type("timestamp(3) with  time zone"),
            "timestamp with time zone"
        );
        assert_eq!(base_type("numeric(10, 2)"), "numeric");
        assert_eq!(base_type("int4"), "integer");
        assert_eq!(base_type("mood"), "mood");
    }

    #[test]
    fn using_is_needed_where_no_implicit_or_assignment_cast_exists() {
        assert!(!needs_using("integer", "bigint"));
        assert!(!needs_using("bigint", "int"));
        assert!(!needs_using("varchar(10)", "varchar(20)"));
        assert!(!needs_using("uuid", "text"));
        assert!(!needs_using("mood", "text"));
        assert!(needs_using("text", "integer"));
        assert!(needs_using("integer", "boolean"));
        assert!(needs_using("text", "mood"));
        assert!(needs_using("jsonb", "integer"));
        assert!(needs_using("date", "integer"));
    }

    #[test]
    fn an_alter_without_an_assignment_cast_gets_using_and_a_review_comment() {
        let (sql, note) = alter_column_type("order", "qty", "bigint", "integer");
        assert_eq!(sql, "ALTER TABLE \"order\" ALTER COLUMN qty TYPE integer");
        assert_eq!(note, None);
        let (sql, note) = alter_column_type("t", "Qty", "text", "integer");
        assert_eq!(
            sql,
            "ALTER TABLE t ALTER COLUMN \"Qty\" TYPE integer USING \"Qty\"::integer"
        );
        assert!(
            note.unwrap()
                .contains("no implicit cast from text to integer")
        );
        let (sql, note) = alter_column_type("t", "d", "date", "integer");
        assert_eq!(
            sql,
            "ALTER TABLE t ALTER COLUMN d TYPE integer USING d::text::integer"
        );
        assert!(note.unwrap().contains("no cast from date to integer"));
    }
}
