//! The index's tree part: the device-group tree numbered depth-first, so that "is this group at or
//! below that one" is two comparisons, and per user their inventory roles merged per group, a
//! short slice scanned once per check.

use std::collections::{BTreeMap, HashMap};

use super::{id_map::IdMap, TreeRows};
use crate::model::{inventory::ANY_TYPE, inventory_access::row_bits, DeviceGroupId, UserId};

/// An inventory role's bits on every fragment type (`*`), and per named type.
pub type RoleInventory = (u16, BTreeMap<String, u16>);

/// Inventory bits on every type (`*`), and per interned fragment type.
type Merged = (u16, BTreeMap<u32, u16>);

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
pub struct Tree {
    /// Users with an inventory role (their own slots: a user created since the global part was
    /// built is here once they hold one).
    users: IdMap,
    groups: IdMap,
    tin: Vec<u32>,
    tout: Vec<u32>,
    /// Per user slot: where their entries are.
    spans: Vec<(u32, u32)>,
    entries: Vec<Entry>,
    typed: Vec<(u32, u16)>,
    types: HashMap<String, u32>,
}

impl Tree {
    pub fn build(rows: &TreeRows) -> Tree {
        let mut roles: HashMap<i64, RoleInventory> = HashMap::new();
        for (role, row) in &rows.inventory_rows {
            let (wild, typed) = roles.entry(*role).or_default();
            if row.fragment_type == ANY_TYPE {
                *wild |= row_bits(row);
            } else {
                *typed.entry(row.fragment_type.clone()).or_default() |= row_bits(row);
            }
        }
        Tree::assemble(&rows.device_groups, &roles, &rows.user_inventory)
    }

    /// The part from the tree's (group, parent) edges, each inventory role's bits, and the
    /// (user, inventory role, group) holdings of active users.
    pub fn assemble(
        device_groups: &[(i64, i64)],
        roles: &HashMap<i64, RoleInventory>,
        user_inventory: &[(i64, i64, i64)],
    ) -> Tree {
        let mut tree = Tree::default();
        tree.number(device_groups);
        tree.merge(roles, user_inventory);
        tree
    }

    fn number(&mut self, device_groups: &[(i64, i64)]) {
        let ids: Vec<(i64, u32)> = device_groups
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i as u32))
            .collect();
        self.groups = IdMap::new(&ids);
        let n = device_groups.len();
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, (_, parent)) in device_groups.iter().enumerate() {
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
    }

    fn merge(&mut self, roles: &HashMap<i64, RoleInventory>, user_inventory: &[(i64, i64, i64)]) {
        let mut holders: Vec<i64> = user_inventory.iter().map(|(u, _, _)| *u).collect();
        holders.sort_unstable();
        holders.dedup();
        let ids: Vec<(i64, u32)> = holders
            .iter()
            .enumerate()
            .map(|(i, u)| (*u, i as u32))
            .collect();
        self.users = IdMap::new(&ids);
        let user_count = holders.len();
        let mut role_rows: HashMap<i64, Merged> = HashMap::new();
        for (role, (wild, typed)) in roles {
            let mut interned = BTreeMap::new();
            for (name, bits) in typed {
                let next = self.types.len() as u32;
                let t = *self.types.entry(name.clone()).or_insert(next);
                interned.insert(t, *bits);
            }
            role_rows.insert(*role, (*wild, interned));
        }
        let mut per_user: Vec<BTreeMap<u32, Merged>> = vec![BTreeMap::new(); user_count];
        for (user, role, group) in user_inventory {
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
        self.spans = Vec::with_capacity(user_count);
        for groups in per_user {
            let start = self.entries.len() as u32;
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
            self.spans.push((start, self.entries.len() as u32));
        }
    }

    /// Every fragment type some inventory role names (for tests).
    #[cfg(test)]
    pub fn type_names(&self) -> Vec<String> {
        self.types.keys().cloned().collect()
    }

    /// Whether `user` has an inventory role granting `wanted` on `group` or above.
    pub fn allows(
        &self,
        user: UserId,
        group: DeviceGroupId,
        wanted: u16,
        fragment_type: &str,
    ) -> bool {
        let (Some(u), Some(g)) = (self.users.get(user.0), self.groups.get(group.0)) else {
            return false;
        };
        let (start, end) = self.spans[u as usize];
        let at = self.tin[g as usize];
        // The fragment type is looked up only when a covering entry has typed rows.
        let mut type_id: Option<Option<u32>> = None;
        self.entries[start as usize..end as usize].iter().any(|e| {
            if !(e.tin <= at && at < e.tout) {
                return false;
            }
            if e.wild & wanted != 0 {
                return true;
            }
            if e.typed_len == 0 || fragment_type == ANY_TYPE {
                return false;
            }
            let Some(t) = *type_id.get_or_insert_with(|| self.types.get(fragment_type).copied())
            else {
                return false;
            };
            let start = e.typed_start as usize;
            self.typed[start..start + e.typed_len as usize]
                .iter()
                .any(|(id, bits)| *id == t && bits & wanted != 0)
        })
    }
}
