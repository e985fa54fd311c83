//! The effective change of a write: every (user, permission, scope) gained or lost, computed
//! from the tenant's state before and after it, whatever path made the write.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
};

use imbl::OrdMap;

use super::state::{Holding, InventoryBits, Space, TenantState, TENANT_WIDE};
use crate::model::{
    inventory::ANY_TYPE,
    inventory_access::{bit, Want, CHECKED},
};
use crate::server::{
    db::tenant_facts::Touched,
    index::{GlobalPatch, UserRoles},
};

/// One permission at one scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// A cell of the grid, tenant-wide or in one space.
    /// (The names are shared: a role save reaching 50,000 users names tens of thousands.)
    Cell {
        space: Space,
        type_name: Arc<str>,
        level: Arc<str>,
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

/// Which users and roles a write may have changed; everything else is the same before and
/// after it. Made from the journal of the write ([`Reach::of`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// Users whose holdings, status or applications changed, and every holder of a role, an
    /// inventory role or (when the tree changed) any inventory role whose definition changed.
    pub users: BTreeSet<i64>,
    /// The users of `users` the write reloaded: only their row, holdings and direct applications
    /// can differ before and after it ([`TenantState::patched`] replaces nobody else's). Every
    /// other user of `users` is there because a role they hold changed.
    pub reloaded: BTreeSet<i64>,
    /// Roles whose row, grants, applications or requirements may have changed.
    pub roles: BTreeSet<i64>,
    /// Whether the device-group tree may have changed.
    pub tree: bool,
    /// Inventory roles whose name or permissions may have changed.
    pub inventory_roles: BTreeSet<i64>,
}

impl Reach {
    /// Whether `user`'s inventory permissions may differ: the tree moved, their status or
    /// inventory holdings changed, or an inventory role they hold did. (Walking every held
    /// group's subtree is the dear part of an effect; a role save reaching 50,000 users needs
    /// none of it.)
    fn inventory_may_change(&self, before: &TenantState, after: &TenantState, user: i64) -> bool {
        let held = |s: &TenantState| -> Vec<Holding> {
            s.holdings
                .get(&user)
                .into_iter()
                .flatten()
                .filter(|h| matches!(h, Holding::Inventory { .. }))
                .copied()
                .collect()
        };
        let holds_changed_role = || {
            !self.inventory_roles.is_empty()
                && before.holdings.get(&user).into_iter().flatten().any(|h| {
                    matches!(h, Holding::Inventory { role, .. } if self.inventory_roles.contains(role))
                })
        };
        self.tree
            || (self.reloaded.contains(&user)
                && (before.is_active(user) != after.is_active(user) || held(before) != held(after)))
            || holds_changed_role()
    }

    /// Whether `user`'s applications may differ: their status, holdings or direct applications
    /// changed, or a role they hold did.
    fn applications_may_change(
        &self,
        before: &TenantState,
        after: &TenantState,
        changed_roles: &BTreeSet<i64>,
        user: i64,
    ) -> bool {
        (self.reloaded.contains(&user)
            && (before.is_active(user) != after.is_active(user)
                || !before.same_holdings(after, user)))
            || (!changed_roles.is_empty()
                && before.holdings.get(&user).into_iter().flatten().any(
                    |h| matches!(h, Holding::Global { role, .. } if changed_roles.contains(role)),
                ))
    }

    /// The roles of this reach whose applications changed (a role's cells changing leaves
    /// its holders' applications as they were).
    fn roles_with_new_applications(
        &self,
        before: &TenantState,
        after: &TenantState,
    ) -> BTreeSet<i64> {
        self.roles
            .iter()
            .copied()
            .filter(|role| {
                before.roles.get(role).map(|r| &r.applications)
                    != after.roles.get(role).map(|r| &r.applications)
            })
            .collect()
    }

    /// What a write with this journal may have changed: the users it reloaded, and the holders
    /// (after the write; a holder whose holdings changed was reloaded anyway) of every role and
    /// inventory role it touched, or of any inventory role when the tree moved.
    pub fn of(touched: &Touched, reloaded: &[i64], after: &TenantState) -> Reach {
        let mut users: Vec<i64> = reloaded.to_vec();
        users.extend(touched.users.iter().copied());
        for role in &touched.roles {
            users.extend(after.holders_of(*role));
        }
        if touched.tree {
            users.extend(after.inventory_holders(None));
        } else {
            for role in &touched.inventory_roles {
                users.extend(after.inventory_holders(Some(*role)));
            }
        }
        // Sorted first, the set is built in one pass (a role held by 50,000 users: inserting
        // them one by one took about 5 ms of its save).
        users.sort_unstable();
        users.dedup();
        Reach {
            users: users.into_iter().collect(),
            reloaded: reloaded.iter().copied().collect(),
            roles: touched.roles.clone(),
            tree: touched.tree,
            inventory_roles: touched.inventory_roles.clone(),
        }
    }
}

impl Effect {
    /// Every gain and loss of the users in `reach` (nobody else's permissions changed); and
    /// the users whose cells in the permission index may differ, each with whether active and
    /// every global role held after the write: those the write reloaded (their status or
    /// holdings may differ) and those who gained or lost a cell at some scope. Anyone else
    /// holds what they held and their roles give the same cells at every scope, so their bits
    /// in the index stay (see [`super::index::global_patch`], which adds the roles).
    pub fn between(
        before: &TenantState,
        after: &TenantState,
        reach: &Reach,
    ) -> (Effect, GlobalPatch) {
        let spaces: BTreeSet<Space> = before
            .spaces
            .keys()
            .chain(after.spaces.keys())
            .copied()
            .filter(|s| *s != TENANT_WIDE)
            .collect();
        let new_applications = reach.roles_with_new_applications(before, after);
        let users: Vec<i64> = reach.users.iter().copied().collect();
        let judge = |part: &[i64]| {
            Part {
                before,
                after,
                reach,
                spaces: &spaces,
                new_applications: &new_applications,
            }
            .effect(part)
        };
        // A role save on a role held by 50,000 users compares 50,000 users' cells (about 25 ms
        // on one core of a slow machine): in parts of at least `PART` users, one per core.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parts = cores.min(users.len() / PART).max(1);
        let (mut changes, index) = match parts {
            1 => judge(&users),
            _ => in_parallel(&users, parts, &judge),
        };
        changes.sort_unstable();
        changes.dedup();
        (Effect { changes }, index)
    }
}

/// Below this many users a part is not worth a thread. (Two in the crate's tests, so that every
/// guarded write of the tests with more than three users reached, the random operations
/// compared with a naive model among them, is judged in parts.)
const PART: usize = if cfg!(test) { 2 } else { 8192 };

/// `judge` on `parts` consecutive parts of `users` at once (the first on this thread), joined
/// in order; on this thread alone if no thread can be started.
fn in_parallel(
    users: &[i64],
    parts: usize,
    judge: &(impl Fn(&[i64]) -> (Vec<Change>, GlobalPatch) + Sync),
) -> (Vec<Change>, GlobalPatch) {
    let size = users.len().div_ceil(parts);
    let mut chunks = users.chunks(size);
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let started: Vec<_> = chunks
            .map(|part| {
                let thread = std::thread::Builder::new()
                    .name("guard-effect".into())
                    .spawn_scoped(scope, move || judge(part));
                (part, thread)
            })
            .collect();
        let (mut changes, mut index) = judge(first);
        for (part, thread) in started {
            let (more, patch) = match thread {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => judge(part),
            };
            changes.extend(more);
            let offset = index.held.len();
            index.held.extend(patch.held);
            index
                .users
                .extend(patch.users.into_iter().map(|u| UserRoles {
                    held: u.held.start + offset..u.held.end + offset,
                    ..u
                }));
        }
        (changes, index)
    })
}

/// What [`Effect::between`] judges each part of its users by.
struct Part<'a> {
    before: &'a TenantState,
    after: &'a TenantState,
    reach: &'a Reach,
    spaces: &'a BTreeSet<Space>,
    new_applications: &'a BTreeSet<i64>,
}

impl Part<'_> {
    /// The gains and losses of `users` (ascending), and those of them the index computes again.
    fn effect(&self, users: &[i64]) -> (Vec<Change>, GlobalPatch) {
        let Part {
            before,
            after,
            reach,
            spaces,
            new_applications,
        } = *self;
        let mut changes = Vec::new();
        let mut cells = CellBits::new(before, after, &reach.roles);
        let (mut was, mut is) = (Scoped::default(), Scoped::default());
        let first = users.first().copied().unwrap_or_default();
        let (mut rows, mut holdings) = (
            Ascending::new(&before.users, users.len(), first),
            Ascending::new(&before.holdings, users.len(), first),
        );
        let mut index = GlobalPatch::default();
        for &user in users {
            // Only a reloaded user's status and holdings can differ: look them up once.
            let active = rows.get(user).is_some_and(|u| u.active);
            let held = holdings.get(user);
            let reloaded = reach.reloaded.contains(&user);
            let (active_now, held_now) = match reloaded {
                true => (after.is_active(user), after.holdings.get(&user)),
                false => (active, held),
            };
            match reloaded {
                true => {
                    cells.of_user(before, 0, active.then_some(held).flatten(), &mut was);
                    cells.of_user(after, 1, active_now.then_some(held_now).flatten(), &mut is);
                }
                // The same holdings before and after: walked once for both states.
                false => cells.of_user_both(
                    (before, after),
                    active.then_some(held).flatten(),
                    (&mut was, &mut is),
                ),
            }
            let known = changes.len();
            cells.changes(user, &was, &is, spaces, &mut changes);
            // Their holdings were just walked: taken now, not looked up again by the index.
            if reloaded || changes.len() > known {
                let start = index.held.len();
                index.held.extend(globals(held_now));
                index.users.push(UserRoles {
                    id: user,
                    active: active_now,
                    held: start..index.held.len(),
                });
            }
            if reach.applications_may_change(before, after, new_applications, user) {
                let (a, b) = (before.applications_of(user), after.applications_of(user));
                for app in a.symmetric_difference(&b) {
                    changes.push(Change {
                        user,
                        gained: b.contains(app),
                        permission: Permission::Application(app.clone()),
                    });
                }
            }
            if reach.inventory_may_change(before, after, user) {
                inventory_changes(before, after, user, &mut changes);
            }
        }
        (changes, index)
    }
}

/// Looks keys up in a map in ascending order: by walking the map beside them when they are many
/// (a role save on a role held by 50,000 of 100,000 users), else one by one.
pub(super) struct Ascending<'m, V> {
    map: &'m OrdMap<i64, V>,
    walk: Option<std::iter::Peekable<Entries<'m, V>>>,
}

type Entries<'m, V> = Box<dyn Iterator<Item = (&'m i64, &'m V)> + 'm>;

impl<'m, V> Ascending<'m, V> {
    /// For `keys` keys, the first of them `first`.
    pub(super) fn new(map: &'m OrdMap<i64, V>, keys: usize, first: i64) -> Ascending<'m, V> {
        let walk = (keys.saturating_mul(4) >= map.len()).then(|| {
            let all: Entries<'m, V> = Box::new(map.range(first..));
            all.peekable()
        });
        Ascending { map, walk }
    }

    /// The value at `key`; each key must be greater than the one before.
    pub(super) fn get(&mut self, key: i64) -> Option<&'m V> {
        let Some(walk) = &mut self.walk else {
            return self.map.get(&key);
        };
        while walk.next_if(|(k, _)| **k < key).is_some() {}
        walk.next_if(|(k, _)| **k == key).map(|(_, v)| v)
    }
}

fn or_into(into: &mut [u64], other: &[u64]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a |= b;
    }
}

/// One user's cells per scope, as bits: `bits` holds `words` words for each of `spaces`. Kept
/// between users, so that judging 50,000 of them allocates nothing per user.
#[derive(Default)]
struct Scoped {
    spaces: Vec<Space>,
    bits: Vec<u64>,
}

impl Scoped {
    fn at(&self, space: Space, words: usize) -> Option<&[u64]> {
        let i = self.spaces.iter().position(|s| *s == space)?;
        Some(&self.bits[i * words..(i + 1) * words])
    }

    fn clear(&mut self) {
        self.spaces.clear();
        self.bits.clear();
    }

    /// Adds a role's `bits` at `space`.
    fn add(&mut self, space: Space, bits: &[u64]) {
        let words = bits.len();
        let i = match self.spaces.iter().position(|s| *s == space) {
            Some(i) => i,
            None => {
                self.spaces.push(space);
                self.bits.resize(self.bits.len() + words, 0);
                self.spaces.len() - 1
            }
        };
        or_into(&mut self.bits[i * words..(i + 1) * words], bits);
    }
}

/// The global roles of `held`, with their space.
fn globals(held: Option<&BTreeSet<Holding>>) -> impl Iterator<Item = (i64, Space)> + '_ {
    held.into_iter().flatten().filter_map(|h| match h {
        Holding::Global { role, space } => Some((*role, *space)),
        Holding::Inventory { .. } => None,
    })
}

/// Each role's effective cells as bits ([`RoleState::cells`](super::state::RoleState)), by a
/// slot per role and state: a role save on a role held by 50,000 users compares 50,000 users'
/// cells, and merging their roles' grants as strings took about 100 µs a user. Implications
/// apply per cell, so a user's effective cells are the union of their roles' effective cells;
/// every effective cell is one of the catalogue's.
struct CellBits<'s> {
    words: usize,
    names: &'s [(Arc<str>, Arc<str>)],
    /// Where a role's bits start in `store`, before (0) and after (1) the write: by the role's
    /// id less `base` when that is within `dense` (a tenant's role ids are close together, and
    /// a user holds about ten roles: at 50,000 users a hash per lookup took 40 ms), else hashed.
    base: i64,
    dense: [Vec<u32>; 2],
    hashed: HashMap<(usize, i64), usize>,
    store: Vec<u64>,
    /// The roles the write touched: every other role's bits are the same before and after it.
    changed: BTreeSet<i64>,
}

/// Not computed yet, in `CellBits::dense`.
const NO_SLOT: u32 = u32::MAX;

impl<'s> CellBits<'s> {
    fn new(before: &'s TenantState, after: &TenantState, changed: &BTreeSet<i64>) -> CellBits<'s> {
        let ids = || before.roles.keys().chain(after.roles.keys()).copied();
        let (base, last) = (ids().min().unwrap_or(0), ids().max().unwrap_or(-1));
        let span = usize::try_from(last.saturating_sub(base).saturating_add(1)).unwrap_or(0);
        let span = span.min(4 * (before.roles.len() + after.roles.len()) + 1024);
        CellBits {
            words: before.cells.words,
            names: &before.cells.names,
            base,
            dense: [vec![NO_SLOT; span], vec![NO_SLOT; span]],
            hashed: HashMap::new(),
            store: Vec::new(),
            changed: changed.clone(),
        }
    }

    fn role(&mut self, state: &TenantState, which: usize, role: i64) -> usize {
        let dense = usize::try_from(role.wrapping_sub(self.base))
            .ok()
            .filter(|i| *i < self.dense[which].len());
        let known = match dense {
            Some(i) => Some(self.dense[which][i])
                .filter(|s| *s != NO_SLOT)
                .map(|s| s as usize),
            None => self.hashed.get(&(which, role)).copied(),
        };
        if let Some(slot) = known {
            return slot;
        }
        let slot = self.store.len();
        let cells = state.roles.get(&role).map_or(&[][..], |r| &r.cells[..]);
        self.store.extend(cells);
        self.store.resize(slot + self.words, 0);
        // A role the write did not touch is the same before and after it (`Reach::roles`).
        let both = !self.changed.contains(&role);
        for w in [which, 1 - which]
            .into_iter()
            .take(if both { 2 } else { 1 })
        {
            match dense {
                Some(i) if u32::try_from(slot).is_ok_and(|s| s != NO_SLOT) => {
                    self.dense[w][i] = slot as u32
                }
                _ => {
                    self.hashed.insert((w, role), slot);
                }
            }
        }
        slot
    }

    /// A user's effective cells per scope (as [`TenantState::global_of`]) into `into`, from
    /// what they hold in `state` (None: nothing, or disabled).
    fn of_user(
        &mut self,
        state: &TenantState,
        which: usize,
        held: Option<&BTreeSet<Holding>>,
        into: &mut Scoped,
    ) {
        into.clear();
        for (role, space) in globals(held) {
            self.add_role(state, which, role, space, into);
        }
    }

    /// ORs `role`'s cells in `state` (`which`: 0 before the write, 1 after) into `into` at
    /// `space`.
    fn add_role(
        &mut self,
        state: &TenantState,
        which: usize,
        role: i64,
        space: Space,
        into: &mut Scoped,
    ) {
        let slot = self.role(state, which, role);
        into.add(space, &self.store[slot..slot + self.words]);
    }

    /// [`CellBits::of_user`] before (into `was`) and after the write (into `is`) for a user
    /// whose holdings the write did not change (only the roles it touched differ), with one
    /// walk of the holdings for both: a role save on a role held by 50,000 users walked
    /// 100,000 holdings sets, about half of its time.
    fn of_user_both(
        &mut self,
        (before, after): (&TenantState, &TenantState),
        held: Option<&BTreeSet<Holding>>,
        (was, is): (&mut Scoped, &mut Scoped),
    ) {
        was.clear();
        is.clear();
        for (role, space) in globals(held) {
            self.add_role(before, 0, role, space, was);
            self.add_role(after, 1, role, space, is);
        }
    }

    /// What `user` gains and loses between `was` and `is`: a change tenant-wide is named once,
    /// tenant-wide; a change in a space (one of `spaces`) on top of that, in the space.
    fn changes(
        &self,
        user: i64,
        was: &Scoped,
        is: &Scoped,
        spaces: &BTreeSet<Space>,
        out: &mut Vec<Change>,
    ) {
        let words = self.words;
        let none = [0u64; 0];
        let word =
            |set: Option<&[u64]>, w: usize| set.unwrap_or(&none).get(w).copied().unwrap_or(0);
        let (tw_a, tw_b) = (was.at(TENANT_WIDE, words), is.at(TENANT_WIDE, words));
        let mut push = |space: Space, w: usize, y: u64, mut changed: u64| {
            while changed != 0 {
                let bit = changed.trailing_zeros() as usize;
                changed &= changed - 1;
                let (t, l) = &self.names[w * 64 + bit];
                out.push(Change {
                    user,
                    gained: y & (1 << bit) != 0,
                    permission: Permission::Cell {
                        space,
                        type_name: t.clone(),
                        level: l.clone(),
                    },
                });
            }
        };
        for w in 0..words {
            let (x, y) = (word(tw_a, w), word(tw_b, w));
            push(TENANT_WIDE, w, y, x ^ y);
        }
        let scoped = was
            .spaces
            .iter()
            .chain(is.spaces.iter().filter(|s| !was.spaces.contains(s)));
        for &space in scoped.filter(|s| spaces.contains(s)) {
            let (a, b) = (was.at(space, words), is.at(space, words));
            for w in 0..words {
                let (ta, tb) = (word(tw_a, w), word(tw_b, w));
                let (x, y) = (ta | word(a, w), tb | word(b, w));
                // A tenant-wide change shows in every space too; it is named once, tenant-wide.
                push(space, w, y, (x ^ y) & !(ta ^ tb));
            }
        }
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

fn inventory_changes(before: &TenantState, after: &TenantState, user: i64, out: &mut Vec<Change>) {
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
                        out.push(Change {
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
    /// Names as they were before and after the write (persistent maps: cloned for free).
    spaces: [OrdMap<Space, String>; 2],
    device_groups: [OrdMap<i64, (i64, String)>; 2],
}

impl Report {
    pub fn new(effect: Effect, before: &TenantState, after: &TenantState) -> Report {
        Report {
            effect,
            spaces: [after.spaces.clone(), before.spaces.clone()],
            device_groups: [after.device_groups.clone(), before.device_groups.clone()],
        }
    }

    fn space_name(&self, space: Space) -> &str {
        self.spaces
            .iter()
            .find_map(|names| names.get(&space))
            .map_or("", String::as_str)
    }

    fn group_name(&self, group: i64) -> &str {
        self.device_groups
            .iter()
            .find_map(|groups| groups.get(&group))
            .map_or("", |(_, name)| name.as_str())
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
                let name = self.space_name(*space);
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
                let on = self.group_name(*group);
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
