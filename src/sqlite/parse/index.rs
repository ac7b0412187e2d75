//! The `CREATE INDEX` text SQLite keeps: index expressions, collations and
//! directions per term, and the WHERE clause of a partial index.

use super::Cursor;
use crate::schema::{IndexPart, IndexTarget, normalize_collation, normalize_expr};
use crate::sqlite::sql::{self, Kind, Token};

#[derive(Debug, Default, Clone)]
pub(crate) struct ParsedIndex {
    // Read only by the unit tests (the inspector has it from the pragmas).
    #[cfg_attr(not(test), allow(dead_code))]
    pub unique: bool,
    pub parts: Vec<IndexPart>,
    pub where_clause: Option<String>,
}

/// Parses a `CREATE INDEX` statement as stored in `sqlite_schema`.
pub(crate) fn parse_create_index(src: &str) -> Result<ParsedIndex, String> {
    let mut c = Cursor::new(src);
    c.expect_word("CREATE")?;
    let unique = c.eat_word("UNIQUE");
    c.expect_word("INDEX")?;
    if c.eat_word("IF") {
        c.expect_word("NOT")?;
        c.expect_word("EXISTS")?;
    }
    // The index's and the table's names: the inspector has both already.
    c.qualified_ident()?;
    c.expect_word("ON")?;
    c.ident()?;
    c.expect_punct("(")?;
    let body = c.balanced()?;
    let parts = split_top_level(body)
        .into_iter()
        .map(index_part)
        .collect::<Result<_, _>>()?;
    let where_clause = if c.eat_word("WHERE") {
        let start = c.peek().map_or(src.len(), |t| t.offset);
        Some(normalize_expr(
            src[start..].trim_end().trim_end_matches(';'),
        ))
    } else {
        None
    };
    Ok(ParsedIndex {
        unique,
        parts,
        where_clause,
    })
}

/// One indexed term: `expr [COLLATE name] [ASC|DESC]`.
fn index_part(text: &str) -> Result<IndexPart, String> {
    let toks: Vec<Token> = sql::tokenize(text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let mut end = toks.len();
    let mut desc = false;
    if end > 0 && (toks[end - 1].is_word("DESC") || toks[end - 1].is_word("ASC")) {
        desc = toks[end - 1].is_word("DESC");
        end -= 1;
    }
    let mut collation = None;
    if end >= 2 && toks[end - 2].is_word("COLLATE") {
        collation = normalize_collation(&toks[end - 1].ident().unwrap_or_default());
        end -= 2;
    }
    let target = match &toks[..end] {
        [] => return Err(format!("empty index term in `{text}`")),
        [one] if matches!(one.kind, Kind::Word | Kind::QuotedIdent | Kind::String) => {
            IndexTarget::Column(one.ident().unwrap_or_default())
        }
        many => {
            let start = many[0].offset;
            let last = &many[many.len() - 1];
            IndexTarget::Expr(normalize_expr(&text[start..last.offset + last.text.len()]))
        }
    };
    Ok(IndexPart {
        target,
        desc,
        collation,
        nulls_first: None,
    })
}

/// Splits at commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for t in sql::tokenize(text) {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
        } else if t.is_punct(",") && depth == 0 {
            parts.push(&text[start..t.offset]);
            start = t.offset + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_index_terms() {
        let i = parse_create_index(
            "CREATE UNIQUE INDEX ix ON t (lower(name), age DESC, title COLLATE NOCASE) WHERE age > 1",
        )
        .unwrap();
        assert!(i.unique);
        assert_eq!(i.parts[0].target, IndexTarget::Expr("lower(name)".into()));
        assert!(i.parts[1].desc);
        assert_eq!(i.parts[2].collation.as_deref(), Some("NOCASE"));
        assert_eq!(i.where_clause.as_deref(), Some("age > 1"));
    }
}
