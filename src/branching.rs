//! The command line's side of long-lived branches: what `revision
//! --branch-label/--depends-on/--head NAME@head` and `merge heads` name,
//! checked against the graph before a file is written (the graph itself
//! reads the headers back: [`crate::graph`]).

use crate::error::{Error, Result};
use crate::graph::{Graph, Target};
use crate::script::{BranchHeaders, valid_id, valid_label};

/// The one revision a target such as `NAME@head` names (a new revision's parent).
pub(crate) fn one_revision(graph: &Graph, spec: &str) -> Result<Vec<String>> {
    match graph.resolve(spec, &[])? {
        Target::Base => Ok(vec![]),
        Target::Revisions(ids) if ids.len() == 1 => Ok(ids),
        Target::Revisions(ids) => Err(Error::Usage(format!(
            "{spec} names {} revisions ({}); a new revision has one parent here: name one",
            ids.len(),
            ids.join(", ")
        ))),
    }
}

/// The headers of a new revision: labels that are free, and dependencies
/// written as full ids (or as the label given).
pub(crate) fn check_new(
    graph: &Graph,
    labels: &[String],
    depends_on: &[String],
) -> Result<BranchHeaders> {
    for (i, label) in labels.iter().enumerate() {
        if !valid_label(label) || crate::graph::is_reserved(label) {
            return Err(Error::Usage(format!(
                "--branch-label {label:?}: use ASCII letters, digits and _ (not all digits, \
                 not head, heads or base)"
            )));
        }
        if labels[..i].contains(label) {
            return Err(Error::Usage(format!(
                "--branch-label {label} is given twice"
            )));
        }
        if let Ok(heads) = graph.branch_heads(label) {
            return Err(Error::Usage(format!(
                "--branch-label {label}: that label names a branch already (its head: {}); \
                 to add to it, use --head {label}@head",
                heads
                    .iter()
                    .map(|h| h.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if graph.get(label).is_some() {
            return Err(Error::Usage(format!(
                "--branch-label {label} is a revision id; choose another label"
            )));
        }
    }
    let mut resolved: Vec<String> = Vec::new();
    for spec in depends_on {
        let name = if graph.branch_heads(spec).is_ok() {
            spec.clone()
        } else if valid_id(spec) {
            graph.resolve_id(spec)?.id.clone()
        } else {
            return Err(Error::Usage(format!(
                "--depends-on {spec:?}: name a revision (id or unique prefix) or a branch label"
            )));
        };
        if !resolved.contains(&name) {
            resolved.push(name);
        }
    }
    Ok(BranchHeaders {
        labels: labels.to_vec(),
        depends_on: resolved,
        depends_line: 0,
    })
}

/// `merge` arguments with `heads` standing for every head and `NAME@head`
/// for a branch's head.
pub(crate) fn merge_parents(graph: &Graph, specs: &[String]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for spec in specs {
        if spec == "heads" || spec.contains('@') {
            if let Target::Revisions(ids) = graph.resolve(spec, &[])? {
                out.extend(ids.into_iter().map(|id| (id, spec.clone())));
            }
        } else {
            out.push((graph.resolve_id(spec)?.id.clone(), spec.clone()));
        }
    }
    Ok(out)
}
