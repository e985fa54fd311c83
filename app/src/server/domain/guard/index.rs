//! What a guarded write hands the permission index: the state after the write, in the index's
//! terms, so that the next request finds the index current instead of reading the whole tenant
//! again (at 100,000 users that read and rebuild took about a second after every write).

use std::collections::HashMap;

#[cfg(doc)]
use super::Effect;
use super::{
    state::{Holding, TenantState},
    Reach,
};
use crate::server::index::{GlobalPatch, TreeParts};

/// What the global part of the index needs: the users [`Effect::between`] gathered (whose
/// cells may differ, with what they now hold) and the grants of every role `reach` names.
pub fn global_patch(after: &TenantState, reach: &Reach, users: GlobalPatch) -> GlobalPatch {
    let mut patch = users;
    for role in &reach.roles {
        let grants = after.roles.get(role).map(|r| r.grants.clone());
        patch.roles.insert(*role, grants.unwrap_or_default());
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
