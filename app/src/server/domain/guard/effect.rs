//! The effective change of a write: every (user, permission, scope) gained or lost, computed
//! from the tenant's state before and after it, whatever path made the write.

use std::collections::{BTreeMap, BTreeSet};

use super::state::{InventoryBits, Space, TenantState, TENANT_WIDE};
use crate::model::{
    catalogue::{Catalogue, Grants},
    inventory::ANY_TYPE,
    inventory_access::{bit, Want, CHECKED},
};

/// One permission at one scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// A cell of the grid, tenant-wide or in one space.
    Cell {
        space: Space,
        type_name: String,
        level: String,
    },
    Application(String),
    /// A category at Read or Change on one device group, on every fragment type (`*`) or one.
    Inventory {
        group: i64,
        category: usize,
        change: bool,
        fragment_type: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub user: i64,
    pub gained: bool,
    pub permission: Permission,
}

/// Every gain and loss of a write, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effect {
    pub changes: Vec<Change>,
}

impl Effect {
    pub fn between(catalogue: &Catalogue, before: &TenantState, after: &TenantState) -> Effect {
        let touched = Touched::new(before, after);
        let users: BTreeSet<i64> = before
            .users
            .keys()
            .chain(after.users.keys())
            .copied()
            .collect();
        let spaces: BTreeSet<Space> = before
            .spaces
            .keys()
            .chain(after.spaces.keys())
            .copied()
            .filter(|s| *s != TENANT_WIDE)
            .collect();
        let mut changes = BTreeSet::new();
        for user in users {
            if !touched.may_change(before, after, user) {
                continue;
            }
            global_changes(catalogue, before, after, user, &spaces, &mut changes);
            let (a, b) = (before.applications_of(user), after.applications_of(user));
            for app in a.symmetric_difference(&b) {
                changes.insert(Change {
                    user,
                    gained: b.contains(app),
                    permission: Permission::Application(app.clone()),
                });
            }
            inventory_changes(before, after, user, &mut changes);
        }
        Effect {
            changes: changes.into_iter().collect(),
        }
    }
}

/// What changed outside the users' own holdings, so that a user whose holdings, status and
/// roles are all unchanged is skipped at once.
struct Touched {
    roles: BTreeSet<i64>,
    inventory_roles: BTreeSet<i64>,
    tree: bool,
}

impl Touched {
    fn new(before: &TenantState, after: &TenantState) -> Touched {
        let roles = before
            .roles
            .iter()
            .filter(|(id, r)| {
                after
                    .roles
                    .get(id)
                    .is_none_or(|a| a.grants != r.grants || a.applications != r.applications)
            })
            .map(|(id, _)| *id)
            .collect();
        let inventory_roles = before
            .inventory_roles
            .iter()
            .filter(|(id, (_, bits))| after.inventory_roles.get(id).is_none_or(|(_, a)| a != bits))
            .map(|(id, _)| *id)
            .collect();
        let parents = |s: &TenantState| -> BTreeMap<i64, i64> {
            s.device_groups
                .iter()
                .map(|(id, (p, _))| (*id, *p))
                .collect()
        };
        Touched {
            roles,
            inventory_roles,
            tree: parents(before) != parents(after),
        }
    }

    fn may_change(&self, before: &TenantState, after: &TenantState, user: i64) -> bool {
        let held = before.holdings_of(user);
        if held != after.holdings_of(user)
            || before.is_active(user) != after.is_active(user)
            || before.direct_applications_of(user) != after.direct_applications_of(user)
        {
            return true;
        }
        held.iter().any(|h| match h {
            super::state::Holding::Global { role, .. } => self.roles.contains(role),
            super::state::Holding::Inventory { role, .. } => {
                self.tree || self.inventory_roles.contains(role)
            }
        })
    }
}

fn cells(grants: &Grants) -> BTreeSet<(String, String)> {
    grants
        .iter()
        .flat_map(|(t, levels)| levels.iter().map(move |l| (t.clone(), l.clone())))
        .collect()
}

fn global_changes(
    catalogue: &Catalogue,
    before: &TenantState,
    after: &TenantState,
    user: i64,
    spaces: &BTreeSet<Space>,
    out: &mut BTreeSet<Change>,
) {
    let (a, b) = (
        before.global_of(catalogue, user),
        after.global_of(catalogue, user),
    );
    let at = |scoped: &BTreeMap<Space, Grants>, space: Space| -> BTreeSet<(String, String)> {
        let mut set = scoped.get(&TENANT_WIDE).map(cells).unwrap_or_default();
        if space != TENANT_WIDE {
            set.extend(scoped.get(&space).map(cells).unwrap_or_default());
        }
        set
    };
    let (tw_a, tw_b) = (at(&a, TENANT_WIDE), at(&b, TENANT_WIDE));
    let mut push =
        |space: Space, x: &BTreeSet<(String, String)>, y: &BTreeSet<(String, String)>| {
            for (t, l) in x.symmetric_difference(y) {
                let gained = y.contains(&(t.clone(), l.clone()));
                // A tenant-wide change shows in every space too; it is named once, tenant-wide.
                if space != TENANT_WIDE
                    && (tw_a.contains(&(t.clone(), l.clone()))
                        != tw_b.contains(&(t.clone(), l.clone())))
                {
                    continue;
                }
                out.insert(Change {
                    user,
                    gained,
                    permission: Permission::Cell {
                        space,
                        type_name: t.clone(),
                        level: l.clone(),
                    },
                });
            }
        };
    push(TENANT_WIDE, &tw_a, &tw_b);
    for &space in spaces {
        push(space, &at(&a, space), &at(&b, space));
    }
}

/// The nearest group at or above `group` (in `tree`'s shape) that `state` knows.
fn nearest_known(tree: &TenantState, state: &TenantState, group: i64) -> Option<i64> {
    let mut node = group;
    for _ in 0..=tree.device_groups.len() {
        if state.device_groups.contains_key(&node) {
            return Some(node);
        }
        node = tree.device_groups.get(&node)?.0;
    }
    None
}

fn inventory_changes(
    before: &TenantState,
    after: &TenantState,
    user: i64,
    out: &mut BTreeSet<Change>,
) {
    let (a, b) = (before.inventory_of(user), after.inventory_of(user));
    if a.is_empty() && b.is_empty() {
        return;
    }
    let empty = InventoryBits::default();
    let groups: BTreeSet<i64> = a.keys().chain(b.keys()).copied().collect();
    for group in groups {
        // A group created by the write starts with what its parent had: inheriting that is no
        // gain. A group the write deletes loses everything on it.
        let was = if before.device_groups.contains_key(&group) {
            a.get(&group).unwrap_or(&empty)
        } else {
            nearest_known(after, before, group)
                .and_then(|g| a.get(&g))
                .unwrap_or(&empty)
        };
        let is = b.get(&group).unwrap_or(&empty);
        if was == is {
            continue;
        }
        let types: BTreeSet<&str> = was.types().chain(is.types()).collect();
        let wild_changed = was.wild ^ is.wild;
        for t in types {
            let (x, y) = (was.on(t), is.on(t));
            // A change on every type is named once, as `*`.
            let changed = if t == ANY_TYPE {
                x ^ y
            } else {
                (x ^ y) & !wild_changed
            };
            for c in 0..CHECKED.len() {
                for want in Want::BOTH {
                    let bit = bit(c, want);
                    if changed & bit != 0 {
                        out.insert(Change {
                            user,
                            gained: y & bit != 0,
                            permission: Permission::Inventory {
                                group,
                                category: c,
                                change: want == Want::Change,
                                fragment_type: t.to_owned(),
                            },
                        });
                    }
                }
            }
        }
    }
}

/// A judged effect with the names needed to show it: what a confirmation or the wizard's
/// Summary lists is this, not a second computation.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub effect: Effect,
    spaces: BTreeMap<Space, String>,
    device_groups: BTreeMap<i64, String>,
}

impl Report {
    pub fn new(effect: Effect, before: &TenantState, after: &TenantState) -> Report {
        let spaces = before
            .spaces
            .iter()
            .chain(&after.spaces)
            .map(|(id, name)| (*id, name.clone()))
            .collect();
        let device_groups = before
            .device_groups
            .iter()
            .chain(&after.device_groups)
            .map(|(id, (_, name))| (*id, name.clone()))
            .collect();
        Report {
            effect,
            spaces,
            device_groups,
        }
    }

    /// What `users` gain and lose, each permission named once: `Type LEVEL`, with the space in
    /// brackets when it is gained only there, `Application <name>`, or an inventory permission
    /// on a device group.
    pub fn gained_and_lost(&self, users: &BTreeSet<i64>) -> (Vec<String>, Vec<String>) {
        let (mut gained, mut lost) = (BTreeSet::new(), BTreeSet::new());
        for change in self
            .effect
            .changes
            .iter()
            .filter(|c| users.contains(&c.user))
        {
            let label = self.label(&change.permission);
            if change.gained {
                gained.insert(label);
            } else {
                lost.insert(label);
            }
        }
        (gained.into_iter().collect(), lost.into_iter().collect())
    }

    fn label(&self, permission: &Permission) -> String {
        match permission {
            Permission::Cell {
                space,
                type_name,
                level,
            } if *space == TENANT_WIDE => format!("{type_name} {level}"),
            Permission::Cell {
                space,
                type_name,
                level,
            } => {
                let name = self.spaces.get(space).map_or("", String::as_str);
                format!("{type_name} {level} ({name})")
            }
            Permission::Application(name) => format!("Application {name}"),
            Permission::Inventory {
                group,
                category,
                change,
                fragment_type,
            } => {
                let level = if *change { "Change" } else { "Read" };
                let on = self.device_groups.get(group).map_or("", String::as_str);
                let types = if fragment_type == ANY_TYPE {
                    String::new()
                } else {
                    format!(" {fragment_type}")
                };
                format!("{}{types} {level} on {on}", CHECKED[*category])
            }
        }
    }
}
