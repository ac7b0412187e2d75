//! The two headers that tie long-lived branches together (after Alembic):
//! `-- branch_labels: NAME, ...` names the branch a revision starts (or
//! belongs to), and `-- depends_on: REV-or-LABEL, ...` orders a revision
//! after others without making them its parents. Read here, written into a
//! new revision's header here; the graph gives them meaning.

/// What a revision file's `branch_labels` and `depends_on` headers say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchHeaders {
    /// Labels written on this revision (not the ones it inherits).
    pub labels: Vec<String>,
    /// Revision ids or branch labels, as written.
    pub depends_on: Vec<String>,
    /// Line of the `depends_on` header, for errors about what it names.
    pub depends_line: usize,
}

/// A branch label: ASCII letters, digits and `_` (no `-` or `+`, which
/// would read as a relative step in `NAME-1`), not all digits. (The graph
/// refuses the target words head, heads and base, as it does for ids.)
pub(crate) fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 64
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !label.chars().all(|c| c.is_ascii_digit())
}

impl BranchHeaders {
    /// Reads one `branch_labels` or `depends_on` header line (`key`).
    pub fn read(&mut self, key: &str, value: &str, line: usize) -> Result<(), String> {
        let list = comma_list(value);
        // A dependency may be a revision id, which may be all digits.
        let ok = |l: &String| valid_label(l) || (key == "depends_on" && super::valid_id(l));
        if let Some(bad) = list.iter().find(|l| !ok(l)) {
            return Err(format!(
                "{key} {bad:?}: write revision ids or branch labels (ASCII letters, digits, _), \
                 comma-separated"
            ));
        }
        if let Some(twice) = list
            .iter()
            .enumerate()
            .find(|(i, l)| list[..*i].contains(l))
        {
            return Err(format!("{key} lists {} twice; list each once", twice.1));
        }
        match key {
            "branch_labels" => self.labels = list,
            _ => {
                self.depends_on = list;
                self.depends_line = line;
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.depends_on.is_empty()
    }

    /// `text` (a rendered revision file) with these headers written right
    /// after its `down_revision` line, so any project template carries them.
    pub fn write_into(&self, text: &str) -> String {
        if self.is_empty() {
            return text.to_string();
        }
        let mut extra = String::new();
        if !self.labels.is_empty() {
            extra.push_str(&format!("-- branch_labels: {}\n", self.labels.join(", ")));
        }
        if !self.depends_on.is_empty() {
            extra.push_str(&format!("-- depends_on: {}\n", self.depends_on.join(", ")));
        }
        let mut out = String::with_capacity(text.len() + extra.len());
        let mut placed = false;
        for line in text.split_inclusive('\n') {
            out.push_str(line);
            if !placed && line.trim_start().starts_with("-- down_revision:") {
                if !line.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&extra);
                placed = true;
            }
        }
        out
    }
}

fn comma_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_go_after_down_revision() {
        let h = BranchHeaders {
            labels: vec!["reports".into()],
            depends_on: vec!["ab12".into()],
            depends_line: 0,
        };
        let text = "-- revision: x\n-- down_revision:\n-- message: m\n";
        assert_eq!(
            h.write_into(text),
            "-- revision: x\n-- down_revision:\n-- branch_labels: reports\n-- depends_on: ab12\n-- message: m\n"
        );
    }

    #[test]
    fn labels_cannot_read_as_targets() {
        assert!(valid_label("reports_2"));
        for bad in ["a-b", "a+1", "123", "", "a@b"] {
            assert!(!valid_label(bad), "{bad}");
        }
    }
}
