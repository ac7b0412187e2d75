//! What the snapshot tests share: insta settings that redact what differs
//! between machines and runs (temp-dir paths, timestamps), a guard that keeps
//! CI from accepting snapshots it was meant to check, and the check that no
//! snapshot file outlives the case or subcommand it was written for.

use std::path::Path;

/// The insta settings for text that may carry `project`'s path or a time of
/// day: the path (as given and as the OS resolves it) becomes `[project]`,
/// any other temp dir `[tmp]`, a timestamp `[timestamp]`.
fn settings(project: Option<&Path>) -> insta::Settings {
    refuse_unreviewed_updates_in_ci();
    let mut s = insta::Settings::clone_current();
    s.set_omit_expression(true);
    if let Some(dir) = project {
        // Longest first: on macOS the canonical form (/private/var/...)
        // contains the given one (/var/...) as a suffix.
        let mut forms: Vec<String> = [Some(dir.to_path_buf()), dir.canonicalize().ok()]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        for form in forms {
            s.add_filter(&regex::escape(&form), "[project]");
        }
    }
    // tempfile's names (.tmpXXXXXX) under any temp root, with what follows.
    s.add_filter(r"(/[^\s/'`]+)*/\.tmp[A-Za-z0-9_]{6}[^\s'`:]*", "[tmp]");
    s.add_filter(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
        "[timestamp]",
    );
    s
}

/// Whether `text` matches the reviewed snapshot
/// `tests/snapshots/{suite}__{name}.snap` (described as `description`, e.g.
/// the command line). A difference is printed by insta and, off CI, written
/// beside it as `.snap.new`; it returns false rather than panicking, so one
/// run lists every difference.
pub fn matches(
    suite: &str,
    name: &str,
    description: &str,
    project: Option<&Path>,
    text: &str,
) -> bool {
    let mut settings = settings(project);
    // The suite's own name, not this module's path, heads the file name.
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_description(description);
    let name = format!("{suite}__{name}");
    // Nothing is reused after a panic but the verdict: unwind safety holds.
    let check = || settings.bind(|| insta::assert_snapshot!(name.as_str(), text));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(check)).is_ok()
}

/// What to do about a difference, for the failure message of `suite`.
pub fn how_to_accept(suite: &str) -> String {
    format!(
        "the difference is printed above; if it is meant, accept it with \
         `INSTA_UPDATE=always cargo test --test {suite}` and review `git diff tests/snapshots` \
         (or `cargo insta review`)"
    )
}

/// Under CI a missing or changed snapshot must fail, never be written: insta
/// does so (`CI` set and `INSTA_UPDATE` unset or `auto`), unless the
/// environment asks it to accept everything.
fn refuse_unreviewed_updates_in_ci() {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    if !ci {
        return;
    }
    let update = std::env::var("INSTA_UPDATE").unwrap_or_default();
    let force_pass = std::env::var("INSTA_FORCE_PASS").unwrap_or_default();
    assert!(
        matches!(update.as_str(), "" | "auto" | "no" | "new")
            && matches!(force_pass.as_str(), "" | "0"),
        "CI is set, yet INSTA_UPDATE={update:?} / INSTA_FORCE_PASS={force_pass:?} would accept \
         snapshots unreviewed: unset them in CI"
    );
}

/// A snapshot name from free text: lower case, runs of anything but letters
/// and digits as one `_`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Snapshot files of test crate `prefix` that no assertion of this run
/// named (a case or subcommand was removed or renamed): each is reported,
/// so it is deleted on purpose rather than left to mislead.
pub fn orphans(prefix: &str, names: &[String]) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return vec![];
    };
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| {
            let name = f.strip_prefix(prefix)?.strip_prefix("__")?;
            let name = name.strip_suffix(".snap")?;
            (!names.iter().any(|n| n == name)).then(|| format!("tests/snapshots/{f}"))
        })
        .collect();
    found.sort();
    found
}
