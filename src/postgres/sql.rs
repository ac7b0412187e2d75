//! PostgreSQL SQL text as tokens, by the server's own lexical rules
//! (`scan.l`): the one lexer behind statement splitting ([`split`]) and the
//! text a checksum is taken over ([`significant_text`]).
//!
//! What a splitter must get right is where literals and comments end, so
//! those follow the server exactly: `'...'` with `''` (backslash is plain:
//! `standard_conforming_strings` is on since 9.1), `E'...'` with backslash
//! escapes, `U&'...'`, `B'...'`, `X'...'`, `N'...'`, dollar quoting (`$$`,
//! `$tag$`; `$1` is a parameter; a `$` inside a word belongs to the word),
//! `"..."` with `""`, `--` comments and nested `/* */` comments. Operators
//! follow the server's rule too (an operator never swallows a comment start,
//! and `<-1` is `<` then `-`), so that a change of spacing never changes the
//! token sequence.

mod split;
pub use split::{check, split};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"x"` or `U&"x"`.
    QuotedIdent,
    /// `'x'`, `E'x'`, `U&'x'`, `B'01'`, `X'ff'`, `N'x'`.
    String,
    /// `$$x$$`, `$tag$x$tag$`.
    DollarString,
    Number,
    /// `$1`.
    Param,
    /// An operator (`<=`, `::`, `->>`) or one punctuation character.
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
    /// False when the source ended inside this literal, quoted name or
    /// comment (only the last token can be open).
    pub closed: bool,
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
}

/// Splits SQL into tokens. Never fails: an unterminated literal or comment
/// runs to the end of the input, marked not [`Token::closed`].
pub fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < src.len() {
        let (kind, end, closed) = scan(src, i);
        tokens.push(Token {
            kind,
            text: &src[i..end],
            offset: i,
            closed,
        });
        i = end;
    }
    tokens
}

/// The token starting at byte `i`: its kind, its end, and whether it closed.
/// Every end is at an ASCII byte or the end of the input, so on a char
/// boundary.
// Long: a lexer: one match over the next character.
fn scan(src: &str, i: usize) -> (Kind, usize, bool) {
    let bytes = src.as_bytes();
    let at = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let c = bytes[i];
    let next = at(i + 1);
    match c {
        b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
            let mut j = i;
            while j < bytes.len() && is_space(bytes[j]) {
                j += 1;
            }
            (Kind::Whitespace, j, true)
        }
        b'-' if next == b'-' => {
            let end = src[i..].find('\n').map_or(src.len(), |p| i + p);
            (Kind::LineComment, end, true)
        }
        b'/' if next == b'*' => {
            let (end, closed) = end_of_block_comment(bytes, i);
            (Kind::BlockComment, end, closed)
        }
        b'\'' => {
            let (end, closed) = end_of_quoted(bytes, i + 1, b'\'');
            (Kind::String, end, closed)
        }
        b'e' | b'E' if next == b'\'' => {
            let (end, closed) = end_of_escape_string(bytes, i + 2);
            (Kind::String, end, closed)
        }
        b'b' | b'B' | b'x' | b'X' | b'n' | b'N' if next == b'\'' => {
            let (end, closed) = end_of_quoted(bytes, i + 2, b'\'');
            (Kind::String, end, closed)
        }
        b'u' | b'U' if next == b'&' && matches!(at(i + 2), b'\'' | b'"') => {
            let quote = at(i + 2);
            let (end, closed) = end_of_quoted(bytes, i + 3, quote);
            let kind = if quote == b'"' {
                Kind::QuotedIdent
            } else {
                Kind::String
            };
            (kind, end, closed)
        }
        b'"' => {
            let (end, closed) = end_of_quoted(bytes, i + 1, b'"');
            (Kind::QuotedIdent, end, closed)
        }
        b'$' if next.is_ascii_digit() => {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            (Kind::Param, j, true)
        }
        b'$' => match dollar_tag(bytes, i) {
            Some(tag_end) => {
                let tag = &src[i..tag_end];
                match src[tag_end..].find(tag) {
                    Some(p) => (Kind::DollarString, tag_end + p + tag.len(), true),
                    None => (Kind::DollarString, src.len(), false),
                }
            }
            // `$x` with no closing `$` is a lone `$` (the server's dolqfailed).
            None => (Kind::Punct, i + 1, true),
        },
        b'0'..=b'9' => (Kind::Number, end_of_number(bytes, i), true),
        b'.' if next.is_ascii_digit() => (Kind::Number, end_of_number(bytes, i), true),
        c if is_ident_start(c) => {
            let mut j = i + 1;
            while j < bytes.len() && (is_ident_cont(bytes[j]) || bytes[j] == b'$') {
                j += 1;
            }
            (Kind::Word, j, true)
        }
        b':' if matches!(next, b':' | b'=') => (Kind::Punct, i + 2, true),
        b'.' if next == b'.' => (Kind::Punct, i + 2, true),
        c if is_op_char(c) => (Kind::Punct, end_of_operator(bytes, i), true),
        // Every byte >= 0x80 starts a word, so this one is ASCII.
        _ => (Kind::Punct, i + 1, true),
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// The server's `ident_start`: letters, `_` and every non-ASCII byte.
fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

/// A dollar-quote tag's characters (`ident_cont` without `$`).
fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

fn is_op_char(c: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&c)
}

/// The end of the opening delimiter `$tag$` (or `$$`) at `i`, if one is there.
fn dollar_tag(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if bytes.get(j).is_some_and(|c| is_ident_start(*c)) {
        while bytes.get(j).is_some_and(|c| is_ident_cont(*c)) {
            j += 1;
        }
    }
    (bytes.get(j) == Some(&b'$')).then_some(j + 1)
}

/// Index just past a literal whose body starts at `start`, closed by
/// `quote`; a doubled quote stands for itself.
fn end_of_quoted(bytes: &[u8], start: usize, quote: u8) -> (usize, bool) {
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return (i + 1, true);
        }
        i += 1;
    }
    (bytes.len(), false)
}

/// Like [`end_of_quoted`] for `E'...'`, where a backslash escapes the next
/// character (so `\'` does not close it).
fn end_of_escape_string(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return (i + 1, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// Block comments nest in PostgreSQL: `/* a /* b */ c */` is one comment.
fn end_of_block_comment(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return (i, true);
                }
            }
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// The server's operator rule: the longest run of operator characters, cut
/// before a `--` or `/*` inside it; a multi-character operator does not end
/// in `+` or `-` unless it holds one of `~!@#^&|`?%` (so `<-1` is `<`, `-1`).
fn end_of_operator(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < bytes.len() && is_op_char(bytes[end]) {
        if end > start && matches!(&bytes[end..], [b'-', b'-', ..] | [b'/', b'*', ..]) {
            break;
        }
        end += 1;
    }
    let op = &bytes[start..end];
    if op.len() > 1
        && matches!(op.last(), Some(b'+' | b'-'))
        && !op.iter().any(|c| b"~!@#^&|`?%".contains(c))
    {
        while end > start + 1 && matches!(bytes[end - 1], b'+' | b'-') {
            end -= 1;
        }
    }
    end
}

/// Digits with `_` separators, a fraction, an exponent; `0x`, `0o`, `0b`
/// prefixes. (What follows a number is lexed on its own, as the server
/// does before it reports trailing junk.)
fn end_of_number(bytes: &[u8], start: usize) -> usize {
    let digits = |mut i: usize, ok: fn(&u8) -> bool| {
        while i < bytes.len() && (ok(&bytes[i]) || bytes[i] == b'_') {
            i += 1;
        }
        i
    };
    if bytes[start] == b'0'
        && matches!(
            bytes.get(start + 1),
            Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        )
    {
        return digits(start + 2, u8::is_ascii_hexdigit);
    }
    let mut i = digits(start, u8::is_ascii_digit);
    // `1..2` is the number 1 then `..`.
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1) != Some(&b'.') {
        i = digits(i + 1, u8::is_ascii_digit);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j, u8::is_ascii_digit);
        }
    }
    i
}

/// `src` without a byte-order mark at its start, and the mark's length:
/// psql skips one there (to the server it is a word character).
pub fn without_bom(src: &str) -> (usize, &str) {
    match src.strip_prefix('\u{feff}') {
        Some(rest) => (src.len() - rest.len(), rest),
        None => (0, src),
    }
}

/// The significant text of a script: tokens without comments and layout,
/// joined by one space. Reformatting or rewording comments leaves it
/// unchanged; any change to a statement (even inside a literal or a
/// dollar-quoted function body) changes it.
pub(crate) fn significant_text(src: &str) -> String {
    let mut out = String::new();
    for tok in tokenize(without_bom(src).1)
        .into_iter()
        .filter(|t| !t.is_trivia())
    {
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

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn literals_end_where_the_server_ends_them() {
        use Kind::*;
        let cases: &[(&str, &[(Kind, &str)])] = &[
            ("'it''s;'", &[(String, "'it''s;'")]),
            // Backslash is plain in a standard string ...
            (r"'a\' x", &[(String, r"'a\'"), (Word, "x")]),
            // ... and escapes in an E string.
            (r"E'a\'b;' x", &[(String, r"E'a\'b;'"), (Word, "x")]),
            (r"e'a''b\\' x", &[(String, r"e'a''b\\'"), (Word, "x")]),
            (r"U&'d\0061t'", &[(String, r"U&'d\0061t'")]),
            (r#"u&"a""b""#, &[(QuotedIdent, r#"u&"a""b""#)]),
            (
                "B'01' X'ff' N'x'",
                &[(String, "B'01'"), (String, "X'ff'"), (String, "N'x'")],
            ),
            // A word ending in e is a word, then a string.
            ("somee'x'", &[(Word, "somee"), (String, "'x'")]),
            (r#""a "" ;b""#, &[(QuotedIdent, r#""a "" ;b""#)]),
            ("$$ a; 'b $$", &[(DollarString, "$$ a; 'b $$")]),
            ("$fn$ $$ ; $fn$", &[(DollarString, "$fn$ $$ ; $fn$")]),
            ("$1 $2", &[(Param, "$1"), (Param, "$2")]),
            ("a$$b$$", &[(Word, "a$$b$$")]),
            ("$x;", &[(Punct, "$"), (Word, "x"), (Punct, ";")]),
            ("/* a /* b */ ; */ x", &[(Word, "x")]),
            ("a--b\nc", &[(Word, "a"), (Word, "c")]),
            ("a+--b\nc", &[(Word, "a"), (Punct, "+"), (Word, "c")]),
            ("a*/*b*/c", &[(Word, "a"), (Punct, "*"), (Word, "c")]),
            (
                "a<-1",
                &[(Word, "a"), (Punct, "<"), (Punct, "-"), (Number, "1")],
            ),
            ("a @- 1", &[(Word, "a"), (Punct, "@-"), (Number, "1")]),
            ("x::int", &[(Word, "x"), (Punct, "::"), (Word, "int")]),
            (
                "1..2 1.5e-3 0x_ff .5",
                &[
                    (Number, "1"),
                    (Punct, ".."),
                    (Number, "2"),
                    (Number, "1.5e-3"),
                    (Number, "0x_ff"),
                    (Number, ".5"),
                ],
            ),
            ("café", &[(Word, "café")]),
            // A byte-order mark is a word character to the server.
            ("\u{feff}a", &[(Word, "\u{feff}a")]),
        ];
        for (src, want) in cases {
            assert_eq!(&kinds(src), want, "{src}");
        }
    }

    #[test]
    fn an_open_literal_runs_to_the_end_marked_open() {
        for src in [
            "'abc",
            "E'a\\'",
            "\"x",
            "/* a /* b */",
            "$t$ body $$",
            "U&'x",
        ] {
            let toks = tokenize(src);
            assert_eq!(toks.len(), 1, "{src}");
            assert!(!toks[0].closed, "{src}");
            assert_eq!(toks[0].text, src);
        }
    }

    #[test]
    fn significant_text_ignores_comments_and_layout_only() {
        let a = "CREATE TABLE t (a int); -- first\r\n";
        let b = "/* reworded */\nCREATE TABLE t\n  (a int);";
        assert_eq!(significant_text(a), significant_text(b));
        assert_eq!(significant_text("a<-1"), significant_text("a < - 1"));
        assert_ne!(
            significant_text("SELECT $$a  b$$"),
            significant_text("SELECT $$a b$$")
        );
    }
}
