//! SQLite virtual tables (FTS5, FTS4, R*Tree, ...): what they are in the
//! schema and how their text is read (inspect reads them from a database,
//! `diff::virtual_tables` compares them, `plan::virtual_tables` turns their
//! changes into statements).
//!
//! They live on the SQLite side of the model ([`SqliteObjects`] on the
//! schema), not in [`crate::schema::Table`]: a virtual table has no columns,
//! keys or indexes of its own that migrate could alter, only its
//! `CREATE VIRTUAL TABLE` text. So it is compared by that text (normalized:
//! the module name and each argument in canonical form), and a change is a
//! drop + create. Its shadow tables (`<name>_data`, `_idx`, `_content`,
//! `_node`, ...) are SQLite's business: they are recognised by SQLite itself
//! (`PRAGMA table_list` reports them as `shadow`), never compared, created or
//! dropped on their own.
//!
//! No row is lost on the way when that can be helped: an external-content
//! FTS table is refilled from its content table (`'rebuild'`); one that keeps
//! its own rows has them copied out to a temporary table and back, for the
//! columns both definitions have. A copy that leaves a column behind, or a
//! source that cannot be read back (contentless FTS5), is destructive: the
//! statement says so, and lint, backups and review comments follow.

use crate::sqlite::sql::{self, Kind};

/// Objects only SQLite has; the seam for a future generic core.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SqliteObjects {
    pub virtual_tables: Vec<VirtualTable>,
}

/// One virtual table: its name and full `CREATE VIRTUAL TABLE` statement.
#[derive(Debug, Clone, Eq, serde::Serialize, serde::Deserialize)]
pub struct VirtualTable {
    pub name: String,
    pub sql: String,
    /// The declared columns as SQLite reports them (hidden ones left out);
    /// read by inspect, used to plan the copy of rows. Follows from `sql`.
    pub columns: Vec<String>,
}

impl PartialEq for VirtualTable {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.definition() == other.definition()
    }
}

/// The parts of `CREATE VIRTUAL TABLE name USING module(args)` that matter.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Definition {
    /// Lower-case module name: `fts5`, `rtree`, ...
    pub module: String,
    /// Each argument in canonical form.
    pub args: Vec<String>,
}

impl SqliteObjects {
    pub fn sort(&mut self) {
        self.virtual_tables
            .sort_by_key(|v| v.name.to_ascii_lowercase());
    }

    /// Names lower-cased, for [`crate::schema::Schema::same_as`].
    pub fn fold(&mut self) {
        for v in &mut self.virtual_tables {
            v.name.make_ascii_lowercase();
        }
        self.sort();
    }

    pub fn get(&self, name: &str) -> Option<&VirtualTable> {
        self.virtual_tables
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }
}

/// True when `sql` is a `CREATE VIRTUAL TABLE` statement.
pub(crate) fn is_virtual(sql: &str) -> bool {
    let words: Vec<_> = sql::tokenize(sql)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .take(2)
        .collect();
    words.len() == 2 && words[0].is_word("CREATE") && words[1].is_word("VIRTUAL")
}

impl VirtualTable {
    /// A virtual table from a model: `sql` must create exactly `name`.
    pub fn declared(name: String, sql_text: String) -> Result<VirtualTable, String> {
        let says = declared_name(&sql_text);
        if !is_virtual(&sql_text) || says.is_none() {
            return Err(format!(
                "virtual table {name:?}: sql must be a CREATE VIRTUAL TABLE statement (\
                 CREATE VIRTUAL TABLE {name} USING fts5(...)), not {:?}",
                sql_text.lines().next().unwrap_or("")
            ));
        }
        if let Some(other) = says.filter(|s| !s.eq_ignore_ascii_case(&name)) {
            return Err(format!(
                "virtual table {name:?}: its sql creates {other:?}; the name and the statement must agree"
            ));
        }
        Ok(VirtualTable {
            name,
            sql: sql_text,
            columns: vec![],
        })
    }

    /// Module and arguments; a statement that does not parse compares by its
    /// canonical text (SQLite accepted it, so this is only a fallback).
    pub fn definition(&self) -> Definition {
        parse(&self.sql).unwrap_or_else(|| Definition {
            module: String::new(),
            args: vec![sql::canonical(&self.sql)],
        })
    }

    /// The value of an option argument (`content = 'docs'`), unquoted.
    pub fn option(&self, key: &str) -> Option<String> {
        let def = self.definition();
        def.args.iter().find_map(|a| {
            let (k, v) = a.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(key)
                .then(|| sql::unquote(v.trim()))
        })
    }

    pub(crate) fn is_fts(&self) -> bool {
        matches!(self.definition().module.as_str(), "fts3" | "fts4" | "fts5")
    }

    /// An FTS table whose rows live in another table (`content = 'docs'`).
    pub fn external_content(&self) -> Option<String> {
        self.option("content")
            .filter(|c| self.is_fts() && !c.is_empty())
    }

    /// Contentless FTS5 (`content = ''`): the rows cannot be read back.
    pub(crate) fn contentless(&self) -> bool {
        self.is_fts() && self.option("content").is_some_and(|c| c.is_empty())
    }
}

/// The table name a `CREATE VIRTUAL TABLE` statement gives (schema left off).
fn declared_name(sql_text: &str) -> Option<String> {
    let toks: Vec<_> = sql::tokenize(sql_text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let using = toks.iter().position(|t| t.is_word("USING"))?;
    toks.get(using.checked_sub(1)?)?.ident()
}

/// `CREATE VIRTUAL TABLE [IF NOT EXISTS] [schema.]name USING module[(args)]`.
pub(crate) fn parse(sql_text: &str) -> Option<Definition> {
    let toks: Vec<_> = sql::tokenize(sql_text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let using = toks.iter().position(|t| t.is_word("USING"))?;
    let module = toks.get(using + 1)?.ident()?.to_ascii_lowercase();
    let mut args = Vec::new();
    if let Some(open) = toks.get(using + 2).filter(|t| t.is_punct("(")) {
        let start = open.offset + 1;
        let close = toks.iter().rposition(|t| t.is_punct(")"))?;
        let inner = &sql_text[start..toks[close].offset];
        args = split_args(inner)
            .into_iter()
            .map(sql::canonical)
            .filter(|a| !a.is_empty())
            .collect();
    }
    Some(Definition { module, args })
}

/// Splits module arguments at commas outside parentheses.
fn split_args(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for t in sql::tokenize(inner) {
        match t.kind {
            Kind::Punct if t.text == "(" => depth += 1,
            Kind::Punct if t.text == ")" => depth -= 1,
            Kind::Punct if t.text == "," && depth == 0 => {
                out.push(&inner[start..t.offset]);
                start = t.offset + 1;
            }
            _ => {}
        }
    }
    out.push(&inner[start..]);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A virtual table as inspect would give it (for this module's tests).
    pub(crate) fn vt(name: &str, sql: &str, columns: &[&str]) -> VirtualTable {
        VirtualTable {
            name: name.into(),
            sql: sql.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn definitions_compare_without_spelling() {
        let a = vt(
            "f",
            "CREATE VIRTUAL TABLE f USING FTS5(body,content='docs')",
            &[],
        );
        let b = vt(
            "f",
            "create virtual table \"f\" using fts5 ( body ,  content = 'docs' )",
            &[],
        );
        assert_eq!(a, b);
        assert_eq!(a.external_content().as_deref(), Some("docs"));
        let c = vt(
            "f",
            "CREATE VIRTUAL TABLE f USING fts5(body, content='Docs')",
            &[],
        );
        assert_ne!(a, c, "string literals count");
        let rtree = parse("CREATE VIRTUAL TABLE r USING rtree(id, a, b)").unwrap();
        assert_eq!(rtree.module, "rtree");
        assert_eq!(rtree.args, ["id", "a", "b"]);
        assert!(
            parse("CREATE VIRTUAL TABLE x USING spellfix1")
                .unwrap()
                .args
                .is_empty()
        );
    }

    #[test]
    fn contentless_tables_are_not_external_content() {
        let t = vt(
            "f",
            "CREATE VIRTUAL TABLE f USING fts5(a, content='')",
            &["a"],
        );
        assert!(t.contentless() && t.external_content().is_none());
    }
}
