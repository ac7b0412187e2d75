//! The folded form every comparison uses (drift, `check`, autogenerate's
//! diff): names in the one spelling their name rule gives them, a dialect's
//! default options as none, columns in name order, and NOT NULL on SQLite's
//! rowid alias cleared. The rules about what does not count live here.

use super::normalize_expr;
use super::{Column, ColumnOptions, Index, IndexTarget, NameRule, OnConflict, Schema, Table};

impl Schema {
    /// True when the two schemas mean the same: names compared by their
    /// name rule. Schemas built under two rules cannot be compared: that is
    /// a mistake in the code that built them, not the user's.
    pub fn same_as(&self, other: &Schema) -> bool {
        assert_eq!(
            self.name_rule, other.name_rule,
            "two schemas of different name rules compared"
        );
        self.folded() == other.folded()
    }

    /// Every name folded by the schema's rule: the form [`Schema::same_as`] compares.
    pub fn folded(&self) -> Schema {
        let rule = self.name_rule;
        let mut s = self.clone();
        for t in &mut s.tables {
            *t = t.folded();
        }
        for v in &mut s.views {
            rule.fold(&mut v.name);
        }
        for t in &mut s.triggers {
            rule.fold(&mut t.name);
            rule.fold(&mut t.table);
        }
        s.sqlite.fold();
        s.sort();
        s
    }
}

fn fold_all(rule: NameRule, names: &mut [String]) {
    names.iter_mut().for_each(|n| rule.fold(n));
}

fn fold_opt(rule: NameRule, name: &mut Option<String>) {
    if let Some(n) = name {
        rule.fold(n);
    }
}

fn fold_column(rule: NameRule, c: &Column, rowid_alias: Option<&str>) -> Column {
    let mut c = c.clone();
    c.default = c.default.as_deref().map(normalize_expr);
    if rowid_alias.is_some_and(|alias| rule.same(alias, &c.name)) {
        c.not_null = false;
        if let ColumnOptions::Sqlite(s) = &mut c.options {
            s.not_null_on_conflict = OnConflict::Abort;
        }
    }
    c.options = c.options.folded();
    rule.fold(&mut c.name);
    c
}

impl Index {
    /// Names folded by `rule` (the table's), a default null order as none.
    pub fn folded(&self, rule: NameRule) -> Index {
        let mut i = self.clone();
        rule.fold(&mut i.name);
        i.options = i.options.folded();
        for p in &mut i.parts {
            if let IndexTarget::Column(c) = &mut p.target {
                rule.fold(c);
            }
            // Saying the default null order is not saying one.
            if p.nulls_first == Some(p.desc) {
                p.nulls_first = None;
            }
        }
        i
    }
}

impl Table {
    /// Names folded by the table's rule, a dialect's default options as
    /// none, columns in name order, NOT NULL on the rowid alias cleared:
    /// the form every comparison uses.
    pub fn folded(&self) -> Table {
        let rule = self.name_rule;
        let mut t = self.clone();
        rule.fold(&mut t.name);
        t.options = t.options.folded();
        let alias = self.rowid_alias();
        t.columns = self
            .columns
            .iter()
            .map(|c| fold_column(rule, c, alias.as_deref()))
            .collect();
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(pk) = &mut t.primary_key {
            fold_all(rule, &mut pk.columns);
            fold_opt(rule, &mut pk.name);
        }
        for fk in &mut t.foreign_keys {
            fold_all(rule, &mut fk.columns);
            fold_all(rule, &mut fk.ref_columns);
            rule.fold(&mut fk.ref_table);
            fold_opt(rule, &mut fk.name);
        }
        for u in &mut t.uniques {
            fold_all(rule, &mut u.columns);
            fold_opt(rule, &mut u.name);
        }
        for c in &mut t.checks {
            fold_opt(rule, &mut c.name);
        }
        t.indexes = t.indexes.iter().map(|i| i.folded(rule)).collect();
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        t.sort_keys();
        t
    }

    /// One column of this table as comparisons see it: name folded,
    /// default in canonical form, and NOT NULL cleared on the rowid alias
    /// (SQLite ignores it there: a NULL becomes the next rowid).
    pub fn folded_column(&self, c: &Column) -> Column {
        fold_column(self.name_rule, c, self.rowid_alias().as_deref())
    }
}
