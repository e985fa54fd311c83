//! The index's global part: per user, the catalogue's cells as bitsets (implications applied),
//! in any space and tenant-wide, and the inventory bits of their tenant-wide global roles.

use std::{collections::HashMap, sync::Arc};

use super::{
    cells::CellNumbers,
    id_map::{IdHashMap, IdMap},
    GlobalPatch, Snapshot,
};
use crate::model::{
    catalogue::{Catalogue, Grants},
    inventory_access::global_bits,
    UserId,
};

#[derive(Debug, Default)]
pub struct Global {
    /// The catalogue's cells, numbered; `words` words of bits per user.
    cells: Arc<CellNumbers>,
    words: usize,
    /// Database id → the user's slot.
    pub users: IdMap,
    /// Per user, `words` words: every global role, whatever its space (what the user holds).
    pub anywhere: Vec<u64>,
    /// Per user, `words` words: tenant-wide roles only (the user's authority, SPEC rule 1).
    pub tenant_wide: Vec<u64>,
    /// Per user: the inventory bits of their tenant-wide global roles (they apply on every device).
    pub global_inventory: Vec<u16>,
    /// Per role with grants: its bits, kept so that a patch computes only the roles it changed.
    roles: IdHashMap<RoleBits>,
}

/// A role's cells as bits, and its inventory bits on every device.
type RoleBits = (Vec<u64>, u16);

fn group_by<K: std::hash::Hash + Eq, V>(pairs: impl Iterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

impl Global {
    /// A role's cells as bits (implications applied), and the inventory bits it grants on
    /// every device.
    fn role_bits(&self, catalogue: &Catalogue, grants: &Grants) -> RoleBits {
        (
            self.cells.of(grants),
            global_bits(&catalogue.effective(grants)),
        )
    }

    /// Adds what `role` at `space` grants to the user in slot `u`.
    fn add(&mut self, u: usize, (bits, inventory): &RoleBits, space: i64) {
        let words = self.words;
        for (w, b) in bits.iter().enumerate() {
            self.anywhere[u * words + w] |= b;
        }
        if space == 0 {
            self.global_inventory[u] |= inventory;
            for (w, b) in bits.iter().enumerate() {
                self.tenant_wide[u * words + w] |= b;
            }
        }
    }

    pub fn build(catalogue: &Catalogue, s: &Snapshot) -> Global {
        let cells = Arc::new(CellNumbers::new(catalogue));
        let words = cells.words;
        let mut index = Global {
            cells,
            words,
            ..Global::default()
        };
        let mut ticked: HashMap<i64, Grants> = HashMap::new();
        for (role, t, l) in &s.role_grants {
            ticked
                .entry(*role)
                .or_default()
                .entry(t.clone())
                .or_default()
                .insert(l.clone());
        }
        index.roles = ticked
            .iter()
            .map(|(role, grants)| (*role, index.role_bits(catalogue, grants)))
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
        let roles = std::mem::take(&mut index.roles);
        for (user, role, space) in s.user_roles.iter().copied().chain(via_groups) {
            let (Some(u), Some(bits)) = (index.users.get(user), roles.get(&role)) else {
                continue;
            };
            index.add(u as usize, bits, space);
        }
        index.roles = roles;
        index
    }

    /// This part with the roles of `patch` computed again (the others' bits are kept), and its
    /// users computed again from what they now hold; everyone else is copied. A user who is not
    /// active holds nothing (their slot is cleared); a user new to the part gets a slot.
    pub fn patched(&self, catalogue: &Catalogue, patch: &GlobalPatch) -> Global {
        let words = self.words;
        let mut next = Global {
            cells: self.cells.clone(),
            words,
            users: IdMap::default(),
            anywhere: self.anywhere.clone(),
            tenant_wide: self.tenant_wide.clone(),
            global_inventory: self.global_inventory.clone(),
            roles: self.roles.clone(),
        };
        // One inventory word per slot: the next slot is the count of slots.
        let known = self.global_inventory.len();
        let mut fresh = Vec::new();
        for user in &patch.users {
            if self.users.get(user.id).is_none() && user.active {
                fresh.push((user.id, (known + fresh.len()) as u32));
            }
        }
        next.anywhere
            .resize(next.anywhere.len() + fresh.len() * words, 0);
        next.tenant_wide
            .resize(next.tenant_wide.len() + fresh.len() * words, 0);
        next.global_inventory
            .resize(next.global_inventory.len() + fresh.len(), 0);
        next.users = match fresh.is_empty() {
            true => self.users.clone(),
            false => {
                let mut slots = self.users.pairs();
                slots.extend(fresh);
                IdMap::new(&slots)
            }
        };
        for (role, grants) in &patch.roles {
            let bits = next.role_bits(catalogue, grants);
            next.roles.insert(*role, bits);
        }
        let roles = std::mem::take(&mut next.roles);
        for user in &patch.users {
            let Some(u) = next.users.get(user.id) else {
                continue;
            };
            let u = u as usize;
            next.anywhere[u * words..(u + 1) * words].fill(0);
            next.tenant_wide[u * words..(u + 1) * words].fill(0);
            next.global_inventory[u] = 0;
            if !user.active {
                continue;
            }
            for (role, space) in &patch.held[user.held.clone()] {
                if let Some(bits) = roles.get(role) {
                    next.add(u, bits, *space);
                }
            }
        }
        next.roles = roles;
        next
    }

    pub fn holds(&self, user: UserId, type_name: &str, level: &str) -> bool {
        let (Some(u), Some(id)) = (self.users.get(user.0), self.cells.number(type_name, level))
        else {
            return false;
        };
        self.anywhere[u as usize * self.words + id / 64] & (1 << (id % 64)) != 0
    }

    pub fn cells_in(&self, words: &[u64], user: UserId) -> Grants {
        let mut grants = Grants::new();
        if let Some(u) = self.users.get(user.0) {
            let bits = &words[u as usize * self.words..(u as usize + 1) * self.words];
            for (id, (t, l)) in self.cells.names.iter().enumerate() {
                if bits[id / 64] & (1 << (id % 64)) != 0 {
                    grants
                        .entry(t.to_string())
                        .or_default()
                        .insert(l.to_string());
                }
            }
        }
        grants
    }
}
