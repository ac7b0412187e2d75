//! Reads the `CREATE TABLE` and `CREATE INDEX` text that SQLite keeps in
//! `sqlite_schema`, for the facts its pragmas do not report: CHECK
//! constraints, collations, generated-column expressions, AUTOINCREMENT,
//! constraint names, DEFERRABLE, conflict clauses (`ON CONFLICT REPLACE`),
//! index expressions and partial-index WHERE clauses (`index.rs`), and the
//! `@renamed from=old` hints of a SQL model ([`rename_hint()`]).
//!
//! The input has already been accepted by SQLite, so this parser only has to
//! be right about valid DDL; on anything else it returns an error, never panics.
//!
//! Long: one grammar (CREATE TABLE), read by one recursive-descent parser;
//! index text already has its own file (`parse/index.rs`).

use crate::schema::{Check, Generated, OnConflict, normalize_collation, normalize_expr};
use crate::sqlite::sql::{self, Token};

mod index;
mod rename_hint;
pub(crate) use index::parse_create_index;
use rename_hint::attach_rename_hints;
pub(crate) use rename_hint::rename_hint;

#[derive(Debug, Default, Clone)]
pub(crate) struct ParsedTable {
    // Read only by the unit tests: the caller knows the table's name.
    #[cfg_attr(not(test), allow(dead_code))]
    pub name: String,
    pub renamed_from: Option<String>,
    pub columns: Vec<ParsedColumn>,
    pub checks: Vec<Check>,
    pub foreign_keys: Vec<ParsedForeignKey>,
    /// Every UNIQUE constraint, column or table, as declared.
    pub uniques: Vec<ParsedUnique>,
    pub pk_name: Option<String>,
    pub pk_on_conflict: OnConflict,
    pub autoincrement: bool,
    pub without_rowid: bool,
    pub strict: bool,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct ParsedColumn {
    pub name: String,
    pub collation: Option<String>,
    pub generated: Option<Generated>,
    pub not_null_on_conflict: OnConflict,
    pub renamed_from: Option<String>,
}

/// What the pragmas do not say about a UNIQUE constraint: its name and
/// conflict clause (matched to the pragma's index by its columns).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ParsedUnique {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub on_conflict: OnConflict,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct ParsedForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub deferred: bool,
}

struct Cursor<'a> {
    src: &'a str,
    toks: Vec<Token<'a>>,
    pos: usize,
}

const COLUMN_CONSTRAINT_START: [&str; 11] = [
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

impl<'a> Cursor<'a> {
    fn new(src: &'a str) -> Self {
        let toks = sql::tokenize(src)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        Cursor { src, toks, pos: 0 }
    }

    fn peek(&self) -> Option<&Token<'a>> {
        self.toks.get(self.pos)
    }

    fn peek_word(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(kw))
    }

    fn peek_punct(&self, p: &str) -> bool {
        self.peek().is_some_and(|t| t.is_punct(p))
    }

    fn eat_word(&mut self, kw: &str) -> bool {
        let hit = self.peek_word(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let hit = self.peek_punct(p);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_word(&mut self, kw: &str) -> Result<(), String> {
        if self.eat_word(kw) {
            Ok(())
        } else {
            Err(self.unexpected(kw))
        }
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), String> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{p}`")))
        }
    }

    fn unexpected(&self, wanted: &str) -> String {
        match self.peek() {
            Some(t) => format!("expected {wanted}, found `{}`", t.text),
            None => format!("expected {wanted}, found the end"),
        }
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.peek().and_then(Token::ident) {
            Some(name) => {
                self.pos += 1;
                Ok(name)
            }
            None => Err(self.unexpected("a name")),
        }
    }

    /// A possibly schema-qualified name; the schema part is dropped.
    fn qualified_ident(&mut self) -> Result<String, String> {
        let name = self.ident()?;
        if self.eat_punct(".") {
            return self.ident();
        }
        Ok(name)
    }

    /// After an opening `(` was consumed: the source text up to the matching `)`.
    fn balanced(&mut self) -> Result<&'a str, String> {
        let start = self.peek().map_or(self.src.len(), |t| t.offset);
        let mut depth = 1;
        while let Some(t) = self.next() {
            if t.is_punct("(") {
                depth += 1;
            } else if t.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(&self.src[start..t.offset]);
                }
            }
        }
        Err("unbalanced parentheses".into())
    }

    /// `( name, name ... )` with optional COLLATE/ASC/DESC per name.
    fn name_list(&mut self) -> Result<Vec<String>, String> {
        self.expect_punct("(")?;
        let mut names = Vec::new();
        loop {
            names.push(self.ident()?);
            if self.eat_word("COLLATE") {
                self.ident()?;
            }
            let _ = self.eat_word("ASC") || self.eat_word("DESC");
            if self.eat_punct(")") {
                return Ok(names);
            }
            self.expect_punct(",")?;
        }
    }

    /// An optional `ON CONFLICT <resolution>`; the default when absent.
    fn conflict_clause(&mut self) -> Result<OnConflict, String> {
        if !(self.peek_word("ON")
            && self
                .toks
                .get(self.pos + 1)
                .is_some_and(|t| t.is_word("CONFLICT")))
        {
            return Ok(OnConflict::Abort);
        }
        self.pos += 2;
        let found = self.peek().and_then(|t| OnConflict::from_keyword(t.text));
        match found {
            Some(resolution) => {
                self.pos += 1;
                Ok(resolution)
            }
            None => Err(self.unexpected("ROLLBACK, ABORT, FAIL, IGNORE or REPLACE")),
        }
    }
}

/// Parses a `CREATE TABLE` statement as stored in `sqlite_schema`.
pub(crate) fn parse_create_table(src: &str) -> Result<ParsedTable, String> {
    let mut c = Cursor::new(src);
    c.expect_word("CREATE")?;
    let _ = c.eat_word("TEMP") || c.eat_word("TEMPORARY");
    c.expect_word("TABLE")?;
    if c.eat_word("IF") {
        c.expect_word("NOT")?;
        c.expect_word("EXISTS")?;
    }
    let mut table = ParsedTable {
        name: c.qualified_ident()?,
        ..ParsedTable::default()
    };
    c.expect_punct("(")?;
    let mut column_offsets = Vec::new();
    let mut first_item_offset = None;
    loop {
        let offset = c.peek().map_or(src.len(), |t| t.offset);
        first_item_offset.get_or_insert(offset);
        let starts_constraint = |c: &Cursor| {
            ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
                .iter()
                .any(|kw| c.peek_word(kw))
        };
        if starts_constraint(&c) {
            table_constraint(&mut c, &mut table)?;
            // SQLite's grammar (`conslist` in parse.y) makes the comma
            // between two table constraints optional.
            while starts_constraint(&c) {
                table_constraint(&mut c, &mut table)?;
            }
        } else {
            column_offsets.push(offset);
            column_def(&mut c, &mut table)?;
        }
        if c.eat_punct(")") {
            break;
        }
        c.expect_punct(",")?;
    }
    loop {
        if c.eat_word("WITHOUT") {
            c.expect_word("ROWID")?;
            table.without_rowid = true;
        } else if c.eat_word("STRICT") {
            table.strict = true;
        } else if !c.eat_punct(",") {
            break;
        }
    }
    attach_rename_hints(
        src,
        first_item_offset.unwrap_or(0),
        &column_offsets,
        &mut table,
    );
    Ok(table)
}

// Long: one match over the column-constraint keywords, as SQLite's grammar lists them.
fn column_def(c: &mut Cursor, table: &mut ParsedTable) -> Result<(), String> {
    let name = c.ident()?;
    // The declared type runs up to the first constraint keyword.
    let mut depth = 0;
    while let Some(t) = c.peek() {
        if depth == 0
            && (t.is_punct(",")
                || t.is_punct(")")
                || COLUMN_CONSTRAINT_START.iter().any(|kw| t.is_word(kw)))
        {
            break;
        }
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
        }
        c.pos += 1;
    }
    let mut col = ParsedColumn {
        name: name.clone(),
        ..ParsedColumn::default()
    };
    let mut constraint_name = None;
    while !(c.peek_punct(",") || c.peek_punct(")") || c.peek().is_none()) {
        if c.eat_word("CONSTRAINT") {
            constraint_name = Some(c.ident()?);
            continue;
        }
        if c.eat_word("PRIMARY") {
            c.expect_word("KEY")?;
            let _ = c.eat_word("ASC") || c.eat_word("DESC");
            table.pk_on_conflict = c.conflict_clause()?;
            table.autoincrement |= c.eat_word("AUTOINCREMENT");
            table.pk_name = constraint_name.take();
        } else if c.eat_word("NOT") {
            c.expect_word("NULL")?;
            col.not_null_on_conflict = c.conflict_clause()?;
        } else if c.eat_word("NULL") {
            // SQLite parses a clause on NULL and ignores it.
            c.conflict_clause()?;
        } else if c.eat_word("UNIQUE") {
            table.uniques.push(ParsedUnique {
                name: constraint_name.take(),
                columns: vec![name.clone()],
                on_conflict: c.conflict_clause()?,
            });
        } else if c.eat_word("CHECK") {
            c.expect_punct("(")?;
            let expr = c.balanced()?;
            table.checks.push(Check {
                name: constraint_name.take(),
                expr: normalize_expr(expr),
                not_valid: false,
                no_inherit: false,
            });
        } else if c.eat_word("DEFAULT") {
            if c.eat_punct("(") {
                c.balanced()?;
            } else {
                let _ = c.eat_punct("-") || c.eat_punct("+");
                c.next();
            }
        } else if c.eat_word("COLLATE") {
            col.collation = normalize_collation(&c.ident()?);
        } else if c.eat_word("REFERENCES") {
            let mut fk = foreign_key_clause(c)?;
            fk.name = constraint_name.take();
            fk.columns = vec![name.clone()];
            table.foreign_keys.push(fk);
        } else if c.eat_word("GENERATED") || c.peek_word("AS") {
            if !c.eat_word("AS") {
                c.expect_word("ALWAYS")?;
                c.expect_word("AS")?;
            }
            c.expect_punct("(")?;
            let expr = normalize_expr(c.balanced()?);
            let stored = c.eat_word("STORED");
            let _ = c.eat_word("VIRTUAL");
            col.generated = Some(Generated { expr, stored });
        } else {
            return Err(c.unexpected(&format!("a constraint of column {name}")));
        }
        constraint_name = None;
    }
    table.columns.push(col);
    Ok(())
}

fn table_constraint(c: &mut Cursor, table: &mut ParsedTable) -> Result<(), String> {
    let name = if c.eat_word("CONSTRAINT") {
        Some(c.ident()?)
    } else {
        None
    };
    if c.eat_word("PRIMARY") {
        c.expect_word("KEY")?;
        c.name_list()?;
        table.pk_on_conflict = c.conflict_clause()?;
        table.pk_name = name;
    } else if c.eat_word("UNIQUE") {
        let columns = c.name_list()?;
        table.uniques.push(ParsedUnique {
            name,
            columns,
            on_conflict: c.conflict_clause()?,
        });
    } else if c.eat_word("CHECK") {
        c.expect_punct("(")?;
        let expr = c.balanced()?;
        // Allowed after a table CHECK, and ignored by SQLite (parse.y's
        // `tcons ::= CHECK LP expr RP onconf` drops it): nothing to keep.
        c.conflict_clause()?;
        table.checks.push(Check {
            name,
            expr: normalize_expr(expr),
            not_valid: false,
            no_inherit: false,
        });
    } else if c.eat_word("FOREIGN") {
        c.expect_word("KEY")?;
        let cols = c.name_list()?;
        c.expect_word("REFERENCES")?;
        let mut fk = foreign_key_clause(c)?;
        fk.name = name;
        fk.columns = cols;
        table.foreign_keys.push(fk);
    } else {
        return Err(c.unexpected("PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY"));
    }
    Ok(())
}

/// After `REFERENCES`: the parent, its columns, actions and deferral.
fn foreign_key_clause(c: &mut Cursor) -> Result<ParsedForeignKey, String> {
    let mut fk = ParsedForeignKey {
        ref_table: c.ident()?,
        ..ParsedForeignKey::default()
    };
    if c.peek_punct("(") {
        c.name_list()?;
    }
    loop {
        if c.eat_word("ON") {
            if !(c.eat_word("DELETE") || c.eat_word("UPDATE")) {
                return Err(c.unexpected("DELETE or UPDATE"));
            }
            // SET NULL | SET DEFAULT | CASCADE | RESTRICT | NO ACTION: the
            // action itself comes from PRAGMA foreign_key_list.
            let _ = c.eat_word("SET") || c.eat_word("NO");
            c.next();
        } else if c.eat_word("MATCH") {
            c.ident()?;
        } else if c.peek_word("NOT") || c.peek_word("DEFERRABLE") {
            let negated = c.eat_word("NOT");
            c.expect_word("DEFERRABLE")?;
            let mut deferred = false;
            if c.eat_word("INITIALLY") {
                deferred = c.eat_word("DEFERRED");
                let _ = c.eat_word("IMMEDIATE");
            }
            fk.deferred = deferred && !negated;
        } else {
            return Ok(fk);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_pragmas_do_not_show() {
        let t = parse_create_table(
            "CREATE TABLE \"t x\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \
             name TEXT COLLATE nocase CONSTRAINT ck_name CHECK (length(name) > 0), \
             g INT GENERATED ALWAYS AS (id * 2) STORED, \
             p INT CONSTRAINT fk_p REFERENCES parent(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED, \
             CONSTRAINT uq UNIQUE (name, p), CHECK (id > 0)) STRICT, WITHOUT ROWID",
        )
        .unwrap();
        assert_eq!(t.name, "t x");
        assert!(t.autoincrement && t.strict && t.without_rowid);
        assert_eq!(t.columns[1].collation.as_deref(), Some("NOCASE"));
        assert_eq!(
            t.columns[2].generated,
            Some(Generated {
                expr: "id * 2".into(),
                stored: true
            })
        );
        assert_eq!(t.checks.len(), 2);
        assert_eq!(t.checks[0].name.as_deref(), Some("ck_name"));
        assert_eq!(t.foreign_keys[0].name.as_deref(), Some("fk_p"));
        assert!(t.foreign_keys[0].deferred);
        assert_eq!(
            t.uniques,
            vec![ParsedUnique {
                name: Some("uq".into()),
                columns: vec!["name".into(), "p".into()],
                on_conflict: OnConflict::Abort,
            }]
        );
    }

    #[test]
    fn table_constraints_need_no_comma_between_them() {
        // As Firefox's places schema writes them; SQLite accepts it.
        let t = parse_create_table(
            "CREATE TABLE t (a INT, b INT, FOREIGN KEY (a) REFERENCES p(id) CHECK (a <> b) \
             CONSTRAINT uq UNIQUE (a, b) PRIMARY KEY (a), CHECK (b > 0))",
        )
        .unwrap();
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.foreign_keys.len(), 1);
        assert_eq!(t.checks.len(), 2);
        assert_eq!(t.uniques.len(), 1);
        assert_eq!(t.uniques[0].name.as_deref(), Some("uq"));
        // A column after a constraint is still not a constraint.
        assert!(parse_create_table("CREATE TABLE t (a INT, CHECK (a > 0) b INT)").is_err());
    }

    #[test]
    fn reads_conflict_clauses_where_sqlite_keeps_them() {
        let t = parse_create_table(
            "CREATE TABLE t (id INTEGER PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT, \
             a TEXT NOT NULL ON CONFLICT ignore UNIQUE ON CONFLICT FAIL, b NULL ON CONFLICT FAIL, \
             CONSTRAINT u UNIQUE (a, b) ON CONFLICT ROLLBACK, CHECK (b > 0) ON CONFLICT IGNORE)",
        )
        .unwrap();
        assert_eq!(t.pk_on_conflict, OnConflict::Replace);
        assert!(t.autoincrement);
        assert_eq!(t.columns[1].not_null_on_conflict, OnConflict::Ignore);
        assert_eq!(t.columns[2].not_null_on_conflict, OnConflict::Abort);
        let clauses: Vec<_> = t.uniques.iter().map(|u| u.on_conflict).collect();
        assert_eq!(clauses, [OnConflict::Fail, OnConflict::Rollback]);
        assert_eq!(t.checks.len(), 1);
        let t = parse_create_table("CREATE TABLE t (a, PRIMARY KEY (a) ON CONFLICT IGNORE)");
        assert_eq!(t.unwrap().pk_on_conflict, OnConflict::Ignore);
        assert!(parse_create_table("CREATE TABLE t (a UNIQUE ON CONFLICT UPSERT)").is_err());
    }
}
