//! The normal forms of the model's text values, so that two spellings of
//! one meaning are one value: declared types, expressions, collation names
//! and foreign-key actions (schema.rs lists the rules).

use crate::sqlite::sql::{self, Kind};

/// `varchar ( 30 )` -> `VARCHAR(30)`; `unsigned big int` -> `UNSIGNED BIG INT`.
pub(crate) fn normalize_type(decl: &str) -> String {
    let mut out = String::new();
    let mut prev_word = false;
    for tok in sql::tokenize(decl).into_iter().filter(|t| !t.is_trivia()) {
        let is_word = matches!(tok.kind, Kind::Word | Kind::Number | Kind::QuotedIdent);
        if tok.is_punct("(") || tok.is_punct(")") || tok.is_punct(",") {
            out.push_str(tok.text);
            prev_word = false;
            continue;
        }
        if prev_word && is_word {
            out.push(' ');
        }
        let text = match tok.kind {
            Kind::QuotedIdent => sql::unquote(tok.text),
            _ => tok.text.to_string(),
        };
        out.push_str(&text.to_ascii_uppercase());
        prev_word = is_word;
    }
    out
}

/// Canonical expression without one redundant outer pair of parentheses.
pub(crate) fn normalize_expr(expr: &str) -> String {
    let mut text = sql::canonical(expr);
    while let Some(inner) = strip_outer_parens(&text) {
        text = inner;
    }
    text
}

fn strip_outer_parens(text: &str) -> Option<String> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    // Only when the first "(" closes at the very end: "(a) + (b)" stays.
    let mut depth = 0i32;
    for tok in sql::tokenize(inner) {
        if tok.is_punct("(") {
            depth += 1;
        } else if tok.is_punct(")") {
            depth -= 1;
            if depth < 0 {
                return None;
            }
        }
    }
    (depth == 0).then(|| inner.trim().to_string())
}

/// Upper-case collation name; `BINARY` (the default) is `None`.
pub(crate) fn normalize_collation(name: &str) -> Option<String> {
    let upper = sql::unquote(name.trim()).to_ascii_uppercase();
    (upper != "BINARY" && !upper.is_empty()).then_some(upper)
}

/// `cascade` -> `CASCADE`; `NO ACTION` (the default) -> `None`.
pub(crate) fn normalize_action(action: &str) -> Option<String> {
    let words: Vec<String> = action
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let joined = words.join(" ");
    (!joined.is_empty() && joined != "NO ACTION").then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_keep_words_not_spelling() {
        assert_eq!(normalize_type("varchar ( 30 )"), "VARCHAR(30)");
        assert_eq!(normalize_type("numeric(15, 4)"), "NUMERIC(15,4)");
        assert_eq!(normalize_type("unsigned  big int"), "UNSIGNED BIG INT");
        assert_eq!(normalize_type(""), "");
        assert_ne!(normalize_type("INT"), normalize_type("INTEGER"));
    }

    #[test]
    fn expressions_lose_redundant_parens_only() {
        assert_eq!(normalize_expr("(0)"), "0");
        assert_eq!(normalize_expr("((a + 1))"), "a + 1");
        assert_eq!(normalize_expr("(a) + (b)"), "(a) + (b)");
        assert_eq!(normalize_expr("CURRENT_TIMESTAMP"), "current_timestamp");
        assert_eq!(normalize_expr("'It''s'"), "'It''s'");
    }

    #[test]
    fn defaults_are_none() {
        assert_eq!(normalize_collation("binary"), None);
        assert_eq!(normalize_collation("nocase"), Some("NOCASE".into()));
        assert_eq!(normalize_action("NO ACTION"), None);
        assert_eq!(normalize_action("set  null"), Some("SET NULL".into()));
    }
}
