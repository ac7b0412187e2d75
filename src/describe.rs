//! [`Change`]s told as one line each, as Alembic's autogenerate logs them
//! ("Detected added table 'label'", "Detected added column 'track.album_id'"),
//! for `revision --autogenerate` and `check`. Pure: changes in, lines out.
//!
//! Names go through [`display_name`], so a name holding a newline or a quote
//! is escaped and can never forge a line of its own.

use crate::diff::{Change, ChangeKind, ColumnChange, ConstraintChange};
use crate::schema::{Column, ForeignKey, PostgresObjects, Table};
use crate::sqlite::sql::{display_name, one_line};

/// An index, view or trigger that `change` adds (`true`) or drops whole:
/// (added, kind, lower-case name).
fn whole(change: &Change) -> Option<(bool, &'static str, String)> {
    let (added, kind, name) = match change {
        Change::AddIndex { index, .. } => (true, "index", &index.name),
        Change::DropIndex { index, .. } => (false, "index", &index.name),
        Change::AddView(v) => (true, "view", &v.name),
        Change::DropView(v) => (false, "view", &v.name),
        Change::AddTrigger(t) => (true, "trigger", &t.name),
        Change::DropTrigger(t) => (false, "trigger", &t.name),
        _ => return None,
    };
    Some((added, kind, name.to_ascii_lowercase()))
}

/// `changed index 'ix' on 't'` for an object dropped and added again.
fn changed_line(change: &Change) -> Option<String> {
    Some(match change {
        Change::AddIndex { table, index } => {
            format!("changed index {} on {}", q(&index.name), q(table))
        }
        Change::AddView(v) => format!("changed view {}", q(&v.name)),
        Change::AddTrigger(t) => format!("changed trigger {} on {}", q(&t.name), q(&t.table)),
        _ => return None,
    })
}

/// One line per detected change, in the order of `changes`. An index, view
/// or trigger that is dropped and added again under its name is one
/// "changed" line, where it is added.
pub fn describe(changes: &[Change]) -> Vec<String> {
    let all: Vec<_> = changes.iter().filter_map(whole).collect();
    let mut out = Vec::new();
    for change in changes {
        if let Some((added, kind, name)) = whole(change)
            && all.contains(&(!added, kind, name))
        {
            out.extend(changed_line(change));
            continue;
        }
        match change {
            Change::AddTable(t) => out.push(format!("added table {}", q(&t.name))),
            Change::DropTable(t) => out.push(format!("removed table {}", q(&t.name))),
            Change::RenameTable { from, to } => {
                out.push(format!("renamed table {} to {}", q(from), q(to)))
            }
            Change::ModifyTable {
                from,
                to,
                columns,
                kind,
                constraints,
            } => table_lines([from, to], columns, *kind, constraints, &mut out),
            Change::AddIndex { table, index } | Change::DropIndex { table, index } => {
                let verb = if matches!(change, Change::AddIndex { .. }) {
                    "added"
                } else {
                    "removed"
                };
                let unique = if index.unique { "unique " } else { "" };
                out.push(format!(
                    "{verb} {unique}index {} on {}",
                    q(&index.name),
                    q(table)
                ));
            }
            Change::AddView(v) => out.push(format!("added view {}", q(&v.name))),
            Change::DropView(v) => out.push(format!("removed view {}", q(&v.name))),
            Change::AddTrigger(t) => {
                out.push(format!("added trigger {} on {}", q(&t.name), q(&t.table)))
            }
            Change::DropTrigger(t) => {
                out.push(format!("removed trigger {} on {}", q(&t.name), q(&t.table)))
            }
            Change::AddVirtualTable(v) => out.push(format!("added virtual table {}", q(&v.name))),
            Change::DropVirtualTable(v) => {
                out.push(format!("removed virtual table {}", q(&v.name)))
            }
            Change::ReplaceVirtualTable { to, .. } => out.push(format!(
                "changed definition of virtual table {}",
                q(&to.name)
            )),
        }
    }
    out.into_iter()
        .map(|line| one_line(&format!("Detected {line}")))
        .collect()
}

/// One line per PostgreSQL object the schemas differ by (enum types,
/// extensions, configured schemas, sequences no column owns), which the diff of tables does not
/// carry: the planner reads them from the schemas. Sequences a column owns
/// come and go with their column.
pub(crate) fn objects(from: &PostgresObjects, to: &PostgresObjects) -> Vec<String> {
    let mut out = enums(from, to);
    for (kind, list) in [
        (
            "schema",
            (|o| &o.namespaces) as fn(&PostgresObjects) -> &Vec<String>,
        ),
        ("extension", |o| &o.extensions),
    ] {
        let gained = |a: &PostgresObjects, b: &PostgresObjects| -> Vec<String> {
            let had = list(a);
            list(b)
                .iter()
                .filter(|x| !had.contains(x))
                .cloned()
                .collect()
        };
        out.extend(
            gained(from, to)
                .iter()
                .map(|x| format!("added {kind} {}", q(x))),
        );
        out.extend(
            gained(to, from)
                .iter()
                .map(|x| format!("removed {kind} {}", q(x))),
        );
    }
    out.extend(sequences(from, to));
    out.into_iter()
        .map(|line| one_line(&format!("Detected {line}")))
        .collect()
}

/// Enum types added, removed, or with values added or changed.
fn enums(from: &PostgresObjects, to: &PostgresObjects) -> Vec<String> {
    let mut out = Vec::new();
    for e in &to.enums {
        let Some(old) = from.enums.iter().find(|old| old.name == e.name) else {
            out.push(format!(
                "added enum type {} ({})",
                q(&e.name),
                labels(&e.labels)
            ));
            continue;
        };
        if old.labels == e.labels {
            continue;
        }
        let kept = e.labels.iter().filter(|l| old.labels.contains(l));
        let added: Vec<String> = e
            .labels
            .iter()
            .filter(|l| !old.labels.contains(l))
            .map(|l| q(l))
            .collect();
        out.push(if kept.eq(old.labels.iter()) {
            format!(
                "added value(s) {} to enum type {}",
                added.join(", "),
                q(&e.name)
            )
        } else {
            format!(
                "changed values of enum type {} ({} -> {})",
                q(&e.name),
                labels(&old.labels),
                labels(&e.labels)
            )
        });
    }
    let gone = from
        .enums
        .iter()
        .filter(|e| !to.enums.iter().any(|n| n.name == e.name));
    out.extend(gone.map(|e| format!("removed enum type {}", q(&e.name))));
    out
}

/// Sequences no column owns, added, changed or removed.
fn sequences(from: &PostgresObjects, to: &PostgresObjects) -> Vec<String> {
    let free = |o: &PostgresObjects| -> Vec<crate::schema::Sequence> {
        o.sequences
            .iter()
            .filter(|s| s.owned_by.is_none())
            .cloned()
            .collect()
    };
    let (was, will) = (free(from), free(to));
    let mut out = Vec::new();
    for s in &will {
        match was.iter().find(|old| old.name == s.name) {
            None => out.push(format!("added sequence {}", q(&s.name))),
            Some(old) if old.settings != s.settings => {
                out.push(format!("changed sequence {}", q(&s.name)))
            }
            Some(_) => {}
        }
    }
    let gone = was
        .iter()
        .filter(|s| !will.iter().any(|n| n.name == s.name));
    out.extend(gone.map(|s| format!("removed sequence {}", q(&s.name))));
    out
}

/// An enum's labels as a list of quoted strings.
fn labels(labels: &[String]) -> String {
    labels.iter().map(|l| q(l)).collect::<Vec<_>>().join(", ")
}

/// `'name'`, escaped by [`display_name`] when it is not a plain word.
fn q(name: &str) -> String {
    format!("'{}'", display_name(name))
}

/// `'table.column'`.
fn qc(table: &str, column: &str) -> String {
    format!("'{}.{}'", display_name(table), display_name(column))
}

fn table_lines(
    [from, to]: [&Table; 2],
    columns: &[ColumnChange],
    kind: ChangeKind,
    constraints: &[ConstraintChange],
    out: &mut Vec<String>,
) {
    let before = out.len();
    let t = &to.name;
    for c in columns {
        match c {
            ColumnChange::Add(c) => out.push(format!("added column {}", qc(t, &c.name))),
            ColumnChange::Drop(c) => out.push(format!("removed column {}", qc(t, &c.name))),
            ColumnChange::Rename { from, to } => {
                out.push(format!("renamed column {} to {}", qc(t, from), qc(t, to)))
            }
            ColumnChange::Modify { from, to, kind } => column_lines(t, from, to, *kind, out),
        }
    }
    constraint_lines([from, to], kind, constraints, out);
    if out.len() == before {
        // What is left: a difference the folded comparison saw that none of
        // the lines above names (a column's order does not count).
        out.push(format!("changed table {}", q(t)));
    }
}

fn column_lines(table: &str, from: &Column, to: &Column, kind: ChangeKind, out: &mut Vec<String>) {
    let on = qc(table, &to.name);
    let or_none = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".into());
    if kind.contains(ChangeKind::TYPE) {
        let ty = |t: &str| {
            if t.is_empty() {
                "no type".to_string()
            } else {
                t.to_string()
            }
        };
        out.push(format!(
            "type change from {} to {} on {on}",
            ty(&from.decl_type),
            ty(&to.decl_type)
        ));
    }
    if kind.contains(ChangeKind::NULL) {
        let now = if to.not_null { "NOT NULL" } else { "NULL" };
        out.push(format!("{now} on column {on}"));
    }
    if kind.contains(ChangeKind::DEFAULT) {
        out.push(format!(
            "default change from {} to {} on {on}",
            or_none(&from.default),
            or_none(&to.default)
        ));
    }
    if kind.contains(ChangeKind::COLLATION) {
        out.push(format!(
            "collation change from {} to {} on {on}",
            or_none(&from.collation),
            or_none(&to.collation)
        ));
    }
    if kind.contains(ChangeKind::GENERATED) {
        out.push(format!("changed generated expression on {on}"));
    }
}

/// Keys, constraints and table options, as the diff found them. Names are
/// told as the comparison folds them (lower case).
fn constraint_lines(
    [from, to]: [&Table; 2],
    kind: ChangeKind,
    constraints: &[ConstraintChange],
    out: &mut Vec<String>,
) {
    use ConstraintChange::*;
    let t = q(&to.name);
    if kind.contains(ChangeKind::PRIMARY_KEY) {
        out.push(format!("changed primary key on {t}"));
    }
    let cols = |c: &[String]| {
        c.iter()
            .map(|c| display_name(&c.to_ascii_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fk = |f: &ForeignKey| {
        format!(
            "({}) -> {}",
            cols(&f.columns),
            display_name(&f.ref_table.to_ascii_lowercase())
        )
    };
    // Gained before lost, kind by kind.
    let mut lines: Vec<(u8, String)> = constraints
        .iter()
        .map(|c| match c {
            AddForeignKey(f) => (0, format!("added foreign key {}", fk(f))),
            DropForeignKey(f) => (1, format!("removed foreign key {}", fk(f))),
            AddUnique(u) => (2, format!("added unique constraint ({})", cols(&u.columns))),
            DropUnique(u) => (
                3,
                format!("removed unique constraint ({})", cols(&u.columns)),
            ),
            AddCheck(k) => (4, format!("added check constraint ({})", k.expr)),
            DropCheck(k) => (5, format!("removed check constraint ({})", k.expr)),
        })
        .collect();
    lines.sort_by_key(|(rank, _)| *rank);
    out.extend(lines.into_iter().map(|(_, l)| format!("{l} on {t}")));
    // AUTOINCREMENT is said with the primary key's column, not as an option.
    let options = |t: &Table| {
        let t = t.folded();
        let s = t.sqlite();
        (s.without_rowid, s.strict, t.postgres())
    };
    if kind.contains(ChangeKind::OPTIONS) && options(from) != options(to) {
        out.push(format!("changed table options on {t}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Renames, diff};
    use crate::schema::Schema;

    fn table(name: &str, cols: &[(&str, &str, bool)]) -> Table {
        Table {
            name: name.into(),
            columns: cols
                .iter()
                .map(|(n, ty, not_null)| Column {
                    name: n.to_string(),
                    decl_type: ty.to_string(),
                    not_null: *not_null,
                    ..Column::default()
                })
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn one_line_per_change() {
        let from = Schema {
            tables: vec![
                table("old", &[("id", "INTEGER", false)]),
                table(
                    "track",
                    &[("id", "INTEGER", false), ("title", "VARCHAR(30)", false)],
                ),
            ],
            ..Schema::default()
        };
        let to = Schema {
            tables: vec![
                table("label", &[("id", "INTEGER", false)]),
                table(
                    "track",
                    &[
                        ("id", "INTEGER", false),
                        ("title", "TEXT", true),
                        ("album_id", "INTEGER", false),
                    ],
                ),
            ],
            ..Schema::default()
        };
        let lines = describe(&diff(&from, &to, &Renames::default()));
        assert_eq!(
            lines,
            [
                "Detected added table 'label'",
                "Detected type change from VARCHAR(30) to TEXT on 'track.title'",
                "Detected NOT NULL on column 'track.title'",
                "Detected added column 'track.album_id'",
                "Detected removed table 'old'",
            ]
        );
    }

    #[test]
    fn a_name_with_a_newline_stays_on_its_line() {
        let to = Schema {
            tables: vec![table("x\nDetected removed table 'artist'", &[])],
            ..Schema::default()
        };
        let lines = describe(&diff(&Schema::default(), &to, &Renames::default()));
        assert_eq!(lines.len(), 1);
        assert!(!lines[0].contains('\n'), "{}", lines[0]);
        assert!(
            lines[0].starts_with("Detected added table '\"x\\n"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn a_view_dropped_and_added_again_is_changed() {
        let view = |sql: &str| crate::schema::View {
            name: "v".into(),
            sql: sql.into(),
        };
        let from = Schema {
            views: vec![view("CREATE VIEW v AS SELECT 1")],
            ..Schema::default()
        };
        let to = Schema {
            views: vec![view("CREATE VIEW v AS SELECT 2")],
            ..Schema::default()
        };
        let lines = describe(&diff(&from, &to, &Renames::default()));
        assert_eq!(lines, ["Detected changed view 'v'"]);
    }
}
