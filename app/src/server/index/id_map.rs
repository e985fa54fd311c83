//! Database id → dense slot, in one memory access when the ids are compact (as a tenant's
//! autoincrement ids are), else through a hash map. A check is a handful of such lookups, so each
//! saved cache miss shows in its latency.

use std::collections::HashMap;

const NONE: u32 = u32::MAX;

/// A hasher for database ids, as FxHash does it (one multiplication): the index looks a role up
/// per held role and user, and SipHash made that a third of a write's index patch. Ids are the
/// database's own, not a requester's choice, so nobody can make them collide on purpose.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_i64(&mut self, id: i64) {
        self.write_u64(id as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A map keyed by database id, hashed with [`IdHasher`].
pub type IdHashMap<V> = HashMap<i64, V, std::hash::BuildHasherDefault<IdHasher>>;

#[derive(Debug, Clone)]
pub enum IdMap {
    Dense { base: i64, slots: Vec<u32> },
    Sparse(HashMap<i64, u32>),
}

impl Default for IdMap {
    fn default() -> Self {
        IdMap::Sparse(HashMap::new())
    }
}

impl IdMap {
    /// `pairs` of (id, value); a value of `u32::MAX` is not stored.
    pub fn new(pairs: &[(i64, u32)]) -> IdMap {
        let (Some(min), Some(max)) = (
            pairs.iter().map(|(id, _)| *id).min(),
            pairs.iter().map(|(id, _)| *id).max(),
        ) else {
            return IdMap::default();
        };
        let span = (max - min) as u64 + 1;
        // Dense when the array is at most four times the entries (plus a little): memory stays
        // proportional to the tenant, whatever other tenants' ids are interleaved.
        if span <= 4 * pairs.len() as u64 + 1024 {
            let mut slots = vec![NONE; span as usize];
            for (id, value) in pairs {
                slots[(id - min) as usize] = *value;
            }
            IdMap::Dense { base: min, slots }
        } else {
            IdMap::Sparse(pairs.iter().copied().collect())
        }
    }

    /// Every (id, value) stored, in no particular order.
    pub fn pairs(&self) -> Vec<(i64, u32)> {
        match self {
            IdMap::Dense { base, slots } => slots
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != NONE)
                .map(|(i, v)| (base + i as i64, *v))
                .collect(),
            IdMap::Sparse(map) => map.iter().map(|(k, v)| (*k, *v)).collect(),
        }
    }

    #[inline]
    pub fn get(&self, id: i64) -> Option<u32> {
        let value = match self {
            IdMap::Dense { base, slots } => {
                let offset = id.checked_sub(*base)?;
                *slots.get(usize::try_from(offset).ok()?)?
            }
            IdMap::Sparse(map) => *map.get(&id)?,
        };
        (value != NONE).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_ids_are_dense_and_scattered_ids_are_hashed_with_the_same_answers() {
        let compact: Vec<(i64, u32)> = (0..100).map(|i| (1000 + i, i as u32)).collect();
        let scattered: Vec<(i64, u32)> = (0..100).map(|i| (i * 1_000_000, i as u32)).collect();
        for (pairs, dense) in [(compact, true), (scattered, false)] {
            let map = IdMap::new(&pairs);
            assert_eq!(matches!(map, IdMap::Dense { .. }), dense);
            for (id, value) in &pairs {
                assert_eq!(map.get(*id), Some(*value));
            }
            assert_eq!(map.get(-5), None);
            assert_eq!(map.get(i64::MAX), None);
            assert_eq!(map.get(pairs[0].0 + 1).is_some(), dense && pairs.len() > 1);
        }
        assert_eq!(IdMap::new(&[]).get(0), None);
    }
}
