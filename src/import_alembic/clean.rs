//! Alembic's offline SQL for one revision, made into one section of ours:
//! Alembic's bookkeeping (its version table, `BEGIN`/`COMMIT`, its
//! `-- Running upgrade` comments) is left out, since `migrate` keeps its own
//! version table and runs each revision in its own transaction. Pure.

use crate::sqlite::sql::{self, Token};

/// The statements of `text` that are the revision's own, one per paragraph,
/// each ending in `;`. Empty when Alembic emitted nothing else.
pub(super) fn section(text: &str, version_table: &str) -> String {
    let mut kept = Vec::new();
    for statement in sql::split_statements(text) {
        let tokens: Vec<Token> = sql::tokenize(&statement.sql)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        if is_transaction_control(&tokens) || touches_table(&tokens, version_table) {
            continue;
        }
        kept.push(format!("{};", statement.sql.trim_end_matches(';').trim()));
    }
    kept.join("\n\n")
}

/// `BEGIN`, `BEGIN TRANSACTION`, `COMMIT`, `END`: ours wraps each revision.
fn is_transaction_control(tokens: &[Token]) -> bool {
    tokens
        .first()
        .is_some_and(|t| t.is_word("BEGIN") || t.is_word("COMMIT") || t.is_word("END"))
        // `BEGIN` alone, not a `CREATE TRIGGER ... BEGIN` (which starts with CREATE).
        && tokens.len() <= 2
}

/// A statement on Alembic's version table: its CREATE and DROP, and the
/// INSERT, UPDATE and DELETE that move its row.
fn touches_table(tokens: &[Token], table: &str) -> bool {
    let words: &[&[&str]] = &[
        &["INSERT", "INTO"],
        &["UPDATE"],
        &["DELETE", "FROM"],
        &["CREATE", "TABLE"],
        &["DROP", "TABLE"],
    ];
    words.iter().any(|lead| {
        let starts =
            lead.len() <= tokens.len() && lead.iter().zip(tokens).all(|(w, t)| t.is_word(w));
        starts && named(&tokens[lead.len()..]).is_some_and(|n| n.eq_ignore_ascii_case(table))
    })
}

/// The table a statement names at `tokens`, past `IF [NOT] EXISTS` and a
/// schema qualifier.
fn named(mut tokens: &[Token]) -> Option<String> {
    while tokens
        .first()
        .is_some_and(|t| t.is_word("IF") || t.is_word("NOT") || t.is_word("EXISTS"))
    {
        tokens = &tokens[1..];
    }
    match tokens {
        [_, dot, name, ..] if dot.is_punct(".") => name.ident(),
        [name, ..] => name.ident(),
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::section;

    #[test]
    fn keeps_the_revision_and_drops_alembic_bookkeeping() {
        let text = "CREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL\n);\n\n\
            BEGIN;\n\n-- Running upgrade  -> 1a2b\n\nCREATE TABLE account (id INTEGER NOT NULL);\n\n\
            UPDATE alembic_version SET version_num='1a2b' WHERE alembic_version.version_num = '0';\n\n\
            INSERT INTO \"alembic_version\" (version_num) VALUES ('1a2b') RETURNING version_num;\n\n\
            DELETE FROM main.alembic_version WHERE version_num = '1a2b';\n\n\
            CREATE TRIGGER t AFTER INSERT ON account BEGIN SELECT 1; END;\n\n\
            INSERT INTO alembic_version_notes VALUES (1);\n\nCOMMIT;\n";
        assert_eq!(
            section(text, "alembic_version"),
            "CREATE TABLE account (id INTEGER NOT NULL);\n\n\
             CREATE TRIGGER t AFTER INSERT ON account BEGIN SELECT 1; END;\n\n\
             INSERT INTO alembic_version_notes VALUES (1);"
        );
    }

    #[test]
    fn a_renamed_version_table_is_the_one_left_out() {
        let text =
            "INSERT INTO alembic_version VALUES (1);\nUPDATE my_versions SET version_num='b';\n";
        assert_eq!(
            section(text, "my_versions"),
            "INSERT INTO alembic_version VALUES (1);"
        );
        assert_eq!(section("BEGIN;\nCOMMIT;\n", "alembic_version"), "");
    }
}
