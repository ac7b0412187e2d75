//! Issue 19 item 2: `migrate::embed_migrations!` compiles a migrations
//! directory into the binary, and a stale `migrate.sum` fails the build.
//! The first test embeds the example's directory in this test binary; the
//! second writes a tiny crate that calls the macro and runs `cargo check`
//! on it after each way a sum goes stale.

use std::path::{Path, PathBuf};
use std::process::Command;

static EXAMPLE: migrate::EmbeddedMigrations =
    migrate::embed_migrations!("migrations-example/migrations");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_example_is_embedded_file_for_file_with_its_sum() {
    let dir = root().join("migrations-example/migrations");
    let mut names: Vec<String> = std::fs::read_dir(dir.join("versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let embedded: Vec<&str> = EXAMPLE.revisions.iter().map(|r| r.file_name).collect();
    assert_eq!(embedded, names);
    for r in EXAMPLE.revisions {
        let on_disk = std::fs::read_to_string(dir.join("versions").join(r.file_name)).unwrap();
        assert_eq!(r.text, on_disk, "{}", r.file_name);
    }
    let sum = std::fs::read_to_string(dir.join("migrate.sum")).unwrap();
    assert_eq!(EXAMPLE.sum, sum);
    assert!(migrate::Migrator::embedded(&EXAMPLE).is_ok());
}

#[test]
fn embedded_revisions_edited_after_compiling_are_refused() {
    let mut revisions = EXAMPLE.revisions.to_vec();
    revisions[1].text = "-- edited\n";
    let edited: &'static migrate::EmbeddedMigrations =
        Box::leak(Box::new(migrate::EmbeddedMigrations {
            revisions: Box::leak(revisions.into_boxed_slice()),
            sum: EXAMPLE.sum,
        }));
    let err = migrate::Migrator::embedded(edited)
        .err()
        .expect("a revision that does not match the embedded sum is refused")
        .to_string();
    let expected = format!(
        "{}: edited since migrate.sum was written",
        EXAMPLE.revisions[1].file_name
    );
    assert!(err.contains(&expected), "{err}");
}

/// A crate that embeds `migrations/` with the macro. Its `migrate` is itself
/// with the library's real `src/embedded.rs` inside, so the check needs only
/// the macro's small dependencies, not the whole library.
fn probe_crate(dir: &Path) {
    let root = root();
    let manifest = format!(
        "[package]\nname = \"embed-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
         [dependencies]\nmigrate-macros = {{ path = {:?} }}\n\n\
         [profile.dev]\ndebug = 0\n\n[workspace]\n",
        root.join("crates/migrate-macros")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    // The workspace's lock file: `--offline` then picks the versions the
    // workspace already downloaded.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let main = format!(
        "extern crate self as migrate;\n\
         #[path = {:?}]\nmod embedded;\n\
         pub use embedded::{{EmbeddedMigrations, EmbeddedRevision}};\n\
         static MIGRATIONS: EmbeddedMigrations = migrate_macros::embed_migrations!(\"migrations\");\n\
         fn main() {{ println!(\"{{}}\", MIGRATIONS.revisions.len()); }}\n",
        root.join("src/embedded.rs")
    );
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    let example = root.join("migrations-example/migrations");
    std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
    std::fs::copy(
        example.join("migrate.sum"),
        dir.join("migrations/migrate.sum"),
    )
    .unwrap();
    for e in std::fs::read_dir(example.join("versions")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(
            e.path(),
            dir.join("migrations/versions").join(e.file_name()),
        )
        .unwrap();
    }
}

/// `cargo check` on the probe: Ok(()) or Err(its stderr). Its target
/// directory is kept between runs, so only the first compiles the macro.
fn check(dir: &Path) -> Result<(), String> {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("embed-probe-target");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok(())
    } else {
        Err(stderr)
    }
}

fn fails_with(dir: &Path, what: &str, expected: &[&str]) {
    let err = check(dir).expect_err(&format!("{what}: the build must fail"));
    for e in expected {
        assert!(err.contains(e), "{what}: expected {e:?} in:\n{err}");
    }
}

#[test]
fn a_stale_sum_fails_the_build_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    probe_crate(dir);
    check(dir).expect("a current sum compiles");

    let versions = dir.join("migrations/versions");
    let edited = versions.join("70f8f3a4c5f1_add_album_table_and_track_album_id.sql");
    let original = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, format!("{original}\n-- edited by hand\n")).unwrap();
    fails_with(
        dir,
        "an edited revision",
        &[
            "migrate.sum does not match the revision files",
            "70f8f3a4c5f1_add_album_table_and_track_album_id.sql: edited since migrate.sum was written",
            "run `migrate hash` to accept them",
        ],
    );
    std::fs::write(&edited, &original).unwrap();

    let added = versions.join("0123456789ab_by_hand.sql");
    std::fs::write(&added, "-- migrate:up\n-- migrate:down\n").unwrap();
    fails_with(
        dir,
        "an added revision",
        &["0123456789ab_by_hand.sql: added, not in migrate.sum"],
    );
    std::fs::remove_file(&added).unwrap();

    let sum = dir.join("migrations/migrate.sum");
    let sum_text = std::fs::read_to_string(&sum).unwrap();
    std::fs::remove_file(&sum).unwrap();
    fails_with(dir, "no sum", &["migrate.sum is missing"]);
    std::fs::write(&sum, sum_text.replacen("h1:", "h1:0", 1)).unwrap();
    fails_with(
        dir,
        "a hand-edited total",
        &["its total does not match its lines"],
    );
    std::fs::write(&sum, &sum_text).unwrap();

    std::fs::write(versions.join("notes.txt"), "").unwrap();
    fails_with(dir, "a stray file", &["notes.txt: not a revision file"]);
    std::fs::remove_file(versions.join("notes.txt")).unwrap();

    check(dir).expect("the restored sum compiles again");
}
