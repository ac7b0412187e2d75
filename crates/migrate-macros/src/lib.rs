//! `embed_migrations!("migrations")`: the revision files of a migrations
//! directory and its `migrate.sum`, compiled into the binary as a
//! `migrate::EmbeddedMigrations` literal. The sum is checked while compiling:
//! a stale, missing or hand-edited sum is a compile error that names the
//! files and says to run `migrate hash`, so a binary never carries a
//! revision nobody accepted. Use it through the `migrate` crate, which
//! re-exports it; the expansion names `::migrate::`.

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use quote::quote;
use syn::{LitStr, parse_macro_input};

/// Embeds `DIR/versions/*.sql` and `DIR/migrate.sum` (DIR relative to the
/// calling crate's `CARGO_MANIFEST_DIR`) as a `migrate::EmbeddedMigrations`.
///
/// Every file goes in through `include_str!`, so cargo rebuilds when one is
/// edited; `migrate revision` rewrites `migrate.sum`, so a new revision
/// rebuilds too. A sum that does not match the files fails the build.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let dir = parse_macro_input!(input as LitStr);
    match expand(&dir) {
        Ok(tokens) => tokens.into(),
        Err(message) => syn::Error::new(dir.span(), message)
            .to_compile_error()
            .into(),
    }
}

fn expand(dir: &LitStr) -> Result<proc_macro2::TokenStream, String> {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or("CARGO_MANIFEST_DIR is not set: build with cargo")?;
    let dir = root.join(dir.value());
    let versions = dir.join("versions");
    if !dir.is_dir() {
        return Err(format!(
            "embed_migrations!: no migrations directory at {} (the path is relative to {}; `migrate init` makes one)",
            dir.display(),
            root.display()
        ));
    }
    let files = revision_files(&versions)?;
    let mut lines = Vec::with_capacity(files.len());
    for (name, path) in &files {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        lines.push((name.clone(), migrate_sum::file_hash(&bytes)));
    }
    let sum_path = dir.join(migrate_sum::FILE_NAME);
    let sum_text = match std::fs::read_to_string(&sum_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", sum_path.display())),
    };
    let stale = migrate_sum::stale(&lines, sum_text.as_deref());
    if !stale.is_empty() {
        return Err(migrate_sum::stale_message(
            &sum_path.display().to_string(),
            &stale,
        ));
    }
    let revisions = files.iter().map(|(name, path)| {
        let path = path_literal(path);
        quote! { ::migrate::EmbeddedRevision { file_name: #name, text: ::core::include_str!(#path) } }
    });
    // No sum file is possible only with no revisions; the library reads
    // an empty sum as none.
    let sum = if sum_text.is_some() {
        let path = path_literal(&sum_path);
        quote! { ::core::include_str!(#path) }
    } else {
        quote! { "" }
    };
    Ok(quote! {
        ::migrate::EmbeddedMigrations { revisions: &[#(#revisions),*], sum: #sum }
    })
}

fn path_literal(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// `versions/`'s revision files sorted by name, as the library lists them:
/// dot files and directories skipped, anything else not `.sql` refused.
fn revision_files(versions: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = match std::fs::read_dir(versions) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(format!("{}: {e}", versions.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", versions.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if !name.ends_with(".sql") {
            return Err(format!(
                "{}: not a revision file (versions/ holds only <rev>_<slug>.sql files); move it elsewhere",
                entry.path().display()
            ));
        }
        files.push((name, entry.path()));
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}
