//! Long-lived branches in the revision graph (after Alembic's revision map):
//! branch labels, carried from the revision that names them to everything
//! above it and down its line to the branch point, the targets `NAME@head`,
//! `NAME@heads`, `NAME@base`, `NAME@REV`, `NAME@+N`, `NAME@-N`; and
//! `depends_on`, which orders a revision after others without making them
//! parents (so a dependency stays a head of its own branch).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Graph, Target, relative};
use crate::error::{Error, Result};
use crate::script::Revision;

/// Labels and dependencies, resolved to positions in the graph's revisions.
#[derive(Debug, Default)]
pub(super) struct Branches {
    /// What each revision depends on, and what depends on it.
    pub depends: Vec<Vec<usize>>,
    pub dependents: Vec<Vec<usize>>,
    /// Every label each revision carries (its own and inherited).
    labels: Vec<BTreeSet<String>>,
    /// Label -> the revision whose header names it.
    owners: BTreeMap<String, usize>,
}

impl Branches {
    pub(super) fn new(
        revisions: &[Revision],
        by_id: &HashMap<String, usize>,
        children: &[Vec<usize>],
    ) -> Result<Branches> {
        let owners = owners(revisions, by_id)?;
        let mut depends = vec![Vec::new(); revisions.len()];
        let mut dependents = vec![Vec::new(); revisions.len()];
        for (i, r) in revisions.iter().enumerate() {
            for name in &r.branch.depends_on {
                let Some(&d) = by_id.get(name).or_else(|| owners.get(name)) else {
                    return Err(script_error(
                        r,
                        r.branch.depends_line,
                        format!(
                            "depends_on {name} is neither a revision id nor a branch label in \
                             the versions directory; write a full id or a label"
                        ),
                    ));
                };
                if d == i {
                    return Err(script_error(
                        r,
                        r.branch.depends_line,
                        format!("revision {} depends on itself", r.id),
                    ));
                }
                if !depends[i].contains(&d) {
                    depends[i].push(d);
                    dependents[d].push(i);
                }
            }
        }
        let labels = propagate(revisions, by_id, children);
        Ok(Branches {
            depends,
            dependents,
            labels,
            owners,
        })
    }
}

fn script_error(r: &Revision, line: usize, message: String) -> Error {
    Error::Script {
        path: r.path.clone(),
        line: Some(line).filter(|l| *l > 0),
        message,
    }
}

/// Each label names one revision, and no label is also a revision id.
fn owners(
    revisions: &[Revision],
    by_id: &HashMap<String, usize>,
) -> Result<BTreeMap<String, usize>> {
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for (i, r) in revisions.iter().enumerate() {
        for label in &r.branch.labels {
            if super::is_reserved(label) {
                return Err(script_error(
                    r,
                    0,
                    format!("branch label {label} is a word for targets; choose another label"),
                ));
            }
            if by_id.contains_key(label) {
                return Err(script_error(
                    r,
                    0,
                    format!("branch label {label} is also a revision id; choose another label"),
                ));
            }
            if let Some(&j) = owners.get(label) {
                return Err(script_error(
                    r,
                    0,
                    format!(
                        "branch label {label} is used by revision {} ({}) already; a label names one branch",
                        revisions[j].id,
                        revisions[j].file_name()
                    ),
                ));
            }
            owners.insert(label.clone(), i);
        }
    }
    Ok(owners)
}

/// A label covers its revision, everything above it, and the line below it
/// down to (not including) a branch point or a merge.
fn propagate(
    revisions: &[Revision],
    by_id: &HashMap<String, usize>,
    children: &[Vec<usize>],
) -> Vec<BTreeSet<String>> {
    let mut labels = vec![BTreeSet::new(); revisions.len()];
    for (i, r) in revisions.iter().enumerate() {
        if r.branch.labels.is_empty() {
            continue;
        }
        let mut stack = vec![i];
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                labels[n].extend(r.branch.labels.iter().cloned());
                stack.extend(&children[n]);
            }
        }
        let mut at = i;
        while let [parent] = revisions[at].parents.as_slice() {
            let p = by_id[parent];
            if children[p].len() > 1 || revisions[p].parents.len() > 1 {
                break;
            }
            labels[p].extend(r.branch.labels.iter().cloned());
            at = p;
        }
    }
    labels
}

impl Graph {
    /// The labels revision `id` carries, own and inherited.
    pub fn labels_of(&self, id: &str) -> Vec<&str> {
        self.by_id
            .get(id)
            .map(|&i| self.branch.labels[i].iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// What revision `id` depends on (its `depends_on`, resolved).
    pub fn dependencies(&self, id: &str) -> Vec<&Revision> {
        self.by_id
            .get(id)
            .map(|&i| {
                self.branch.depends[i]
                    .iter()
                    .map(|&d| &self.revisions[d])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `ids` and everything they need applied: parents and dependencies, down to base.
    pub fn required_inclusive<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut stack: Vec<usize> = ids
            .into_iter()
            .filter_map(|id| self.by_id.get(id).copied())
            .collect();
        while let Some(i) = stack.pop() {
            if seen.insert(self.revisions[i].id.clone()) {
                stack.extend(self.revisions[i].parents.iter().map(|p| self.by_id[p]));
                stack.extend(&self.branch.depends[i]);
            }
        }
        seen
    }

    /// Heads that no label sets apart from the others: `check` fails on them
    /// (labelled branches are meant to stay apart; others are to be merged).
    pub fn unlabelled_extra_heads(&self) -> Vec<&Revision> {
        let heads = self.heads();
        if heads.len() < 2 {
            return Vec::new();
        }
        let own = |h: &Revision| {
            let others: HashSet<&str> = heads
                .iter()
                .filter(|o| o.id != h.id)
                .flat_map(|o| self.labels_of(&o.id))
                .collect();
            self.labels_of(&h.id).iter().any(|l| !others.contains(l))
        };
        heads.iter().copied().filter(|h| !own(h)).collect()
    }

    /// The revision whose header names `label`. A label that is also the
    /// start of revision ids is ambiguous.
    pub(super) fn labelled(&self, label: &str) -> Result<Option<&Revision>> {
        let Some(&i) = self.branch.owners.get(label) else {
            return Ok(None);
        };
        let ids: Vec<&str> = self
            .in_order()
            .filter(|r| r.id.starts_with(label))
            .map(|r| r.id.as_str())
            .collect();
        if !ids.is_empty() {
            return Err(Error::Revision(format!(
                "{label:?} is ambiguous: it is the branch label of {} and the start of revision(s) {}; \
                 write {label}@head for the branch, or more of the id",
                self.revisions[i].id,
                ids.join(", ")
            )));
        }
        Ok(Some(&self.revisions[i]))
    }

    fn known_label(&self, label: &str) -> Result<()> {
        if self.branch.owners.contains_key(label) {
            return Ok(());
        }
        let known: Vec<&str> = self.branch.owners.keys().map(String::as_str).collect();
        Err(Error::Revision(if known.is_empty() {
            format!(
                "no branch is labelled {label:?}: no revision has a branch label (add one with \
                 `migrate revision --branch-label NAME`)"
            )
        } else {
            format!(
                "no branch is labelled {label:?}; the labels are: {} (`migrate branches` shows them)",
                known.join(", ")
            )
        }))
    }

    /// Every branch label, sorted.
    pub fn label_names(&self) -> impl Iterator<Item = &str> {
        self.branch.owners.keys().map(String::as_str)
    }

    /// The heads on branch `label`.
    pub fn branch_heads(&self, label: &str) -> Result<Vec<&Revision>> {
        self.known_label(label)?;
        Ok(self
            .heads()
            .into_iter()
            .filter(|h| self.labels_of(&h.id).contains(&label))
            .collect())
    }

    /// Every revision on the way to branch `label`'s heads, parents only.
    fn branch_line(&self, label: &str) -> Result<HashSet<String>> {
        let heads = self.branch_heads(label)?;
        Ok(self.ancestors_inclusive(heads.iter().map(|h| h.id.as_str())))
    }

    /// Where the database is on branch `label`: the highest applied revision
    /// on its line (None: nothing of it applied).
    pub(super) fn branch_position(
        &self,
        label: &str,
        current: &[String],
    ) -> Result<Option<String>> {
        let line = self.branch_line(label)?;
        let applied = self.ancestors_inclusive(current.iter().map(String::as_str));
        let on: HashSet<&String> = applied.iter().filter(|id| line.contains(*id)).collect();
        let tips: Vec<&str> = self
            .in_order()
            .filter(|r| on.contains(&r.id))
            .filter(|r| !self.children(&r.id).iter().any(|c| on.contains(&c.id)))
            .map(|r| r.id.as_str())
            .collect();
        match tips.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.to_string())),
            many => Err(Error::Revision(format!(
                "branch {label} is at {} revisions at once ({}); name one of them instead",
                many.len(),
                many.join(", ")
            ))),
        }
    }

    /// `NAME@head`, `NAME@heads`, `NAME@base`, `NAME@+N`, `NAME@-N`,
    /// `NAME@REV`, `NAME@REV+N`.
    pub(super) fn resolve_on_branch(
        &self,
        spec: &str,
        label: &str,
        rest: &str,
        current: &[String],
    ) -> Result<Target> {
        let heads = self.branch_heads(label)?;
        let ids = |revs: &[&Revision]| revs.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        match rest {
            "head" => match heads.as_slice() {
                [one] => return Ok(Target::Revisions(vec![one.id.clone()])),
                many => {
                    return Err(Error::Revision(format!(
                        "{spec} is ambiguous: branch {label} has {} heads ({}); name one, \
                         or {label}@heads for all of them",
                        many.len(),
                        ids(many).join(", ")
                    )));
                }
            },
            "heads" => return Ok(Target::Revisions(ids(&heads))),
            "base" => return Ok(self.branch_base(label)),
            _ => {}
        }
        let line = self.branch_line(label)?;
        if let Some((anchor, step, n)) = relative(rest) {
            let start = match anchor {
                "" => self.branch_position(label, current)?,
                rev => Some(self.on_branch(label, rev)?.id.clone()),
            };
            return self.walk(start, n, step.starts_with('+'), spec, Some(&line));
        }
        Ok(Target::Revisions(vec![
            self.on_branch(label, rest)?.id.clone(),
        ]))
    }

    /// Below branch `label`: the parents of its lowest labelled revisions.
    fn branch_base(&self, label: &str) -> Target {
        let carries = |id: &str| self.labels_of(id).contains(&label);
        let below: BTreeSet<String> = self
            .in_order()
            .filter(|r| carries(&r.id))
            .flat_map(|r| r.parents.iter().filter(|p| !carries(p)).cloned())
            .collect();
        match below.is_empty() {
            true => Target::Base,
            false => Target::Revisions(below.into_iter().collect()),
        }
    }

    /// Revision `prefix` of branch `label`; errors list the branch's revisions.
    fn on_branch(&self, label: &str, prefix: &str) -> Result<&Revision> {
        let on = self
            .in_order()
            .filter(|r| self.labels_of(&r.id).contains(&label));
        super::resolve_prefix(on, |r| r.id.as_str(), prefix).map_err(|_| {
            let members: Vec<&str> = self
                .in_order()
                .filter(|r| self.labels_of(&r.id).contains(&label))
                .map(|r| r.id.as_str())
                .collect();
            Error::Revision(format!(
                "{label}@{prefix}: no single revision of branch {label} matches {prefix:?}; \
                 its revisions are: {}",
                members.join(", ")
            ))
        })
    }

    /// A per-branch downgrade keeps `keep`; it must not take away what a
    /// revision that stays applied depends on.
    pub(super) fn refuse_breaking_dependents(
        &self,
        current: &[String],
        keep: &[String],
        spec: &str,
    ) -> Result<()> {
        let applied = self.ancestors_inclusive(current.iter().map(String::as_str));
        let kept = self.ancestors_inclusive(keep.iter().map(String::as_str));
        for r in self.in_order().filter(|r| kept.contains(&r.id)) {
            if let Some(d) = self
                .dependencies(&r.id)
                .into_iter()
                .find(|d| applied.contains(&d.id) && !kept.contains(&d.id))
            {
                return Err(Error::Refused(format!(
                    "downgrade {spec} would revert {}, but revision {} ({}), which stays applied, \
                     depends on it (depends_on); revert {} first (`migrate downgrade {}-1`)",
                    d.id,
                    r.id,
                    r.file_name(),
                    r.id,
                    r.id
                )));
            }
        }
        Ok(())
    }
}
