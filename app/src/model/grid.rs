//! The permission grid's rules, shared by the editor (to render) and the server (to decide).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::catalogue::{holds, Catalogue, Grants};

/// The state of a column's `Select all <LEVEL>` checkbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnState {
    None,
    Some,
    All,
}

/// Counted over the types where the level applies, on the effective grants (a ticked ADMIN
/// shows READ as granted, so READ's column counts it).
pub fn column_state(catalogue: &Catalogue, grants: &Grants, level: &str) -> ColumnState {
    let effective = catalogue.effective(grants);
    let applicable: Vec<_> = catalogue
        .types()
        .filter(|t| t.levels.iter().any(|l| l == level))
        .collect();
    let set = applicable
        .iter()
        .filter(|t| holds(&effective, &t.name, level))
        .count();
    match set {
        0 => ColumnState::None,
        n if n == applicable.len() => ColumnState::All,
        _ => ColumnState::Some,
    }
}

/// Ticks or clears one level for every type where it applies. Clearing also clears the
/// levels that imply it, so the column really ends up empty.
pub fn set_column(catalogue: &Catalogue, grants: &mut Grants, level: &str, on: bool) {
    for t in catalogue.types() {
        if !t.levels.iter().any(|l| l == level) {
            continue;
        }
        set_cell(catalogue, grants, &t.name, level, on);
    }
}

/// `Select all <LEVEL>` as the editor does it: only rows the acting admin holds change (the rest
/// stay disabled): an admin grants and takes away only what they hold (SPEC rule 4).
pub fn set_column_grantable(
    catalogue: &Catalogue,
    grants: &mut Grants,
    level: &str,
    on: bool,
    actor: &Grants,
) {
    for t in catalogue.types() {
        if t.levels.iter().any(|l| l == level) && holds(actor, &t.name, level) {
            set_cell(catalogue, grants, &t.name, level, on);
        }
    }
}

/// Ticks or clears one cell; clearing a level implied by a ticked one clears that one too.
pub fn set_cell(
    catalogue: &Catalogue,
    grants: &mut Grants,
    type_name: &str,
    level: &str,
    on: bool,
) {
    let levels = grants.entry(type_name.to_owned()).or_default();
    if on {
        levels.insert(level.to_owned());
    } else {
        let implying: Vec<String> = levels
            .iter()
            .filter(|l| catalogue.implied_levels(type_name, l).contains(level))
            .cloned()
            .collect();
        for l in implying {
            levels.remove(&l);
        }
    }
    if levels.is_empty() {
        grants.remove(type_name);
    }
}

/// A module's access level as its radio group shows it (`migration`): the highest level of
/// `type_name` the role grants, or None for `Deny Access`.
pub fn access_level(catalogue: &Catalogue, grants: &Grants, type_name: &str) -> Option<String> {
    let effective = catalogue.effective(grants);
    let held = effective.get(type_name)?;
    catalogue
        .permission(type_name)?
        .levels
        .iter()
        .rev()
        .find(|l| held.contains(*l))
        .cloned()
}

/// Sets a module's access to exactly `level` (None: `Deny Access`), whatever was ticked before.
pub fn set_access_level(grants: &mut Grants, type_name: &str, level: Option<&str>) {
    match level {
        Some(level) => {
            grants.insert(type_name.to_owned(), [level.to_owned()].into());
        }
        None => {
            grants.remove(type_name);
        }
    }
}

/// A module's access as its radio group sets it, with its restricting switches: opening a
/// module that had `Deny Access` frees the role of each switch the acting admin is free of (the
/// rest stay ticked: they cannot grant the freedom); `Deny Access` takes the freedoms away with the
/// access (a role without access frees no one, SPEC rule 1).
pub fn choose_access(
    catalogue: &Catalogue,
    grants: &mut Grants,
    type_name: &str,
    level: Option<&str>,
    actor: &Grants,
) {
    let was = access_level(catalogue, grants, type_name);
    set_access_level(grants, type_name, level);
    let Some(module) = catalogue.module_of(type_name) else {
        return;
    };
    for t in module.permissions.iter().filter(|p| p.restricts) {
        let Some(free) = t.levels.first() else {
            continue;
        };
        if level.is_none() {
            grants.remove(&t.name);
        } else if was.is_none() && holds(actor, &t.name, free) {
            grants.insert(t.name.clone(), [free.clone()].into());
        }
    }
}

/// What choosing `Deny Access` would take away that the actor does not hold, as "<type>
/// <level>": the current level, or the freedom from one of the module's switches.
pub fn deny_needs(
    catalogue: &Catalogue,
    grants: &Grants,
    type_name: &str,
    actor: &Grants,
) -> Option<String> {
    let effective = catalogue.effective(grants);
    let current = access_level(catalogue, grants, type_name)
        .map(|l| (type_name.to_owned(), l))
        .into_iter();
    let freedoms = catalogue
        .module_of(type_name)
        .into_iter()
        .flat_map(|m| m.permissions.iter().filter(|p| p.restricts))
        .flat_map(|p| {
            effective
                .get(&p.name)
                .into_iter()
                .flatten()
                .map(|l| (p.name.clone(), l.clone()))
        });
    current
        .chain(freedoms)
        .find(|(t, l)| !holds(actor, t, l))
        .map(|(t, l)| format!("{t} {l}"))
}

/// Whether a restricting switch shows ticked: the role opens its module and does not free
/// its holders of it.
pub fn restricted(catalogue: &Catalogue, grants: &Grants, type_name: &str) -> bool {
    let Some(module) = catalogue.module_of(type_name) else {
        return false;
    };
    catalogue.opens_module(grants, module) && grants.get(type_name).is_none_or(|l| l.is_empty())
}

/// Ticks (`on`) or clears a restricting switch: ticking takes the freedom away, clearing grants it.
pub fn set_restricted(catalogue: &Catalogue, grants: &mut Grants, type_name: &str, on: bool) {
    let Some(free) = catalogue
        .permission(type_name)
        .and_then(|p| p.levels.first())
    else {
        return;
    };
    if on {
        grants.remove(type_name);
    } else {
        grants.insert(type_name.to_owned(), [free.clone()].into());
    }
}

/// Whether a cell shows as granted only because a ticked level implies it.
pub fn implied_only(catalogue: &Catalogue, grants: &Grants, type_name: &str, level: &str) -> bool {
    let ticked = grants.get(type_name).is_some_and(|l| l.contains(level));
    !ticked && holds(&catalogue.effective(grants), type_name, level)
}

/// One cell that a save changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellChange {
    pub type_name: String,
    pub level: String,
    pub granted: bool,
}

/// What changes between two grids, cell by cell, on the ticked levels.
pub fn diff(before: &Grants, after: &Grants) -> Vec<CellChange> {
    let cells = |g: &Grants| -> BTreeSet<(String, String)> {
        g.iter()
            .flat_map(|(t, ls)| ls.iter().map(move |l| (t.clone(), l.clone())))
            .collect()
    };
    let (b, a) = (cells(before), cells(after));
    let mut out: Vec<CellChange> = a
        .difference(&b)
        .map(|(t, l)| CellChange {
            type_name: t.clone(),
            level: l.clone(),
            granted: true,
        })
        .chain(b.difference(&a).map(|(t, l)| CellChange {
            type_name: t.clone(),
            level: l.clone(),
            granted: false,
        }))
        .collect();
    out.sort();
    out
}

/// A short line for the editor: "+Alarms ADMIN, −Events READ and 3 more".
pub fn describe_changes(changes: &[CellChange], shown: usize) -> String {
    let parts: Vec<String> = changes
        .iter()
        .take(shown)
        .map(|c| {
            format!(
                "{}{} {}",
                if c.granted { "+" } else { "−" },
                c.type_name,
                c.level
            )
        })
        .collect();
    let listed = parts.join(", ");
    if changes.len() > shown {
        format!("{listed} and {} more", changes.len() - shown)
    } else {
        listed
    }
}

/// What of `wanted` (with implications) the actor does not hold: the actor may hand out only
/// what they hold (SPEC rule 4). Empty when everything is grantable.
pub fn not_held(catalogue: &Catalogue, actor: &Grants, wanted: &Grants) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (t, levels) in catalogue.effective(wanted) {
        for l in levels {
            if !holds(actor, &t, &l) {
                out.push((t.clone(), l));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
