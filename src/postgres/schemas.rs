//! The configured schemas (`[database] schemas`) on a session: a session
//! that runs migrations or a model has them as its `search_path`, so an
//! unqualified name goes to the first one, as the inspector (which names
//! the first schema's objects without it) reads it back.

use postgres::Client;

use super::connect;
use super::names::quote_one;
use super::problem::server_error;
use super::sql::{Kind, Token, tokenize};
use crate::error::{Error, Result};
use crate::url::PgUrl;

/// A session on `url` with the `search_path` set to `schemas`
/// ([`set_search_path`]), and its place for messages. The first schema
/// must exist: unqualified names, the version table among them, go there.
pub(crate) fn connect(url: &PgUrl, schemas: &[String]) -> Result<(Client, String)> {
    let (mut client, place) = connect::connect(url)?;
    enter(&mut client, schemas, &place)?;
    Ok((client, place))
}

/// An application's client (the library's `Migrator::postgres_client`)
/// made a migrating session like [`connect`]'s for one run: `schemas` as
/// its `search_path`, or for the default list the session's default (a
/// `SET` of the application's own undone), since the version reads and
/// the data checks connect afresh and must find what it creates. Returns
/// the client's own `search_path`, for [`give_back`] after the run. Set
/// for the session, not per transaction: a non-transactional revision and
/// the lock run outside one, and a failed revision's ROLLBACK leaves it.
pub(crate) fn lend(client: &mut Client, schemas: &[String], place: &str) -> Result<String> {
    let fail = |e: postgres::Error| Error::database(place, server_error(&e));
    let own: String = client
        .query_one("SELECT current_setting('search_path')", &[])
        .map_err(fail)?
        .get(0);
    let entered = match search_path(schemas) {
        None => client.batch_execute("RESET search_path").map_err(fail),
        Some(_) => enter(client, schemas, place),
    };
    if let Err(e) = entered {
        give_back(client, &own);
        return Err(e);
    }
    Ok(own)
}

/// Puts a lent client's own `search_path` (from [`lend`]) back. Best
/// effort: a client whose connection broke has no session to restore.
pub(crate) fn give_back(client: &mut Client, own: &str) {
    let _ = client.execute("SELECT set_config('search_path', $1, false)", &[&own]);
}

/// Sets `schemas` as the session's `search_path` ([`set_search_path`]) and
/// checks the first exists: unqualified names, the version table among
/// them, go there.
fn enter(client: &mut Client, schemas: &[String], place: &str) -> Result<()> {
    let fail = |e: postgres::Error| Error::database(place, server_error(&e));
    set_search_path(client, schemas).map_err(fail)?;
    if let Some(first) = schemas.first().filter(|_| search_path(schemas).is_some()) {
        let row = client
            .query_one(
                "SELECT to_regnamespace(quote_ident($1)) IS NOT NULL",
                &[first],
            )
            .map_err(fail)?;
        if !row.get::<_, bool>(0) {
            return Err(Error::Refused(format!(
                "{place} has no schema {first}, the first of [database] schemas: migrate puts \
                 unqualified names and its version table there, so it must exist first. \
                 Create it (CREATE SCHEMA {}) or list an existing schema first",
                quote_one(first)
            )));
        }
    }
    Ok(())
}

/// Sets the session's `search_path` to `schemas`. The default list
/// (`public` alone) leaves the server's own setting (`"$user", public`) as
/// it was, so the default configuration changes nothing.
pub fn set_search_path(
    client: &mut Client,
    schemas: &[String],
) -> std::result::Result<(), postgres::Error> {
    match search_path(schemas) {
        Some(path) => client.batch_execute(&format!("SET search_path TO {path}")),
        None => Ok(()),
    }
}

/// The `search_path` value for `schemas`; `None` for the default.
pub(crate) fn search_path(schemas: &[String]) -> Option<String> {
    if schemas.is_empty() || schemas == ["public"] {
        return None;
    }
    let quoted: Vec<String> = schemas.iter().map(|s| quote_one(s)).collect();
    Some(quoted.join(", "))
}

/// Creates each of `schemas` the database lacks (a model's scratch
/// database: the model's objects may go in any of them).
pub fn create_all(
    client: &mut Client,
    schemas: &[String],
) -> std::result::Result<(), postgres::Error> {
    for s in schemas {
        client.batch_execute(&super::ddl::create_namespace(s))?;
    }
    Ok(())
}

/// A model's `CREATE SCHEMA name ...` as `CREATE SCHEMA IF NOT EXISTS
/// name ...`: the model's database has the configured schemas made before
/// the model runs, and a model that makes them itself (as one written for
/// a fresh database does) must not fail for it. `None`: any other statement.
pub fn tolerant_create_schema(sql: &str) -> Option<String> {
    let words: Vec<Token> = tokenize(sql)
        .into_iter()
        .filter(|t| {
            !matches!(
                t.kind,
                Kind::Whitespace | Kind::LineComment | Kind::BlockComment
            )
        })
        .take(3)
        .collect();
    let is = |i: usize, w: &str| {
        words
            .get(i)
            .is_some_and(|t| t.kind == Kind::Word && t.text.eq_ignore_ascii_case(w))
    };
    if !(is(0, "create") && is(1, "schema")) || is(2, "if") {
        return None;
    }
    let at = words.get(2).map_or(sql.len(), |t| t.offset);
    Some(format!("{}IF NOT EXISTS {}", &sql[..at], &sql[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_models_create_schema_tolerates_the_made_one() {
        assert_eq!(
            tolerant_create_schema("create  schema billing AUTHORIZATION x").as_deref(),
            Some("create  schema IF NOT EXISTS billing AUTHORIZATION x")
        );
        assert_eq!(
            tolerant_create_schema("CREATE SCHEMA IF NOT EXISTS b"),
            None
        );
        assert_eq!(tolerant_create_schema("CREATE TABLE schema (id int)"), None);
    }

    #[test]
    fn the_default_list_leaves_the_servers_search_path() {
        assert_eq!(search_path(&["public".to_string()]), None);
        assert_eq!(
            search_path(&["app".into(), "Billing".into(), "a.b".into()]).as_deref(),
            Some("app, \"Billing\", \"a.b\"")
        );
    }
}
