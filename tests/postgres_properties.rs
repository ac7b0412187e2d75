//! Property test on the real PostgreSQL server: a random schema built from
//! the model types, written by `create_schema` into its own database and
//! inspected, is the same schema. Few cases (each makes a database); the
//! fixtures in postgres_roundtrip.rs cover views and expressions, whose
//! text PostgreSQL rewrites.

mod common;

use migrate::internal::postgres::{ddl, inspect};
use migrate::internal::schema::{
    Check, Column, ColumnOptions, EnumType, ForeignKey, Identity, Index, IndexOptions, IndexPart,
    IndexTarget, NameRule, PostgresColumn, PostgresIndex, PostgresTable, PrimaryKey, Schema,
    Sequence, SequenceSettings, Table, TableOptions, Unique,
};
use proptest::prelude::*;

/// Other columns' types, each with a default as PostgreSQL prints it back.
const TYPES: [(&str, &str); 9] = [
    ("integer", "42"),
    ("bigint", "7"),
    ("text", "'x'::text"),
    ("boolean", "true"),
    ("numeric(10,2)", "1.5"),
    ("character varying(20)", "'v'::character varying"),
    ("timestamp with time zone", "now()"),
    ("jsonb", "'{}'::jsonb"),
    ("e0", "'l1'::e0"),
];
/// Column names, some of which need quotes.
const COLUMNS: [&str; 5] = ["a", "b", "Mixed Case", "order", "c"];
const ACTIONS: [Option<&str>; 4] = [None, Some("CASCADE"), Some("SET NULL"), Some("RESTRICT")];

#[derive(Debug, Clone)]
struct ColSpec {
    ty: usize,
    not_null: bool,
    default: bool,
    comment: bool,
    collate_c: bool,
}

/// Sequence settings in the canonical form the inspector gives (a
/// setting that is its default is `None`), valid in either direction.
fn settings(allow_type: bool) -> impl Strategy<Value = SequenceSettings> {
    (
        prop::option::of(prop::sample::select(vec![5i64, -1, -3])),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            move |(increment, (int_type, min, max), (start, cache, cycle))| {
                let up = increment.is_none_or(|i| i > 0);
                let pick =
                    |on: bool, asc: i64, desc: i64| on.then_some(if up { asc } else { desc });
                SequenceSettings {
                    data_type: (allow_type && int_type).then(|| "integer".to_string()),
                    increment,
                    min_value: pick(min, 10, -1000),
                    max_value: pick(max, 100_000, -10),
                    start: pick(start, 50, -20),
                    cache: cache.then_some(20),
                    cycle,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct TableSpec {
    /// 0: integer, 1: serial, 2: identity always, 3: identity by default, 4: no id.
    id_kind: u8,
    /// An identity's sequence settings.
    identity: SequenceSettings,
    columns: Vec<ColSpec>,
    unlogged: bool,
    comment: bool,
    unique_on: Option<usize>,
    check_not_valid: Option<bool>,
    /// (parent table, action, deferred, not valid).
    fk: Option<(usize, usize, bool, bool)>,
    /// (columns, desc, nulls flipped, unique, hash, include the next one).
    index: Option<(usize, bool, bool, bool, bool, bool)>,
}

fn col_spec() -> impl Strategy<Value = ColSpec> {
    (
        0..TYPES.len(),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        any::<bool>(),
    )
        .prop_map(|(ty, not_null, default, comment, collate_c)| ColSpec {
            ty,
            not_null,
            default,
            comment,
            collate_c,
        })
}

fn table_spec() -> impl Strategy<Value = TableSpec> {
    (
        (0..5u8, settings(false)),
        prop::collection::vec(col_spec(), 1..COLUMNS.len()),
        (prop::bool::weighted(0.2), prop::bool::weighted(0.3)),
        prop::option::of(0..COLUMNS.len()),
        prop::option::of(any::<bool>()),
        prop::option::of((0..4usize, 0..ACTIONS.len(), any::<bool>(), any::<bool>())),
        prop::option::of((
            1..3usize,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        )),
    )
        .prop_map(
            |(
                (id_kind, identity),
                columns,
                (unlogged, comment),
                unique_on,
                check_not_valid,
                fk,
                index,
            )| {
                TableSpec {
                    id_kind,
                    identity,
                    columns,
                    unlogged,
                    comment,
                    unique_on,
                    check_not_valid,
                    fk,
                    index,
                }
            },
        )
}

fn column(name: &str, spec: &ColSpec) -> Column {
    let (ty, default) = TYPES[spec.ty];
    Column {
        name: name.to_string(),
        decl_type: ty.to_string(),
        not_null: spec.not_null,
        default: spec.default.then(|| default.to_string()),
        collation: (spec.collate_c && ty == "text").then(|| "C".to_string()),
        options: ColumnOptions::postgres(PostgresColumn {
            identity: None,
            comment: spec.comment.then(|| format!("about {name}")),
            ..PostgresColumn::default()
        }),
        ..Column::default()
    }
}

fn id_column(kind: u8, settings: &SequenceSettings) -> Column {
    let identity = match kind {
        2 => Some(Identity::Always),
        3 => Some(Identity::ByDefault),
        _ => None,
    };
    Column {
        name: "id".into(),
        decl_type: if kind == 1 { "serial" } else { "integer" }.into(),
        not_null: true,
        options: ColumnOptions::postgres(PostgresColumn {
            identity,
            comment: None,
            identity_sequence: Box::new(if identity.is_some() {
                settings.clone()
            } else {
                SequenceSettings::default()
            }),
        }),
        ..Column::default()
    }
}

/// The schema `specs` describe, in the canonical form the inspector gives.
fn build(specs: &[TableSpec], sequence: Option<SequenceSettings>, citext: bool) -> Schema {
    let mut schema = Schema::default();
    for (n, spec) in specs.iter().enumerate() {
        schema.tables.push(build_table(n, spec, specs));
    }
    schema.postgres.enums = vec![EnumType {
        name: "e0".into(),
        labels: vec!["l1".into(), "it's".into(), "L3".into()],
    }];
    if let Some(settings) = sequence {
        schema.postgres.sequences.push(Sequence {
            name: "s0".into(),
            owned_by: None,
            settings,
        });
    }
    if citext {
        schema.postgres.extensions.push("citext".into());
    }
    // PostgreSQL's names are exact, as the inspector says.
    schema.set_name_rule(NameRule::Exact);
    schema.sort();
    schema
}

fn build_table(n: usize, spec: &TableSpec, specs: &[TableSpec]) -> Table {
    let name = format!("t{n}");
    let mut t = Table {
        name: name.clone(),
        options: TableOptions::postgres(PostgresTable {
            comment: spec.comment.then(|| format!("table {n}")),
            unlogged: spec.unlogged,
            ..PostgresTable::default()
        }),
        ..Table::default()
    };
    if spec.id_kind < 4 {
        t.columns.push(id_column(spec.id_kind, &spec.identity));
        t.primary_key = Some(PrimaryKey {
            name: Some(format!("{name}_pkey")),
            columns: vec!["id".into()],
            ..PrimaryKey::default()
        });
    }
    for (i, c) in spec.columns.iter().enumerate() {
        t.columns.push(column(COLUMNS[i], c));
    }
    let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
    if let Some(u) = spec.unique_on.and_then(|u| names.get(u)) {
        t.uniques.push(Unique {
            name: Some(format!("{name}_u")),
            columns: vec![u.clone()],
            ..Unique::default()
        });
    }
    if let Some(not_valid) = spec.check_not_valid
        && t.column("a").is_some_and(|c| c.decl_type == "integer")
    {
        t.checks.push(Check {
            name: Some(format!("{name}_a_positive")),
            expr: "(a > 0)".into(),
            not_valid,
            no_inherit: false,
        });
    }
    if let Some((parent, action, deferred, not_valid)) = spec.fk {
        let parent = parent % specs.len();
        // A logged table may not reference an unlogged one.
        if specs[parent].id_kind < 4 && (spec.unlogged || !specs[parent].unlogged) {
            t.columns.push(Column {
                name: "parent".into(),
                decl_type: "integer".into(),
                ..Column::default()
            });
            t.foreign_keys.push(ForeignKey {
                name: Some(format!("{name}_parent")),
                columns: vec!["parent".into()],
                ref_table: format!("t{parent}"),
                ref_columns: vec!["id".into()],
                on_delete: ACTIONS[action].map(str::to_string),
                on_update: None,
                deferred,
                not_valid,
            });
        }
    }
    if let Some((width, desc, flip, unique, hash, include)) = spec.index {
        t.indexes.push(build_index(
            &name, &t.columns, width, desc, flip, unique, hash, include,
        ));
    }
    t
}

#[allow(clippy::too_many_arguments)]
fn build_index(
    table: &str,
    columns: &[Column],
    width: usize,
    desc: bool,
    flip: bool,
    unique: bool,
    hash: bool,
    include: bool,
) -> Index {
    // hash indexes have one column, no order, and are never unique.
    let hash = hash && !unique;
    let width = if hash { 1 } else { width.min(columns.len()) };
    let parts = columns[..width]
        .iter()
        .map(|c| IndexPart {
            target: IndexTarget::Column(c.name.clone()),
            desc: desc && !hash,
            collation: None,
            nulls_first: (flip && !hash).then_some(!desc),
        })
        .collect();
    let include = match columns.get(width) {
        Some(c) if include && !hash => vec![c.name.clone()],
        _ => Vec::new(),
    };
    Index {
        name: format!("{table}_i"),
        unique,
        parts,
        where_clause: None,
        options: IndexOptions::postgres(PostgresIndex {
            method: hash.then(|| "hash".to_string()),
            include,
            ..PostgresIndex::default()
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn random_schemas_survive_the_round_trip(
        specs in prop::collection::vec(table_spec(), 1..4),
        sequence in prop::option::of(settings(true)),
        citext in any::<bool>(),
    ) {
        let Some(db) = common::pg::fresh_db("pg_prop") else {
            return Ok(());
        };
        let expected = build(&specs, sequence, citext);
        let statements = ddl::create_schema(&expected);
        let mut client = db.client();
        for s in &statements {
            client.batch_execute(s).map_err(|e| {
                TestCaseError::fail(format!("written DDL fails: {e:?}\n{s}"))
            })?;
        }
        let inspected = inspect::inspect(&mut client, &inspect::Options::default()).unwrap();
        prop_assert_eq!(inspected, expected, "DDL:\n{}", statements.join(";\n"));
    }
}
