//! PostgreSQL's rules for names, as pure functions: how a name written in
//! SQL becomes the name the catalog stores (an unquoted name folds to lower
//! case; every name is cut to 63 bytes), and how a stored name is written
//! back into SQL (bare only when that reads back as the same name).
//! The model's SQL text, rename hints and the config's names all go through
//! [`fold`] / [`ident`], so they compare with the catalog's names exactly.

use super::keywords;
use super::sql::{Kind, Token};

/// The longest name PostgreSQL stores, in bytes (`NAMEDATALEN - 1`).
pub(crate) const MAX_NAME_BYTES: usize = 63;

/// `name` cut to [`MAX_NAME_BYTES`] on a character boundary, as the server
/// cuts every identifier (it notices with a NOTICE, and then uses the cut
/// name: `CREATE TABLE` of a 70-character name makes a 63-byte one).
pub(crate) fn truncate(name: &str) -> &str {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let mut end = MAX_NAME_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// An unquoted name as the catalog stores it: ASCII letters to lower case
/// (the server's `downcase_identifier` leaves other characters alone in a
/// UTF-8 database), then [`truncate`]d.
pub(crate) fn fold(unquoted: &str) -> String {
    truncate(&unquoted.to_ascii_lowercase()).to_string()
}

/// The stored name a name token stands for: a bare word folded, a quoted
/// name unquoted (`""` is `"`, `U&"d\0061t"` is `dat`) and truncated.
/// `None` when the token is not a name.
pub fn ident(tok: &Token) -> Option<String> {
    match tok.kind {
        Kind::Word => Some(fold(tok.text)),
        Kind::QuotedIdent => {
            let unicode = tok.text.starts_with(['u', 'U']);
            let inner = tok.text.trim_start_matches(['u', 'U', '&']);
            let inner = inner.strip_prefix('"').unwrap_or(inner);
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            let name = inner.replace("\"\"", "\"");
            let name = if unicode {
                unicode_escapes(&name)
            } else {
                name
            };
            Some(truncate(&name).to_string())
        }
        _ => None,
    }
}

/// The escapes of a `U&"..."` name with the default escape character:
/// `\XXXX`, `\+XXXXXX` and `\\`. An invalid escape is kept as written (the
/// server refuses it when the statement runs).
fn unicode_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('\\') {
            out.push('\\');
            rest = after;
            continue;
        }
        let (digits, skip) = match rest.strip_prefix('+') {
            Some(r) => (r.get(..6), 7),
            None => (rest.get(..4), 4),
        };
        match digits
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .and_then(char::from_u32)
        {
            Some(c) => {
                out.push(c);
                rest = &rest[skip..];
            }
            None => out.push('\\'),
        }
    }
    out.push_str(rest);
    out
}

/// A stored name as an identifier in SQL text: bare only when it reads back
/// as itself (lower-case ASCII letters, digits and `_`, not starting with a
/// digit, not a key word that needs quotes), otherwise double-quoted with
/// `"` doubled. The same rule as the server's `quote_ident()`, which
/// `tests/postgres_dialect.rs` checks. A [`qualify`]d name (an object of
/// a schema but the first) is already written so, and goes in as it is.
pub fn quote_ident(name: &str) -> String {
    if split_qualified(name).is_some() {
        return name.to_string();
    }
    quote_one(name)
}

/// One name quoted by the server's rule, even one that reads as `a.b`
/// (a schema's: schemas are never qualified).
pub(crate) fn quote_one(name: &str) -> String {
    let mut bytes = name.bytes();
    let plain = matches!(bytes.next(), Some(b'a'..=b'z' | b'_'))
        && bytes.all(|c| matches!(c, b'a'..=b'z' | b'0'..=b'9' | b'_'))
        && !keywords::needs_quotes(name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The name of an object in a schema other than the first configured one,
/// as the inspector stores it: `schema.name`, each part written as
/// [`quote_ident`] (and the server's `regclass`) writes it, so it goes into
/// SQL as it is. (A name in the first schema is stored bare and unquoted.)
pub(crate) fn qualify(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_one(schema), quote_one(name))
}

/// The (schema, name) a [`qualify`]d name stands for, unquoted; `None` for
/// a name of the first schema. A first-schema name that itself reads as
/// `a.b` with each part written as quoting would write it (a table named
/// `"a.b"`) is taken as qualified: the documented limitation.
pub(crate) fn split_qualified(name: &str) -> Option<(String, String)> {
    let (schema, rest) = quoted_part(name)?;
    let (table, rest) = quoted_part(rest.strip_prefix('.')?)?;
    rest.is_empty().then_some((schema, table))
}

/// The name without its schema, unquoted: what `RENAME TO` and `CREATE
/// INDEX` take (their object goes into its table's schema).
pub(crate) fn local_name(name: &str) -> String {
    split_qualified(name).map_or_else(|| name.to_string(), |(_, n)| n)
}

/// `object` (a bare name, such as an index's) in the schema of `table`,
/// ready for SQL: what `DROP INDEX` and `ALTER INDEX` take.
pub(crate) fn in_schema_of(table: &str, object: &str) -> String {
    match split_qualified(table) {
        Some((schema, _)) => qualify(&schema, object),
        None => quote_one(object),
    }
}

/// One part of a qualified name at the start of `text`, as [`quote_one`]
/// writes it: (the unquoted name, the rest).
fn quoted_part(text: &str) -> Option<(String, &str)> {
    let (raw, rest) = match text.strip_prefix('"') {
        Some(inner) => {
            let mut raw = String::new();
            let mut chars = inner.char_indices();
            loop {
                let (i, c) = chars.next()?;
                if c != '"' {
                    raw.push(c);
                } else if inner[i + 1..].starts_with('"') {
                    raw.push('"');
                    chars.next();
                } else {
                    break (raw, &inner[i + 1..]);
                }
            }
        }
        None => {
            let end = text.find('.').unwrap_or(text.len());
            (text[..end].to_string(), &text[end..])
        }
    };
    let written = &text[..text.len() - rest.len()];
    (quote_one(&raw) == written).then_some((raw, rest))
}

/// A string literal for `value` (`standard_conforming_strings` is on, so a
/// backslash is a plain character; only `'` is doubled).
pub(crate) fn quote_str(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::sql::tokenize;

    fn ident_of(src: &str) -> Option<String> {
        ident(&tokenize(src)[0])
    }

    #[test]
    fn names_fold_and_truncate_as_the_server_does() {
        assert_eq!(ident_of("Artist").as_deref(), Some("artist"));
        assert_eq!(ident_of("\"Artist\"").as_deref(), Some("Artist"));
        assert_eq!(ident_of("\"a\"\"b\"").as_deref(), Some("a\"b"));
        assert_eq!(ident_of("U&\"d\\0061t\"").as_deref(), Some("dat"));
        assert_eq!(ident_of("u&\"\\+01F600\\\\\"").as_deref(), Some("😀\\"));
        // Non-ASCII letters keep their case in a UTF-8 database.
        assert_eq!(fold("ÉCOLE"), "École");
        assert_eq!(ident_of("'x'"), None);
        let long = "a".repeat(70);
        assert_eq!(fold(&long).len(), 63);
        // 62 ASCII bytes then a 2-byte character: cut before it, not inside.
        let edge = format!("{}éé", "a".repeat(62));
        assert_eq!(truncate(&edge), "a".repeat(62));
    }

    #[test]
    fn quotes_only_when_the_bare_name_would_read_back_differently() {
        for (name, want) in [
            ("artist", "artist"),
            ("_x1", "_x1"),
            ("Artist", "\"Artist\""),
            ("order", "\"order\""),
            ("int", "\"int\""),
            ("left", "\"left\""),
            ("begin", "begin"),
            ("a$b", "\"a$b\""),
            ("1st", "\"1st\""),
            ("café", "\"café\""),
            ("a\"b", "\"a\"\"b\""),
            ("", "\"\""),
        ] {
            assert_eq!(quote_ident(name), want, "{name}");
        }
    }

    #[test]
    fn a_qualified_name_goes_into_sql_as_it_is_stored() {
        let name = qualify("Billing", "invoice");
        assert_eq!(name, "\"Billing\".invoice");
        assert_eq!(quote_ident(&name), name);
        assert_eq!(
            split_qualified("\"a.b\".\"x\"\"y\""),
            Some(("a.b".into(), "x\"y".into()))
        );
        assert_eq!(local_name("billing.invoice"), "invoice");
        assert_eq!(local_name("invoice"), "invoice");
        assert_eq!(in_schema_of("billing.invoice", "Ix"), "billing.\"Ix\"");
        assert_eq!(in_schema_of("invoice", "ix"), "ix");
        // Not written as quoting writes it: one name with a dot in it.
        assert_eq!(quote_ident("Billing.invoice"), "\"Billing.invoice\"");
        assert_eq!(quote_ident("a.b.c"), "\"a.b.c\"");
    }
}
