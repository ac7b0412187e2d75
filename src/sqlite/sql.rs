//! SQL text as tokens: the one lexer behind statement splitting, identifier
//! quoting, expression normalization and checksums.
//!
//! Everything that compares or hashes SQL goes through [`tokenize`], so that a
//! reworded comment or re-indented statement never looks like a change, while
//! the inside of a string literal is never touched (sqlx #2659 stripped CRLF
//! inside literals; we only drop whitespace *between* tokens).

// Splitting lives in its own module; its names stay reachable from here.
mod split;
pub(crate) use split::Statement;
pub use split::{split, split_statements};

/// What a token is; enough to normalize and to parse DDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"x"`, `` `x` `` or `[x]`.
    QuotedIdent,
    /// `'text'`.
    String,
    /// `x'00ff'`.
    Blob,
    Number,
    /// `?`, `?1`, `:name`, `@name`, `$name`.
    Variable,
    Punct,
    Whitespace,
    LineComment,
    BlockComment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    /// Byte offset in the source.
    pub offset: usize,
}

impl Token<'_> {
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            Kind::Whitespace | Kind::LineComment | Kind::BlockComment
        )
    }

    /// A bare word equal to `kw`, ignoring ASCII case.
    pub fn is_word(&self, kw: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }

    /// The name this token stands for, when it can be a name.
    pub fn ident(&self) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.text.to_string()),
            Kind::QuotedIdent => Some(unquote(self.text)),
            // SQLite accepts 'name' where a name is expected (CREATE TABLE 'x').
            Kind::String => Some(unquote(self.text)),
            _ => None,
        }
    }
}

const MULTI_PUNCT: [&str; 10] = ["->>", "||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"];

/// Splits SQL into tokens. Never fails: an unterminated literal or comment
/// runs to the end of the input (SQLite itself reports it when executed).
// Long: a lexer: one match over the next character.
pub fn tokenize(src: &str) -> Vec<Token<'_>> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
                {
                    i += 1;
                }
                Kind::Whitespace
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                Kind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = src[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                Kind::BlockComment
            }
            b'\'' => {
                i = end_of_quoted(bytes, i, b'\'');
                Kind::String
            }
            b'"' | b'`' => {
                i = end_of_quoted(bytes, i, c);
                Kind::QuotedIdent
            }
            b'[' => {
                i = src[i..].find(']').map_or(bytes.len(), |p| i + p + 1);
                Kind::QuotedIdent
            }
            b'x' | b'X' if bytes.get(i + 1) == Some(&b'\'') => {
                i = end_of_quoted(bytes, i + 1, b'\'');
                Kind::Blob
            }
            b'0'..=b'9' => {
                i = end_of_number(bytes, i);
                Kind::Number
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = end_of_number(bytes, i);
                Kind::Number
            }
            b'?' | b':' | b'@' | b'$' => {
                i += 1;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                Kind::Variable
            }
            c if is_word_start(c) => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                let rest = &src[i..];
                let len = MULTI_PUNCT
                    .iter()
                    .find(|p| rest.starts_with(*p))
                    .map_or_else(
                        || rest.chars().next().map_or(1, char::len_utf8),
                        |p| p.len(),
                    );
                i += len;
                Kind::Punct
            }
        };
        tokens.push(Token {
            kind,
            text: &src[start..i],
            offset: start,
        });
    }
    tokens
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// Index just past a literal opened by `quote` at `start`; a doubled quote escapes.
fn end_of_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

fn end_of_number(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.' || bytes[i] == b'_') {
        i += 1;
    }
    if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < bytes.len() && matches!(bytes[j], b'+' | b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// The content of a quoted name or string: `"a""b"` -> `a"b`, `[x]` -> `x`.
pub(crate) fn unquote(text: &str) -> String {
    let Some(first) = text.chars().next() else {
        return String::new();
    };
    let (open, close) = match first {
        '"' => ('"', '"'),
        '`' => ('`', '`'),
        '\'' => ('\'', '\''),
        '[' => ('[', ']'),
        _ => return text.to_string(),
    };
    let inner = text
        .strip_prefix(open)
        .unwrap_or(text)
        .strip_suffix(close)
        .unwrap_or(&text[1..]);
    if open == '[' {
        inner.to_string()
    } else {
        let doubled: String = [close, close].iter().collect();
        inner.replace(&doubled, &close.to_string())
    }
}

/// True when SQLite reserves `word` as a keyword.
pub(crate) fn is_keyword(word: &str) -> bool {
    let n = match i32::try_from(word.len()) {
        Ok(n) => n,
        Err(_) => return false,
    };
    // SAFETY: sqlite3_keyword_check reads exactly `n` bytes of the pointer.
    unsafe { rusqlite::ffi::sqlite3_keyword_check(word.as_ptr().cast(), n) != 0 }
}

fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name)
}

/// The one identifier quoting function: bare when that is unambiguous,
/// otherwise double-quoted with embedded quotes doubled.
pub fn quote_ident(name: &str) -> String {
    if is_plain_name(name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A name as comments and messages show it: bare when it is only ASCII
/// letters, digits and `_`; otherwise quoted with quotes, backslashes and
/// control characters escaped (`"x\nDROP"`), so that it reads as one name
/// and can never end the `--` comment or the terminal line it is written in.
pub(crate) fn display_name(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// `text` made safe for one `--` comment line or one terminal line: every
/// control character (and the Unicode line and paragraph separators) is
/// written as an escape, so nothing after it can become a statement.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A string literal for `value`.
pub(crate) fn quote_str(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Canonical text of an SQL fragment, for comparison and for storing
/// expressions: comments dropped, keywords and bare names lower-cased, quoted
/// names unquoted where they need no quotes, one space between tokens except
/// around parentheses, commas and dots. The result is still valid SQL.
pub(crate) fn canonical(src: &str) -> String {
    let mut out = String::new();
    let mut prev: Option<Token> = None;
    for tok in tokenize(src).into_iter().filter(|t| !t.is_trivia()) {
        let text = match tok.kind {
            Kind::Word => tok.text.to_ascii_lowercase(),
            Kind::QuotedIdent => {
                let name = unquote(tok.text);
                if is_plain_name(&name) {
                    name.to_ascii_lowercase()
                } else {
                    format!("\"{}\"", name.replace('"', "\"\""))
                }
            }
            Kind::Blob => tok.text.to_ascii_lowercase(),
            _ => tok.text.to_string(),
        };
        if let Some(p) = &prev {
            let glue = p.is_punct("(")
                || p.is_punct(".")
                || tok.is_punct(")")
                || tok.is_punct(",")
                || tok.is_punct(".")
                || (tok.is_punct("(") && p.kind == Kind::Word && !is_keyword(p.text))
                || (tok.is_punct("(") && p.kind == Kind::QuotedIdent);
            if !glue {
                out.push(' ');
            }
        }
        out.push_str(&text);
        prev = Some(tok);
    }
    out
}

/// The significant text of a script: tokens without comments, joined by one
/// space. Reformatting or rewording comments leaves it unchanged; any change
/// to a statement (even inside a string literal) changes it.
pub fn significant_text(src: &str) -> String {
    let mut out = String::new();
    for tok in tokenize(src).into_iter().filter(|t| !t.is_trivia()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(tok.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote_ident("artist"), "artist");
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("my table"), "\"my table\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("café"), "\"café\"");
        assert_eq!(quote_ident("1st"), "\"1st\"");
    }

    #[test]
    fn unquotes_every_style() {
        assert_eq!(unquote("\"a\"\"b\""), "a\"b");
        assert_eq!(unquote("[a b]"), "a b");
        assert_eq!(unquote("`x`"), "x");
        assert_eq!(unquote("'it''s'"), "it's");
    }

    #[test]
    fn canonical_ignores_spelling_but_not_literals() {
        assert_eq!(
            canonical("CURRENT_TIMESTAMP"),
            canonical("current_timestamp")
        );
        assert_eq!(canonical("a  >  0 -- c"), "a > 0");
        assert_eq!(canonical("\"age\" = 1"), "age = 1");
        assert_eq!(canonical("lower( name )"), "lower(name)");
        assert_eq!(canonical("x IN ('A', 'b')"), "x in ('A', 'b')");
        assert_ne!(canonical("'A'"), canonical("'a'"));
    }

    #[test]
    fn splits_triggers_and_literals() {
        let src = "CREATE TABLE t(a); -- x;\nINSERT INTO t VALUES ('a;b');\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET a = 1;\n  DELETE FROM t;\nEND;\n-- trailing comment";
        let stmts = split_statements(src);
        assert_eq!(stmts.len(), 3);
        assert_eq!(stmts[1].sql, "INSERT INTO t VALUES ('a;b')");
        assert_eq!(stmts[1].line, 2);
        assert!(stmts[2].sql.ends_with("END"));
        assert_eq!(stmts[2].line, 3);
    }

    #[test]
    fn names_in_comments_stay_on_one_line() {
        assert_eq!(display_name("artist_2"), "artist_2");
        assert_eq!(display_name("x\nDROP"), "\"x\\nDROP\"");
        assert_eq!(display_name("a\"b"), "\"a\\\"b\"");
        assert_eq!(one_line("a\r\nb\u{2028}c\td"), "a\\r\\nb\\u{2028}c\\td");
    }

    #[test]
    fn significant_text_ignores_comments_and_layout_only() {
        let a = "CREATE TABLE t (a INT); -- first\r\n";
        let b = "-- reworded\nCREATE TABLE t\n  (a INT);";
        assert_eq!(significant_text(a), significant_text(b));
        assert_ne!(
            significant_text("SELECT 'a  b'"),
            significant_text("SELECT 'a b'")
        );
    }
}
