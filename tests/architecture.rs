//! Keeps the layout honest: `rusqlite` is named only inside `src/sqlite/`,
//! no two modules of `src/` import each other in a circle, code inside the
//! crate uses real paths (not `crate::internal`'s re-exports), `lib.rs` has
//! one hidden public module, and a long file or function says why it is
//! long. All read from the source text (no
//! compiler help needed): every `crate::a::b` path and `use crate::{..}`
//! group, per file, gives one edge of a module graph, and a depth-first
//! search finds any cycle in it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files outside `src/sqlite/` that may still name `rusqlite`, each with
/// the reason. Empty is the goal; every entry is a debt to pay.
const RUSQLITE_ALLOWED: &[(&str, &str)] = &[
    (
        "src/api.rs",
        "the public API takes the application's own rusqlite::Connection and gives it back (issue 19 item 3)",
    ),
    (
        "src/lib.rs",
        "re-exports rusqlite: a binary links one libsqlite3-sys, so the application opens its connection with ours",
    ),
];

fn src_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// A source file as the allow-lists name it: `src/a/b.rs`.
fn relative(file: &Path) -> String {
    file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`; `lib.rs` and
/// `main.rs` are the crate root, "".
fn module_of(path: &Path) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rel = path.strip_prefix(&src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The source without comments (doc links such as [`crate::x`] are not
/// imports) and without string literals' contents.
fn code_only(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

fn ident_at(s: &[u8], mut i: usize) -> (String, usize) {
    let start = i;
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    (String::from_utf8_lossy(&s[start..i]).into_owned(), i)
}

fn skip_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Reads the path after `crate::` at `i`, expanding `{a, b::{c}}` groups,
/// and pushes every full path (as segments) to `out`.
fn read_path(s: &[u8], i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut i = skip_space(s, i);
    let mut path = prefix;
    loop {
        if i < s.len() && s[i] == b'{' {
            i += 1;
            loop {
                i = skip_space(s, i);
                if i >= s.len() || s[i] == b'}' {
                    return i + 1;
                }
                i = read_path(s, i, path.clone(), out);
                i = skip_space(s, i);
                // Skip `as name`, then the comma.
                while i < s.len() && s[i] != b',' && s[i] != b'}' {
                    i += 1;
                }
                if i < s.len() && s[i] == b',' {
                    i += 1;
                }
            }
        }
        let (name, next) = ident_at(s, i);
        if name.is_empty() {
            break;
        }
        path.push(name);
        i = next;
        if s[i..].starts_with(b"::") {
            i = skip_space(s, i + 2);
        } else {
            break;
        }
    }
    out.push(path);
    i
}

/// Every module path this module names, as `crate::..` or `super::..`.
fn named_paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let s = code.as_bytes();
    let mut out = Vec::new();
    let here: Vec<String> = module
        .split("::")
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    let mut i = 0;
    while i < s.len() {
        let boundary = i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_');
        if boundary && s[i..].starts_with(b"crate::") {
            i = read_path(s, i + 7, Vec::new(), &mut out);
        } else if boundary && s[i..].starts_with(b"super::") && !here.is_empty() {
            let parent = here[..here.len() - 1].to_vec();
            i = read_path(s, i + 7, parent, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// The longest known module that `path` starts with.
fn resolve(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains(m))
}

/// The unit a module belongs to in the graph: its top-level module, or for
/// the dialect directories (`sqlite/`, later `postgres/`) the module inside
/// it. A parent and its children are one unit: a parent declares them and
/// names them by relative paths, which this reader does not follow, so a
/// circle through a child would otherwise go unseen.
fn unit(module: &str) -> String {
    let parts: Vec<&str> = module.split("::").collect();
    let depth = if DIALECT_DIRS.contains(&parts[0]) {
        2
    } else {
        1
    };
    parts[..depth.min(parts.len())].join("::")
}

/// Directories holding one engine each; their files are units of their own.
const DIALECT_DIRS: &[&str] = &["sqlite", "postgres"];

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = src_files();
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(file);
        if module.is_empty() {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(file).unwrap());
        let from = unit(&module);
        let edges = graph.entry(from.clone()).or_default();
        for path in named_paths(&module, &code) {
            if let Some(target) = resolve(&path, &modules)
                && !target.is_empty()
                && unit(&target) != from
            {
                edges.insert(unit(&target));
            }
        }
    }
    graph
}

/// One cycle, as the modules along it, if the graph has any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next.as_str()).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = stack.iter().position(|m| m == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, marks, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if marks.get(node.as_str()).copied().unwrap_or(Mark::New) == Mark::New
            && let Some(c) = visit(node, graph, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_module_imports_itself_through_a_circle() {
    let graph = module_graph();
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "modules import each other in a circle: {}\n\
             Move what both sides need into a module below both.",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn rusqlite_is_named_only_inside_src_sqlite() {
    let mut offenders = Vec::new();
    for file in src_files() {
        let module = module_of(&file);
        if module == "sqlite" || module.starts_with("sqlite::") {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let rel = relative(&file);
        let allowed = RUSQLITE_ALLOWED.iter().any(|(f, _)| *f == rel);
        if code.contains("rusqlite") && !allowed {
            offenders.push(rel);
        } else if allowed && !code.contains("rusqlite") {
            offenders.push(format!("{rel} (paid off: remove it from RUSQLITE_ALLOWED)"));
        }
    }
    assert!(
        offenders.is_empty(),
        "`rusqlite` is named outside src/sqlite/ in: {}\n\
         Engine code belongs in src/sqlite/; the core talks to it through the traits in \
         src/dialect.rs and src/driver.rs.",
        offenders.join(", ")
    );
}

/// Files outside the dialect directories that may still import a dialect's
/// module (`crate::sqlite::..`, `crate::postgres::..`), each with the
/// reason. `engine.rs` is where the engines are built; every other entry is
/// a seam not cut yet, a debt to pay (and to remove from here when paid).
const DIALECT_IMPORTS_ALLOWED: &[(&str, &str)] = &[
    (
        "src/internal.rs",
        "not a generic module: re-exports for the tests and benches what they name, SQLite's and PostgreSQL's included (no code of the crate goes through it)",
    ),
    (
        "src/api.rs",
        "runs revisions on the application's own SQLite connection through SQLite's driver (Sqlite::on_connection)",
    ),
    (
        "src/engine.rs",
        "builds each engine's dialect, driver and scratch: the one place that may",
    ),
    (
        "src/autogen.rs",
        "renders the plan with SQLite's script writer (plan::render) and reads the live database with SQLite's inspector and version-table helpers",
    ),
    (
        "src/cli.rs",
        "`inspect` and `restore` call SQLite's inspector, DDL writer and backup restore directly",
    ),
    (
        "src/describe.rs",
        "names in messages are quoted by SQLite's display_name",
    ),
    (
        "src/diff.rs",
        "SQLite's virtual tables are part of the model; rename candidates judge a retype by SQLite's affinity",
    ),
    (
        "src/diff/virtual_tables.rs",
        "compares SQLite's virtual tables (Schema.sqlite)",
    ),
    (
        "src/error.rs",
        "Error::Sqlite carries the engine's error until errors are typed (issue 14 item 5)",
    ),
    (
        "src/filter.rs",
        "carries unmanaged views and triggers through SQLite's rebuilds",
    ),
    (
        "src/import_alembic.rs",
        "reads Alembic's version table and SQL with SQLite's helpers",
    ),
    (
        "src/import_alembic/clean.rs",
        "cleans Alembic's SQL with SQLite's lexer",
    ),
    (
        "src/lint.rs",
        "its data checks use SQLite's planner, projection, inspector and affinity (not behind the dialect yet)",
    ),
    (
        "src/load/mod.rs",
        "reads rename hints with SQLite's CREATE-text parser and splits SQL models with SQLite's splitter",
    ),
    (
        "src/load/toml_model.rs",
        "a TOML model declares SQLite virtual tables",
    ),
    (
        "src/non_transactional.rs",
        "recognises statements with SQLite's lexer",
    ),
    (
        "src/schema.rs",
        "views and triggers compare in SQLite's canonical form; Schema.sqlite holds SQLite's virtual tables",
    ),
    (
        "src/schema/normalize.rs",
        "types and expressions are normalized with SQLite's lexer",
    ),
];

/// The dialect modules `code` (of a file outside them) imports.
fn dialect_imports(module: &str, code: &str) -> BTreeSet<String> {
    named_paths(module, code)
        .into_iter()
        .filter(|p| {
            p.first()
                .is_some_and(|d| DIALECT_DIRS.contains(&d.as_str()))
        })
        .map(|p| p[..p.len().min(2)].join("::"))
        .collect()
}

#[test]
fn generic_modules_reach_a_dialect_only_through_the_engine() {
    let mut offenders = Vec::new();
    for file in src_files() {
        let module = module_of(&file);
        if DIALECT_DIRS.contains(&unit(&module).split("::").next().unwrap_or("")) {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let rel = relative(&file);
        let imports = dialect_imports(&module, &code);
        let allowed = DIALECT_IMPORTS_ALLOWED.iter().any(|(f, _)| *f == rel);
        if !imports.is_empty() && !allowed {
            let names: Vec<String> = imports.into_iter().collect();
            offenders.push(format!("{rel} ({})", names.join(", ")));
        } else if allowed && imports.is_empty() {
            offenders.push(format!(
                "{rel} (paid off: remove it from DIALECT_IMPORTS_ALLOWED)"
            ));
        }
    }
    assert!(
        offenders.is_empty(),
        "a generic module imports a dialect's module: {}\n\
         Reach the engine through the traits in src/dialect.rs, src/driver.rs and \
         src/scratch.rs, built by src/engine.rs from the database URL.",
        offenders.join("; ")
    );
}

/// The PostgreSQL client crates, named only inside `src/postgres/`.
const POSTGRES_CRATES: &[&str] = &[
    "postgres",
    "tokio_postgres",
    "tokio_postgres_rustls",
    "rustls",
];

/// The crates of `POSTGRES_CRATES` that `code` names as paths (`postgres::x`),
/// not as a module of this crate (`crate::postgres::x`, `mod postgres;`).
fn postgres_crates_named(code: &str) -> Vec<&'static str> {
    let s = code.as_bytes();
    let mut out = Vec::new();
    for name in POSTGRES_CRATES {
        let named = code.match_indices(name).any(|(i, _)| {
            let before = i.checked_sub(1).map(|b| s[b]);
            let after = &code[i + name.len()..];
            let starts =
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b':');
            starts && after.starts_with("::")
        });
        if named {
            out.push(*name);
        }
    }
    out
}

#[test]
fn postgres_crates_are_named_only_inside_src_postgres() {
    let mut offenders = Vec::new();
    for file in src_files() {
        let module = module_of(&file);
        if module == "postgres" || module.starts_with("postgres::") {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let named = postgres_crates_named(&code);
        if !named.is_empty() {
            offenders.push(format!("{} ({})", file.display(), named.join(", ")));
        }
    }
    assert!(
        offenders.is_empty(),
        "PostgreSQL client crates are named outside src/postgres/ in: {}\n\
         Engine code belongs in src/postgres/; the core talks to it through the traits in \
         src/dialect.rs and src/driver.rs.",
        offenders.join(", ")
    );
}

/// The crate finder tells a crate path from this crate's `postgres` module.
#[test]
fn postgres_crate_paths_are_told_from_the_module() {
    assert_eq!(postgres_crates_named("use postgres::Client;"), ["postgres"]);
    assert_eq!(postgres_crates_named("let e: rustls::Error;"), ["rustls"]);
    assert_eq!(
        postgres_crates_named("use tokio_postgres_rustls::MakeRustlsConnect;"),
        ["tokio_postgres_rustls"]
    );
    assert!(postgres_crates_named("use crate::postgres::connect;").is_empty());
    assert!(postgres_crates_named("pub mod postgres;").is_empty());
    assert!(postgres_crates_named("let my_postgres::x; // postgres").is_empty());
}

/// The checker itself: a planted cycle is found, and units are as said.
#[test]
fn the_cycle_finder_finds_a_planted_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(find_cycle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(unit("config::lock_wait"), "config");
    assert_eq!(unit("sqlite::driver"), "sqlite::driver");
    assert_eq!(unit("sqlite::sql::split"), "sqlite::sql");
}

/// The path reader expands `use` groups.
#[test]
fn grouped_imports_are_read() {
    let paths = named_paths(
        "x",
        "use crate::{a::{B, c::D}, e as f};\nlet v = crate::g::h();",
    );
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(joined, ["a::B", "a::c::D", "e", "g::h"]);
}

/// The dialect-import reader sees `crate::sqlite::..` in code, not in comments.
#[test]
fn dialect_imports_are_read_from_code() {
    let code = code_only(
        "use crate::sqlite::sql::{self, Kind};\n// crate::postgres::x in a comment\nlet d = crate::postgres::dialect::Pg;\nuse crate::schema::Schema;",
    );
    let found: Vec<String> = dialect_imports("x", &code).into_iter().collect();
    assert_eq!(found, ["postgres::dialect", "sqlite::sql"]);
}

/// Past these sizes a file or a function must say at its top why it is long
/// (a `Long:` comment): size alone is not wrong, but it should be a choice.
const MAX_FILE_LINES: usize = 500;
const MAX_FN_LINES: usize = 80;

/// Functions of `text` longer than the limit, as (first line, name, lines),
/// found by their indentation: rustfmt closes a body at the `fn`'s indent.
fn long_functions(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let after_vis = body
            .strip_prefix("pub(crate) ")
            .or_else(|| body.strip_prefix("pub(super) "))
            .or_else(|| body.strip_prefix("pub "))
            .unwrap_or(body);
        let Some(rest) = after_vis.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let Some(end) = lines[i + 1..].iter().position(|l| *l == close) else {
            continue;
        };
        let len = end + 2;
        if len > MAX_FN_LINES {
            out.push((i, name, len));
        }
    }
    out
}

/// The comment and attribute lines right above line `at` say `Long:`.
fn says_why_above(lines: &[&str], at: usize) -> bool {
    lines[..at]
        .iter()
        .rev()
        .take_while(|l| {
            let t = l.trim_start();
            t.starts_with("//") || t.starts_with("#[")
        })
        .any(|l| l.contains("Long:"))
}

#[test]
fn long_files_and_functions_say_why() {
    let mut unexplained = Vec::new();
    for file in src_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .display()
            .to_string();
        let lines: Vec<&str> = text.lines().collect();
        let module_doc_says = lines
            .iter()
            .take_while(|l| l.starts_with("//!"))
            .any(|l| l.contains("Long:"));
        if lines.len() > MAX_FILE_LINES && !module_doc_says {
            unexplained.push(format!("{rel}: {} lines", lines.len()));
        }
        for (at, name, len) in long_functions(&text) {
            if !says_why_above(&lines, at) {
                unexplained.push(format!("{rel}:{}: fn {name}, {len} lines", at + 1));
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "over {MAX_FILE_LINES} lines a file, or over {MAX_FN_LINES} a function, without a \
         `Long:` comment at its top saying why:\n  {}\nSplit it, or say why it is one piece.",
        unexplained.join("\n  ")
    );
}

/// The length finder sees a long function and not a short one.
#[test]
fn long_functions_are_found() {
    let long = format!(
        "fn big() {{\n{}}}\nfn small() {{\n}}\n",
        "    x;\n".repeat(90)
    );
    let found = long_functions(&long);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].0, found[0].1.as_str(), found[0].2),
        (0, "big", 92)
    );
    let lines: Vec<&str> = "// Long: a lexer.\nfn big() {".lines().collect();
    assert!(says_why_above(&lines, 1));
    assert!(!says_why_above(&lines, 0));
}

/// `lib.rs`'s `pub mod` lines: (name, whether `#[doc(hidden)]` is among
/// the attributes right above it).
fn public_modules(lib: &str) -> Vec<(String, bool)> {
    let lines: Vec<&str> = lib.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(name) = line.strip_prefix("pub mod ") else {
            continue;
        };
        let name = name.trim_end_matches(';').trim().to_string();
        let hidden = lines[..at]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
            .any(|l| *l == "#[doc(hidden)]");
        out.push((name, hidden));
    }
    out
}

/// The library's surface (issue 19): every module is private except one
/// `#[doc(hidden)] pub mod internal` that the binary, tests, benches and
/// examples reach the crate through, and `unreachable_pub` stays on so an
/// item nobody outside the crate names is `pub(crate)`.
#[test]
fn lib_rs_has_one_hidden_public_module() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let code = code_only(&lib);
    assert_eq!(
        public_modules(&code),
        vec![("internal".to_string(), true)],
        "src/lib.rs: declare modules private (`mod x;`); reach them from tests \
         through `#[doc(hidden)] pub mod internal` (src/internal.rs)"
    );
    assert!(
        code.contains("#![warn(unreachable_pub)]") || code.contains("#![deny(unreachable_pub)]"),
        "src/lib.rs: keep `#![warn(unreachable_pub)]` so the visibility audit stays true"
    );
}

#[test]
fn public_modules_are_read() {
    let lib = "mod a;\n#[doc(hidden)]\npub mod internal;\n#[cfg(x)]\npub mod b;\n";
    assert_eq!(
        public_modules(lib),
        vec![("internal".to_string(), true), ("b".to_string(), false)]
    );
}

/// `src/internal.rs` re-exports for the code outside `src/`; code inside
/// the crate uses the real paths: a module named through `internal` would
/// hide its edge from the graph above.
#[test]
fn the_crate_uses_real_paths_not_internal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for file in src_files() {
        let module = module_of(&file);
        if module == "internal" || module.starts_with("internal::") {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for path in named_paths(&module, &code) {
            if path.first().is_some_and(|p| p == "internal") {
                let rel = file
                    .strip_prefix(&root)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                offenders.push(format!("src/{rel}: crate::{}", path.join("::")));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "crate::internal used inside the crate (write the real path):\n  {}",
        offenders.join("\n  ")
    );
}
