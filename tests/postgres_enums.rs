//! Enum label changes (`migrate::internal::postgres::enums`) on a real server: added
//! labels land where the model puts them, and a recreate reorders or
//! removes labels with every row kept, or fails and changes nothing when a
//! row holds a removed label (which `rows_using_sql` counts first).

mod common;

use common::pg::fresh_db;
use migrate::internal::postgres::enums::{
    EnumChange, EnumColumn, add_value_sql, create_sql, plan, recreate_sql, rows_using_sql,
};

fn labels(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

fn server_labels(client: &mut postgres::Client, ty: &str) -> Vec<String> {
    client
        .query(
            "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = $1::text::regtype ORDER BY enumsortorder",
            &[&ty],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn added_labels_land_where_the_model_puts_them() {
    let Some(db) = fresh_db("pg_enum_add") else {
        return;
    };
    let mut client = db.client();
    for (i, (old, new)) in [("b d", "a0 a b c d e"), ("x", "x y z"), ("it's", "w it's")]
        .iter()
        .enumerate()
    {
        let ty = format!("Mood{i}");
        client
            .batch_execute(&create_sql(&ty, &labels(old)))
            .unwrap();
        let EnumChange::Add(adds) = plan(&labels(old), &labels(new)) else {
            panic!("{old} -> {new}");
        };
        for add in &adds {
            client.batch_execute(&add_value_sql(&ty, add)).unwrap();
        }
        assert_eq!(
            server_labels(&mut client, &format!("\"{ty}\"")),
            labels(new)
        );
    }
}

fn rows(client: &mut postgres::Client) -> Vec<(i32, String)> {
    client
        .query("SELECT id, m::text FROM \"order\" ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn a_recreate_keeps_every_row_or_changes_nothing() {
    let Some(db) = fresh_db("pg_enum_recreate") else {
        return;
    };
    let mut client = db.client();
    client
        .batch_execute(&format!(
            "{}; CREATE TABLE \"order\" (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'a');
             INSERT INTO \"order\" VALUES (1, 'a'), (2, 'c'), (3, 'b')",
            create_sql("mood", &labels("a b c"))
        ))
        .unwrap();
    let column = EnumColumn {
        table: "order".into(),
        column: "m".into(),
        default: Some("'a'::mood".into()),
        default_after: None,
    };
    let run = |client: &mut postgres::Client, new: &str| -> Result<(), postgres::Error> {
        let mut tx = client.transaction()?;
        for stmt in recreate_sql("mood", &labels(new), std::slice::from_ref(&column)) {
            tx.batch_execute(&stmt)?;
        }
        tx.commit()
    };
    // 'b' is still used: the count says so, and the recreate fails whole.
    let count: i64 = client
        .query_one(&rows_using_sql("order", "m", &labels("b")), &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 1);
    assert!(run(&mut client, "c a").is_err());
    assert_eq!(server_labels(&mut client, "mood"), labels("a b c"));
    assert_eq!(
        rows(&mut client),
        [(1, "a".into()), (2, "c".into()), (3, "b".into())]
    );
    // Reordered with a label added, every row kept and the default back.
    assert_eq!(
        plan(&labels("a b c"), &labels("c b a x")),
        EnumChange::Recreate {
            removed: vec![],
            reordered: true
        }
    );
    run(&mut client, "c b a x").unwrap();
    assert_eq!(server_labels(&mut client, "mood"), labels("c b a x"));
    assert_eq!(
        rows(&mut client),
        [(1, "a".into()), (2, "c".into()), (3, "b".into())]
    );
    client
        .batch_execute("INSERT INTO \"order\" (id) VALUES (4)")
        .unwrap();
    assert_eq!(rows(&mut client)[3], (4, "a".into()));
    let leftover: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_type WHERE typname LIKE 'mood\\_\\_%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(leftover, 0);
}
