//! Catalog rows to a [`Schema`]: pure, so every rule is tested without a
//! server. The normalization rules for PostgreSQL live here:
//! - types are `format_type`'s spelling (`character varying(30)`), except
//!   that a column whose sequence, default and NOT NULL are what `serial`
//!   makes is `serial` again, without the default (see [`super::serial`]);
//! - defaults, checks, generated columns and index expressions are
//!   PostgreSQL's own deparsed text (`pg_get_expr`), which is canonical:
//!   the same meaning always prints the same;
//! - a collation is named only when it is not the type's own;
//! - constraint names are kept, even the ones PostgreSQL chose, because
//!   every later `ALTER TABLE ... DROP CONSTRAINT` needs the real name;
//! - a foreign key action of `NO ACTION` (the default) is `None`, as on SQLite;
//! - an index's `btree` (the default) is no method, and a part's null
//!   order is `None` when it is the default for its direction;
//! - the indexes behind a primary key, UNIQUE or exclusion constraint are
//!   the constraint, not indexes (the catalog query leaves them out);
//! - an exclusion constraint is kept as `pg_get_constraintdef` writes it,
//!   in the table's PostgreSQL options.

use std::collections::HashMap;

use postgres::types::Oid;

use super::catalog::{Catalog, ColumnRow, ConstraintRow, IndexColumnRow, IndexRow, TableRow};
use super::sequence;
use super::serial::serial_type;
use crate::schema::{
    Check, Column, ColumnOptions, EnumType, Exclusion, ForeignKey, Generated, Identity, Index,
    IndexOptions, IndexPart, IndexTarget, NameRule, PostgresColumn, PostgresIndex, PostgresTable,
    PrimaryKey, Schema, Sequence, Table, TableOptions, Unique, View,
};

/// The schema the catalog describes. A view's text is a whole
/// `CREATE VIEW` statement, as on SQLite.
pub(super) fn schema(catalog: Catalog) -> Schema {
    let Catalog {
        tables,
        columns,
        constraints,
        indexes,
        index_columns,
        sequences,
        enums,
        views,
        extensions,
        namespaces,
    } = catalog;
    let table_names: HashMap<Oid, &str> = tables.iter().map(|t| (t.oid, t.name.as_str())).collect();
    let mut by_oid: HashMap<Oid, Table> = tables.iter().map(|t| (t.oid, table(t))).collect();
    let mut folded_sequences = Vec::new();
    for c in &columns {
        let (Some(table), Some(name)) = (by_oid.get_mut(&c.table), table_names.get(&c.table))
        else {
            continue;
        };
        let serial = sequences.iter().find_map(|s| {
            let kind = serial_type(s, name, &c.name, &c.type_name, c.default.as_deref())?;
            Some((s.name.clone(), kind))
        });
        if let Some((seq, _)) = &serial {
            folded_sequences.push(seq.clone());
        }
        table.columns.push(column(c, serial.map(|(_, kind)| kind)));
    }
    for con in &constraints {
        if let Some(table) = by_oid.get_mut(&con.table) {
            add_constraint(table, con);
        }
    }
    let mut parts: HashMap<Oid, Vec<&IndexColumnRow>> = HashMap::new();
    for p in &index_columns {
        parts.entry(p.index).or_default().push(p);
    }
    for i in &indexes {
        if let Some(table) = by_oid.get_mut(&i.table) {
            table
                .indexes
                .push(index(i, parts.get(&i.oid).map_or(&[][..], Vec::as_slice)));
        }
    }
    let mut tables: Vec<Table> = by_oid.into_values().collect();
    // By exact name first: `Schema::sort` ignores ASCII case, and `User`
    // and `user` are two tables here, so their order must not be the hash map's.
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut schema = Schema {
        tables,
        views: views
            .into_iter()
            .map(|(name, query)| view(name, &query))
            .collect(),
        ..Schema::default()
    };
    schema.postgres.enums = enums
        .into_iter()
        .map(|(name, labels)| EnumType { name, labels })
        .collect();
    schema.postgres.extensions = extensions;
    schema.postgres.namespaces = namespaces;
    schema.postgres.sequences = sequences
        .into_iter()
        .filter(|s| !folded_sequences.contains(&s.name))
        .map(|s| Sequence {
            settings: sequence::settings(&s, "bigint"),
            name: s.name,
            owned_by: s.owned_by,
        })
        .collect();
    // PostgreSQL's names are exact (`User` and `user` are two tables).
    schema.set_name_rule(NameRule::Exact);
    schema.sort();
    schema
}

fn table(t: &TableRow) -> Table {
    Table {
        name: t.name.clone(),
        options: TableOptions::postgres(PostgresTable {
            comment: t.comment.clone(),
            unlogged: t.unlogged,
            ..PostgresTable::default()
        }),
        ..Table::default()
    }
}

/// One column; `serial` is the serial pseudo-type its parts make, if any.
fn column(c: &ColumnRow, serial: Option<&str>) -> Column {
    let identity = match c.identity.as_str() {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ => None,
    };
    let generated = (c.generated == "s").then(|| Generated {
        expr: c.default.clone().unwrap_or_default(),
        stored: true,
    });
    Column {
        name: c.name.clone(),
        decl_type: serial.unwrap_or(&c.type_name).to_string(),
        not_null: c.not_null,
        default: if generated.is_some() || serial.is_some() {
            None
        } else {
            c.default.clone()
        },
        collation: c.collation.clone(),
        generated,
        options: ColumnOptions::postgres(PostgresColumn {
            identity,
            comment: c.comment.clone(),
            identity_sequence: c
                .identity_sequence
                .as_ref()
                .map(|s| Box::new(sequence::settings(s, &c.type_name)))
                .unwrap_or_default(),
        }),
    }
}

fn add_constraint(table: &mut Table, con: &ConstraintRow) {
    let name = Some(con.name.clone());
    match con.kind.as_str() {
        "p" => {
            table.primary_key = Some(PrimaryKey {
                name,
                columns: con.columns.clone(),
                ..PrimaryKey::default()
            })
        }
        "u" => table.uniques.push(Unique {
            name,
            columns: con.columns.clone(),
            deferrable: con.deferrable,
            initially_deferred: con.deferrable && con.deferred,
            nulls_not_distinct: con.nulls_not_distinct,
            ..Unique::default()
        }),
        "c" => table.checks.push(Check {
            name,
            expr: con.check_expr.clone().unwrap_or_default(),
            not_valid: !con.validated,
            no_inherit: con.no_inherit,
        }),
        "f" => table.foreign_keys.push(ForeignKey {
            name,
            columns: con.columns.clone(),
            ref_table: con.ref_table.clone().unwrap_or_default(),
            ref_columns: con.ref_columns.clone(),
            on_delete: action(&con.on_delete),
            on_update: action(&con.on_update),
            deferred: con.deferrable && con.deferred,
            not_valid: !con.validated,
        }),
        "x" => {
            let mut pg = table.postgres();
            pg.exclusions.push(Exclusion {
                name: con.name.clone(),
                definition: con.definition.clone().unwrap_or_default(),
            });
            table.options = TableOptions::postgres(pg);
        }
        _ => {}
    }
}

/// `pg_constraint`'s action letter as SQL; NO ACTION (the default) is `None`.
fn action(code: &str) -> Option<String> {
    let words = match code {
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => return None,
    };
    Some(words.to_string())
}

pub(super) fn index(i: &IndexRow, columns: &[&IndexColumnRow]) -> Index {
    let (keys, include): (Vec<&IndexColumnRow>, Vec<&IndexColumnRow>) =
        columns.iter().partition(|c| c.is_key);
    let parts = keys.iter().map(|c| index_part(c)).collect();
    let opclasses: Vec<Option<String>> = keys.iter().map(|c| c.opclass.clone()).collect();
    Index {
        name: i.name.clone(),
        unique: i.unique,
        parts,
        where_clause: i.predicate.clone(),
        options: IndexOptions::postgres(PostgresIndex {
            method: (i.method != "btree").then(|| i.method.clone()),
            include: include.iter().filter_map(|c| c.column.clone()).collect(),
            nulls_not_distinct: i.nulls_not_distinct,
            opclasses: if opclasses.iter().all(Option::is_none) {
                Vec::new()
            } else {
                opclasses
            },
            storage: i.storage.clone(),
        }),
    }
}

fn index_part(c: &IndexColumnRow) -> IndexPart {
    let target = match (&c.column, &c.expr) {
        (_, Some(expr)) => IndexTarget::Expr(expr.clone()),
        (Some(column), None) => IndexTarget::Column(column.clone()),
        (None, None) => IndexTarget::Expr(String::new()),
    };
    IndexPart {
        target,
        desc: c.descending,
        collation: c.collation.clone(),
        // The default puts NULLs last ascending and first descending.
        nulls_first: (c.nulls_first != c.descending).then_some(c.nulls_first),
    }
}

/// A view as the statement that makes it; `pg_get_viewdef`'s text keeps
/// its layout but not its closing `;`.
fn view(name: String, query: &str) -> View {
    let query = query.trim_end().trim_end_matches(';');
    View {
        sql: format!(
            "CREATE VIEW {} AS\n{query}",
            crate::postgres::names::quote_ident(&name)
        ),
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::super::catalog::SequenceRow;
    use super::*;
    use crate::schema::SequenceSettings;

    fn catalog() -> Catalog {
        let col = |name: &str, type_name: &str, default: Option<&str>| ColumnRow {
            table: 1,
            name: name.into(),
            type_name: type_name.into(),
            not_null: true,
            default: default.map(str::to_string),
            identity: String::new(),
            generated: String::new(),
            collation: None,
            comment: None,
            identity_sequence: None,
        };
        let seq = |name: &str, owner: Option<(&str, &str)>| SequenceRow {
            name: name.into(),
            regclass: name.into(),
            type_name: "integer".into(),
            start: 1,
            increment: 1,
            min: 1,
            max: i64::from(i32::MAX),
            cache: 1,
            cycle: false,
            owned_by: owner.map(|(t, c)| (t.into(), c.into())),
        };
        Catalog {
            tables: vec![TableRow {
                oid: 1,
                name: "t".into(),
                unlogged: false,
                comment: None,
            }],
            columns: vec![
                col("id", "integer", Some("nextval('t_id_seq'::regclass)")),
                col("n", "integer", Some("nextval('numbers'::regclass)")),
                ColumnRow {
                    identity: "d".into(),
                    ..col("i", "bigint", None)
                },
                ColumnRow {
                    generated: "s".into(),
                    ..col("g", "integer", Some("(id * 2)"))
                },
            ],
            sequences: vec![
                seq("t_id_seq", Some(("t", "id"))),
                seq("numbers", Some(("t", "n"))),
            ],
            ..Catalog::default()
        }
    }

    #[test]
    fn serial_parts_make_a_serial_and_other_sequences_stay() {
        let s = schema(catalog());
        let t = &s.tables[0];
        let id = t.column("id").unwrap();
        assert_eq!((id.decl_type.as_str(), &id.default), ("serial", &None));
        let n = t.column("n").unwrap();
        assert_eq!(
            n.decl_type, "integer",
            "another name: not serial's sequence"
        );
        assert_eq!(n.default.as_deref(), Some("nextval('numbers'::regclass)"));
        assert_eq!(
            s.postgres.sequences,
            [Sequence {
                name: "numbers".into(),
                owned_by: Some(("t".into(), "n".into())),
                // An integer sequence: CREATE SEQUENCE's own type is bigint.
                settings: SequenceSettings {
                    data_type: Some("integer".into()),
                    ..SequenceSettings::default()
                },
            }]
        );
    }

    #[test]
    fn identity_and_generated_columns_have_no_default() {
        let s = schema(catalog());
        let t = &s.tables[0];
        let i = t.column("i").unwrap();
        assert_eq!(i.postgres().identity, Some(Identity::ByDefault));
        let g = t.column("g").unwrap();
        assert_eq!(g.default, None);
        assert_eq!(
            g.generated,
            Some(Generated {
                expr: "(id * 2)".into(),
                stored: true
            })
        );
    }

    #[test]
    fn keys_keep_names_and_only_non_default_actions() {
        let mut t = Table::default();
        let fk = |deferrable, deferred, validated| ConstraintRow {
            table: 1,
            name: "fk".into(),
            kind: "f".into(),
            columns: vec!["a".into()],
            ref_table: Some("p".into()),
            ref_columns: vec!["id".into()],
            on_update: "a".into(),
            on_delete: "n".into(),
            deferrable,
            deferred,
            validated,
            check_expr: None,
            no_inherit: false,
            nulls_not_distinct: false,
            definition: None,
        };
        add_constraint(&mut t, &fk(true, true, false));
        add_constraint(&mut t, &fk(true, false, true));
        let [a, b] = &t.foreign_keys[..] else {
            panic!("two keys")
        };
        assert_eq!(
            (a.on_update.as_deref(), a.on_delete.as_deref()),
            (None, Some("SET NULL"))
        );
        assert!(a.deferred && a.not_valid);
        assert!(
            !b.deferred && !b.not_valid,
            "DEFERRABLE INITIALLY IMMEDIATE is not deferred"
        );
        assert_eq!(a.name.as_deref(), Some("fk"));
    }

    #[test]
    fn index_defaults_are_no_value() {
        let part = |column: &str, descending, nulls_first, is_key| IndexColumnRow {
            index: 9,
            is_key,
            column: Some(column.into()),
            expr: None,
            descending,
            nulls_first,
            collation: None,
            opclass: None,
        };
        let row = IndexRow {
            oid: 9,
            table: 1,
            name: "i".into(),
            unique: false,
            method: "btree".into(),
            predicate: None,
            nulls_not_distinct: false,
            storage: Vec::new(),
        };
        let plain = index(
            &row,
            &[&part("a", false, false, true), &part("b", true, true, true)],
        );
        assert_eq!(plain.options, IndexOptions::None);
        assert!(plain.parts.iter().all(|p| p.nulls_first.is_none()));
        let (first, last) = (part("a", false, true, true), part("b", true, false, true));
        let include = part("c", false, false, false);
        let hash = IndexRow {
            method: "hash".into(),
            ..row
        };
        let odd = index(&hash, &[&first, &last, &include]);
        let nulls: Vec<_> = odd.parts.iter().map(|p| p.nulls_first).collect();
        assert_eq!(nulls, [Some(true), Some(false)]);
        assert_eq!(odd.postgres().method.as_deref(), Some("hash"));
        assert_eq!(odd.postgres().include, ["c"]);
        assert!(odd.postgres().opclasses.is_empty());
    }

    #[test]
    fn a_view_is_its_create_statement() {
        let v = view("My View".into(), " SELECT 1 AS one;");
        assert_eq!(v.sql, "CREATE VIEW \"My View\" AS\n SELECT 1 AS one");
    }
}
