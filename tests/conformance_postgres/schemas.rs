//! The schemas a case's DDL creates or names an object in, as a user of it
//! would list them in `[database] schemas`: both PostgreSQL judges (sqldef's
//! cases and the second judge's) configure the run with them.

use migrate::internal::postgres::{names, sql};

/// The schemas `text` creates (`CREATE SCHEMA [IF NOT EXISTS] s`) or
/// qualifies an object's name with where one is named (`TABLE s.t`,
/// `REFERENCES s.t`, ...; not `ON`: a join's `ON a.id` names an alias),
/// in order of appearance.
pub fn schemas_named(text: &str) -> Vec<String> {
    const BEFORE_A_NAME: &[&str] = &[
        "table",
        "type",
        "view",
        "sequence",
        "references",
        "domain",
        "index",
        "exists",
    ];
    let tokens: Vec<sql::Token> = sql::tokenize(text)
        .into_iter()
        .filter(|t| {
            !matches!(
                t.kind,
                sql::Kind::Whitespace | sql::Kind::LineComment | sql::Kind::BlockComment
            )
        })
        .collect();
    let word = |i: usize, w: &str| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == sql::Kind::Word && t.text.eq_ignore_ascii_case(w))
    };
    let mut out = Vec::new();
    for i in 0..tokens.len() {
        let Some(name) = tokens.get(i + 1).and_then(names::ident) else {
            continue;
        };
        let created = word(i, "schema") && word(i.wrapping_sub(1), "create")
            || word(i, "exists") && word(i.wrapping_sub(3), "schema");
        let qualifies = BEFORE_A_NAME.iter().any(|w| word(i, w))
            && tokens.get(i + 2).is_some_and(|t| t.text == ".");
        if (created || qualifies) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
