//! The permission index: every effective permission of a tenant's users, in memory, answering a
//! check without the database (SPEC section 5). Built from a [`Snapshot`]; [`cache`] keeps one
//! per tenant and rebuilds it when the tenant's permission epoch moves.
//!
//! Global permissions are bitsets over the catalogue's cells (implications applied). Inventory
//! permissions are 12-bit masks ([`crate::model::inventory_access`]); the device-group tree is
//! numbered depth-first so that "is this node at or below that group" is two comparisons, and a
//! user's inventory assignments are a short slice scanned once per check.

pub mod cache;
mod id_map;

use std::collections::{BTreeMap, HashMap};

use id_map::IdMap;

use crate::model::{
    catalogue::{Catalogue, Grants},
    inventory::{InventoryPermission, ANY_TYPE},
    inventory_access::{bit, global_bits, row_bits, Want},
    DeviceGroupId, DeviceId, UserId,
};

/// A tenant's rows, as the database holds them (ids are the database's).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub users: Vec<i64>,
    /// (role, permission type, level) as ticked.
    pub role_grants: Vec<(i64, String, String)>,
    /// (user, role, space); space 0 is tenant-wide.
    pub user_roles: Vec<(i64, i64, i64)>,
    /// (user group, role, space).
    pub group_roles: Vec<(i64, i64, i64)>,
    /// (user group, user).
    pub members: Vec<(i64, i64)>,
    /// (device group, parent); parent 0 is the top.
    pub device_groups: Vec<(i64, i64)>,
    /// (device, device group).
    pub devices: Vec<(i64, i64)>,
    /// (inventory role, row).
    pub inventory_rows: Vec<(i64, InventoryPermission)>,
    /// (user, inventory role, device group).
    pub user_inventory: Vec<(i64, i64, i64)>,
}

/// What a check is about: a device group or a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Group(DeviceGroupId),
    Device(DeviceId),
}

/// Inventory bits on every type (`*`), and per interned fragment type.
type Merged = (u16, BTreeMap<u32, u16>);

/// The inventory bits of the user's tenant-wide global roles (they apply on every device), and
/// where the user's entries are.
#[derive(Debug, Clone, Copy, Default)]
struct UserSlot {
    global_inventory: u16,
    start: u32,
    end: u32,
}

/// One user's inventory roles on one group, merged.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tin: u32,
    tout: u32,
    wild: u16,
    typed_start: u32,
    typed_len: u32,
}

#[derive(Debug, Default)]
pub struct PermissionIndex {
    pub epoch: i64,
    cells: Vec<(String, String)>,
    cell_ids: HashMap<String, HashMap<String, usize>>,
    words: usize,
    users: IdMap,
    /// Per user, `words` words: every global role, whatever its space (what the user holds).
    anywhere: Vec<u64>,
    /// Per user, `words` words: tenant-wide roles only (the user's authority, SPEC rule 1).
    tenant_wide: Vec<u64>,
    /// Per user: what a check needs first, in one place.
    slots: Vec<UserSlot>,
    groups: IdMap,
    tin: Vec<u32>,
    tout: Vec<u32>,
    /// Device → the depth-first number of its group.
    devices: IdMap,
    entries: Vec<Entry>,
    typed: Vec<(u32, u16)>,
    types: HashMap<String, u32>,
}

fn group_by<K: std::hash::Hash + Eq, V>(pairs: impl Iterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

impl PermissionIndex {
    pub fn build(catalogue: &Catalogue, snapshot: &Snapshot, epoch: i64) -> PermissionIndex {
        let mut index = PermissionIndex {
            epoch,
            ..PermissionIndex::default()
        };
        for module in &catalogue.modules {
            for permission in &module.permissions {
                for level in &permission.levels {
                    let id = index.cells.len();
                    index.cells.push((permission.name.clone(), level.clone()));
                    index
                        .cell_ids
                        .entry(permission.name.clone())
                        .or_default()
                        .insert(level.clone(), id);
                }
            }
        }
        index.words = index.cells.len().div_ceil(64).max(1);
        index.build_global(catalogue, snapshot);
        index.build_tree(snapshot);
        index.build_inventory(snapshot);
        index
    }

    fn build_global(&mut self, catalogue: &Catalogue, s: &Snapshot) {
        let words = self.words;
        let mut ticked: HashMap<i64, Grants> = HashMap::new();
        for (role, t, l) in &s.role_grants {
            ticked
                .entry(*role)
                .or_default()
                .entry(t.clone())
                .or_default()
                .insert(l.clone());
        }
        // Per role: its cells as bits, and the inventory bits it grants on every device.
        let roles: HashMap<i64, (Vec<u64>, u16)> = ticked
            .into_iter()
            .map(|(role, grants)| {
                let effective = catalogue.effective(&grants);
                let mut bits = vec![0u64; words];
                for (t, levels) in &effective {
                    for l in levels {
                        if let Some(&id) = self.cell_ids.get(t).and_then(|m| m.get(l)) {
                            bits[id / 64] |= 1 << (id % 64);
                        }
                    }
                }
                (role, (bits, global_bits(&effective)))
            })
            .collect();
        let ids: Vec<(i64, u32)> = s
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (*u, i as u32))
            .collect();
        self.users = IdMap::new(&ids);
        self.anywhere = vec![0; s.users.len() * words];
        self.tenant_wide = vec![0; s.users.len() * words];
        self.slots = vec![UserSlot::default(); s.users.len()];
        let group_roles = group_by(s.group_roles.iter().map(|(g, r, sp)| (*g, (*r, *sp))));
        let via_groups = s.members.iter().flat_map(|(g, u)| {
            group_roles
                .get(g)
                .into_iter()
                .flatten()
                .map(move |(r, sp)| (*u, *r, *sp))
        });
        for (user, role, space) in s.user_roles.iter().copied().chain(via_groups) {
            let (Some(u), Some((bits, inventory))) = (self.users.get(user), roles.get(&role))
            else {
                continue;
            };
            let u = u as usize;
            for (w, b) in bits.iter().enumerate() {
                self.anywhere[u * words + w] |= b;
            }
            if space == 0 {
                self.slots[u].global_inventory |= inventory;
                for (w, b) in bits.iter().enumerate() {
                    self.tenant_wide[u * words + w] |= b;
                }
            }
        }
    }

    fn build_tree(&mut self, s: &Snapshot) {
        let ids: Vec<(i64, u32)> = s
            .device_groups
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i as u32))
            .collect();
        self.groups = IdMap::new(&ids);
        let n = s.device_groups.len();
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, (_, parent)) in s.device_groups.iter().enumerate() {
            match self.groups.get(*parent) {
                Some(p) => children[p as usize].push(i as u32),
                None => roots.push(i as u32),
            }
        }
        self.tin = vec![u32::MAX; n];
        self.tout = vec![0; n];
        let mut clock = 0u32;
        // Groups unreachable from a root (a cycle, which the domain prevents) become roots.
        let starts: Vec<u32> = roots.into_iter().chain(0..n as u32).collect();
        let mut stack: Vec<(u32, bool)> = Vec::new();
        for start in starts {
            if self.tin[start as usize] != u32::MAX {
                continue;
            }
            stack.push((start, false));
            while let Some((node, done)) = stack.pop() {
                let i = node as usize;
                if done {
                    self.tout[i] = clock;
                    continue;
                }
                if self.tin[i] != u32::MAX {
                    continue;
                }
                self.tin[i] = clock;
                clock += 1;
                stack.push((node, true));
                stack.extend(children[i].iter().map(|c| (*c, false)));
            }
        }
        let devices: Vec<(i64, u32)> = s
            .devices
            .iter()
            .filter_map(|(device, group)| {
                Some((*device, self.tin[self.groups.get(*group)? as usize]))
            })
            .collect();
        self.devices = IdMap::new(&devices);
    }

    fn build_inventory(&mut self, s: &Snapshot) {
        let mut role_rows: HashMap<i64, Merged> = HashMap::new();
        for (role, row) in &s.inventory_rows {
            let (wild, typed) = role_rows.entry(*role).or_default();
            if row.fragment_type == ANY_TYPE {
                *wild |= row_bits(row);
            } else {
                let next = self.types.len() as u32;
                let t = *self.types.entry(row.fragment_type.clone()).or_insert(next);
                *typed.entry(t).or_default() |= row_bits(row);
            }
        }
        let mut per_user: Vec<BTreeMap<u32, Merged>> = vec![BTreeMap::new(); s.users.len()];
        for (user, role, group) in &s.user_inventory {
            let (Some(u), Some(g), Some((wild, typed))) = (
                self.users.get(*user),
                self.groups.get(*group),
                role_rows.get(role),
            ) else {
                continue;
            };
            let entry = per_user[u as usize].entry(g).or_default();
            entry.0 |= wild;
            for (t, bits) in typed {
                *entry.1.entry(*t).or_default() |= bits;
            }
        }
        for (u, groups) in per_user.into_iter().enumerate() {
            self.slots[u].start = self.entries.len() as u32;
            for (g, (wild, typed)) in groups {
                let typed_start = self.typed.len() as u32;
                self.typed.extend(typed);
                self.entries.push(Entry {
                    tin: self.tin[g as usize],
                    tout: self.tout[g as usize],
                    wild,
                    typed_start,
                    typed_len: self.typed.len() as u32 - typed_start,
                });
            }
            self.slots[u].end = self.entries.len() as u32;
        }
    }

    /// SPEC rules 1 and 2: whether `user` may `want` on `category` data of `fragment_type` (`*`
    /// for every type) on `target`, through a tenant-wide global role or an inventory role on the
    /// target's group or an ancestor. `category` indexes [`crate::model::inventory_access::CHECKED`].
    pub fn allows(
        &self,
        user: UserId,
        target: Target,
        category: usize,
        fragment_type: &str,
        want: Want,
    ) -> bool {
        let Some(u) = self.users.get(user.0) else {
            return false;
        };
        let slot = self.slots[u as usize];
        let wanted = bit(category, want);
        if slot.global_inventory & wanted != 0 {
            return true;
        }
        let at = match target {
            Target::Group(g) => self.groups.get(g.0).map(|g| self.tin[g as usize]),
            Target::Device(d) => self.devices.get(d.0),
        };
        let Some(at) = at else {
            return false;
        };
        // The fragment type is looked up only when a covering entry has typed rows.
        let mut type_id: Option<Option<u32>> = None;
        self.entries[slot.start as usize..slot.end as usize]
            .iter()
            .any(|e| {
                if !(e.tin <= at && at < e.tout) {
                    return false;
                }
                if e.wild & wanted != 0 {
                    return true;
                }
                if e.typed_len == 0 || fragment_type == ANY_TYPE {
                    return false;
                }
                let Some(t) =
                    *type_id.get_or_insert_with(|| self.types.get(fragment_type).copied())
                else {
                    return false;
                };
                let start = e.typed_start as usize;
                self.typed[start..start + e.typed_len as usize]
                    .iter()
                    .any(|(id, bits)| *id == t && bits & wanted != 0)
            })
    }

    /// Whether `user` holds a global cell (in any space).
    pub fn holds(&self, user: UserId, type_name: &str, level: &str) -> bool {
        let (Some(u), Some(&id)) = (
            self.users.get(user.0),
            self.cell_ids.get(type_name).and_then(|m| m.get(level)),
        ) else {
            return false;
        };
        self.anywhere[u as usize * self.words + id / 64] & (1 << (id % 64)) != 0
    }

    /// Every global cell `user` holds in any space, implications applied.
    pub fn grants_of(&self, user: UserId) -> Grants {
        self.cells_in(&self.anywhere, user)
    }

    /// Every global cell `user` holds tenant-wide, implications applied: their console-wide
    /// authority (a space-bound role counts only in its space, SPEC rule 1).
    pub fn tenant_wide_grants_of(&self, user: UserId) -> Grants {
        self.cells_in(&self.tenant_wide, user)
    }

    fn cells_in(&self, words: &[u64], user: UserId) -> Grants {
        let mut grants = Grants::new();
        if let Some(u) = self.users.get(user.0) {
            let bits = &words[u as usize * self.words..(u as usize + 1) * self.words];
            for (id, (t, l)) in self.cells.iter().enumerate() {
                if bits[id / 64] & (1 << (id % 64)) != 0 {
                    grants.entry(t.clone()).or_default().insert(l.clone());
                }
            }
        }
        grants
    }
}

#[cfg(test)]
mod tests;
