//! `--format json`: the real output of `check`, `current`, `heads`, `history`
//! and `lint`, and of failures under `--format json`, validated against
//! docs/json/migrate.schema.json (which allows no field it does not
//! describe), plus the values a program would read from it.

mod common;

use common::{MUSIC_MODEL, Project};
use serde_json::Value;

/// The schema's validator for one definition (`#/$defs/NAME`).
fn validate(def: &str, value: &Value) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json/migrate.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read the schema"))
            .expect("the schema is JSON");
    let map = jsonschema::validator_map_for(&schema).expect("a valid JSON Schema");
    let validator = map
        .get(&format!("#/$defs/{def}"))
        .unwrap_or_else(|| panic!("the schema defines {def}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} (at {})", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{def} output does not match the schema:\n{}\n{value:#}",
        errors.join("\n")
    );
}

/// Runs a command; insists on exit `code` and one JSON document on stdout
/// that matches `def`.
fn json(p: &Project, args: &[&str], code: i32, def: &str) -> Value {
    let (got, out, err) = p.run(args);
    assert_eq!(got, code, "migrate {args:?}:\n{err}\n{out}");
    assert!(!err.contains("panicked"), "{err}");
    let value: Value = serde_json::from_str(&out).unwrap_or_else(|e| {
        panic!("migrate {args:?}: stdout is not one JSON document ({e}):\n{out}")
    });
    validate(def, &value);
    value
}

/// A failure under `--format json`: exit 2, the error as JSON on stdout, and
/// the same message for a human on stderr.
fn json_error(p: &Project, args: &[&str]) -> Value {
    let value = json(p, args, 2, "error");
    let (_, _, err) = p.run(args);
    let message = value["error"]["message"].as_str().unwrap();
    let first = message.lines().next().unwrap();
    assert!(err.contains(first), "stderr says it too:\n{err}");
    value["error"].clone()
}

/// r1 (catalogue) applied, r2 (by hand) pending, a row of data.
fn music() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MUSIC_MODEL);
    p.autogenerate("catalogue", "r1");
    p.ok(&["upgrade"]);
    p.ok(&["revision", "-m", "by hand", "--rev-id", "r2"]);
    p.sql("app.db", "INSERT INTO artist VALUES (1, 'Nina');");
    p
}

#[test]
fn current_says_where_the_database_is_and_what_is_pending() {
    let p = Project::with_config();
    let v = json(&p, &["current", "--format", "json"], 0, "current");
    assert_eq!(v["exists"], false);
    assert_eq!(v["current"], serde_json::json!([]));
    assert!(v["database"].as_str().unwrap().ends_with("app.db"), "{v}");
    assert!(!p.path("app.db").exists(), "current creates no database");

    let p = music();
    let v = json(&p, &["current", "--format", "json"], 0, "current");
    assert_eq!(v["exists"], true);
    assert_eq!(v["pending"], 1);
    assert_eq!(v["current"][0]["revision"], "r1");
    assert_eq!(v["current"][0]["message"], "catalogue");
    assert_eq!(v["unknown"], serde_json::json!([]));
    p.ok(&["upgrade"]);
    let v = json(&p, &["current", "--format", "json"], 0, "current");
    assert_eq!(v["pending"], 0);
    assert_eq!(v["current"][0]["revision"], "r2");
    assert_eq!(v["current"][0]["parents"], serde_json::json!(["r1"]));
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn current_names_applied_revisions_whose_file_is_gone() {
    let p = music();
    p.ok(&["upgrade"]);
    std::fs::remove_file(p.path("migrations/versions/r2_by_hand.sql")).unwrap();
    let v = json(&p, &["current", "--format", "json"], 0, "current");
    assert_eq!(v["unknown"], serde_json::json!(["r2"]));
}

#[test]
fn heads_and_history_carry_the_marks_of_the_text() {
    let p = music();
    // A second branch from r1, then a merge of the two.
    p.ok(&["revision", "-m", "other", "--rev-id", "r3", "--head", "r1"]);
    let v = json(&p, &["heads", "--format", "json"], 0, "heads");
    let ids: Vec<&str> = v["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["revision"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{v}");
    assert!(ids.contains(&"r2") && ids.contains(&"r3"), "{v}");

    p.ok(&["merge", "-m", "join", "--rev-id", "r4", "r2", "r3"]);
    let v = json(&p, &["history", "--format", "json"], 0, "history");
    let revs = v["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 4);
    assert_eq!(revs[0]["revision"], "r4", "newest first: {v}");
    assert_eq!(revs[0]["head"], true);
    assert_eq!(revs[0]["mergepoint"], true);
    assert_eq!(revs[0]["parents"], serde_json::json!(["r2", "r3"]));
    let r1 = revs.iter().find(|r| r["revision"] == "r1").unwrap();
    assert_eq!(r1["current"], true, "the database is at r1: {v}");
    assert_eq!(r1["branchpoint"], true);
    assert_eq!(r1["parents"], serde_json::json!([]));
    assert!(r1["path"].as_str().unwrap().ends_with("r1_catalogue.sql"));

    // A range keeps the same shape, and --verbose changes nothing.
    let v = json(
        &p,
        &["history", "-r", "r2:", "--verbose", "--format", "json"],
        0,
        "history",
    );
    let ids: Vec<&str> = v["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["r4", "r2"]);
}

#[test]
fn check_output_matches_the_schema_with_and_without_a_difference() {
    let p = music();
    p.ok(&["upgrade"]);
    let v = json(&p, &["check", "--format", "json"], 0, "check");
    assert_eq!(v["ok"], true);
    assert_eq!(v["drift"]["differs"], false);
    // Drift: an index made by hand.
    p.sql("app.db", "CREATE INDEX ix_hand ON artist(name);");
    let v = json(&p, &["check", "--format", "json"], 1, "check");
    assert_eq!(v["ok"], false);
    assert_eq!(v["drift"]["differs"], true);
    assert!(
        v["drift"]["diff"].as_str().unwrap().contains("ix_hand"),
        "{v}"
    );
    // Without a database, drift is null.
    std::fs::remove_file(p.path("app.db")).unwrap();
    let v = json(&p, &["check", "--format", "json"], 0, "check");
    assert_eq!(v["drift"], Value::Null);
}

#[test]
fn lint_findings_are_listed_with_their_kind_table_and_rows() {
    let p = Project::with_config();
    p.write(
        "models.toml",
        "[[table]]\nname = \"artist\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"name\", type = \"TEXT\" } ]\n\n\
         [[table]]\nname = \"old\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true } ]\n",
    );
    p.autogenerate("first", "r1");
    p.ok(&["upgrade"]);
    let v = json(&p, &["lint", "--format", "json"], 0, "lint");
    assert_eq!(v["ok"], true);
    assert_eq!(v["pending"], 0);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, NULL), (2, 'Nina');",
    );
    p.write(
        "models.toml",
        "[[table]]\nname = \"artist\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true }, { name = \"name\", type = \"TEXT\", nullable = false } ]\n",
    );
    p.autogenerate("tighten", "r2");
    let v = json(&p, &["lint", "--format", "json"], 1, "lint");
    assert_eq!(v["ok"], false);
    assert_eq!(v["pending"], 1);
    let findings = v["findings"].as_array().unwrap();
    let data = findings.iter().find(|f| f["kind"] == "data").expect("{v}");
    assert_eq!(data["table"], "artist");
    assert_eq!(data["rows"], 1);
    assert_eq!(data["revision"], "r2");
    let drop = findings
        .iter()
        .find(|f| f["kind"] == "destructive")
        .expect("{v}");
    assert_eq!(drop["table"], Value::Null);
    assert!(drop["message"].as_str().unwrap().contains("old"), "{v}");
    assert_eq!(p.count("SELECT count(*) FROM artist"), 2);
}

#[test]
fn a_failure_under_format_json_is_one_json_error_with_exit_2() {
    let p = music();
    // A revision that does not resolve: what and hint, no file.
    let e = json_error(&p, &["history", "-r", "zz:", "--format", "json"]);
    assert_eq!(e["kind"], "revision");
    assert_eq!(e["where"], Value::Null);
    assert!(e["what"].as_str().unwrap().contains("zz"), "{e}");
    assert!(
        e["hint"].as_str().unwrap().contains("migrate history"),
        "{e}"
    );

    // A stale migrate.sum: the listing is the what, the last line the hint.
    let r2 = p.path("migrations/versions/r2_by_hand.sql");
    let text = std::fs::read_to_string(&r2).unwrap();
    std::fs::write(
        &r2,
        text.replace("-- migrate:down", "SELECT 1;\n-- migrate:down"),
    )
    .unwrap();
    for args in [
        &["check", "--format", "json"][..],
        &["lint", "--format", "json"],
    ] {
        let e = json_error(&p, args);
        assert_eq!(e["kind"], "refused", "{args:?}: {e}");
        assert!(
            e["what"].as_str().unwrap().contains("r2_by_hand.sql"),
            "{e}"
        );
        assert!(e["hint"].as_str().unwrap().contains("migrate hash"), "{e}");
    }

    // A revision file that does not parse: where is FILE:LINE.
    std::fs::write(
        &r2,
        text.replace("-- migrate:down", "-- migrate:up\n-- migrate:down"),
    )
    .unwrap();
    for args in [
        &["heads", "--format", "json"][..],
        &["history", "--format", "json"],
    ] {
        let e = json_error(&p, args);
        assert_eq!(e["kind"], "script", "{e}");
        let place = e["where"].as_str().unwrap();
        assert!(place.contains("r2_by_hand.sql:"), "{e}");
        assert!(!e["what"].as_str().unwrap().contains(place), "{e}");
    }

    // No database configured.
    let bare = Project::new();
    bare.write("models.toml", "");
    let e = json_error(&bare, &["current", "--format", "json"]);
    assert!(e["what"].as_str().unwrap().contains("database"), "{e}");
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
}

#[test]
fn a_command_line_that_does_not_parse_is_a_json_error_too() {
    let p = music();
    for args in [
        &["lint", "--format", "json", "--bogus"][..],
        &["heads", "--format=json", "extra"],
    ] {
        let e = json_error(&p, args);
        assert_eq!(e["kind"], "usage", "{e}");
        assert!(e["hint"].as_str().unwrap().contains("--help"), "{e}");
    }
    // Help is not an error: no JSON.
    let out = p.ok(&["heads", "--format", "json", "--help"]);
    assert!(out.contains("Usage"), "{out}");
}

#[test]
fn text_stays_the_default() {
    let p = music();
    let out = p.ok(&["current"]);
    assert!(out.starts_with("r1  catalogue"), "{out}");
    let (code, _, err) = p.run(&["history", "-r", "zz:"]);
    assert_eq!(code, 2);
    let (_, out, _) = p.run(&["history", "-r", "zz:"]);
    assert!(out.is_empty(), "no JSON without --format json: {out}");
    assert!(err.starts_with("error: no revision matches"), "{err}");
}

#[test]
fn heads_and_history_carry_branch_labels_and_depends_on() {
    let p = Project::with_config();
    p.ok(&["revision", "-m", "core", "--rev-id", "c1"]);
    p.ok(&[
        "revision",
        "-m",
        "reports",
        "--rev-id",
        "r1",
        "--head",
        "base",
        "--branch-label",
        "reports",
        "--depends-on",
        "c1",
    ]);
    let v = json(&p, &["heads", "--format", "json"], 0, "heads");
    let r1 = v["heads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["revision"] == "r1")
        .unwrap()
        .clone();
    assert_eq!(r1["branch_labels"], serde_json::json!(["reports"]));
    assert_eq!(r1["depends_on"], serde_json::json!(["c1"]));
    let v = json(&p, &["history", "--format", "json"], 0, "history");
    let c1 = v["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["revision"] == "c1")
        .unwrap()
        .clone();
    // Absent when the header is.
    assert!(
        c1.get("branch_labels").is_none() && c1.get("depends_on").is_none(),
        "{c1}"
    );
}
