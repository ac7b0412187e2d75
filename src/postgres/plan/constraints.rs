//! A modified table's constraints as `ALTER TABLE ... DROP CONSTRAINT` /
//! `ADD`: primary key, UNIQUE, CHECK and foreign keys, by the names the
//! catalog gave them (the inspector keeps every name, chosen or not).
//! Foreign keys are dropped before anything else and added after
//! everything else, so a key they reference exists whenever they do.
//! Each new rule rows must satisfy carries its pre-count ([`precount`]);
//! `NOT VALID` is kept, and then checks no existing row. A constraint that
//! only loses its `NOT VALID` is validated in place (`VALIDATE CONSTRAINT`,
//! which checks the rows without blocking writes); the other way round,
//! PostgreSQL cannot un-validate, so it is dropped and added `NOT VALID`
//! (no row is read: that is cheap).

use crate::diff::{ChangeKind, ConstraintChange, new_checks, new_foreign_keys, new_uniques};
use crate::plan::Statement;
use crate::schema::{Check, ForeignKey, Schema, Table};

use super::super::ddl::{add_foreign_key, check_clause, ident_list, unique_clause};
use super::super::names::{quote_ident, quote_one};
use super::precount;

/// `DROP CONSTRAINT` by the constraint's name, or by the name PostgreSQL
/// gives an unnamed one (`t_pkey`, `t_a_b_key`, ...) when a schema built by
/// hand left it out.
fn drop_constraint(
    table: &str,
    name: &Option<String>,
    columns: &[String],
    suffix: &str,
) -> Statement {
    let default = || {
        let mut parts = vec![table.to_string()];
        if suffix != "pkey" {
            parts.extend(columns.iter().cloned());
        }
        parts.push(suffix.to_string());
        parts.join("_")
    };
    Statement::plain(format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        quote_ident(table),
        quote_one(&name.clone().unwrap_or_else(default))
    ))
}

/// The name of the constraint `old` -> `new` only validates: `old` NOT
/// VALID, `new` the same rule, valid, under the same name (or none given).
fn validation(old: &ConstraintChange, new: &ConstraintChange) -> Option<String> {
    use ConstraintChange::*;
    let (name, same) = match (old, new) {
        (DropCheck(a), AddCheck(b)) if a.not_valid && !b.not_valid => {
            let bare = |c: &Check| Check {
                name: None,
                not_valid: false,
                ..c.clone()
            };
            (
                a.name.clone()?,
                bare(a) == bare(b) && b.name.as_ref().is_none_or(|n| a.name.as_ref() == Some(n)),
            )
        }
        (DropForeignKey(a), AddForeignKey(b)) if a.not_valid && !b.not_valid => {
            let bare = |f: &ForeignKey| ForeignKey {
                name: None,
                not_valid: false,
                ..f.clone()
            };
            (
                a.name.clone()?,
                bare(a) == bare(b) && b.name.as_ref().is_none_or(|n| a.name.as_ref() == Some(n)),
            )
        }
        _ => return None,
    };
    same.then_some(name)
}

/// The constraint an added one validates in place, if any.
fn validated_by(changes: &[ConstraintChange], new: &ConstraintChange) -> Option<String> {
    changes.iter().find_map(|old| validation(old, new))
}

/// Whether a lost constraint is only validated (so not dropped).
fn only_validated(changes: &[ConstraintChange], old: &ConstraintChange) -> bool {
    changes.iter().any(|new| validation(old, new).is_some())
}

fn validate(table: &str, name: &str) -> Statement {
    Statement::plain(format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        quote_ident(table),
        quote_one(name)
    ))
}

/// The foreign keys `to` lost, before any key they reference is dropped.
pub(super) fn drop_foreign_keys(to: &Table, changes: &[ConstraintChange]) -> Vec<Statement> {
    changes
        .iter()
        .filter(|c| !only_validated(changes, c))
        .filter_map(|c| match c {
            ConstraintChange::DropForeignKey(fk) => {
                Some(drop_constraint(&to.name, &fk.name, &fk.columns, "fkey"))
            }
            _ => None,
        })
        .collect()
}

/// The UNIQUE, CHECK and primary key constraints `to` lost.
pub(super) fn drop_others(
    from: &Table,
    to: &Table,
    kind: ChangeKind,
    changes: &[ConstraintChange],
) -> Vec<Statement> {
    let mut out: Vec<Statement> = changes
        .iter()
        .filter(|c| !only_validated(changes, c))
        .filter_map(|c| match c {
            ConstraintChange::DropUnique(u) => {
                Some(drop_constraint(&to.name, &u.name, &u.columns, "key"))
            }
            ConstraintChange::DropCheck(k) => {
                Some(drop_constraint(&to.name, &k.name, &[], "check"))
            }
            _ => None,
        })
        .collect();
    if kind.contains(ChangeKind::PRIMARY_KEY)
        && let Some(pk) = &from.primary_key
    {
        out.push(match renamed_key(from, to) {
            Some((old, new)) => Statement::plain(format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                quote_ident(&to.name),
                quote_one(old),
                quote_one(new)
            )),
            None => drop_constraint(&to.name, &pk.name, &pk.columns, "pkey"),
        });
    }
    out
}

/// The primary key, UNIQUE and CHECK constraints `to` gained.
pub(super) fn add_others(
    from: &Table,
    to: &Table,
    kind: ChangeKind,
    changes: &[ConstraintChange],
) -> Vec<Statement> {
    let t = quote_ident(&to.name);
    let mut out = Vec::new();
    if kind.contains(ChangeKind::PRIMARY_KEY)
        && let Some(pk) = &to.primary_key
        && renamed_key(from, to).is_none()
    {
        let mut s = Statement::plain(format!(
            "ALTER TABLE {t} ADD {}PRIMARY KEY ({})",
            name(&pk.name),
            ident_list(&pk.columns)
        ));
        s.risks.push(precount::risk(
            format!("fails if {} has duplicate keys", to.name),
            precount::duplicates(&to.name, &precount::columns(&pk.columns)),
        ));
        out.push(s);
    }
    let fresh_uniques: Vec<_> = new_uniques(to.name_rule, changes).collect();
    let fresh_checks: Vec<_> = new_checks(changes).collect();
    for c in changes {
        match c {
            ConstraintChange::AddUnique(u) => {
                let mut s = Statement::plain(format!(
                    "ALTER TABLE {t} ADD {}{}",
                    name(&u.name),
                    unique_clause(u)
                ));
                if fresh_uniques.contains(&u) {
                    s.risks.push(precount::risk(
                        format!(
                            "fails if {} has duplicates in ({})",
                            to.name,
                            u.columns.join(", ")
                        ),
                        precount::duplicates(&to.name, &precount::columns(&u.columns)),
                    ));
                }
                out.push(s);
            }
            ConstraintChange::AddCheck(k) if validated_by(changes, c).is_some() => {
                let name = validated_by(changes, c).unwrap_or_default();
                let mut s = validate(&to.name, &name);
                s.risks.push(precount::risk(
                    format!("fails if rows of {} violate CHECK ({})", to.name, k.expr),
                    precount::violations(&to.name, &k.expr),
                ));
                out.push(s);
            }
            ConstraintChange::AddCheck(k) => {
                let valid = if k.not_valid { " NOT VALID" } else { "" };
                let mut s = Statement::plain(format!(
                    "ALTER TABLE {t} ADD {}{}{valid}",
                    name(&k.name),
                    check_clause(k)
                ));
                if fresh_checks.contains(&k) && !k.not_valid {
                    s.risks.push(precount::risk(
                        format!("fails if rows of {} violate CHECK ({})", to.name, k.expr),
                        precount::violations(&to.name, &k.expr),
                    ));
                }
                out.push(s);
            }
            _ => {}
        }
    }
    out
}

/// The foreign keys `to` gained, once every key they reference exists.
pub(super) fn add_foreign_keys(
    to: &Table,
    changes: &[ConstraintChange],
    schema: &Schema,
) -> Vec<Statement> {
    let fresh: Vec<_> = new_foreign_keys(to.name_rule, changes).collect();
    changes
        .iter()
        .filter_map(|c| match c {
            ConstraintChange::AddForeignKey(fk) => Some((fk, validated_by(changes, c))),
            _ => None,
        })
        .map(|(fk, validated)| {
            let mut s = match &validated {
                Some(name) => validate(&to.name, name),
                None => Statement::plain(add_foreign_key(&to.name, fk)),
            };
            if (fresh.contains(&fk) || validated.is_some()) && !fk.not_valid {
                let parent_key = if fk.ref_columns.is_empty() {
                    schema
                        .table(&fk.ref_table)
                        .and_then(|p| p.primary_key.as_ref())
                        .map(|pk| pk.columns.clone())
                        .unwrap_or_default()
                } else {
                    fk.ref_columns.clone()
                };
                s.risks.push(precount::risk(
                    format!(
                        "fails if rows of {} reference no row of {}",
                        to.name, fk.ref_table
                    ),
                    precount::orphans(&to.name, fk, &parent_key),
                ));
            }
            s
        })
        .collect()
}

/// The primary key's old and new name when only its name changed (a table
/// renamed keeps its key's name; the model's is the new table's).
fn renamed_key<'t>(from: &'t Table, to: &'t Table) -> Option<(&'t str, &'t str)> {
    let (a, b) = (from.primary_key.as_ref()?, to.primary_key.as_ref()?);
    let same_columns = a.columns.len() == b.columns.len()
        && a.columns
            .iter()
            .zip(&b.columns)
            .all(|(x, y)| to.same_name(x, y));
    match (&a.name, &b.name) {
        (Some(old), Some(new)) if same_columns && old != new => Some((old, new)),
        _ => None,
    }
}

fn name(name: &Option<String>) -> String {
    name.as_ref()
        .map(|n| format!("CONSTRAINT {} ", quote_one(n)))
        .unwrap_or_default()
}
