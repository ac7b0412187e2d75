//! The sqldef psqldef cases (`../shared/conformance/sqldef-postgres/`):
//! which files are in scope (issue 17 item 1) and why the others are not,
//! and each case's fields this runner uses.

use std::path::Path;

use yaml_rust2::Yaml;

/// The files issue 17 puts in scope, by their name without `tests_` and `.yml`.
pub const IN_SCOPE: &[&str] = &[
    "comments",
    "constraints",
    "datatypes",
    "dependency_ordering",
    "enable_drop",
    "extensions",
    "fk_deps",
    "identity",
    "indices",
    "preserve_quotes",
    "rename",
    "schemas",
    "tables",
    "types",
    "views",
];

/// The other files, each with why it is not run (yet).
pub const OUT_OF_SCOPE: &[(&str, &str)] = &[
    (
        "aurora_dsql",
        "Aurora DSQL's dialect (CREATE INDEX ASYNC), not PostgreSQL",
    ),
    ("domains", "domains are not in the model yet"),
    ("functions", "functions are not in the model yet"),
    ("manage_function", "functions are not in the model yet"),
    (
        "manage_privilege",
        "privileges (GRANT/REVOKE) are not managed",
    ),
    ("managed_roles", "roles are not managed"),
    ("partition", "partitioned tables are not in the model yet"),
    ("pgvector", "needs the pgvector extension on the server"),
    (
        "policies",
        "row-level security policies are not in the model yet",
    ),
    ("set", "SET statements in a model are not supported"),
    ("triggers", "triggers need functions, not in the model yet"),
];

/// One case, with the fields the state judge needs.
#[derive(Debug, Clone)]
pub struct Case {
    /// The file's short name (`tables`).
    pub file: String,
    pub name: String,
    pub current: String,
    pub desired: String,
    /// `min_version`: the oldest server the case runs on.
    pub min_version: Option<String>,
    /// `user`: upstream runs the case as this role, with `search_path foo, public`.
    pub user: bool,
    /// `error`: upstream expects psqldef to refuse; there is no state to judge.
    pub error: Option<String>,
}

/// The short name of `tests_NAME.yml`.
pub fn short_name(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    Some(
        file.strip_prefix("tests_")?
            .strip_suffix(".yml")?
            .to_string(),
    )
}

/// The cases of one file, in the file's order.
pub fn read_file(path: &Path) -> Vec<Case> {
    let file = short_name(path).expect("a tests_NAME.yml file");
    let text = std::fs::read_to_string(path).expect("read the case file");
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("valid yaml");
    let map = docs[0].as_hash().expect("a mapping of cases");
    map.iter()
        .map(|(name, case)| {
            let text = |k: &str| match &case[k] {
                Yaml::String(s) => Some(s.clone()),
                Yaml::Real(s) => Some(s.clone()),
                Yaml::Integer(i) => Some(i.to_string()),
                _ => None,
            };
            Case {
                file: file.clone(),
                name: name.as_str().expect("case name").to_string(),
                current: text("current").unwrap_or_default(),
                desired: text("desired").unwrap_or_default(),
                min_version: text("min_version"),
                user: text("user").is_some(),
                error: text("error"),
            }
        })
        .collect()
}

/// `a` as a version is newer than `b` (`"18.0"` > `"15.18"`).
pub fn newer(a: &str, b: &str) -> bool {
    let parts = |v: &str| -> Vec<u32> {
        v.split('.')
            .map(|p| {
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0)
            })
            .collect()
    };
    parts(a) > parts(b)
}
