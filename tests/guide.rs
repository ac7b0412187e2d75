//! docs/guide.md runs as written: every ```sh block, in order, in one scratch
//! directory, with the built `migrate` first on PATH; and the CI recipes of
//! docs/ci.md (GitHub Actions, GitLab CI, pre-commit) run their commands in a
//! scratch application repository; and the links between README.md and
//! docs/ lead to files and headings that exist.
//!
//! How a document is marked (said once here, and at the top of each document):
//! - ```sh blocks run, in order, each with `bash -euo pipefail`; the working
//!   directory one block ends in is where the next starts (the guide `cd`s
//!   into its project). Any other language (`toml`, `sql`, `text`, `console`,
//!   `yaml`) is shown, not run.
//! - `file=PATH` after the language (```toml file=models.toml) is a file the
//!   reader saves: it is written, relative to the current directory, before
//!   the next ```sh block runs.
//! - `editor` (```sql editor) is what the reader types in `$EDITOR`: the test's
//!   EDITOR keeps the file's header (the lines above `-- migrate:up`) and puts
//!   this text after it. No terminal is involved.
//! - `python` (```sh python) needs SQLAlchemy: run when `python3 -c 'import
//!   sqlalchemy'` works, otherwise skipped with a note on stderr.
//! - `postgres` (```sh postgres) needs a PostgreSQL server: run with
//!   `DATABASE_URL` set to a fresh database of MIGRATE_TEST_PG_URL's server
//!   (the same one for every such block), otherwise skipped as the other
//!   PostgreSQL tests are (and failing under CI=true).
//! - In the CI recipes, the step that installs `migrate` (a GitHub step named
//!   "Install migrate", GitLab's `before_script`) is not run: the built binary
//!   is already on PATH, and the test has no network.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// One fenced block of a Markdown document.
#[derive(Debug, Clone)]
struct Block {
    lang: String,
    attrs: Vec<String>,
    text: String,
    /// 1-based line of the opening fence, for messages.
    line: usize,
}

impl Block {
    fn has(&self, attr: &str) -> bool {
        self.attrs.iter().any(|a| a == attr)
    }

    fn file(&self) -> Option<&str> {
        self.attrs.iter().find_map(|a| a.strip_prefix("file="))
    }
}

/// Fenced blocks in document order (``` fences; the info string's first word
/// is the language, the rest attributes).
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let mut words = info.split_whitespace().map(str::to_string);
                    open = Some(Block {
                        lang: words.next().unwrap_or_default(),
                        attrs: words.collect(),
                        text: String::new(),
                        line: i + 1,
                    });
                }
            }
            Some(mut block) => {
                if trimmed.starts_with("```") {
                    out.push(block);
                } else {
                    block.text.push_str(line);
                    block.text.push('\n');
                    open = Some(block);
                }
            }
        }
    }
    assert!(open.is_none(), "an unclosed fence");
    out
}

fn repo_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sqlalchemy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import sqlalchemy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A shell for a document's commands: `migrate` (this build) first on PATH,
/// HOME in the scratch directory, none of the developer's MIGRATE_* or
/// DATABASE_URL variables, no terminal.
fn shell(root: &Path, cwd: &Path, script: &str) -> Command {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_migrate"));
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", script])
        .current_dir(cwd)
        .env("PATH", path)
        .env("HOME", root.join("home"))
        .env("EDITOR", root.join("editor.sh"))
        .env_remove("VISUAL")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        // GIT_DIR and its kind (set when the suite runs inside a git hook)
        // would point the scratch repository's git at another one.
        if key.starts_with("MIGRATE_") || key == "DATABASE_URL" || key.starts_with("GIT_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The test's EDITOR: keeps the revision's header and writes the guide's
/// `editor` block (stored beside it) after it, as a reader would type it.
fn write_editor(root: &Path, body: &str) {
    let body_path = root.join("editor-body.sql");
    std::fs::write(&body_path, body).unwrap();
    let script = format!(
        "#!/bin/sh\nset -e\nsed -n '/^-- migrate:up/q;p' \"$1\" > \"$1.new\"\ncat '{}' >> \"$1.new\"\nmv \"$1.new\" \"$1\"\n",
        body_path.display()
    );
    let editor = root.join("editor.sh");
    std::fs::write(&editor, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs one script in `cwd`; returns the directory it ended in, or panics
/// with the document's line and both outputs.
fn run_block(root: &Path, cwd: &Path, script: &str, what: &str) -> PathBuf {
    let state = root.join("pwd-after");
    let full = format!("{script}\npwd > '{}'\n", state.display());
    let out = shell(root, cwd, &full).output().expect("bash runs");
    assert!(
        out.status.success(),
        "{what} failed (exit {:?}):\n{script}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(std::fs::read_to_string(&state).unwrap().trim_end())
}

/// Walks a document: writes its `file=` blocks, runs its `sh` blocks.
fn walk(doc: &str, root: &Path, start: &Path) -> PathBuf {
    let all = blocks(&repo_file(doc));
    let python = sqlalchemy_available();
    // Made at the first `postgres` block; `None` inside: no server.
    let mut pg: Option<Option<common::pg::TestDb>> = None;
    let mut cwd = start.to_path_buf();
    for (i, block) in all.iter().enumerate() {
        if let Some(rel) = block.file() {
            let path = cwd.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &block.text).unwrap();
            continue;
        }
        if block.lang != "sh" {
            continue;
        }
        if block.has("python") && !python {
            common::say(&format!(
                "{doc}:{}: skipped (needs SQLAlchemy: python3 -m pip install sqlalchemy)",
                block.line
            ));
            continue;
        }
        let mut script = block.text.clone();
        if block.has("postgres") {
            let Some(db) = pg.get_or_insert_with(|| common::pg::fresh_db("guide")) else {
                common::say(&format!("{doc}:{}: skipped (PostgreSQL)", block.line));
                continue;
            };
            script = format!("export DATABASE_URL='{}'\n{script}", db.url);
        }
        let body = all[i..].iter().find(|b| b.has("editor"));
        write_editor(root, body.map_or("", |b| b.text.as_str()));
        cwd = run_block(root, &cwd, &script, &format!("{doc}:{}", block.line));
    }
    cwd
}

#[test]
fn the_guide_runs_as_written() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("home")).unwrap();
    let work = root.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    walk("docs/guide.md", root.path(), &work);
}

#[test]
fn every_sh_block_of_the_guide_is_seen() {
    // The walk relies on the fences; a typo (```shell, ```bash) would make a
    // block silently not run.
    let all = blocks(&repo_file("docs/guide.md"));
    for b in &all {
        assert!(
            [
                "sh", "toml", "sql", "text", "console", "yaml", "json", "python"
            ]
            .contains(&b.lang.as_str()),
            "docs/guide.md:{}: fence language {:?} is neither run nor known",
            b.line,
            b.lang
        );
    }
    assert!(all.iter().filter(|b| b.lang == "sh").count() >= 10);
}

/// The commands a YAML recipe runs: GitHub steps' `run:` (but the install
/// step), GitLab jobs' `script:`, pre-commit hooks' `entry:`.
fn recipe_commands(yaml: &str) -> Vec<String> {
    use yaml_rust2::Yaml;
    let docs = yaml_rust2::YamlLoader::load_from_str(yaml).expect("the recipe is YAML");
    let mut out = Vec::new();
    fn visit(node: &Yaml, out: &mut Vec<String>) {
        match node {
            Yaml::Hash(map) => {
                let named_install = map
                    .get(&Yaml::String("name".into()))
                    .and_then(Yaml::as_str)
                    .is_some_and(|n| n == "Install migrate");
                for (k, v) in map {
                    match (k.as_str(), v) {
                        (Some("run"), Yaml::String(s)) if !named_install => out.push(s.clone()),
                        (Some("entry"), Yaml::String(s)) => out.push(s.clone()),
                        (Some("script"), Yaml::Array(lines)) => {
                            out.extend(lines.iter().filter_map(Yaml::as_str).map(str::to_string))
                        }
                        (Some("before_script"), _) => {}
                        _ => visit(v, out),
                    }
                }
            }
            Yaml::Array(items) => items.iter().for_each(|i| visit(i, out)),
            _ => {}
        }
    }
    docs.iter().for_each(|d| visit(d, &mut out));
    out
}

#[test]
fn the_ci_recipes_run_in_an_application_repository() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("home")).unwrap();
    let app = root.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    // An application's repository with a project made by `migrate init` and
    // one revision, committed.
    run_block(
        root.path(),
        &app,
        "git init -q . && migrate init .",
        "git init, migrate init",
    );
    std::fs::write(app.join("models.toml"), common::MUSIC_MODEL).unwrap();
    run_block(
        root.path(),
        &app,
        "migrate revision --autogenerate -m 'first tables' && \
         git add -A && git -c user.name=t -c user.email=t@t commit -qm init",
        "the first revision, committed",
    );
    let recipes: Vec<Block> = blocks(&repo_file("docs/ci.md"))
        .into_iter()
        .filter(|b| b.lang == "yaml")
        .collect();
    assert_eq!(recipes.len(), 3, "GitHub Actions, GitLab CI, pre-commit");
    for recipe in &recipes {
        let commands = recipe_commands(&recipe.text);
        assert!(
            commands.iter().any(|c| c.contains("migrate check")),
            "docs/ci.md:{}: no `migrate check` in {commands:?}",
            recipe.line
        );
        for command in &commands {
            run_block(
                root.path(),
                &app,
                command,
                &format!("docs/ci.md:{}: `{command}`", recipe.line),
            );
        }
    }
    // And the recipes fail when they should: a model changed without a revision.
    let model = app.join("models.toml");
    let mut text = std::fs::read_to_string(&model).unwrap();
    text.push_str("\n[[table]]\nname = \"late\"\ncolumns = [ { name = \"id\", type = \"INTEGER\", primary_key = true } ]\n");
    std::fs::write(&model, text).unwrap();
    for recipe in &recipes {
        let commands = recipe_commands(&recipe.text);
        let failed = commands.iter().any(|c| {
            !shell(root.path(), &app, c)
                .output()
                .unwrap()
                .status
                .success()
        });
        assert!(
            failed,
            "docs/ci.md:{}: passes with a model change no revision carries",
            recipe.line
        );
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// to hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn links_between_the_documents_resolve() {
    // The README and docs/ link into each other after the reference moved to
    // docs/: a link to a file or heading that is not there is a broken page.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    let mut broken = Vec::new();
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            if target.is_empty() || target.contains("://") || target.contains(' ') {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(file)
            };
            let Ok(linked) = std::fs::read_to_string(&file) else {
                broken.push(format!("{}: {target} (no such file)", doc.display()));
                continue;
            };
            let mut headings = linked
                .lines()
                .filter_map(|l| l.strip_prefix('#'))
                .map(|h| anchor(h.trim_start_matches('#')));
            if !fragment.is_empty() && !headings.any(|h| h == fragment) {
                broken.push(format!("{}: {target} (no such heading)", doc.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
