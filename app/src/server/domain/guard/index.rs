//! What a guarded write hands the permission index: the state after the write, in the index's
//! terms, so that the next request finds the index current instead of reading the whole tenant
//! again (at 100,000 users that read and rebuild took about a second after every write).

use std::collections::HashMap;

use super::{
    effect::Ascending,
    state::{Holding, TenantState},
    Effect, Reach,
};
use crate::server::index::{GlobalPatch, TreeParts, UserRoles};

/// The roles `reach` names, and every user whose cells in the index may differ, with every
/// global role they now hold: those the write reloaded (their status or holdings may differ) and
/// those whose cells changed at some scope by `effect`. A user of neither holds what they held,
/// and their roles give the same cells at every scope, so their bits in the index (the union
/// over scopes, the tenant-wide cells and the inventory bits those give) stay. A role save on a
/// role held by 50,000 changes the cells of fewer of them than that.
pub fn global_patch(after: &TenantState, reach: &Reach, effect: &Effect) -> GlobalPatch {
    let mut patch = GlobalPatch::default();
    for role in &reach.roles {
        let grants = after.roles.get(role).map(|r| r.grants.clone());
        patch.roles.insert(*role, grants.unwrap_or_default());
    }
    let mut users = effect.users_with_new_cells();
    users.extend(reach.reloaded.iter().copied());
    let (mut states, mut holdings) = (
        Ascending::new(&after.users, users.len()),
        Ascending::new(&after.holdings, users.len()),
    );
    for user in users {
        let roles: Vec<(i64, i64)> = holdings
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|h| match h {
                Holding::Global { role, space } => Some((*role, *space)),
                Holding::Inventory { .. } => None,
            })
            .collect();
        patch.users.push(UserRoles {
            id: user,
            active: states.get(user).is_some_and(|u| u.active),
            roles,
        });
    }
    patch
}

/// The whole tree part, when the write changed it: the tree, an inventory role, an inventory
/// holding, or whether a user who holds inventory roles is active.
pub fn tree_parts(
    before: &TenantState,
    after: &TenantState,
    reach: &Reach,
    tree_moved: bool,
) -> Option<TreeParts> {
    // Only a reloaded user's status can differ.
    let status_changed = reach
        .reloaded
        .iter()
        .any(|u| before.is_active(*u) != after.is_active(*u));
    if !tree_moved && !status_changed {
        return None;
    }
    let roles: HashMap<i64, _> = after
        .inventory_roles
        .iter()
        .map(|(id, (_, bits))| (*id, (bits.wild, bits.typed.clone())))
        .collect();
    let mut user_inventory = Vec::new();
    for (user, held) in &after.holdings {
        if !after.is_active(*user) {
            continue;
        }
        for h in held {
            if let Holding::Inventory { role, group } = h {
                user_inventory.push((*user, *role, *group));
            }
        }
    }
    Some(TreeParts {
        device_groups: after
            .device_groups
            .iter()
            .map(|(id, (parent, _))| (*id, *parent))
            .collect(),
        roles,
        user_inventory,
    })
}
