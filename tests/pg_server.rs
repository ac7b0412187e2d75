//! The PostgreSQL test server is there and usable: a test database can be
//! made, written and read, and is dropped afterwards.

mod common;

#[test]
fn a_test_database_is_made_and_dropped() {
    let Some(db) = common::pg::fresh_db("smoke") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute("CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1)")
        .unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let name = db.name.clone();
    drop(client);
    let admin_url = common::pg::server_url().unwrap();
    drop(db);
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
    let left: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the test database is dropped");
}
