//! A sequence's settings as PostgreSQL DDL: the options of `CREATE
//! SEQUENCE` (and of an identity column) and the `ALTER SEQUENCE` options
//! that move one set of settings to another. Apart from [`super::ddl`]
//! because it is its own small grammar, shared by sequences and identities.

use crate::schema::SequenceSettings;

/// A sequence's settings as `CREATE SEQUENCE` options, each after a
/// space; empty when all are the defaults.
pub(crate) fn sequence_settings(settings: &SequenceSettings) -> String {
    let mut s = String::new();
    if let Some(t) = &settings.data_type {
        s.push_str(&format!(" AS {t}"));
    }
    let numbers = [
        ("INCREMENT BY", settings.increment),
        ("MINVALUE", settings.min_value),
        ("MAXVALUE", settings.max_value),
        ("START WITH", settings.start),
        ("CACHE", settings.cache),
    ];
    for (word, value) in numbers {
        if let Some(n) = value {
            s.push_str(&format!(" {word} {n}"));
        }
    }
    if settings.cycle {
        s.push_str(" CYCLE");
    }
    s
}

/// The `ALTER SEQUENCE` options that take a sequence from `old` to `new`
/// settings, one per changed setting (`NO MINVALUE` for one back to its
/// default). `with_type` says whether `AS type` may be among them (not
/// for an identity, whose type follows its column's).
pub(crate) fn sequence_changes(
    old: &SequenceSettings,
    new: &SequenceSettings,
    with_type: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if with_type && old.data_type != new.data_type {
        out.push(format!(
            "AS {}",
            new.data_type.as_deref().unwrap_or("bigint")
        ));
    }
    if old.increment != new.increment {
        out.push(format!("INCREMENT BY {}", new.increment.unwrap_or(1)));
    }
    let bound = |word: &str, value: Option<i64>| {
        value.map_or(format!("NO {word}"), |n| format!("{word} {n}"))
    };
    if old.min_value != new.min_value {
        out.push(bound("MINVALUE", new.min_value));
    }
    if old.max_value != new.max_value {
        out.push(bound("MAXVALUE", new.max_value));
    }
    // A start left to its default follows MINVALUE (MAXVALUE descending),
    // which PostgreSQL does not move on ALTER: it is said whenever it moves.
    if effective_start(old) != effective_start(new) {
        out.push(format!("START WITH {}", effective_start(new)));
    }
    if old.cache != new.cache {
        out.push(format!("CACHE {}", new.cache.unwrap_or(1)));
    }
    if old.cycle != new.cycle {
        out.push(if new.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
    }
    out
}

/// The start a sequence has: its own, or its MINVALUE ascending and its
/// MAXVALUE descending (`None` means the default of each).
fn effective_start(s: &SequenceSettings) -> i64 {
    s.start.unwrap_or(if s.increment.unwrap_or(1) > 0 {
        s.min_value.unwrap_or(1)
    } else {
        s.max_value.unwrap_or(-1)
    })
}
