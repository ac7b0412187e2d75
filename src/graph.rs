//! The revision graph: a DAG built once from the revision files (after
//! Alembic's `RevisionMap`), and the one place where targets (`head`,
//! `heads`, `base`, id prefixes, `+N`, `-N`, `REV+N`, `REV-N`, and the
//! branch forms `NAME@...` of [`branches`]) are resolved.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::script::Revision;

mod branches;

#[derive(Debug)]
pub struct Graph {
    revisions: Vec<Revision>,
    by_id: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
    /// Branch labels and `depends_on`, resolved ([`branches`]).
    branch: branches::Branches,
    /// Every revision, parents before children, ties broken by id.
    order: Vec<usize>,
    /// Ids of pruned squashed ranges -> their squash ([`crate::replaces`]).
    pub(crate) aliases: HashMap<String, String>,
}

/// Words that name targets, so never a revision id (any case).
pub(crate) const RESERVED_IDS: [&str; 3] = ["head", "heads", "base"];

/// The one item whose id is `prefix` or starts with it, among `items` (in
/// the order errors should list them); errors list the candidates. `migrate
/// edit` resolves revision files with it, so that a file that no longer
/// parses can still be opened.
pub(crate) fn resolve_prefix<'a, T: ?Sized>(
    items: impl Iterator<Item = &'a T>,
    id_of: impl Fn(&T) -> &str,
    prefix: &str,
) -> Result<&'a T> {
    let mut matches = Vec::new();
    for item in items {
        if id_of(item) == prefix {
            return Ok(item);
        }
        if id_of(item).starts_with(prefix) {
            matches.push(item);
        }
    }
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::Revision(format!(
            "no revision matches {prefix:?}; `migrate history` lists them"
        ))),
        many => Err(Error::Revision(format!(
            "{prefix:?} is ambiguous; it matches {}",
            many.iter().map(|i| id_of(i)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

pub(crate) fn is_reserved(id: &str) -> bool {
    RESERVED_IDS.iter().any(|w| id.eq_ignore_ascii_case(w))
}

/// What a target names once resolved: the set of revisions that must be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Base,
    Revisions(Vec<String>),
}

impl Graph {
    /// The graph of the revision files in `versions_dir`, their sections
    /// split by `dialect`.
    pub fn read(versions_dir: &std::path::Path, dialect: &dyn Dialect) -> Result<Graph> {
        Graph::new(crate::script::read_dir(versions_dir, dialect)?)
    }

    /// Builds the graph; duplicate ids, missing parents and cycles are errors
    /// that name the files. A squash stands in for the range it replaces, as
    /// for a database at base ([`Graph::for_applied`]).
    pub fn new(revisions: Vec<Revision>) -> Result<Graph> {
        Graph::for_applied(revisions, &HashSet::new())
    }

    /// The graph a database recording `applied` sees: a squash, or the
    /// revisions it replaces ([`crate::replaces::view`]).
    pub fn for_applied(revisions: Vec<Revision>, applied: &HashSet<String>) -> Result<Graph> {
        let view = crate::replaces::view(revisions, applied)?;
        let mut graph = Graph::build(view.revisions)?;
        graph.aliases = view.aliases;
        Ok(graph)
    }

    fn build(revisions: Vec<Revision>) -> Result<Graph> {
        let mut by_id = HashMap::new();
        for (i, r) in revisions.iter().enumerate() {
            if is_reserved(&r.id) {
                return Err(Error::Script {
                    path: r.path.clone(),
                    line: None,
                    message: format!(
                        "revision id {} is a reserved word for targets ({}); give the revision another id",
                        r.id,
                        RESERVED_IDS.join(", ")
                    ),
                });
            }
            if let Some(&j) = by_id.get(&r.id) {
                let other: &Revision = &revisions[j];
                return Err(Error::Script {
                    path: r.path.clone(),
                    line: None,
                    message: format!(
                        "duplicate revision id {} (also in {}); give one of them a new id",
                        r.id,
                        other.path.display()
                    ),
                });
            }
            by_id.insert(r.id.clone(), i);
        }
        let mut children = vec![Vec::new(); revisions.len()];
        for (i, r) in revisions.iter().enumerate() {
            for (k, p) in r.parents.iter().enumerate() {
                // Listed twice, a parent would count as two children of it:
                // a branch point that is none, an ambiguous `+1`.
                if r.parents[..k].contains(p) {
                    return Err(Error::Script {
                        path: r.path.clone(),
                        line: Some(r.parents_line),
                        message: format!("down_revision lists {p} twice; list each parent once"),
                    });
                }
                let Some(&pi) = by_id.get(p) else {
                    return Err(Error::Script {
                        path: r.path.clone(),
                        line: Some(r.parents_line),
                        message: format!(
                            "down_revision {p} does not exist in the versions directory"
                        ),
                    });
                };
                children[pi].push(i);
            }
        }
        let branch = branches::Branches::new(&revisions, &by_id, &children)?;
        let mut graph = Graph {
            revisions,
            by_id,
            children,
            branch,
            order: Vec::new(),
            aliases: HashMap::new(),
        };
        graph.order = graph.topological_order()?;
        Ok(graph)
    }

    /// Kahn's algorithm; what it cannot reach lies on a cycle.
    fn topological_order(&self) -> Result<Vec<usize>> {
        // A revision waits for its parents and for what it depends on.
        let mut missing_parents: Vec<usize> = (0..self.revisions.len())
            .map(|i| self.revisions[i].parents.len() + self.branch.depends[i].len())
            .collect();
        let mut ready: BTreeSet<(&str, usize)> = self
            .revisions
            .iter()
            .enumerate()
            .filter(|(i, _)| missing_parents[*i] == 0)
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut order = Vec::with_capacity(self.revisions.len());
        while let Some(first) = ready.pop_first() {
            let i = first.1;
            order.push(i);
            for &c in self.children[i].iter().chain(&self.branch.dependents[i]) {
                missing_parents[c] -= 1;
                if missing_parents[c] == 0 {
                    ready.insert((self.revisions[c].id.as_str(), c));
                }
            }
        }
        if order.len() < self.revisions.len() {
            let placed: HashSet<usize> = order.iter().copied().collect();
            let cycle: Vec<String> = (0..self.revisions.len())
                .filter(|i| !placed.contains(i))
                .map(|i| {
                    format!(
                        "{} ({})",
                        self.revisions[i].id,
                        self.revisions[i].file_name()
                    )
                })
                .collect();
            return Err(Error::Script {
                path: self.revisions[(0..self.revisions.len())
                    .find(|i| !placed.contains(i))
                    .unwrap_or(0)]
                .path
                .clone(),
                line: None,
                message: format!(
                    "the revisions form a cycle through their down_revision (and depends_on): {}",
                    cycle.join(", ")
                ),
            });
        }
        Ok(order)
    }

    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.by_id.get(id).map(|&i| &self.revisions[i])
    }

    /// Revisions, parents before children.
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &Revision> {
        self.order.iter().map(|&i| &self.revisions[i])
    }

    /// Position in [`Graph::in_order`].
    pub fn rank(&self) -> HashMap<&str, usize> {
        self.order
            .iter()
            .enumerate()
            .map(|(pos, &i)| (self.revisions[i].id.as_str(), pos))
            .collect()
    }

    pub fn heads(&self) -> Vec<&Revision> {
        self.in_order()
            .filter(|r| self.children[self.by_id[&r.id]].is_empty())
            .collect()
    }

    pub fn children(&self, id: &str) -> Vec<&Revision> {
        self.by_id
            .get(id)
            .map(|&i| {
                self.children[i]
                    .iter()
                    .map(|&c| &self.revisions[c])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Revisions with more than one child.
    pub fn branch_points(&self) -> Vec<&Revision> {
        self.in_order()
            .filter(|r| self.children[self.by_id[&r.id]].len() > 1)
            .collect()
    }

    /// `ids` and every revision below them.
    pub fn ancestors_inclusive<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut stack: Vec<&str> = ids.into_iter().collect();
        while let Some(id) = stack.pop() {
            if seen.insert(id.to_string())
                && let Some(r) = self.get(id)
            {
                stack.extend(r.parents.iter().map(String::as_str));
            }
        }
        seen
    }

    /// `id` and every revision above it.
    pub fn descendants_inclusive(&self, id: &str) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(id) = stack.pop() {
            if seen.insert(id.clone()) {
                stack.extend(self.children(&id).into_iter().map(|c| c.id.clone()));
            }
        }
        seen
    }

    /// The heads of an applied set: applied revisions with no applied child.
    pub fn current_heads(&self, applied: &HashSet<String>) -> Vec<String> {
        self.in_order()
            .filter(|r| applied.contains(&r.id))
            .filter(|r| !self.children(&r.id).iter().any(|c| applied.contains(&c.id)))
            .map(|r| r.id.clone())
            .collect()
    }

    /// A full id from a unique prefix, or the revision that carries a
    /// branch label; errors list the candidates.
    pub fn resolve_id(&self, prefix: &str) -> Result<&Revision> {
        if let Some(r) = self.get(prefix) {
            return Ok(r);
        }
        if let Some(r) = self.labelled(prefix)? {
            return Ok(r);
        }
        resolve_prefix(self.in_order(), |r| r.id.as_str(), prefix)
    }

    /// The single head, or an error that explains what to do with several.
    pub fn single_head(&self) -> Result<Option<&Revision>> {
        let heads = self.heads();
        match heads.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(Error::Revision(format!(
                "there are {} heads: {}\n  upgrade them all with `migrate upgrade heads`, name one, \
                 or join them with `migrate merge -m \"merge\" {}`",
                many.len(),
                many.iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                many.iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ))),
        }
    }

    /// Resolves a target against the graph and the currently applied heads.
    pub fn resolve(&self, spec: &str, current: &[String]) -> Result<Target> {
        let spec = spec.trim();
        match spec {
            "base" => return Ok(Target::Base),
            "head" => {
                return Ok(match self.single_head()? {
                    Some(h) => Target::Revisions(vec![h.id.clone()]),
                    None => Target::Base,
                });
            }
            "heads" => {
                return Ok(Target::Revisions(
                    self.heads().iter().map(|r| r.id.clone()).collect(),
                ));
            }
            _ => {}
        }
        if let Some((label, rest)) = spec.split_once('@') {
            return self.resolve_on_branch(spec, label, rest, current);
        }
        if let Some((anchor, step, n)) = relative(spec) {
            let up = step.starts_with('+');
            let start: Option<String> = if anchor.is_empty() {
                match current {
                    [] => None,
                    [one] => Some(one.clone()),
                    many => {
                        return Err(Error::Revision(format!(
                            "{spec} is relative, but the database has {} heads ({}); name one, e.g. {}{step}{}",
                            many.len(),
                            many.join(", "),
                            // A labelled branch is named by its label.
                            match self.labels_of(&many[0]).first() {
                                Some(label) => format!("{label}@"),
                                None => many[0].clone(),
                            },
                            if up {
                                ""
                            } else {
                                " (reverts that branch only)"
                            }
                        )));
                    }
                }
            } else {
                Some(self.resolve_id(anchor)?.id.clone())
            };
            return self.walk(start, n, up, spec, None);
        }
        Ok(Target::Revisions(vec![self.resolve_id(spec)?.id.clone()]))
    }

    /// A downgrade target. With several current heads, `REV-N` where REV is
    /// one of them reverts that branch only (REV and the revisions below it,
    /// down to N steps): the other heads stay applied. Otherwise as [`Graph::resolve`].
    /// `NAME@...` likewise moves branch NAME only. A revision that an
    /// applied revision of another branch depends on is not reverted: an
    /// error names the dependent.
    pub fn resolve_downgrade(&self, spec: &str, current: &[String]) -> Result<Target> {
        let target = self.resolve(spec, current)?;
        let anchor = match self.branch_anchor(spec.trim(), current)? {
            Some(anchor) => anchor,
            None => return Ok(target),
        };
        if current.len() < 2 || !current.contains(&anchor) {
            return Ok(target);
        }
        let mut keep: Vec<String> = current.iter().filter(|c| **c != anchor).cloned().collect();
        if let Target::Revisions(ids) = target {
            for id in ids {
                if !keep.contains(&id) {
                    keep.push(id);
                }
            }
        }
        self.refuse_breaking_dependents(current, &keep, spec)?;
        Ok(Target::Revisions(keep))
    }

    /// The head a per-branch downgrade moves: REV of `REV-N`, or branch
    /// NAME's current revision for `NAME@...`; None for other targets.
    fn branch_anchor(&self, spec: &str, current: &[String]) -> Result<Option<String>> {
        if let Some((label, _)) = spec.split_once('@') {
            return self.branch_position(label, current);
        }
        match relative(spec).filter(|(a, ..)| !a.is_empty()) {
            Some((anchor, ..)) => Ok(Some(self.resolve_id(anchor)?.id.clone())),
            None => Ok(None),
        }
    }

    /// `n` steps up (children) or down (parents) from `start` (None = base);
    /// going up stays `within` a branch's line when given.
    fn walk(
        &self,
        start: Option<String>,
        n: usize,
        up: bool,
        spec: &str,
        within: Option<&HashSet<String>>,
    ) -> Result<Target> {
        let on_line = |id: &String| within.is_none_or(|w| w.contains(id));
        let mut at = start;
        for step in 0..n {
            let next: Vec<String> = match (&at, up) {
                (None, true) => self
                    .in_order()
                    .filter(|r| r.parents.is_empty())
                    .map(|r| r.id.clone())
                    .filter(on_line)
                    .collect(),
                (None, false) => {
                    return Err(Error::Revision(format!("{spec}: cannot go below base")));
                }
                (Some(id), true) => self
                    .children(id)
                    .iter()
                    .map(|r| r.id.clone())
                    .filter(on_line)
                    .collect(),
                (Some(id), false) => self.get(id).map(|r| r.parents.clone()).unwrap_or_default(),
            };
            at = match next.as_slice() {
                [] if up => {
                    return Err(Error::Revision(format!(
                        "{spec}: only {step} revision(s) above the start; `migrate heads` shows the top"
                    )));
                }
                [] => None,
                [one] => Some(one.clone()),
                // One step down from a merge lands on all of its parents.
                many if !up && step + 1 == n => return Ok(Target::Revisions(many.to_vec())),
                many => {
                    return Err(Error::Revision(format!(
                        "{spec}: ambiguous walk at {}, which leads to {}; name the revision instead",
                        at.as_deref().unwrap_or("base"),
                        many.join(", ")
                    )));
                }
            };
        }
        Ok(match at {
            None => Target::Base,
            Some(id) => Target::Revisions(vec![id]),
        })
    }
}

/// `+N`, `-N`, `REV+N`, `REV-N` as (anchor, signed step, N).
fn relative(spec: &str) -> Option<(&str, &str, usize)> {
    let (anchor, step) = spec.split_at(spec.rfind(['+', '-'])?);
    Some((anchor, step, step[1..].parse().ok()?))
}
