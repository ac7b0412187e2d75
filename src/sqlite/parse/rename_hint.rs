//! The `-- @renamed from=old` hints of a SQL model, read from the comments
//! of its `CREATE TABLE` text (SQLite keeps comments there).

use super::ParsedTable;
use crate::sqlite::sql::{self, Kind};

/// The old name in a `@renamed from=old` comment, if `comment` is one.
pub(crate) fn rename_hint(comment: &str) -> Option<String> {
    let rest = crate::schema::renamed_from_text(comment)?;
    let tok = sql::tokenize(rest).into_iter().next()?;
    match tok.kind {
        Kind::Word | Kind::QuotedIdent | Kind::String => tok.ident(),
        _ => None,
    }
}

/// A hint before the first column belongs to the table; any other to the
/// column whose definition it follows.
pub(super) fn attach_rename_hints(
    src: &str,
    first_item: usize,
    columns: &[usize],
    table: &mut ParsedTable,
) {
    for tok in sql::tokenize(src) {
        if !matches!(tok.kind, Kind::LineComment | Kind::BlockComment) {
            continue;
        }
        let Some(from) = rename_hint(tok.text) else {
            continue;
        };
        if tok.offset < first_item {
            table.renamed_from = Some(from);
        } else if let Some(i) = columns.iter().rposition(|&o| o < tok.offset) {
            table.columns[i].renamed_from = Some(from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_create_table;

    #[test]
    fn reads_rename_hints() {
        let t = parse_create_table(
            "CREATE TABLE users ( -- @renamed from=\"user accounts\"\n id int,\n user_name text, -- @renamed from=username\n age int)",
        )
        .unwrap();
        assert_eq!(t.renamed_from.as_deref(), Some("user accounts"));
        assert_eq!(t.columns[1].renamed_from.as_deref(), Some("username"));
        assert_eq!(t.columns[2].renamed_from, None);
        let t = parse_create_table("CREATE TABLE n /* @renamed from=o */ (a)").unwrap();
        assert_eq!(t.renamed_from.as_deref(), Some("o"));
    }
}
