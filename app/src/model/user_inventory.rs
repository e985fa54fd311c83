//! A user's inventory roles on the device-group tree (SPEC rule 2), as the user page shows them.

use serde::{Deserialize, Serialize};

use super::{DeviceGroupId, InventoryRoleId};

/// One inventory role assigned to the user on one device group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryAssignment {
    pub group: DeviceGroupId,
    pub group_name: String,
    pub role: InventoryRoleId,
    pub role_name: String,
}

/// The `Inventory roles` tab of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInventory {
    pub username: String,
    /// The version of the user's inventory roles, sent back with `Apply` (SPEC rule 11).
    pub version: i64,
    pub assignments: Vec<InventoryAssignment>,
    /// Tenant-wide global roles that already grant inventory permissions on every device, e.g.
    /// "admins (Alarms ADMIN, Audits ADMIN)": inventory roles add nothing there (SPEC rule 2).
    pub global_overrides: Vec<String>,
    /// Why the roles cannot be changed here (SSO, partner administrator), if so.
    pub locked: Option<String>,
}

/// An inventory role offered on one group: whether it is assigned there, and whether the actor
/// may grant it there (None) or what they lack (SPEC rule 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChoice {
    pub id: InventoryRoleId,
    pub name: String,
    pub description: String,
    pub assigned: bool,
    pub missing: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CopyMode {
    /// Add the other user's roles to this user's (the seed's default).
    #[default]
    Merge,
    /// This user ends with the other user's roles only.
    Replace,
}

/// What a copy did, and what it left out and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CopyOutcome {
    pub copied: Vec<String>,
    pub removed: Vec<String>,
    pub left_out: Vec<String>,
}

/// The pairs a copy adds and removes: Merge only adds; Replace also removes what `from` lacks.
pub fn copy_plan<T: Ord + Clone>(from: &[T], to: &[T], mode: CopyMode) -> (Vec<T>, Vec<T>) {
    let add = from.iter().filter(|p| !to.contains(p)).cloned().collect();
    let remove = match mode {
        CopyMode::Merge => Vec::new(),
        CopyMode::Replace => to.iter().filter(|p| !from.contains(p)).cloned().collect(),
    };
    (add, remove)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_what_is_missing_and_removes_nothing() {
        let (add, remove) = copy_plan(&[1, 2, 3], &[3, 4], CopyMode::Merge);
        assert_eq!(add, [1, 2]);
        assert!(remove.is_empty());
    }

    #[test]
    fn replace_also_removes_what_the_other_user_lacks() {
        let (add, remove) = copy_plan(&[1, 2, 3], &[3, 4], CopyMode::Replace);
        assert_eq!(add, [1, 2]);
        assert_eq!(remove, [4]);
        let (add, remove) = copy_plan::<i32>(&[], &[3], CopyMode::Replace);
        assert!(add.is_empty());
        assert_eq!(remove, [3], "replacing with nobody's roles clears them");
    }
}
