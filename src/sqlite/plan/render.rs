//! Planned statements as script text: each comment above its statement and
//! on one line whatever it says, each statement ended so that the script
//! splits back into exactly the statements planned (a name or a trailing
//! comment can never turn into, or swallow, a statement).

use crate::plan::Statement;
use crate::sqlite::sql::{self, one_line};

/// Renders statements as a script section, each comment above its statement
/// (on one line whatever it says, so it cannot end early and run as SQL).
pub fn render(statements: &[Statement]) -> String {
    let mut out = String::new();
    for s in statements {
        for c in s.review_comments() {
            out.push_str(&format!("-- {}\n", one_line(&c)));
        }
        out.push_str(&s.sql);
        // SQLite keeps a view's or trigger's trailing `--` comment in its
        // text: a `;` after it would be commented out.
        if sql::tokenize(&s.sql)
            .last()
            .is_some_and(|t| t.kind == sql::Kind::LineComment)
        {
            out.push('\n');
        }
        out.push_str(";\n");
    }
    out.trim_end().to_string()
}
