//! The revision graph without a database or the binary: revisions made from
//! header text in memory, then heads, branches, merges, target resolution
//! (`head`, `heads`, `base`, id prefixes, `+N`, `-N`, `REV+N`, `REV-N`, per
//! branch when several heads are applied) and the steps a plan takes, as
//! tables of (target, applied heads, expected).
//!
//! The graph used by most cases, `1a` the root, `3c` a branch point, `5f` the
//! merge of the two branches:
//!
//! ```text
//! 1a - 2b - 3c - 4d - 5f
//!             \- 4e -/
//! ```

use std::collections::HashSet;
use std::path::Path;

use migrate::internal::apply::{Direction, Plan};
use migrate::internal::graph::{Graph, Target};
use migrate::internal::script::{self, Revision};

fn revision(id: &str, parents: &[&str]) -> Revision {
    let path = format!("migrations/versions/{id}_step.sql");
    let text = format!(
        "-- revision: {id}\n-- down_revision: {}\n-- message: step {id}\n\n-- migrate:up\nSELECT 1;\n\n-- migrate:down\nSELECT 1;\n",
        parents.join(", ")
    );
    script::parse(
        Path::new(&path),
        &text,
        migrate::internal::engine::Engine::Sqlite.dialect(),
    )
    .unwrap()
}

fn graph(edges: Edges) -> migrate::Result<Graph> {
    Graph::new(edges.iter().map(|(id, p)| revision(id, p)).collect())
}

/// A graph as (revision id, its parents).
type Edges<'a> = &'a [(&'a str, &'a [&'a str])];

/// Two heads, 4d and 4e, branching at 3c.
const BRANCHED: Edges = &[
    ("1a", &[]),
    ("2b", &["1a"]),
    ("3c", &["2b"]),
    ("4d", &["3c"]),
    ("4e", &["3c"]),
];

fn branched() -> Graph {
    graph(BRANCHED).unwrap()
}

fn merged() -> Graph {
    let mut edges = BRANCHED.to_vec();
    edges.push(("5f", &["4d", "4e"]));
    graph(&edges).unwrap()
}

fn ids(revisions: Vec<&Revision>) -> Vec<&str> {
    revisions.into_iter().map(|r| r.id.as_str()).collect()
}

/// A target as text: `base`, the ids joined by spaces, or `error: MESSAGE`.
fn show(target: migrate::Result<Target>) -> String {
    match target {
        Ok(Target::Base) => "base".to_string(),
        Ok(Target::Revisions(mut ids)) => {
            ids.sort();
            ids.join(" ")
        }
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn heads_branch_points_and_order() {
    let g = branched();
    assert_eq!(ids(g.heads()), ["4d", "4e"]);
    assert_eq!(ids(g.branch_points()), ["3c"]);
    assert_eq!(ids(g.children("3c")), ["4d", "4e"]);
    assert_eq!(
        g.in_order().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["1a", "2b", "3c", "4d", "4e"],
        "parents before children, ties by id"
    );
    let single = g.single_head().unwrap_err().to_string();
    assert!(
        single.contains("there are 2 heads: 4d, 4e") && single.contains("migrate merge"),
        "{single}"
    );

    let m = merged();
    assert_eq!(ids(m.heads()), ["5f"]);
    assert_eq!(m.single_head().unwrap().map(|r| r.id.as_str()), Some("5f"));
    assert_eq!(ids(m.branch_points()), ["3c"]);
    let applied: HashSet<String> = ["1a", "2b", "3c", "4d", "4e"].map(String::from).into();
    assert_eq!(m.current_heads(&applied), ["4d", "4e"]);
    let below_4e = m.ancestors_inclusive(["4e"]);
    assert_eq!(below_4e, ["1a", "2b", "3c", "4e"].map(String::from).into());
    assert_eq!(
        m.descendants_inclusive("4d"),
        ["4d", "5f"].map(String::from).into()
    );
}

/// (target, applied heads, expected) on the branched graph.
const RESOLVE_BRANCHED: &[(&str, &[&str], &str)] = &[
    ("base", &[], "base"),
    ("heads", &[], "4d 4e"),
    ("head", &[], "error: there are 2 heads: 4d, 4e"),
    ("2b", &[], "2b"),
    ("2", &[], "2b"),
    ("4", &[], "error: \"4\" is ambiguous; it matches 4d, 4e"),
    ("zz", &[], "error: no revision matches \"zz\""),
    ("+1", &[], "1a"),
    ("+2", &["1a"], "3c"),
    (
        "+1",
        &["3c"],
        "error: +1: ambiguous walk at 3c, which leads to 4d, 4e",
    ),
    ("1a+2", &["4d"], "3c"),
    (
        "4d+1",
        &["1a"],
        "error: 4d+1: only 0 revision(s) above the start",
    ),
    ("-1", &["2b"], "1a"),
    ("-2", &["2b"], "base"),
    ("-3", &["2b"], "error: -3: cannot go below base"),
    (
        "-1",
        &["4d", "4e"],
        "error: -1 is relative, but the database has 2 heads (4d, 4e)",
    ),
    ("4d-1", &["4d", "4e"], "3c"),
];

/// (target, applied heads, expected) on the merged graph.
const RESOLVE_MERGED: &[(&str, &[&str], &str)] = &[
    ("head", &[], "5f"),
    ("heads", &[], "5f"),
    ("-1", &["5f"], "4d 4e"),
    (
        "5f-2",
        &["5f"],
        "error: 5f-2: ambiguous walk at 5f, which leads to 4d, 4e",
    ),
    (
        "+4",
        &[],
        "error: +4: ambiguous walk at 3c, which leads to 4d, 4e",
    ),
    ("4e+1", &["4e"], "5f"),
];

#[test]
fn targets_resolve_as_the_table_says() {
    let mut wrong = Vec::new();
    for (name, g, cases) in [
        ("branched", branched(), RESOLVE_BRANCHED),
        ("merged", merged(), RESOLVE_MERGED),
    ] {
        for (spec, current, want) in cases {
            let current: Vec<String> = current.iter().map(|s| s.to_string()).collect();
            let got = show(g.resolve(spec, &current));
            if !got.starts_with(want) {
                wrong.push(format!(
                    "{name} {spec} from {current:?}: want {want}, got {got}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// `REV-N` with several heads applied reverts REV's branch only.
#[test]
fn a_downgrade_of_one_branch_keeps_the_other_head() {
    let g = branched();
    let both = ["4d".to_string(), "4e".to_string()];
    assert_eq!(show(g.resolve_downgrade("4d-1", &both)), "3c 4e");
    assert_eq!(show(g.resolve_downgrade("4e-2", &both)), "2b 4d");
    // With one head it is the plain walk.
    assert_eq!(show(g.resolve_downgrade("4d-1", &both[..1])), "3c");
}

/// (plan, applied, expected steps) on the merged graph.
#[test]
fn plans_take_their_steps_in_order() {
    let g = merged();
    let set = |ids: &[&str]| -> HashSet<String> { ids.iter().map(|s| s.to_string()).collect() };
    let steps = |plan: Plan, applied: &[&str]| -> Vec<String> {
        plan.steps(&g, &set(applied))
            .into_iter()
            .map(|(r, d)| format!("{}{}", if d == Direction::Up { "+" } else { "-" }, r.id))
            .collect()
    };
    let rev = |ids: &[&str]| Target::Revisions(ids.iter().map(|s| s.to_string()).collect());
    let all = ["1a", "2b", "3c", "4d", "4e", "5f"];
    let cases: Vec<(&str, Vec<String>, &[&str])> = vec![
        (
            "up to head from nothing",
            steps(Plan::upgrade(&g, &rev(&["5f"])), &[]),
            &["+1a", "+2b", "+3c", "+4d", "+4e", "+5f"],
        ),
        (
            "up one branch",
            steps(Plan::upgrade(&g, &rev(&["4e"])), &["1a", "2b"]),
            &["+3c", "+4e"],
        ),
        (
            "up to base is nothing",
            steps(Plan::upgrade(&g, &Target::Base), &["1a"]),
            &[],
        ),
        (
            "down to 3c reverts the merge, then both branches",
            steps(Plan::downgrade(&g, &rev(&["3c"]), &set(&all)), &all),
            &["-5f", "-4e", "-4d"],
        ),
        (
            "down to one branch keeps it",
            steps(Plan::downgrade(&g, &rev(&["4d"]), &set(&all)), &all),
            &["-5f", "-4e"],
        ),
        (
            "down to base reverts only what is applied",
            steps(
                Plan::downgrade(&g, &Target::Base, &set(&["1a", "2b"])),
                &["1a", "2b"],
            ),
            &["-2b", "-1a"],
        ),
    ];
    for (what, got, want) in cases {
        assert_eq!(got, want, "{what}");
    }
}

/// (edges, expected error) for graphs that cannot be built.
#[test]
fn broken_graphs_are_refused_naming_the_file() {
    let cases: &[(Edges, &str)] = &[
        (&[("1a", &[]), ("1a", &[])], "1a"),
        (&[("1a", &["zz"])], "zz"),
        (&[("1a", &["2b"]), ("2b", &["1a"])], "cycle"),
        (
            &[("1a", &[]), ("2b", &["1a"]), ("3c", &["2b", "2b"])],
            "down_revision lists 2b twice",
        ),
    ];
    for (edges, want) in cases {
        let err = graph(edges).expect_err(want).to_string();
        assert!(
            err.contains(want) && err.contains("migrations/versions/"),
            "{edges:?}: {err}"
        );
    }
}
