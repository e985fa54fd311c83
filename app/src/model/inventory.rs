//! Inventory roles: permissions on device groups as (category, fragment type, level) rows.
//! Levels Read, Change, All (All implies Read and Change); category `Full access` covers every
//! category (SPEC section 2).

use serde::{Deserialize, Serialize};

use super::{InventoryLevel, InventoryRoleId};

pub const FULL_ACCESS: &str = "Full access";
pub const ANY_TYPE: &str = "*";
pub const CATEGORIES: [&str; 7] = [
    "Alarms",
    "Audits",
    "Events",
    "Inventory",
    "Measurements",
    "Device control",
    FULL_ACCESS,
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPermission {
    pub category: String,
    pub fragment_type: String,
    pub level: InventoryLevel,
}

impl InventoryPermission {
    pub fn new(category: &str, fragment_type: &str, level: InventoryLevel) -> Self {
        Self {
            category: category.into(),
            fragment_type: fragment_type.into(),
            level,
        }
    }

    fn label(&self) -> String {
        format!("{} {} {}", self.category, self.fragment_type, self.level)
    }
}

/// Whether row `higher` makes row `lower` redundant: `Full access` at a level that includes
/// the lower row's, or the same category on every type (`*`) with `All`.
fn covers(higher: &InventoryPermission, lower: &InventoryPermission) -> bool {
    let full_access = higher.category == FULL_ACCESS
        && higher.fragment_type == ANY_TYPE
        && higher.level.covers(lower.level);
    let whole_category = higher.category == lower.category
        && higher.fragment_type == ANY_TYPE
        && higher.level == InventoryLevel::All;
    full_access || whole_category
}

/// SPEC rule 3: for every row, why it is overridden by a row above it in the same role, or None.
pub fn overridden(rows: &[InventoryPermission]) -> Vec<Option<String>> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            rows[..i]
                .iter()
                .find(|higher| covers(higher, row))
                .map(|higher| {
                    if higher.category == FULL_ACCESS {
                        format!("Full access ({}) above already grants this.", higher.level)
                    } else {
                        format!("{} above already grants this.", higher.label())
                    }
                })
        })
        .collect()
}

/// Why a row is not acceptable, or None.
pub fn row_problem(row: &InventoryPermission) -> Option<String> {
    if !CATEGORIES.contains(&row.category.as_str()) {
        return Some(format!("Unknown category '{}'.", row.category));
    }
    if row.fragment_type.trim().is_empty() {
        return Some("Type is required: use * for every fragment type.".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(c: &str, t: &str, l: &str) -> InventoryPermission {
        let level = l.parse().unwrap_or_else(|e| panic!("{e}"));
        InventoryPermission::new(c, t, level)
    }

    #[test]
    fn full_access_above_overrides_what_its_level_includes() {
        let rows = [
            p("Full access", "*", "Read"),
            p("Alarms", "*", "Read"),
            p("Alarms", "*", "All"),
        ];
        let marks = overridden(&rows);
        assert_eq!(marks[0], None);
        assert_eq!(
            marks[1].as_deref(),
            Some("Full access (Read) above already grants this.")
        );
        assert_eq!(marks[2], None, "Read does not include All");
    }

    #[test]
    fn a_whole_category_with_all_overrides_narrower_rows_of_that_category_only() {
        let rows = [
            p("Device control", "*", "All"),
            p("Device control", "c8y_Restart", "Change"),
            p("Alarms", "c8y_Restart", "Read"),
        ];
        let marks = overridden(&rows);
        assert_eq!(
            marks[1].as_deref(),
            Some("Device control * All above already grants this.")
        );
        assert_eq!(marks[2], None);
    }

    #[test]
    fn only_rows_above_count_and_the_marker_goes_when_the_higher_row_goes() {
        let rows = [p("Alarms", "*", "Read"), p("Full access", "*", "All")];
        assert_eq!(
            overridden(&rows),
            [None, None],
            "a row below overrides nothing"
        );
        let rows = [p("Full access", "*", "All"), p("Alarms", "*", "Read")];
        assert!(overridden(&rows)[1].is_some());
        assert_eq!(overridden(&rows[1..]), [None]);
    }

    #[test]
    fn levels_and_categories_are_checked() {
        assert!(row_problem(&p("Alarms", "*", "Read")).is_none());
        assert!(row_problem(&p("Nope", "*", "Read")).is_some());
        assert!(row_problem(&p("Alarms", " ", "Read")).is_some());
    }
}

/// One row of an inventory role as the card and editor show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    pub permission: InventoryPermission,
    /// Why a row above makes this one redundant (SPEC rule 3).
    pub overridden: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRoleCard {
    pub id: InventoryRoleId,
    pub name: String,
    pub description: String,
    pub users: i64,
    pub version: i64,
    pub rows: Vec<InventoryRow>,
}

/// An inventory role as its editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRoleDetail {
    pub id: InventoryRoleId,
    pub name: String,
    pub description: String,
    pub users: i64,
    pub version: i64,
    pub rows: Vec<InventoryPermission>,
}

/// What a save sends: `id` None creates; `version` is the one the editor loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRoleInput {
    pub id: Option<InventoryRoleId>,
    pub name: String,
    pub description: String,
    pub rows: Vec<InventoryPermission>,
    pub version: i64,
}

/// The inventory role editor's data: the role (none for a new one) and whether the actor may
/// change it, with what they hold globally (rows beyond it cannot be added, SPEC rule 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEditorData {
    pub can_edit: bool,
    pub role: Option<InventoryRoleDetail>,
    pub actor: super::catalogue::Grants,
}

/// Whether two rows are the same permission (as the no-escalation rule compares them).
pub fn same_row(a: &InventoryPermission, b: &InventoryPermission) -> bool {
    a.category == b.category
        && a.fragment_type.trim() == b.fragment_type.trim()
        && a.level == b.level
}
