//! Where results and notices go. Results go to stdout through [`out`], which
//! treats a closed pipe (`migrate history | head -n 1`) as a normal end
//! instead of the panic `println!` gives; notices go to stderr through
//! [`note`], which never fails a command that has done its work and is
//! silent under `-q/--quiet`; warnings ([`warn`]) and questions ([`prompt`])
//! go to stderr even then.
//!
//! Use the macros: `outln!(...)?`, `out!(...)?`, `noteln!(...)` and `warnln!(...)`.
//!
//! Only the CLI writes to the terminal: it calls [`crate::terminal::attach`] first
//! thing. Used as a library (`crate::Migrator`) nothing is printed: results
//! are dropped (the API returns them as values) and notices and warnings are
//! kept for the calling thread, where the API takes them ([`take_notes`]) into
//! its report.

use std::cell::RefCell;
use std::fmt;
use std::io::Write;

use crate::error::{Error, Result};

thread_local! {
    /// What a library call would have said on stderr, for its report.
    static NOTES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The notices and warnings kept on this thread since the last call, in order.
pub(crate) fn take_notes() -> Vec<String> {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// Writes a result to stdout. A reader that went away is [`Error::OutputClosed`],
/// which the CLI ends on quietly (exit 0): there is nobody left to tell.
pub(crate) fn out(args: fmt::Arguments) -> Result<()> {
    if !crate::terminal::attached() {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_fmt(args)
        .and_then(|()| stdout.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::OutputClosed,
            _ => Error::io("standard output", e),
        })
}

/// Writes a notice to stderr, unless `--quiet` asked for none.
pub(crate) fn note(args: fmt::Arguments) {
    if !crate::terminal::quiet() {
        to_stderr(args);
    }
}

/// Writes a warning to stderr, `--quiet` or not: it says something may be wrong.
pub(crate) fn warn(args: fmt::Arguments) {
    to_stderr(args);
}

/// Asks a question on stderr, `--quiet` or not: the answer is awaited.
pub(crate) fn prompt(args: fmt::Arguments) {
    to_stderr(args);
}

/// One `write` (stderr is unbuffered, and a formatted line would otherwise
/// be one system call per piece); a closed stderr is ignored.
fn to_stderr(args: fmt::Arguments) {
    let line = args.to_string();
    if !crate::terminal::attached() {
        let note = line.trim_end_matches('\n').to_string();
        NOTES.with(|n| n.borrow_mut().push(note));
        return;
    }
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// `println!` for results: returns `Result<()>`, so write `outln!(...)?`.
#[macro_export]
#[doc(hidden)]
macro_rules! outln {
    () => {
        $crate::output::out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for results: returns `Result<()>`.
#[macro_export]
#[doc(hidden)]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::out(format_args!($($arg)*))
    };
}

/// `eprintln!` for notices, without its panic on a closed stderr.
#[macro_export]
#[doc(hidden)]
macro_rules! noteln {
    ($($arg:tt)*) => {
        $crate::output::note(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` for warnings: shown even under `--quiet`.
#[macro_export]
#[doc(hidden)]
macro_rules! warnln {
    ($($arg:tt)*) => {
        $crate::output::warn(format_args!("{}\n", format_args!($($arg)*)))
    };
}
