//! Fuzzing without nightly (issue 12): property tests with fixed seeds and
//! case counts over every parser of user text (revision files, TOML and SQL
//! models, `migrate.toml`, revision targets, the lexer and splitter), and a
//! committed corpus of inputs that once broke something (`tests/corpus/`),
//! replayed on every run: in process, and through the binary (exit 0, 1 or
//! 2, never a panic). The properties: never a panic; bad input is an error
//! of the right kind, with a line where there is one; splitting keeps every
//! significant token and names the line each statement starts on.

mod common;

use std::path::{Path, PathBuf};

use migrate::error::Error;
use migrate::sql;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use common::Project;

/// Fixed seed and case count: the same inputs on every run and in CI.
fn fixed(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// The files of `tests/corpus/<parser>/`, sorted.
fn corpus(parser: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(parser);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Runs `check` on every corpus file of `parser`, naming the file that fails.
fn replay(parser: &str, check: impl Fn(&str) -> Result<(), TestCaseError>) {
    for (path, text) in corpus(parser) {
        if let Err(e) = check(&text) {
            panic!("{}: {e}", path.display());
        }
    }
}

// ---- the lexer and splitter ----

/// Significant tokens, without the `;` that separate statements.
fn significant(text: &str) -> Vec<String> {
    sql::tokenize(text)
        .into_iter()
        .filter(|t| !t.is_trivia() && !t.is_punct(";"))
        .map(|t| t.text.to_string())
        .collect()
}

/// Splitting then re-joining keeps every significant token, in order, and
/// each statement starts on the line it says.
fn check_split(text: &str) -> Result<(), TestCaseError> {
    let split = sql::split(text);
    let rejoined: Vec<String> = split
        .statements
        .iter()
        .flat_map(|s| significant(&s.sql))
        .collect();
    prop_assert_eq!(rejoined, significant(text));
    let lines: Vec<&str> = text.split('\n').collect();
    for s in &split.statements {
        let first = s.sql.split('\n').next().unwrap_or("");
        prop_assert!(
            lines.get(s.line - 1).is_some_and(|l| l.contains(first)),
            "statement {:?} is not on line {}",
            s.sql,
            s.line
        );
    }
    Ok(())
}

/// Pieces of SQL that matter to a splitter: ends of statements, of
/// literals and comments, trigger bodies, line breaks, a BOM.
fn sql_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,4}",
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just(";".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("`".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("--".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just("x'".to_string()),
        Just("CREATE ".to_string()),
        Just("TEMP ".to_string()),
        Just("TRIGGER ".to_string()),
        Just("BEGIN ".to_string()),
        Just("END".to_string()),
        Just("EXPLAIN ".to_string()),
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        Just("1.5e".to_string()),
        Just("$".to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// `sqlite3_complete` itself, to check the splitter's state machine against.
fn sqlite_complete(text: &str) -> bool {
    let c = std::ffi::CString::new(text).unwrap();
    // SAFETY: a valid NUL-terminated string; sqlite3_complete only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

proptest! {
    #![proptest_config(fixed(512, 1))]

    #[test]
    fn splitting_keeps_every_token_and_line(text in sql_text()) {
        check_split(&text)?;
    }

    /// Every statement but the last ends where SQLite says a statement ends,
    /// and none earlier.
    #[test]
    fn statements_end_where_sqlite_says(text in sql_text()) {
        let statements = sql::split(&text).statements;
        for s in statements.iter().rev().skip(1) {
            let stmt = format!("{};", s.sql);
            prop_assert!(sqlite_complete(&stmt), "split at an incomplete statement: {:?}", stmt);
        }
        // And no `;` inside a statement ends it for SQLite.
        for s in &statements {
            for t in sql::tokenize(&s.sql).iter().filter(|t| t.is_punct(";")) {
                let prefix = &s.sql[..=t.offset];
                prop_assert!(!sqlite_complete(prefix), "SQLite ends a statement at {:?}", prefix);
            }
        }
    }
}

#[test]
fn splitting_is_linear_after_a_trigger_without_end() {
    let script = |n: usize| {
        let mut s = String::from("CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n");
        for i in 0..n {
            s.push_str(&format!("UPDATE t SET a = {i};\n"));
        }
        s
    };
    let (small, large) = (sql::split(&script(4_000)), sql::split(&script(8_000)));
    assert_eq!(small.unterminated_trigger, Some(1));
    assert_eq!(large.statements.len(), 1);
    // Twice the input, about twice the work (never the square).
    assert!(
        large.work <= 2 * small.work + 16,
        "{} then {}",
        small.work,
        large.work
    );
}

#[test]
fn the_splitter_corpus_replays() {
    replay("splitter", check_split);
}

// ---- revision files ----

fn check_revision(text: &str) -> Result<(), TestCaseError> {
    match migrate::script::parse(Path::new("abc_x.sql"), text) {
        Ok(rev) => {
            check_split(&rev.up.sql)?;
            check_split(&rev.down.sql)?;
        }
        Err(e) => prop_assert!(
            matches!(e, Error::Script { line: Some(_), .. }),
            "not a located script error: {e:?}"
        ),
    }
    Ok(())
}

fn revision_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("-- revision: abc".to_string()),
        Just("-- down_revision:".to_string()),
        Just("-- down_revision: abc".to_string()),
        Just("-- down_revision: x y,".to_string()),
        Just("-- message: m".to_string()),
        Just("-- transactional: false".to_string()),
        Just("-- transactional: maybe".to_string()),
        Just("-- migrate:up".to_string()),
        Just("-- migrate:up  -- comment".to_string()),
        Just("-- migrate:upgrade".to_string()),
        Just("-- migrate:down".to_string()),
        Just("\u{feff}".to_string()),
        Just("\0".to_string()),
        Just("\r".to_string()),
        sql_text(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(fixed(512, 2))]

    #[test]
    fn revision_parser_fuzz(text in revision_text()) {
        check_revision(&text)?;
    }
}

#[test]
fn the_revision_corpus_replays() {
    replay("revision", check_revision);
}

// ---- models ----

fn check_model_error(e: &Error) -> Result<(), TestCaseError> {
    prop_assert!(matches!(e, Error::Model { .. }), "not a model error: {e:?}");
    prop_assert!(!e.to_string().contains('\0'), "a NUL in the message: {e:?}");
    Ok(())
}

fn check_toml_model(text: &str) -> Result<(), TestCaseError> {
    match migrate::load::load_toml(text, Path::new("m.toml")) {
        Ok(_) => Ok(()),
        Err(e) => check_model_error(&e),
    }
}

fn check_sql_model(text: &str) -> Result<(), TestCaseError> {
    match migrate::load::load_sql(text, Path::new("m.sql")) {
        Ok(_) => Ok(()),
        Err(e) => check_model_error(&e),
    }
}

fn toml_model_text() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("\"id\"".to_string()),
        Just("\"a\\u0000b\"".to_string()),
        Just("\"x\\ny\"".to_string()),
        Just("\"INTEGER\"".to_string()),
        Just("\"'d'\"".to_string()),
        Just("\"(1\"".to_string()),
        Just("\")); DROP TABLE t; --\"".to_string()),
        Just("\"t.id\"".to_string()),
        Just("true".to_string()),
        Just("7".to_string()),
        Just("[\"id\"]".to_string()),
        Just("\"\"".to_string()),
    ];
    let key = prop_oneof![
        Just("name"),
        Just("type"),
        Just("default"),
        Just("check"),
        Just("references"),
        Just("primary_key"),
        Just("nullable"),
        Just("unique"),
        Just("columns"),
        Just("sql"),
        Just("renamed_from"),
    ];
    let column = prop::collection::vec((key.clone(), value.clone()), 0..5).prop_map(|kv| {
        let kv: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("{{ {} }}", kv.join(", "))
    });
    let item = prop_oneof![
        Just("[[table]]".to_string()),
        Just("[[view]]".to_string()),
        Just("[[trigger]]".to_string()),
        (key, value).prop_map(|(k, v)| format!("{k} = {v}")),
        prop::collection::vec(column.clone(), 0..3)
            .prop_map(|c| format!("columns = [ {} ]", c.join(", "))),
        prop::collection::vec(column, 0..2).prop_map(|c| format!("indexes = [ {} ]", c.join(", "))),
    ];
    prop::collection::vec(item, 0..10).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(fixed(256, 3))]

    #[test]
    fn toml_model_fuzz(text in toml_model_text()) {
        check_toml_model(&text)?;
    }

    #[test]
    fn sql_model_fuzz(text in prop_oneof![sql_text(), revision_text()]) {
        check_sql_model(&text)?;
    }
}

#[test]
fn the_model_corpora_replay() {
    replay("toml_model", check_toml_model);
    replay("sql_model", check_sql_model);
}

// ---- migrate.toml ----

fn check_config(text: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("migrate.toml");
    std::fs::write(&path, text).unwrap();
    let overrides = migrate::config::Overrides {
        config: Some(path),
        ..Default::default()
    };
    match migrate::config::Config::load(&overrides) {
        Ok(_) => {}
        Err(e) => prop_assert!(
            matches!(e, Error::Config { .. }),
            "not a config error: {e:?}"
        ),
    }
    Ok(())
}

fn config_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("[database]".to_string()),
        Just("[migrations]".to_string()),
        Just("[model]".to_string()),
        Just("[backup]".to_string()),
        Just("[other]".to_string()),
        Just("url = \"sqlite:app.db\"".to_string()),
        Just("url = \"postgres://x\"".to_string()),
        Just("url = \"sqlite:\"".to_string()),
        Just("url = \"a\\u0000b\"".to_string()),
        Just("dir = \"m\"".to_string()),
        Just("dir = \"\"".to_string()),
        Just("version_table = \"v\"".to_string()),
        Just("version_table = \" \"".to_string()),
        Just("version_table = \"v\\u0000; DROP\"".to_string()),
        Just("version_table = \"v\\n\\\"x\"".to_string()),
        Just("path = \"m.toml\"".to_string()),
        Just("command = \"echo\"".to_string()),
        Just("keep = 0".to_string()),
        Just("keep = -1".to_string()),
        Just("keep = 99999999999999999999".to_string()),
        Just("\u{feff}".to_string()),
        "[a-z =\"\\[\\]]{0,12}",
    ];
    prop::collection::vec(line, 0..8).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(fixed(256, 4))]

    #[test]
    fn config_fuzz(text in config_text()) {
        check_config(&text)?;
    }
}

#[test]
fn the_config_corpus_replays() {
    replay("config", check_config);
}

// ---- targets ----

/// base <- a1 <- b2 <- c3, and a branch a1 <- d4 merged with c3 into e5.
fn graph() -> migrate::graph::Graph {
    let rev = |id: &str, parents: &str| {
        migrate::script::parse(
            Path::new(&format!("{id}_x.sql")),
            &format!(
                "-- revision: {id}\n-- down_revision: {parents}\n-- migrate:up\n-- migrate:down\n"
            ),
        )
        .unwrap()
    };
    migrate::graph::Graph::new(vec![
        rev("a1", ""),
        rev("b2", "a1"),
        rev("c3", "b2"),
        rev("d4", "a1"),
        rev("e5", "c3, d4"),
    ])
    .unwrap()
}

fn check_target(spec: &str) -> Result<(), TestCaseError> {
    let g = graph();
    let specs: Vec<&str> = match spec.split_once(':') {
        Some((from, to)) => vec![from, to],
        None => vec![spec],
    };
    for s in specs {
        for current in [
            vec![],
            vec!["b2".to_string()],
            vec!["c3".into(), "d4".into()],
        ] {
            if let Err(e) = g.resolve(s, &current) {
                prop_assert!(
                    matches!(e, Error::Revision(_)),
                    "{s:?}: not a revision error: {e:?}"
                );
            }
        }
    }
    Ok(())
}

fn target_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("head"),
        Just("heads"),
        Just("base"),
        Just("a1"),
        Just("a"),
        Just("e5"),
        Just("+"),
        Just("-"),
        Just(":"),
        Just("@"),
        Just(" "),
        Just("1"),
        Just("3"),
        Just("18446744073709551616"),
        Just("é"),
        Just("\0"),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(fixed(512, 5))]

    #[test]
    fn target_fuzz(spec in target_text()) {
        check_target(&spec)?;
    }
}

#[test]
fn the_target_corpus_replays() {
    replay("target", |text| {
        for spec in text.lines() {
            check_target(spec)?;
        }
        Ok(())
    });
}

// ---- the corpus through the binary ----

/// Exit 0, 1 (a finding) or 2 (bad input), one message, never a panic.
fn survives(p: &Project, args: &[&str], what: &Path) {
    let (code, out, err) = p.run(args);
    assert!(
        matches!(code, 0..=2) && !err.contains("panicked"),
        "{}: migrate {args:?} exited {code}:\n{err}{out}",
        what.display()
    );
    if code == 2 {
        assert!(err.starts_with("error: "), "{}: {err}", what.display());
    }
}

#[test]
fn the_corpus_through_the_binary() {
    for (path, text) in corpus("revision") {
        let p = Project::with_config();
        p.write("migrations/versions/abc_x.sql", &text);
        survives(&p, &["history"], &path);
        survives(&p, &["upgrade", "--sql"], &path);
    }
    for (parser, file) in [("toml_model", "models.toml"), ("sql_model", "models.sql")] {
        for (path, text) in corpus(parser) {
            let p = Project::with_config();
            p.write(
                "migrate.toml",
                &format!("[database]\nurl = \"sqlite:app.db\"\n\n[model]\npath = \"{file}\"\n"),
            );
            p.write(file, &text);
            survives(&p, &["check"], &path);
        }
    }
    for (path, text) in corpus("config") {
        let p = Project::with_config();
        p.write("migrate.toml", &text);
        survives(&p, &["history"], &path);
        survives(&p, &["upgrade", "--sql"], &path);
    }
    let p = Project::with_config();
    p.revision("a1", &[], "CREATE TABLE t (id INT);", "DROP TABLE t;");
    p.revision("b2", &["a1"], "CREATE TABLE u (id INT);", "DROP TABLE u;");
    p.ok(&["hash"]);
    for (path, text) in corpus("target") {
        for spec in text.lines() {
            survives(&p, &["upgrade", spec, "--sql"], &path);
            survives(&p, &["downgrade", spec, "--sql"], &path);
        }
    }
}
