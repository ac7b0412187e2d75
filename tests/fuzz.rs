//! Fuzzing without nightly (issue 12): property tests with fixed seeds and
//! case counts over every parser of user text (revision files, TOML and SQL
//! models, `migrate.toml`, revision targets; the splitter has its own file,
//! `fuzz_splitter.rs`), and a committed corpus of inputs that once broke
//! something (`tests/corpus/`), replayed on every run: in process, and
//! through the binary (exit 0, 1 or 2, never a panic). The properties: never
//! a panic; bad input is an error of the right kind, with a line where there
//! is one; a parsed revision's sections split keeping every token.

mod common;
mod fuzzing;

use std::path::Path;

use fuzzing::{check_split, corpus, fixed, replay, sql_text};
use migrate::Error;
use migrate::internal::engine::Engine;
use proptest::prelude::*;

use common::Project;

// ---- revision files ----

fn check_revision(text: &str) -> Result<(), TestCaseError> {
    match migrate::internal::script::parse(
        Path::new("abc_x.sql"),
        text,
        migrate::internal::engine::Engine::Sqlite.dialect(),
    ) {
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
    match migrate::internal::load::load_toml(Engine::Sqlite, text, Path::new("m.toml")) {
        Ok(_) => Ok(()),
        Err(e) => check_model_error(&e),
    }
}

fn check_sql_model(text: &str) -> Result<(), TestCaseError> {
    match migrate::internal::load::load_sql(Engine::Sqlite, text, Path::new("m.sql")) {
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
    let overrides = migrate::internal::config::Overrides {
        config: Some(path),
        ..Default::default()
    };
    match migrate::internal::config::Config::load(&overrides) {
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
fn graph() -> migrate::internal::graph::Graph {
    let rev = |id: &str, parents: &str| {
        migrate::internal::script::parse(
            Path::new(&format!("{id}_x.sql")),
            &format!(
                "-- revision: {id}\n-- down_revision: {parents}\n-- migrate:up\n-- migrate:down\n"
            ),
            migrate::internal::engine::Engine::Sqlite.dialect(),
        )
        .unwrap()
    };
    migrate::internal::graph::Graph::new(vec![
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
        // lint, and a real upgrade on a scratch database, read the
        // statements further than splitting them does (once accepted).
        survives(&p, &["hash"], &path);
        survives(&p, &["lint"], &path);
        survives(&p, &["upgrade"], &path);
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
