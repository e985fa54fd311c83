//! The catalogue's cells as numbers, and sets of cells as bits.

use std::{collections::HashMap, sync::Arc};

use crate::model::catalogue::{Catalogue, Grants};

/// The catalogue's cells numbered (module by module, type by type, level by level), and what
/// each ticked level gives, implications applied: the permission index's bits and the guard's
/// state's roles both count in these numbers.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CellNumbers {
    /// Words of bits per set of cells.
    pub words: usize,
    /// Each cell's (type, level), by number.
    pub names: Vec<(Arc<str>, Arc<str>)>,
    /// (type, level) → the cell's number.
    numbers: HashMap<String, HashMap<String, usize>>,
    /// (type, ticked level) → its cells. A pair not here gives none: a level that is neither
    /// the type's, nor the catalogue's, nor implying anything implies nothing that applies.
    ticked: HashMap<String, HashMap<String, Vec<u64>>>,
}

/// The numbering alone (what it derives from the catalogue is printed with each role), in a
/// stable order: tests compare states by their printout.
impl std::fmt::Debug for CellNumbers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CellNumbers")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl CellNumbers {
    pub fn new(catalogue: &Catalogue) -> CellNumbers {
        let mut numbers: HashMap<String, HashMap<String, usize>> = HashMap::new();
        let mut names = Vec::new();
        for t in catalogue.types() {
            for l in &t.levels {
                let of_type = numbers.entry(t.name.clone()).or_default();
                of_type.insert(l.clone(), names.len());
                names.push((Arc::from(t.name.as_str()), Arc::from(l.as_str())));
            }
        }
        let words = names.len().div_ceil(64).max(1);
        let mut ticked: HashMap<String, HashMap<String, Vec<u64>>> = HashMap::new();
        for t in catalogue.types() {
            let levels = t
                .levels
                .iter()
                .chain(&catalogue.levels)
                .chain(catalogue.implications.iter().map(|i| &i.level));
            for level in levels {
                let mut bits = vec![0; words];
                for l in catalogue.implied_levels(&t.name, level) {
                    if let Some(&n) = numbers.get(&t.name).and_then(|m| m.get(&l)) {
                        bits[n / 64] |= 1 << (n % 64);
                    }
                }
                ticked
                    .entry(t.name.clone())
                    .or_default()
                    .insert(level.clone(), bits);
            }
        }
        CellNumbers {
            words,
            names,
            numbers,
            ticked,
        }
    }

    /// The number of the cell (type, level), if the catalogue has it.
    pub fn number(&self, type_name: &str, level: &str) -> Option<usize> {
        self.numbers.get(type_name)?.get(level).copied()
    }

    /// The cells `grants` give, implications applied (as [`Catalogue::effective`] gives them).
    pub fn of(&self, grants: &Grants) -> Vec<u64> {
        let mut bits = vec![0; self.words];
        for (t, levels) in grants {
            let Some(of_type) = self.ticked.get(t) else {
                continue;
            };
            for cells in levels.iter().filter_map(|l| of_type.get(l)) {
                for (a, b) in bits.iter_mut().zip(cells) {
                    *a |= b;
                }
            }
        }
        bits
    }
}
