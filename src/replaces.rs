//! Squashed revisions (`-- replaces: a, b, c`, as Django's `replaces`):
//! which revisions one database sees, from the ids its version table
//! records. Pure: revision files and applied ids in, the graph's revisions out.
//!
//! A squash S replaces a range FROM..TO. While the replaced files are there:
//! - a database that records none of them (at base, or below FROM) sees S in
//!   the range's place: the replaced revisions are hidden and a revision whose
//!   parent is one of them (TO's children) hangs from S;
//! - a database that records any of them (in the middle of the range, or past
//!   it) sees the replaced revisions and not S: it finishes the range through
//!   them, and a revision written on S later hangs from TO.
//!
//! Once `migrate squash --prune` removed the replaced files, S is the only way
//! through, and a version row naming a replaced id counts as S applied (an
//! alias): a database that was past TO keeps working without a rewrite.

use std::collections::{HashMap, HashSet};

use crate::error::{Error, Result};
use crate::script::Revision;

/// The revisions one database sees, and the replaced ids that stand for a
/// squash whose replaced files are gone.
pub(crate) struct View {
    pub revisions: Vec<Revision>,
    /// Replaced id -> the squash that replaced it (pruned ranges only).
    pub aliases: HashMap<String, String>,
}

/// True when the choice depends on the database: a squash whose replaced
/// files are still there. Otherwise nothing needs the version table.
pub(crate) fn needs_database(revisions: &[Revision]) -> bool {
    let ids: HashSet<&str> = revisions.iter().map(|r| r.id.as_str()).collect();
    revisions
        .iter()
        .any(|r| r.replaces.iter().any(|id| ids.contains(id.as_str())))
}

/// What a database recording `applied` sees of `revisions`.
pub(crate) fn view(revisions: Vec<Revision>, applied: &HashSet<String>) -> Result<View> {
    if !revisions.iter().any(|r| !r.replaces.is_empty()) {
        return Ok(View {
            revisions,
            aliases: HashMap::new(),
        });
    }
    let ids: HashSet<&str> = revisions.iter().map(|r| r.id.as_str()).collect();
    let mut hidden = HashSet::new();
    let mut remap: HashMap<String, String> = HashMap::new();
    let mut aliases = HashMap::new();
    for squash in revisions.iter().filter(|r| !r.replaces.is_empty()) {
        let replaced = &squash.replaces;
        let top = replaced.last().expect("a squash replaces at least one id");
        let present = replaced
            .iter()
            .filter(|id| ids.contains(id.as_str()))
            .count();
        let recorded: Vec<&String> = replaced.iter().filter(|id| applied.contains(*id)).collect();
        let midway = !recorded.is_empty() && recorded.len() < replaced.len();
        if replaced.contains(&squash.id) {
            return Err(refusal(
                squash,
                "lists itself in its replaces header".into(),
            ));
        }
        if present == 0 {
            if midway && !applied.contains(&squash.id) {
                return Err(refusal(
                    squash,
                    format!(
                        "replaces {}, and the database records {} of them ({}): it is in the middle \
                         of the squashed range, whose files were pruned; restore the replaced files \
                         (from version control) to finish the range through them",
                        replaced.join(", "),
                        recorded.len(),
                        join(&recorded)
                    ),
                ));
            }
            for id in replaced {
                aliases.insert(id.clone(), squash.id.clone());
                remap.insert(id.clone(), squash.id.clone());
            }
        } else if present < replaced.len() {
            let missing: Vec<&String> = replaced
                .iter()
                .filter(|id| !ids.contains(id.as_str()))
                .collect();
            return Err(refusal(
                squash,
                format!(
                    "replaces {}, but only some of their files are there (missing: {}); restore them, \
                     or remove the rest with `migrate squash --prune`",
                    replaced.join(", "),
                    join(&missing)
                ),
            ));
        } else if !recorded.is_empty() {
            if applied.contains(&squash.id) {
                return Err(Error::Refused(format!(
                    "the database records both squash {} and revisions it replaces ({}); \
                     `migrate stamp` it to where it is",
                    squash.id,
                    join(&recorded)
                )));
            }
            hidden.insert(squash.id.clone());
            remap.insert(squash.id.clone(), top.clone());
        } else {
            for id in replaced {
                hidden.insert(id.clone());
                remap.insert(id.clone(), squash.id.clone());
            }
        }
    }
    let revisions = rewire(revisions, &hidden, &remap);
    Ok(View { revisions, aliases })
}

/// Drops the hidden revisions and points parents at what stands for them.
fn rewire(
    revisions: Vec<Revision>,
    hidden: &HashSet<String>,
    remap: &HashMap<String, String>,
) -> Vec<Revision> {
    revisions
        .into_iter()
        .filter(|r| !hidden.contains(&r.id))
        .map(|mut r| {
            let mut parents: Vec<String> = Vec::with_capacity(r.parents.len());
            for p in &r.parents {
                let p = remap.get(p).unwrap_or(p);
                if !parents.contains(p) {
                    parents.push(p.clone());
                }
            }
            r.parents = parents;
            r
        })
        .collect()
}

fn refusal(squash: &Revision, message: String) -> Error {
    Error::Script {
        path: squash.path.clone(),
        line: None,
        message: format!("squash {} {message}", squash.id),
    }
}

fn join(ids: &[&String]) -> String {
    ids.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
