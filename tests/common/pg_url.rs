//! A PostgreSQL URL pointed at another database on the same server: what
//! the tests (`common::pg`) and the PostgreSQL benches (`benches/postgres`)
//! both do to make a database of their own from the admin URL. One file,
//! included by both with `#[path]`, since the benches cannot reach
//! `tests/common` as a module and this is no part of the library.

/// `url` with its database part replaced by `name` (the query kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}
