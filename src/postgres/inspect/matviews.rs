//! Materialized views: read from the catalog (`matviews.sql`), each with
//! its indexes (read by the same query as a table's, so they are the same
//! values), as [`MaterializedView`]s.

use std::collections::HashMap;

use postgres::GenericClient;
use postgres::types::Oid;

use super::assemble;
use super::catalog::{self, IndexColumnRow};
use crate::postgres::names::quote_ident;
use crate::schema::{MaterializedView, View};

const MATVIEWS: &str = include_str!("matviews.sql");

/// The materialized views of `schemas`, with their indexes.
pub(super) fn read(
    client: &mut impl GenericClient,
    schemas: &[String],
) -> Result<Vec<MaterializedView>, postgres::Error> {
    let rows = client.query(MATVIEWS, &[&schemas])?;
    let oids: Vec<Oid> = rows.iter().map(|r| r.get(0)).collect();
    let (indexes, index_columns) = catalog::indexes_of(client, &oids)?;
    let mut parts: HashMap<Oid, Vec<&IndexColumnRow>> = HashMap::new();
    for p in &index_columns {
        parts.entry(p.index).or_default().push(p);
    }
    Ok(rows
        .iter()
        .map(|r| {
            let oid: Oid = r.get(0);
            let name: String = r.get(1);
            let query: String = r.get(2);
            MaterializedView {
                view: View {
                    sql: create_sql(&name, &query),
                    name,
                },
                indexes: indexes
                    .iter()
                    .filter(|i| i.table == oid)
                    .map(|i| assemble::index(i, parts.get(&i.oid).map_or(&[][..], Vec::as_slice)))
                    .collect(),
            }
        })
        .collect())
}

/// The statement that makes the materialized view `name` over `query`
/// (as `pg_get_viewdef` prints it: its layout kept, its `;` not).
fn create_sql(name: &str, query: &str) -> String {
    let query = query.trim_end().trim_end_matches(';');
    format!("CREATE MATERIALIZED VIEW {} AS\n{query}", quote_ident(name))
}
