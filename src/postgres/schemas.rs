//! The configured schemas (`[database] schemas`) on a session: a session
//! that runs migrations or a model has them as its `search_path`, so an
//! unqualified name goes to the first one, as the inspector (which names
//! the first schema's objects without it) reads it back.

use postgres::Client;

use super::names::quote_one;

/// Sets the session's `search_path` to `schemas`. The default list
/// (`public` alone) leaves the server's own setting (`"$user", public`) as
/// it was, so the default configuration changes nothing.
pub fn set_search_path(client: &mut Client, schemas: &[String]) -> Result<(), postgres::Error> {
    match search_path(schemas) {
        Some(path) => client.batch_execute(&format!("SET search_path TO {path}")),
        None => Ok(()),
    }
}

/// The `search_path` value for `schemas`; `None` for the default.
pub fn search_path(schemas: &[String]) -> Option<String> {
    if schemas.is_empty() || schemas == ["public"] {
        return None;
    }
    let quoted: Vec<String> = schemas.iter().map(|s| quote_one(s)).collect();
    Some(quoted.join(", "))
}

/// Creates each of `schemas` the database lacks (a model's scratch
/// database: the model's objects may go in any of them).
pub fn create_all(client: &mut Client, schemas: &[String]) -> Result<(), postgres::Error> {
    for s in schemas {
        client.batch_execute(&super::ddl::create_namespace(s))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_list_leaves_the_servers_search_path() {
        assert_eq!(search_path(&["public".to_string()]), None);
        assert_eq!(
            search_path(&["app".into(), "Billing".into(), "a.b".into()]).as_deref(),
            Some("app, \"Billing\", \"a.b\"")
        );
    }
}
