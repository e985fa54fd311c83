//! What an inventory permission is worth as bits, shared by the permission index, the naive
//! checks and the no-escalation rule: six categories × {Read, Change}; `All` is both bits and
//! `Full access` is every category (SPEC section 2). A global permission of the same category
//! grants on every device (SPEC rule 2): READ gives Read, UPDATE or ADMIN gives Change.

use serde::{Deserialize, Serialize};

use super::{
    catalogue::{holds, Grants},
    inventory::{InventoryPermission, ANY_TYPE, CATEGORIES, FULL_ACCESS},
    InventoryLevel,
};

/// The categories a check asks about (every one but `Full access`, which is a shorthand).
pub const CHECKED: [&str; 6] = [
    CATEGORIES[0],
    CATEGORIES[1],
    CATEGORIES[2],
    CATEGORIES[3],
    CATEGORIES[4],
    CATEGORIES[5],
];

/// What a check asks for: reading or changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Want {
    Read,
    Change,
}

impl Want {
    pub const BOTH: [Want; 2] = [Want::Read, Want::Change];

    pub fn label(self) -> &'static str {
        match self {
            Want::Read => "Read",
            Want::Change => "Change",
        }
    }

    /// The global level that grants this on every device.
    pub fn global_level(self) -> &'static str {
        match self {
            Want::Read => "READ",
            Want::Change => "ADMIN",
        }
    }
}

pub fn category_index(category: &str) -> Option<usize> {
    CHECKED.iter().position(|c| *c == category)
}

/// The bit of one category at one level.
pub fn bit(category: usize, want: Want) -> u16 {
    1 << (category * 2 + usize::from(want == Want::Change))
}

const ALL_READ: u16 = 0b0101_0101_0101;
const ALL_CHANGE: u16 = ALL_READ << 1;

/// The bits one row grants (on the types it names).
pub fn row_bits(row: &InventoryPermission) -> u16 {
    let levels = match row.level {
        InventoryLevel::Read => ALL_READ,
        InventoryLevel::Change => ALL_CHANGE,
        InventoryLevel::All => ALL_READ | ALL_CHANGE,
    };
    if row.category == FULL_ACCESS {
        return levels;
    }
    match category_index(&row.category) {
        Some(c) => levels & (0b11 << (c * 2)),
        None => 0,
    }
}

/// Whether a row's fragment type answers a question about `fragment_type` (`*` asks about every
/// type, which only a `*` row answers).
pub fn type_matches(row_type: &str, fragment_type: &str) -> bool {
    row_type == ANY_TYPE || row_type == fragment_type
}

/// The bits that global permissions (implications applied) grant on every device.
pub fn global_bits(effective: &Grants) -> u16 {
    let mut bits = 0;
    for (c, category) in CHECKED.iter().enumerate() {
        if holds(effective, category, "READ") {
            bits |= bit(c, Want::Read);
        }
        if holds(effective, category, "UPDATE") || holds(effective, category, "ADMIN") {
            bits |= bit(c, Want::Change);
        }
    }
    bits
}

/// SPEC rule 4 for inventory roles that apply anywhere (editing a role others may hold): the
/// global permission the actor lacks to hand out `row` on every device, or None.
pub fn missing_globally(effective: &Grants, row: &InventoryPermission) -> Option<String> {
    let lacking = row_bits(row) & !global_bits(effective);
    (0..CHECKED.len())
        .flat_map(|c| Want::BOTH.map(|w| (c, w)))
        .find(|(c, w)| lacking & bit(*c, *w) != 0)
        .map(|(c, w)| format!("{} {}", CHECKED[c], w.global_level()))
}

/// One line of a Check access report: a category at one level on one device or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLine {
    pub category: String,
    pub want: Want,
    pub allowed: bool,
    /// Every path that grants it, e.g. "Global role admins (Alarms ADMIN)".
    pub granted_by: Vec<String>,
    /// Paths that would grant it but count for nothing, and why.
    pub overridden: Vec<String>,
    /// When denied: what would grant it.
    pub would_grant: Option<String>,
}

/// Check access: what a user may do on a device or group, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessReport {
    pub username: String,
    /// The target's path from the top, e.g. "Region North / Plant 1 / pump-17".
    pub target: String,
    pub fragment_type: String,
    pub lines: Vec<AccessLine>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(cells: &[(&str, &str)]) -> Grants {
        let mut g = Grants::new();
        for (t, l) in cells {
            g.entry((*t).into()).or_default().insert((*l).into());
        }
        g
    }

    #[test]
    fn full_access_and_all_expand_to_every_bit_they_stand_for() {
        let full_read = InventoryPermission::new(FULL_ACCESS, "*", InventoryLevel::Read);
        assert_eq!(row_bits(&full_read), ALL_READ);
        let alarms_all = InventoryPermission::new("Alarms", "*", InventoryLevel::All);
        assert_eq!(
            row_bits(&alarms_all),
            bit(0, Want::Read) | bit(0, Want::Change)
        );
        let control_change =
            InventoryPermission::new("Device control", "x", InventoryLevel::Change);
        assert_eq!(row_bits(&control_change), bit(5, Want::Change));
    }

    #[test]
    fn global_read_gives_read_and_update_or_admin_give_change() {
        let g = grants(&[
            ("Alarms", "READ"),
            ("Events", "ADMIN"),
            ("Inventory", "UPDATE"),
        ]);
        let bits = global_bits(&g);
        assert_ne!(bits & bit(0, Want::Read), 0);
        assert_eq!(bits & bit(0, Want::Change), 0);
        assert_ne!(bits & bit(2, Want::Change), 0);
        assert_eq!(
            bits & bit(2, Want::Read),
            0,
            "implications are applied by the caller"
        );
        assert_ne!(bits & bit(3, Want::Change), 0);
    }

    #[test]
    fn the_missing_global_permission_is_named() {
        let g = grants(&[("Alarms", "READ")]);
        let read = InventoryPermission::new("Alarms", "*", InventoryLevel::Read);
        assert_eq!(missing_globally(&g, &read), None);
        let all = InventoryPermission::new("Alarms", "*", InventoryLevel::All);
        assert_eq!(missing_globally(&g, &all).as_deref(), Some("Alarms ADMIN"));
        let full = InventoryPermission::new(FULL_ACCESS, "*", InventoryLevel::Read);
        assert_eq!(missing_globally(&g, &full).as_deref(), Some("Audits READ"));
    }

    #[test]
    fn a_star_question_is_answered_only_by_a_star_row() {
        assert!(type_matches("*", "c8y_Restart"));
        assert!(type_matches("c8y_Restart", "c8y_Restart"));
        assert!(!type_matches("c8y_Restart", "*"));
    }
}
