//! The index's global part: per user, the catalogue's cells as bitsets (implications applied),
//! in any space and tenant-wide, and the inventory bits of their tenant-wide global roles.

use std::collections::HashMap;

use super::{id_map::IdMap, Snapshot};
use crate::model::{
    catalogue::{Catalogue, Grants},
    inventory_access::global_bits,
    UserId,
};

#[derive(Debug, Default)]
pub struct Global {
    cells: Vec<(String, String)>,
    cell_ids: HashMap<String, HashMap<String, usize>>,
    words: usize,
    /// Database id → the user's slot.
    pub users: IdMap,
    /// Per user, `words` words: every global role, whatever its space (what the user holds).
    pub anywhere: Vec<u64>,
    /// Per user, `words` words: tenant-wide roles only (the user's authority, SPEC rule 1).
    pub tenant_wide: Vec<u64>,
    /// Per user: the inventory bits of their tenant-wide global roles (they apply on every device).
    pub global_inventory: Vec<u16>,
}

fn group_by<K: std::hash::Hash + Eq, V>(pairs: impl Iterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

impl Global {
    pub fn build(catalogue: &Catalogue, s: &Snapshot) -> Global {
        let mut index = Global::default();
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
        let words = index.words;
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
                        if let Some(&id) = index.cell_ids.get(t).and_then(|m| m.get(l)) {
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
        index.users = IdMap::new(&ids);
        index.anywhere = vec![0; s.users.len() * words];
        index.tenant_wide = vec![0; s.users.len() * words];
        index.global_inventory = vec![0; s.users.len()];
        let group_roles = group_by(s.group_roles.iter().map(|(g, r, sp)| (*g, (*r, *sp))));
        let via_groups = s.members.iter().flat_map(|(g, u)| {
            group_roles
                .get(g)
                .into_iter()
                .flatten()
                .map(move |(r, sp)| (*u, *r, *sp))
        });
        for (user, role, space) in s.user_roles.iter().copied().chain(via_groups) {
            let (Some(u), Some((bits, inventory))) = (index.users.get(user), roles.get(&role))
            else {
                continue;
            };
            let u = u as usize;
            for (w, b) in bits.iter().enumerate() {
                index.anywhere[u * words + w] |= b;
            }
            if space == 0 {
                index.global_inventory[u] |= inventory;
                for (w, b) in bits.iter().enumerate() {
                    index.tenant_wide[u * words + w] |= b;
                }
            }
        }
        index
    }

    pub fn holds(&self, user: UserId, type_name: &str, level: &str) -> bool {
        let (Some(u), Some(&id)) = (
            self.users.get(user.0),
            self.cell_ids.get(type_name).and_then(|m| m.get(level)),
        ) else {
            return false;
        };
        self.anywhere[u as usize * self.words + id / 64] & (1 << (id % 64)) != 0
    }

    pub fn cells_in(&self, words: &[u64], user: UserId) -> Grants {
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
