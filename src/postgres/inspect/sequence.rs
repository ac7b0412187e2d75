//! A sequence's settings as the model keeps them: only what differs from
//! the default PostgreSQL derives from the sequence's type and direction
//! (see [`SequenceSettings`]), so a sequence declared with its defaults
//! spelled out and one declared bare are the same value.

use super::catalog::SequenceRow;
use crate::schema::SequenceSettings;

/// The least and greatest value of a sequence type.
pub(super) fn type_range(type_name: &str) -> Option<(i64, i64)> {
    match type_name {
        "smallint" => Some((i16::MIN.into(), i16::MAX.into())),
        "integer" => Some((i32::MIN.into(), i32::MAX.into())),
        "bigint" => Some((i64::MIN, i64::MAX)),
        _ => None,
    }
}

/// `seq`'s settings; `default_type` is the type it has when none is said
/// (`bigint` for `CREATE SEQUENCE`, the column's type for an identity).
pub(super) fn settings(seq: &SequenceRow, default_type: &str) -> SequenceSettings {
    let (least, greatest) = type_range(&seq.type_name).unwrap_or((i64::MIN, i64::MAX));
    let ascending = seq.increment > 0;
    let (min, max) = if ascending {
        (1, greatest)
    } else {
        (least, -1)
    };
    let start = if ascending { seq.min } else { seq.max };
    let unless = |value: i64, default: i64| (value != default).then_some(value);
    SequenceSettings {
        data_type: (seq.type_name != default_type).then(|| seq.type_name.clone()),
        increment: unless(seq.increment, 1),
        min_value: unless(seq.min, min),
        max_value: unless(seq.max, max),
        start: unless(seq.start, start),
        cache: unless(seq.cache, 1),
        cycle: seq.cycle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(type_name: &str, start: i64, increment: i64, min: i64, max: i64) -> SequenceRow {
        SequenceRow {
            name: "s".into(),
            regclass: "s".into(),
            type_name: type_name.into(),
            start,
            increment,
            min,
            max,
            cache: 1,
            cycle: false,
            owned_by: None,
        }
    }

    #[test]
    fn defaults_are_no_setting_in_either_direction() {
        let up = row("bigint", 1, 1, 1, i64::MAX);
        assert_eq!(settings(&up, "bigint"), SequenceSettings::default());
        let down = row("bigint", -1, -1, i64::MIN, -1);
        assert_eq!(
            settings(&down, "bigint"),
            SequenceSettings {
                increment: Some(-1),
                ..SequenceSettings::default()
            }
        );
        let int = row("integer", 1, 1, 1, i32::MAX.into());
        assert_eq!(settings(&int, "integer"), SequenceSettings::default());
        assert_eq!(
            settings(&int, "bigint").data_type.as_deref(),
            Some("integer")
        );
    }

    #[test]
    fn what_differs_is_kept() {
        // START 100: MINVALUE stays 1, so the start is its own setting.
        let s = settings(&row("bigint", 100, 5, 1, 1000), "bigint");
        assert_eq!(
            s,
            SequenceSettings {
                increment: Some(5),
                max_value: Some(1000),
                start: Some(100),
                ..SequenceSettings::default()
            }
        );
        // MINVALUE 10 moves the default start with it.
        let s = settings(&row("bigint", 10, 1, 10, i64::MAX), "bigint");
        assert_eq!((s.min_value, s.start), (Some(10), None));
    }
}
