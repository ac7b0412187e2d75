//! Long-lived branches through the real binary (issue 18, items 1-2): branch
//! labels and their targets (`NAME@head`, `NAME@REV`, `NAME@+1`, `NAME@-1`,
//! `NAME@base`), `depends_on` between branches, `check` with labelled heads,
//! and `migrate.sum` and `verify` kept good after each step.

mod common;

use common::Project;

/// A revision file with `extra` header lines (as a user writes them).
fn revision(p: &Project, id: &str, parents: &str, extra: &str, up: &str, down: &str) {
    p.write(
        &format!("migrations/versions/{id}_step.sql"),
        &format!(
            "-- revision: {id}\n-- down_revision: {parents}\n{extra}-- message: step {id}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
        ),
    );
}

/// Two labelled branches in one database: `core` (c1 artist, c2 track) and
/// `reports` (r1 report, which needs artist: depends_on c1; r2 report_line).
fn two_branches() -> Project {
    let p = Project::with_config();
    p.write("models.toml", MODEL);
    revision(
        &p,
        "c1",
        "",
        "-- branch_labels: core\n",
        "CREATE TABLE artist (id INTEGER PRIMARY KEY, name TEXT);",
        "DROP TABLE artist;",
    );
    revision(
        &p,
        "c2",
        "c1",
        "",
        "CREATE TABLE track (id INTEGER PRIMARY KEY, title TEXT);",
        "DROP TABLE track;",
    );
    revision(
        &p,
        "r1",
        "",
        "-- branch_labels: reports\n-- depends_on: core\n",
        "CREATE TABLE report (id INTEGER PRIMARY KEY, artist_id INTEGER REFERENCES artist (id));",
        "DROP TABLE report;",
    );
    revision(
        &p,
        "r2",
        "r1",
        "",
        "CREATE TABLE report_line (id INTEGER PRIMARY KEY, note TEXT);",
        "DROP TABLE report_line;",
    );
    p.ok(&["hash"]);
    p
}

const MODEL: &str = r#"
[[table]]
name = "artist"
columns = [ { name = "id", type = "INTEGER", primary_key = true }, { name = "name", type = "TEXT" } ]
[[table]]
name = "track"
columns = [ { name = "id", type = "INTEGER", primary_key = true }, { name = "title", type = "TEXT" } ]
[[table]]
name = "report"
columns = [ { name = "id", type = "INTEGER", primary_key = true }, { name = "artist_id", type = "INTEGER", references = "artist.id" } ]
[[table]]
name = "report_line"
columns = [ { name = "id", type = "INTEGER", primary_key = true }, { name = "note", type = "TEXT" } ]
"#;

fn tables(p: &Project) -> Vec<String> {
    let conn = p.conn("app.db");
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'migrate_%' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// `migrate.sum` is what `hash` would write, and `verify` passes.
fn consistent(p: &Project) {
    let before = p.bytes("migrations/migrate.sum");
    p.ok(&["hash"]);
    assert_eq!(
        before,
        p.bytes("migrations/migrate.sum"),
        "migrate.sum was stale"
    );
    p.ok(&["verify"]);
}

#[test]
fn revision_writes_branch_labels_and_depends_on_into_the_header() {
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
        "c",
    ]);
    let text = std::fs::read_to_string(p.path("migrations/versions/r1_reports.sql")).unwrap();
    assert!(
        text.contains("-- down_revision:\n-- branch_labels: reports\n-- depends_on: c1\n"),
        "{text}"
    );
    p.ok(&[
        "revision",
        "-m",
        "more",
        "--rev-id",
        "r2",
        "--head",
        "reports@head",
    ]);
    let text = std::fs::read_to_string(p.path("migrations/versions/r2_more.sql")).unwrap();
    assert!(text.contains("-- down_revision: r1\n"), "{text}");
    // heads, history and branches show the label on the branch.
    let heads = p.ok(&["heads"]);
    assert!(heads.contains("r2 (reports) (head)"), "{heads}");
    assert!(heads.contains("c1 (head)"), "{heads}");
    let history = p.ok(&["history"]);
    assert!(history.contains("r1 -> r2 (reports) (head)"), "{history}");
    assert!(history.contains("base -> r1 (reports)"), "{history}");
    let verbose = p.ok(&["history", "--verbose"]);
    assert!(verbose.contains("Branch names: reports"), "{verbose}");
    assert!(verbose.contains("Depends on: c1"), "{verbose}");
    assert!(p.ok(&["branches"]).contains("branch reports: head r2"));
    // A label names one branch; bad labels are refused before any file is written.
    let err = p.fails(&[
        "revision",
        "-m",
        "x",
        "--head",
        "base",
        "--branch-label",
        "reports",
    ]);
    assert!(err.contains("reports@head"), "{err}");
    let err = p.fails(&[
        "revision",
        "-m",
        "x",
        "--branch-label",
        "my-branch",
        "--head",
        "c1",
    ]);
    assert!(err.contains("my-branch"), "{err}");
    let err = p.fails(&["revision", "-m", "x", "--head", "c1", "--depends-on", "zz"]);
    assert!(err.contains("zz"), "{err}");
    assert_eq!(
        std::fs::read_dir(p.path("migrations/versions"))
            .unwrap()
            .count(),
        3
    );
    consistent(&p);
}

#[test]
fn upgrade_a_labelled_branch_applies_what_it_depends_on_without_merging() {
    let p = two_branches();
    let out = p.ok(&["upgrade", "reports@head"]);
    // core's c1 first (r1 depends on it), never c2: the branches stay apart.
    assert_eq!(p.applied(), ["c1", "r1", "r2"]);
    assert!(out.contains("c1, r2"), "{out}");
    assert_eq!(tables(&p), ["artist", "report", "report_line"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'a'); INSERT INTO report VALUES (1, 1); INSERT INTO report_line VALUES (1, 'n');",
    );
    // NAME@+1 moves along that branch only.
    p.ok(&["upgrade", "core@+1"]);
    assert_eq!(p.applied(), ["c1", "c2", "r1", "r2"]);
    p.sql("app.db", "INSERT INTO track VALUES (1, 't');");
    p.ok(&["upgrade", "heads"]);
    // With two heads `-1` names no branch; the hint names one by its label.
    let err = p.fails(&["downgrade", "-1"]);
    assert!(
        err.contains("e.g. core@-1") || err.contains("e.g. reports@-1"),
        "{err}"
    );
    // NAME@-1 reverts that branch only: the other's rows are untouched.
    p.ok(&["downgrade", "reports@-1"]);
    assert_eq!(p.applied(), ["c1", "c2", "r1"]);
    assert_eq!(p.count("SELECT count(*) FROM report"), 1);
    assert_eq!(p.count("SELECT count(*) FROM track"), 1);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    p.ok(&["downgrade", "core@-1"]);
    assert_eq!(p.applied(), ["c1", "r1"]);
    assert_eq!(p.count("SELECT count(*) FROM report"), 1);
    // NAME@REV: a revision of that branch.
    p.ok(&["upgrade", "reports@r2"]);
    assert_eq!(p.applied(), ["c1", "r1", "r2"]);
    assert_eq!(p.count("SELECT count(*) FROM report_line"), 0);
    // NAME@base: the whole branch, the other stays.
    p.ok(&["downgrade", "reports@base"]);
    assert_eq!(p.applied(), ["c1"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    p.ok(&["upgrade", "heads"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    consistent(&p);
}

#[test]
fn downgrade_refuses_to_revert_what_an_applied_revision_depends_on() {
    let p = two_branches();
    p.ok(&["upgrade", "heads"]);
    p.sql(
        "app.db",
        "INSERT INTO artist VALUES (1, 'a'); INSERT INTO report VALUES (1, 1);",
    );
    // c2-1 reverts c2; c1-1 would revert c1, which r1 (applied) depends on.
    p.ok(&["downgrade", "c2-1"]);
    let err = p.fails(&["downgrade", "c1-1"]);
    assert!(
        err.contains("r1") && err.contains("depends on") && err.contains("c1"),
        "{err}"
    );
    let err = p.fails(&["downgrade", "core@base"]);
    assert!(err.contains("r1") && err.contains("depends on"), "{err}");
    // Nothing changed, rows and all.
    assert_eq!(p.applied(), ["c1", "r1", "r2"]);
    assert_eq!(p.count("SELECT count(*) FROM artist"), 1);
    assert_eq!(p.count("SELECT count(*) FROM report"), 1);
    // Reverting the dependent first frees it.
    p.ok(&["downgrade", "reports@base"]);
    p.ok(&["downgrade", "core@base"]);
    assert_eq!(p.applied(), Vec::<String>::new());
    consistent(&p);
}

#[test]
fn unknown_and_ambiguous_labels_exit_2_naming_the_candidates() {
    let p = two_branches();
    let err = p.fails(&["upgrade", "report@head"]);
    assert!(err.contains("core, reports"), "{err}");
    // A second head on the reports branch: reports@head is ambiguous.
    revision(&p, "r3", "r1", "", "SELECT 1;", "SELECT 1;");
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade", "reports@head"]);
    assert!(
        err.contains("r2") && err.contains("r3") && err.contains("reports@heads"),
        "{err}"
    );
    p.ok(&["upgrade", "reports@heads"]);
    assert_eq!(p.applied(), ["c1", "r1", "r2", "r3"]);
    // NAME@REV names a revision of that branch only.
    let err = p.fails(&["upgrade", "reports@c2"]);
    assert!(
        err.contains("r1, r2, r3") || err.contains("r1, r3, r2"),
        "{err}"
    );
    // A label that is also the start of an id is ambiguous as a bare name.
    let p = two_branches();
    revision(
        &p,
        "c9",
        "",
        "-- branch_labels: c\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    p.ok(&["hash"]);
    let err = p.fails(&["upgrade", "c"]);
    assert!(err.contains("c1") && err.contains("c@head"), "{err}");
    p.ok(&["upgrade", "c@head"]);
    assert_eq!(p.applied(), ["c9"]);
}

#[test]
fn check_accepts_labelled_heads_and_fails_on_an_unlabelled_one() {
    let p = two_branches();
    p.ok(&["upgrade", "heads"]);
    let out = p.ok(&["check"]);
    assert!(out.starts_with("ok"), "{out}");
    // An unlabelled extra head still fails it, named.
    revision(&p, "x1", "c1", "", "SELECT 1;", "SELECT 1;");
    p.ok(&["hash"]);
    let (code, out, err) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("without a label of their own") && out.contains("x1"),
        "{out}"
    );
    // x1 forks the core branch: c2 and x1 share the core label, so neither is set apart.
    assert!(out.contains("c2"), "{out}");
}

#[test]
fn header_errors_name_the_file_and_line() {
    let p = two_branches();
    // `hash` reads the graph before accepting the files: each error is its one line.
    revision(
        &p,
        "z1",
        "",
        "-- depends_on: nothere\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["hash"]);
    assert!(
        err.contains("z1_step.sql:3") && err.contains("nothere"),
        "{err}"
    );
    revision(
        &p,
        "z1",
        "",
        "-- branch_labels: core\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["hash"]);
    assert!(err.contains("core") && err.contains("c1"), "{err}");
    revision(
        &p,
        "z1",
        "",
        "-- branch_labels: a-b\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["hash"]);
    assert!(
        err.contains("z1_step.sql:3") && err.contains("a-b"),
        "{err}"
    );
    revision(
        &p,
        "z1",
        "",
        "-- branch_labels: Heads\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["hash"]);
    assert!(err.contains("Heads") && err.contains("targets"), "{err}");
    // A dependency cycle is a cycle.
    revision(
        &p,
        "z1",
        "",
        "-- depends_on: z2\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    revision(
        &p,
        "z2",
        "",
        "-- depends_on: z1\n",
        "SELECT 1;",
        "SELECT 1;",
    );
    let err = p.fails(&["hash"]);
    assert!(
        err.contains("cycle") && err.contains("z1") && err.contains("z2"),
        "{err}"
    );
}
