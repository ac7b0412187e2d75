//! Virtual tables compared: added, dropped, or replaced (same name, new
//! definition). A virtual table is compared by its normalized text only
//! (see [`crate::sqlite::virtual_table`]), so any change is a replacement.

use super::Change;
use crate::sqlite::virtual_table::SqliteObjects;

/// Virtual tables added, dropped, or replaced (same name, new definition).
pub(super) fn diff(from: &SqliteObjects, to: &SqliteObjects) -> Vec<Change> {
    let mut out = Vec::new();
    for old in &from.virtual_tables {
        match to.get(&old.name) {
            None => out.push(Change::DropVirtualTable(old.clone())),
            Some(new) if new.definition() != old.definition() => {
                out.push(Change::ReplaceVirtualTable {
                    from: old.clone(),
                    to: new.clone(),
                })
            }
            Some(_) => {}
        }
    }
    for new in &to.virtual_tables {
        if from.get(&new.name).is_none() {
            out.push(Change::AddVirtualTable(new.clone()));
        }
    }
    out
}
