//! The ids of a pruned squashed range, as a graph answers for them: each
//! stands for its squash ([`crate::replaces`] builds the map).

use std::collections::HashSet;

use crate::graph::Graph;

/// A graph's pruned ids ([`crate::replaces::View::aliases`]), kept by [`Graph::for_applied`].
impl Graph {
    /// The squash a pruned id stands for, when `id` is one.
    pub fn replaced_by(&self, id: &str) -> Option<&str> {
        self.aliases.get(id).map(String::as_str)
    }

    /// The ids a squash stands for after its range was pruned.
    pub fn aliases_of<'a>(&'a self, squash: &'a str) -> impl Iterator<Item = &'a str> {
        self.aliases
            .iter()
            .filter(move |(_, s)| s.as_str() == squash)
            .map(|(id, _)| id.as_str())
    }

    /// The applied set from the version table's ids: a pruned id counts as
    /// its squash.
    pub fn applied_set(&self, ids: impl IntoIterator<Item = String>) -> HashSet<String> {
        ids.into_iter()
            .map(|id| match self.aliases.get(&id) {
                Some(squash) => squash.clone(),
                None => id,
            })
            .collect()
    }
}
