//! How output looks where people look at it: the global `-q/--quiet` and
//! `--color` settings (set once by the CLI before anything is printed) and
//! the colours of `check`'s unified diff and `lint`'s findings.
//!
//! Whether stdout gets colour is anstream's decision, so it follows the
//! conventions users already set: `--color always|never` first, then
//! `NO_COLOR`, `CLICOLOR_FORCE`, `CLICOLOR`, `TERM=dumb`, and finally whether
//! stdout is a terminal. Text is styled only when that says yes: a pipe or a
//! file gets exactly the plain text it got before.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};

pub(crate) use anstream::ColorChoice;

static QUIET: AtomicBool = AtomicBool::new(false);
static ATTACHED: AtomicBool = AtomicBool::new(false);

/// Sends output to stdout and stderr from now on: the CLI calls it first
/// thing; used as a library, the crate prints nothing ([`crate::output`]).
pub(crate) fn attach() {
    ATTACHED.store(true, Ordering::Relaxed);
}

/// Whether output goes to the terminal (the CLI) or is kept (a library call).
pub(crate) fn attached() -> bool {
    ATTACHED.load(Ordering::Relaxed)
}

/// Sets the process-wide output settings; the CLI calls it first thing.
pub(crate) fn configure(quiet: bool, color: ColorChoice) {
    QUIET.store(quiet, Ordering::Relaxed);
    color.write_global();
}

/// `-q/--quiet`: notices on stderr are dropped (errors, warnings, questions
/// and results on stdout are not).
pub(crate) fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether a person watches stderr: progress bars and per-revision durations
/// are for them, and never reach a log file or CI output.
pub(crate) fn progress_wanted() -> bool {
    !quiet() && attached() && std::io::stderr().is_terminal()
}

/// Whether results on stdout get colour (see the module comment).
pub(crate) fn color_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != ColorChoice::Never
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// A unified diff, coloured as git colours one when `on`: removed lines
/// red, added lines green, hunk headers cyan, file headers bold.
pub(crate) fn diff(text: &str, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    let style_of = |line: &str| {
        if line.starts_with("---") || line.starts_with("+++") {
            Style::new().bold()
        } else if line.starts_with("@@") {
            AnsiColor::Cyan.on_default()
        } else if line.starts_with('-') {
            AnsiColor::Red.on_default()
        } else if line.starts_with('+') {
            AnsiColor::Green.on_default()
        } else {
            Style::new()
        }
    };
    text.split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            match style_of(body) {
                style if style == Style::new() => line.to_string(),
                style => format!("{}{end}", paint(style, body)),
            }
        })
        .collect()
}

/// A lint finding's kind, coloured by how much it can cost when `on`:
/// `destructive` (data is dropped) red, `data` (rows may not fit) yellow.
pub(crate) fn finding_kind(kind: &str, on: bool) -> String {
    let style = match kind {
        "destructive" => AnsiColor::Red.on_default().bold(),
        "data" => AnsiColor::Yellow.on_default().bold(),
        _ => Style::new().bold(),
    };
    if on {
        paint(style, kind)
    } else {
        kind.to_string()
    }
}

/// How long a revision took, as a person reads it: `420 ms`, `12.3 s`, `2 min 5 s`.
pub(crate) fn duration(d: std::time::Duration) -> String {
    match d.as_millis() {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        ms => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(duration(Duration::from_millis(42)), "42 ms");
        assert_eq!(duration(Duration::from_millis(12_345)), "12.3 s");
        assert_eq!(duration(Duration::from_secs(125)), "2 min 5 s");
    }

    #[test]
    fn plain_when_off_and_every_line_kept_when_on() {
        let text = "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n";
        assert_eq!(diff(text, false), text);
        let coloured = diff(text, true);
        assert!(
            coloured.contains("\u{1b}[31m-old\u{1b}[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("\u{1b}[32m+new\u{1b}[0m\n"),
            "{coloured:?}"
        );
        assert!(coloured.ends_with("\n same\n"), "{coloured:?}");
        let stripped: String = anstream::adapter::strip_str(&coloured).to_string();
        assert_eq!(stripped, text);
    }

    #[test]
    fn finding_kinds() {
        assert_eq!(finding_kind("data", false), "data");
        assert!(finding_kind("destructive", true).starts_with("\u{1b}["));
    }
}
