//! Telling a `serial` column from its parts. `serial` is not a type: it is
//! an integer column, a sequence named `<table>_<column>_seq` owned by it,
//! and a `nextval(...)` default. The catalog keeps only the parts, so the
//! inspector puts them back together when every part is what `serial`
//! would have made; then a model that says `serial` and its database are
//! the same value, and the DDL written back says `serial` again. Anything
//! else (another name, START 100, a sequence shared by two columns) stays
//! a sequence and a default, as declared.

use super::catalog::SequenceRow;
use super::sequence::type_range;

/// PostgreSQL's identifier length limit (NAMEDATALEN - 1), in bytes.
const MAX_NAME_BYTES: usize = 63;

/// The serial pseudo-type (`serial`, `bigserial`, `smallserial`) that made
/// the column `table.column` of type `column_type` with default `default`,
/// when `seq` is that serial's sequence.
pub(super) fn serial_type(
    seq: &SequenceRow,
    table: &str,
    column: &str,
    column_type: &str,
    default: Option<&str>,
) -> Option<&'static str> {
    let serial = match column_type {
        "integer" => "serial",
        "bigint" => "bigserial",
        "smallint" => "smallserial",
        _ => return None,
    };
    let (_, max) = type_range(column_type)?;
    let owned = seq.owned_by.as_ref() == Some(&(table.to_string(), column.to_string()));
    let settings = seq.type_name == column_type
        && (
            seq.start,
            seq.increment,
            seq.min,
            seq.max,
            seq.cache,
            seq.cycle,
        ) == (1, 1, 1, max, 1, false);
    let uses = default == Some(nextval_default(&seq.regclass).as_str());
    (owned && settings && uses && seq.name == default_name(table, column, "seq")).then_some(serial)
}

/// The default `serial` gives its column, as `pg_get_expr` prints it.
pub(super) fn nextval_default(regclass: &str) -> String {
    format!("nextval('{}'::regclass)", regclass.replace('\'', "''"))
}

/// The name PostgreSQL chooses for an object of `table` and `column` with
/// `label` (`seq`, `key`, `fkey`, ...) when no other object has it: its
/// `makeObjectName`, which shortens the longer name first so the whole fits
/// in 63 bytes, cutting on a character boundary.
pub(crate) fn default_name(table: &str, column: &str, label: &str) -> String {
    let available = MAX_NAME_BYTES - (label.len() + 2);
    let (mut a, mut b) = (table.len(), column.len());
    while a + b > available {
        if a > b {
            a -= 1;
        } else {
            b -= 1;
        }
    }
    format!("{}_{}_{label}", clip(table, a), clip(column, b))
}

/// The longest prefix of `name` of at most `bytes` bytes that ends on a
/// character boundary.
fn clip(name: &str, bytes: usize) -> &str {
    let mut end = bytes.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(name: &str, type_name: &str, max: i64) -> SequenceRow {
        SequenceRow {
            name: name.into(),
            regclass: name.into(),
            type_name: type_name.into(),
            start: 1,
            increment: 1,
            min: 1,
            max,
            cache: 1,
            cycle: false,
            owned_by: Some(("t".into(), "id".into())),
        }
    }

    #[test]
    fn a_serials_parts_make_a_serial() {
        let s = seq("t_id_seq", "integer", i64::from(i32::MAX));
        let default = Some("nextval('t_id_seq'::regclass)");
        assert_eq!(
            serial_type(&s, "t", "id", "integer", default),
            Some("serial")
        );
        let b = seq("t_id_seq", "bigint", i64::MAX);
        assert_eq!(
            serial_type(&b, "t", "id", "bigint", default),
            Some("bigserial")
        );
        let small = seq("t_id_seq", "smallint", 32767);
        assert_eq!(
            serial_type(&small, "t", "id", "smallint", default),
            Some("smallserial")
        );
    }

    #[test]
    fn anything_serial_would_not_make_stays_apart() {
        let s = seq("t_id_seq", "integer", i64::from(i32::MAX));
        let default = Some("nextval('t_id_seq'::regclass)");
        // An integer column on a bigint sequence (CREATE SEQUENCE's default type).
        let wide = seq("t_id_seq", "bigint", i64::MAX);
        assert_eq!(serial_type(&wide, "t", "id", "integer", default), None);
        // Another start, another name, not owned, another default.
        let started = SequenceRow {
            start: 100,
            ..s.clone()
        };
        assert_eq!(serial_type(&started, "t", "id", "integer", default), None);
        let renamed = SequenceRow {
            name: "ids".into(),
            regclass: "ids".into(),
            ..s.clone()
        };
        let renamed_default = Some("nextval('ids'::regclass)");
        assert_eq!(
            serial_type(&renamed, "t", "id", "integer", renamed_default),
            None
        );
        let free = SequenceRow {
            owned_by: None,
            ..s.clone()
        };
        assert_eq!(serial_type(&free, "t", "id", "integer", default), None);
        assert_eq!(serial_type(&s, "t", "id", "integer", None), None);
        assert_eq!(serial_type(&s, "t", "id", "text", default), None);
    }

    #[test]
    fn names_are_shortened_as_postgres_does() {
        assert_eq!(default_name("t", "id", "seq"), "t_id_seq");
        let long = "a".repeat(70);
        let name = default_name(&long, "id", "seq");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_id_seq", "a".repeat(56)));
        // Both long: the longer loses first, until they are even.
        let name = default_name(&"t".repeat(40), &"c".repeat(40), "seq");
        assert_eq!(name, format!("{}_{}_seq", "t".repeat(29), "c".repeat(29)));
        // A multi-byte character is never cut in half.
        let name = default_name(&"é".repeat(40), "id", "seq");
        assert!(name.len() <= 63 && name.ends_with("_id_seq"));
        assert_eq!(
            nextval_default("\"It's\""),
            "nextval('\"It''s\"'::regclass)"
        );
    }
}
