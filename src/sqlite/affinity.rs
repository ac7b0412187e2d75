//! SQLite's type affinity (section 3.1 of its datatype documentation): how
//! a declared type stores values, and which type changes keep them. Used to
//! judge a narrowing type change and a likely rename that also retypes.

/// SQLite's column affinity for a declared type (section 3.1 of the
/// datatype documentation), used to judge whether a type change narrows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

pub fn affinity(decl_type: &str) -> Affinity {
    let t = decl_type.to_ascii_uppercase();
    if t.contains("INT") {
        Affinity::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Affinity::Text
    } else if t.contains("BLOB") || t.is_empty() {
        Affinity::Blob
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// True when a column of type `to` keeps the values a column of type `from`
/// holds, as SQLite stores them: the same affinity (`VARCHAR(30)` and
/// `VARCHAR(60)`, `INT` and `BIGINT`), a column without affinity, or a number
/// becoming a wider kind of number. Used to suggest a rename that also
/// retypes; a declared length never decides it (SQLite does not enforce it).
pub(crate) fn keeps_values(from: &str, to: &str) -> bool {
    use Affinity::*;
    match (affinity(from), affinity(to)) {
        (a, b) if a == b => true,
        (_, Blob) | (Integer, Real | Numeric) | (Real, Numeric) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_follows_sqlite_rules() {
        assert_eq!(affinity("VARCHAR(30)"), Affinity::Text);
        assert_eq!(affinity("BIGINT"), Affinity::Integer);
        assert_eq!(affinity(""), Affinity::Blob);
        assert_eq!(affinity("DOUBLE PRECISION"), Affinity::Real);
        assert_eq!(affinity("DECIMAL(10,2)"), Affinity::Numeric);
    }

    #[test]
    fn values_are_kept_by_the_same_or_a_wider_affinity() {
        assert!(keeps_values("VARCHAR(30)", "VARCHAR(60)"));
        assert!(keeps_values("VARCHAR(60)", "TEXT"));
        assert!(keeps_values("INT", "BIGINT"));
        assert!(keeps_values("INTEGER", "REAL"));
        assert!(keeps_values("TEXT", "BLOB"));
        assert!(!keeps_values("TEXT", "INTEGER"));
        assert!(!keeps_values("REAL", "INTEGER"));
    }
}
