//! The permission index: every effective permission of a tenant's users, in memory, answering a
//! check without the database (SPEC section 5). Built from a [`Snapshot`]; [`cache`] keeps one
//! per tenant and rebuilds it when the tenant's epochs move.
//!
//! Two parts, each rebuilt on its own: the [`global`] part (users, global roles, user groups:
//! bitsets over the catalogue's cells, implications applied) and the [`tree`] part (the
//! device-group tree and inventory roles: 12-bit masks, [`crate::model::inventory_access`]). A
//! write to the tree part (adding a device group, assigning an inventory role) moves only
//! `tree_epoch`, and the rebuild keeps the global part, most of a tenant. Devices are not in the
//! index: a device's access is its group's, so a check about a device reads its group first
//! ([`crate::server::db::inventory_assignments::device`]) and adding a device rebuilds nothing.

pub mod cache;
pub mod cells;
mod global;
mod id_map;
mod tree;

use std::sync::Arc;

use crate::model::{
    catalogue::{Catalogue, Grants},
    inventory::InventoryPermission,
    inventory_access::{bit, Want},
    DeviceGroupId, UserId,
};

/// A tenant's global rows, as the database holds them (ids are the database's).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Active users (a disabled user holds nothing).
    pub users: Vec<i64>,
    /// (role, permission type, level) as ticked.
    pub role_grants: Vec<(i64, String, String)>,
    /// (user, role, space); space 0 is tenant-wide.
    pub user_roles: Vec<(i64, i64, i64)>,
    /// (user group, role, space).
    pub group_roles: Vec<(i64, i64, i64)>,
    /// (user group, user).
    pub members: Vec<(i64, i64)>,
    pub tree: TreeRows,
}

/// A tenant's device-group tree and inventory roles.
#[derive(Debug, Clone, Default)]
pub struct TreeRows {
    /// (device group, parent); parent 0 is the top.
    pub device_groups: Vec<(i64, i64)>,
    /// (inventory role, row).
    pub inventory_rows: Vec<(i64, InventoryPermission)>,
    /// (user, inventory role, device group), of active users only.
    pub user_inventory: Vec<(i64, i64, i64)>,
}

/// What a guarded write changed, as the global part needs it: every user the write may have
/// changed, with what they now hold, and the grants (as ticked) of every role the write may have
/// changed (empty for a role it deleted); every other role is as the index has it.
#[derive(Debug, Clone, Default)]
pub struct GlobalPatch {
    pub users: Vec<UserRoles>,
    /// Every global role the users hold, with its space (0: tenant-wide), each user's a range
    /// of it (one vector, not one per user: a role save names tens of thousands of users).
    pub held: Vec<(i64, i64)>,
    pub roles: std::collections::HashMap<i64, Grants>,
}

/// One user as a write left them: whether active, and where in [`GlobalPatch::held`] every
/// global role they hold, directly or through a group, is.
#[derive(Debug, Clone)]
pub struct UserRoles {
    pub id: i64,
    pub active: bool,
    pub held: std::ops::Range<usize>,
}

/// The whole tree part as a guarded write left it: the (group, parent) edges, each inventory
/// role's bits, and the (user, inventory role, group) holdings of active users.
#[derive(Debug, Clone, Default)]
pub struct TreeParts {
    pub device_groups: Vec<(i64, i64)>,
    pub roles: std::collections::HashMap<i64, tree::RoleInventory>,
    pub user_inventory: Vec<(i64, i64, i64)>,
}

/// What an index was built from: `perm` for the global part, `tree` for the tree part (each a
/// tenant counter bumped by triggers, migrations 0006 and 0009). Ordered, so "newer" is `>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Epoch {
    pub perm: i64,
    pub tree: i64,
}

impl Epoch {
    /// Whether an index built at `self` holds everything written up to `other`.
    pub fn covers(self, other: Epoch) -> bool {
        self.perm >= other.perm && self.tree >= other.tree
    }
}

#[derive(Debug, Default)]
pub struct PermissionIndex {
    pub epoch: Epoch,
    global: Arc<global::Global>,
    tree: Arc<tree::Tree>,
}

impl PermissionIndex {
    pub fn build(catalogue: &Catalogue, snapshot: &Snapshot, epoch: Epoch) -> PermissionIndex {
        let global = global::Global::build(catalogue, snapshot);
        PermissionIndex {
            epoch,
            global: Arc::new(global),
            tree: Arc::new(tree::Tree::build(&snapshot.tree)),
        }
    }

    /// This index with a new tree part: what a write to the tree or to inventory roles costs. The
    /// caller makes sure the global part is still current (`epoch.perm` unchanged).
    pub fn with_tree(&self, rows: &TreeRows, epoch: Epoch) -> PermissionIndex {
        PermissionIndex {
            epoch,
            global: self.global.clone(),
            tree: Arc::new(tree::Tree::build(rows)),
        }
    }

    /// This index after a guarded write, without reading the tenant: the users the write reached
    /// computed again, and the tree part made again from `tree` when the write changed it. The
    /// caller makes sure this index was exactly the tenant before the write (its epoch is the
    /// one the write began at, read under the tenant's write lock).
    pub fn patched(
        &self,
        catalogue: &Catalogue,
        global: &GlobalPatch,
        tree: Option<&TreeParts>,
        epoch: Epoch,
    ) -> PermissionIndex {
        let global = if global.users.is_empty() && global.roles.is_empty() {
            self.global.clone()
        } else {
            Arc::new(self.global.patched(catalogue, global))
        };
        let tree = match tree {
            Some(parts) => Arc::new(tree::Tree::assemble(
                &parts.device_groups,
                &parts.roles,
                &parts.user_inventory,
            )),
            None => self.tree.clone(),
        };
        PermissionIndex {
            epoch,
            global,
            tree,
        }
    }

    /// Whether this index shares its global part with `other` (it was rebuilt from the tree only).
    pub fn shares_global_part_with(&self, other: &PermissionIndex) -> bool {
        Arc::ptr_eq(&self.global, &other.global)
    }

    /// SPEC rules 1 and 2: whether `user` may `want` on `category` data of `fragment_type` (`*`
    /// for every type) in `group` (for a device: its group), through a tenant-wide global role or
    /// an inventory role on the group or an ancestor. `category` indexes
    /// [`crate::model::inventory_access::CHECKED`].
    pub fn allows(
        &self,
        user: UserId,
        group: DeviceGroupId,
        category: usize,
        fragment_type: &str,
        want: Want,
    ) -> bool {
        let wanted = bit(category, want);
        let global = self
            .global
            .users
            .get(user.0)
            .map(|u| self.global.global_inventory[u as usize]);
        global.is_some_and(|bits| bits & wanted != 0)
            || self.tree.allows(user, group, wanted, fragment_type)
    }

    /// Whether `user` holds a global cell (in any space).
    pub fn holds(&self, user: UserId, type_name: &str, level: &str) -> bool {
        self.global.holds(user, type_name, level)
    }

    /// Every global cell `user` holds in any space, implications applied.
    pub fn grants_of(&self, user: UserId) -> Grants {
        self.global.cells_in(&self.global.anywhere, user)
    }

    /// Every global cell `user` holds tenant-wide, implications applied: their console-wide
    /// authority (a space-bound role counts only in its space, SPEC rule 1).
    pub fn tenant_wide_grants_of(&self, user: UserId) -> Grants {
        self.global.cells_in(&self.global.tenant_wide, user)
    }
}

#[cfg(test)]
impl PermissionIndex {
    /// The first question about `users` and `groups` this index answers differently from
    /// `other` (every global cell in any space and tenant-wide; every checked category, want and
    /// fragment type either index knows on every group), for tests of a patched index.
    pub fn first_difference(
        &self,
        other: &PermissionIndex,
        users: &[i64],
        groups: &[i64],
    ) -> Option<String> {
        use crate::model::inventory_access::CHECKED;
        let mut types: Vec<String> = self.tree.type_names();
        types.extend(other.tree.type_names());
        types.push(crate::model::inventory::ANY_TYPE.to_string());
        types.sort();
        types.dedup();
        for &u in users {
            let user = UserId(u);
            if self.grants_of(user) != other.grants_of(user) {
                return Some(format!("user {u}: cells in any space"));
            }
            if self.tenant_wide_grants_of(user) != other.tenant_wide_grants_of(user) {
                return Some(format!("user {u}: tenant-wide cells"));
            }
            for &g in groups.iter().chain([&-1]) {
                for (category, name) in CHECKED.iter().enumerate() {
                    for want in Want::BOTH {
                        for t in &types {
                            let group = DeviceGroupId(g);
                            if self.allows(user, group, category, t, want)
                                != other.allows(user, group, category, t, want)
                            {
                                return Some(format!("user {u}, group {g}, {name} {t} {want:?}"));
                            }
                        }
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
