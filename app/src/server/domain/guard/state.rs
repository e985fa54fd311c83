//! A tenant's facts in the shape the guard asks about: what each active user holds, at which
//! scope, directly or through a group, on which device groups.

use crate::model::{Audience, Origin, RoleMode, RoleScope, UserStatus};
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
};

use imbl::{OrdMap, OrdSet};

use crate::{
    model::{
        catalogue::{Catalogue, Grants},
        inventory::{InventoryPermission, ANY_TYPE},
        inventory_access::row_bits,
    },
    server::{
        db::tenant_facts::{Patch, RoleFact, SsoFacts, TenantFacts, UserFact},
        index::cells::CellNumbers,
    },
};

/// Where a global role counts: tenant-wide (space 0) or in one space.
pub type Space = i64;
pub const TENANT_WIDE: Space = 0;

/// What one inventory role, or a user's roles on one device group, grant: bits on every
/// fragment type (`*`) and bits per named type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryBits {
    pub wild: u16,
    pub typed: BTreeMap<String, u16>,
}

impl InventoryBits {
    fn from_rows(rows: &[InventoryPermission]) -> InventoryBits {
        let mut bits = InventoryBits::default();
        for row in rows {
            if row.fragment_type == ANY_TYPE {
                bits.wild |= row_bits(row);
            } else {
                *bits.typed.entry(row.fragment_type.clone()).or_default() |= row_bits(row);
            }
        }
        bits
    }

    fn merge(&mut self, other: &InventoryBits) {
        self.wild |= other.wild;
        for (t, b) in &other.typed {
            *self.typed.entry(t.clone()).or_default() |= b;
        }
    }

    /// The bits for fragment type `t` (`*` asks for what holds on every type).
    pub fn on(&self, t: &str) -> u16 {
        if t == ANY_TYPE {
            self.wild
        } else {
            self.wild | self.typed.get(t).copied().unwrap_or_default()
        }
    }

    /// Every fragment type with bits, `*` first.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        std::iter::once(ANY_TYPE).chain(self.typed.keys().map(String::as_str))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub username: String,
    pub active: bool,
    pub sso: bool,
    pub partner_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleState {
    pub name: String,
    pub description: String,
    pub tenant_admin: bool,
    pub built_in: bool,
    pub space_bound: bool,
    /// As ticked (implications not applied).
    pub grants: Grants,
    /// `grants` with implications applied, as bits of the tenant's [`CellNumbers`]: made when
    /// the role is read, so that a write reaching a role's 50,000 holders does not read the
    /// grants of every role they hold again (about 14 ms of such a role save).
    pub cells: Vec<u64>,
    pub applications: BTreeSet<String>,
}

/// What a user holds: a global role at a scope, or an inventory role on a device group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holding {
    Global { role: i64, space: Space },
    Inventory { role: i64, group: i64 },
}

/// Which holdings of an SSO user the access mapping manages, so that nobody changes them by hand
/// (SPEC rule 6).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SsoLock {
    /// `Only when the user is created`, or manual changes allowed.
    #[default]
    Nothing,
    /// `Reassign on every sign-in`.
    Everything,
    /// `Only the listed roles`: the global roles, inventory roles on groups and applications
    /// some rule names.
    Listed {
        roles: BTreeSet<i64>,
        inventory: BTreeSet<(i64, i64)>,
        applications: BTreeSet<String>,
    },
}

impl SsoLock {
    pub fn locks(&self, holding: &Holding) -> bool {
        match (self, holding) {
            (SsoLock::Nothing, _) => false,
            (SsoLock::Everything, _) => true,
            (SsoLock::Listed { roles, .. }, Holding::Global { role, .. }) => roles.contains(role),
            (SsoLock::Listed { inventory, .. }, Holding::Inventory { role, group }) => {
                inventory.contains(&(*role, *group))
            }
        }
    }

    /// Whether an application given directly is the mapping's.
    pub fn locks_application(&self, application: &str) -> bool {
        match self {
            SsoLock::Nothing => false,
            SsoLock::Everything => true,
            SsoLock::Listed { applications, .. } => applications.contains(application),
        }
    }
}

/// The whole tenant as the guard sees it. Its maps are persistent (`imbl`): a clone shares
/// every entry, so the state after a write is the state before it with only what the write
/// touched reloaded ([`TenantState::patched`]), and the state before the next write is kept
/// between writes (`Db::guard_states`).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantState {
    pub sso_lock: SsoLock,
    pub users: OrdMap<i64, UserState>,
    pub roles: OrdMap<i64, RoleState>,
    pub requires: OrdSet<(i64, i64)>,
    pub spaces: OrdMap<Space, String>,
    pub user_groups: OrdMap<i64, String>,
    /// Per user, every holding, directly or through a group.
    pub holdings: OrdMap<i64, BTreeSet<Holding>>,
    /// `holdings` the other way round: (0 for a global role / 1 for an inventory role, role,
    /// user) for every role a user holds, at any scope. A role save reaches the role's holders
    /// without walking every user's holdings (at 100,000 users that walk took 11 ms).
    holders: OrdSet<(u8, i64, i64)>,
    /// Per user, the applications given to them directly.
    pub direct_applications: OrdMap<i64, BTreeSet<String>>,
    /// (device group) → (parent, name).
    pub device_groups: OrdMap<i64, (i64, String)>,
    /// (device group or 0 for the top) → its children: made once, not per question (at 10,000
    /// groups and 200,000 inventory holdings, rebuilding it per holding took seconds).
    children: OrdMap<i64, Vec<i64>>,
    pub inventory_roles: OrdMap<i64, (String, InventoryBits)>,
    /// The tenant's catalogue's cells, as `roles`' `cells` number them.
    pub cells: Arc<CellNumbers>,
}

fn roles_from(
    roles: Vec<RoleFact>,
    grants: Vec<(i64, String, String)>,
    applications: Vec<(i64, String)>,
    cells: &CellNumbers,
) -> BTreeMap<i64, RoleState> {
    let mut out: BTreeMap<i64, RoleState> = roles
        .into_iter()
        .map(|r| {
            let built_in = r.built_in != 0;
            let state = RoleState {
                name: r.name,
                description: r.description,
                tenant_admin: built_in && r.audience == Audience::Admin,
                built_in,
                space_bound: r.scope == RoleScope::SpaceBound,
                grants: Grants::new(),
                cells: Vec::new(),
                applications: BTreeSet::new(),
            };
            (r.id, state)
        })
        .collect();
    for (role, t, l) in grants {
        if let Some(r) = out.get_mut(&role) {
            r.grants.entry(t).or_default().insert(l);
        }
    }
    for (role, app) in applications {
        if let Some(r) = out.get_mut(&role) {
            r.applications.insert(app);
        }
    }
    for r in out.values_mut() {
        r.cells = cells.of(&r.grants);
    }
    out
}

/// Every holding per user: (user, role, space) given directly and through groups, and (user,
/// inventory role, device group).
fn holdings_from(
    global: impl IntoIterator<Item = (i64, i64, i64)>,
    inventory: Vec<(i64, i64, i64)>,
) -> BTreeMap<i64, BTreeSet<Holding>> {
    let mut holdings: BTreeMap<i64, BTreeSet<Holding>> = BTreeMap::new();
    for (u, role, space) in global {
        holdings
            .entry(u)
            .or_default()
            .insert(Holding::Global { role, space });
    }
    for (u, role, group) in inventory {
        holdings
            .entry(u)
            .or_default()
            .insert(Holding::Inventory { role, group });
    }
    holdings
}

/// The keys of `holders` for `user`'s holdings.
fn holder_keys(user: i64, held: &BTreeSet<Holding>) -> impl Iterator<Item = (u8, i64, i64)> + '_ {
    held.iter().map(move |h| match h {
        Holding::Global { role, .. } => (0, *role, user),
        Holding::Inventory { role, .. } => (1, *role, user),
    })
}

fn users_from(users: Vec<UserFact>) -> impl Iterator<Item = (i64, UserState)> {
    users.into_iter().map(|u| {
        let state = UserState {
            active: u.status == UserStatus::Active,
            sso: u.origin == Origin::Sso,
            partner_admin: u.is_partner_admin != 0,
            username: u.username,
        };
        (u.id, state)
    })
}

fn applications_from(rows: Vec<(i64, String)>) -> BTreeMap<i64, BTreeSet<String>> {
    let mut out: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (user, app) in rows {
        out.entry(user).or_default().insert(app);
    }
    out
}

fn inventory_roles_from(
    roles: Vec<(i64, String)>,
    rows: Vec<(i64, InventoryPermission)>,
) -> impl Iterator<Item = (i64, (String, InventoryBits))> {
    let mut by_role: BTreeMap<i64, Vec<InventoryPermission>> = BTreeMap::new();
    for (role, row) in rows {
        by_role.entry(role).or_default().push(row);
    }
    roles.into_iter().map(move |(id, name)| {
        let bits = InventoryBits::from_rows(by_role.get(&id).map_or(&[], Vec::as_slice));
        (id, (name, bits))
    })
}

fn sso_lock_from(mapping: SsoFacts) -> SsoLock {
    match (mapping.manual_changes, mapping.role_mode) {
        (true, _) | (false, RoleMode::OnCreate) => SsoLock::Nothing,
        (false, RoleMode::Reassign) => SsoLock::Everything,
        (false, RoleMode::Listed) => SsoLock::Listed {
            roles: mapping.mapped_roles.into_iter().collect(),
            inventory: mapping.mapped_inventory.into_iter().collect(),
            applications: mapping.mapped_applications.into_iter().collect(),
        },
    }
}

/// (device group) → (parent, name), and (device group or 0) → children.
type Tree = (OrdMap<i64, (i64, String)>, OrdMap<i64, Vec<i64>>);

fn tree_from(rows: Vec<(i64, i64, String)>) -> Tree {
    let device_groups: OrdMap<i64, (i64, String)> = rows
        .into_iter()
        .map(|(id, parent, name)| (id, (parent, name)))
        .collect();
    let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (id, (parent, _)) in &device_groups {
        children.entry(*parent).or_default().push(*id);
    }
    (device_groups, children.into_iter().collect())
}

impl TenantState {
    /// The state of a tenant whose catalogue is `catalogue`.
    pub fn from_facts(facts: TenantFacts, catalogue: &Catalogue) -> TenantState {
        let cells = Arc::new(CellNumbers::new(catalogue));
        let mut group_roles: BTreeMap<i64, Vec<(i64, Space)>> = BTreeMap::new();
        for (g, r, s) in facts.group_roles {
            group_roles.entry(g).or_default().push((r, s));
        }
        let through_groups = facts.members.iter().flat_map(|(g, u)| {
            group_roles
                .get(g)
                .into_iter()
                .flatten()
                .map(move |&(role, space)| (*u, role, space))
        });
        let holdings = holdings_from(
            facts.user_roles.into_iter().chain(through_groups),
            facts.user_inventory,
        );
        let (device_groups, children) = tree_from(facts.device_groups);
        let holders = holdings
            .iter()
            .flat_map(|(user, held)| holder_keys(*user, held))
            .collect();
        TenantState {
            holders,
            sso_lock: sso_lock_from(facts.sso),
            direct_applications: applications_from(facts.user_applications)
                .into_iter()
                .collect(),
            children,
            users: users_from(facts.users).collect(),
            roles: roles_from(
                facts.roles,
                facts.role_grants,
                facts.role_applications,
                &cells,
            )
            .into_iter()
            .collect(),
            requires: facts.role_requires.into_iter().collect(),
            spaces: facts.spaces.into_iter().collect(),
            user_groups: facts.user_groups.into_iter().collect(),
            holdings: holdings.into_iter().collect(),
            device_groups,
            inventory_roles: inventory_roles_from(facts.inventory_roles, facts.inventory_rows)
                .collect(),
            cells,
        }
    }

    /// This state with what a write touched reloaded: the result is the tenant as the write left
    /// it, provided `patch` holds every row the write touched (the journal's triggers see to
    /// that) and this state was the tenant before the write.
    pub fn patched(&self, patch: Patch) -> TenantState {
        let mut next = self.clone();
        if let Some(users) = patch.users {
            for id in &users.ids {
                next.users.remove(id);
                if let Some(held) = next.holdings.remove(id) {
                    for key in holder_keys(*id, &held) {
                        next.holders.remove(&key);
                    }
                }
                next.direct_applications.remove(id);
            }
            next.users.extend(users_from(users.users));
            let holdings = holdings_from(users.roles, users.inventory);
            for (user, held) in &holdings {
                next.holders.extend(holder_keys(*user, held));
            }
            next.holdings.extend(holdings);
            next.direct_applications
                .extend(applications_from(users.applications));
        }
        for id in &patch.groups.ids {
            next.user_groups.remove(id);
        }
        next.user_groups.extend(patch.groups.names);
        if let Some(roles) = patch.roles {
            for id in &roles.ids {
                next.roles.remove(id);
                let required: Vec<(i64, i64)> = next
                    .requires
                    .range((*id, i64::MIN)..=(*id, i64::MAX))
                    .copied()
                    .collect();
                for pair in required {
                    next.requires.remove(&pair);
                }
            }
            next.roles.extend(roles_from(
                roles.roles,
                roles.grants,
                roles.applications,
                &self.cells,
            ));
            next.requires.extend(roles.requires);
        }
        if let Some(spaces) = patch.spaces {
            next.spaces = spaces.into_iter().collect();
        }
        if let Some(tree) = patch.device_groups {
            (next.device_groups, next.children) = tree_from(tree);
        }
        if let Some(inventory) = patch.inventory_roles {
            for id in &inventory.ids {
                next.inventory_roles.remove(id);
            }
            next.inventory_roles
                .extend(inventory_roles_from(inventory.roles, inventory.rows));
        }
        if let Some(sso) = patch.sso {
            next.sso_lock = sso_lock_from(sso);
        }
        next
    }

    /// The first part of this state that differs from `other`, by name (for tests: the whole
    /// state of a tenant is too big to print).
    #[cfg(test)]
    pub fn differs_from(&self, other: &TenantState) -> Option<&'static str> {
        let parts = [
            ("sso_lock", self.sso_lock == other.sso_lock),
            ("users", self.users == other.users),
            ("roles", self.roles == other.roles),
            ("requires", self.requires == other.requires),
            ("spaces", self.spaces == other.spaces),
            ("user_groups", self.user_groups == other.user_groups),
            ("holdings", self.holdings == other.holdings),
            ("holders", self.holders == other.holders),
            (
                "direct_applications",
                self.direct_applications == other.direct_applications,
            ),
            ("device_groups", self.device_groups == other.device_groups),
            ("children", self.children == other.children),
            (
                "inventory_roles",
                self.inventory_roles == other.inventory_roles,
            ),
        ];
        parts
            .into_iter()
            .find(|(_, same)| !same)
            .map(|(name, _)| name)
    }

    /// Every user who holds global role `role`, at any scope.
    pub fn holders_of(&self, role: i64) -> impl Iterator<Item = i64> + '_ {
        self.holders
            .range((0, role, i64::MIN)..=(0, role, i64::MAX))
            .map(|(_, _, user)| *user)
    }

    /// Every user who holds inventory role `role` (None: any inventory role), on any group.
    pub fn inventory_holders(&self, role: Option<i64>) -> impl Iterator<Item = i64> + '_ {
        let (from, to) = role.map_or((i64::MIN, i64::MAX), |r| (r, r));
        self.holders
            .range((1, from, i64::MIN)..=(1, to, i64::MAX))
            .map(|(_, _, user)| *user)
    }

    pub fn is_active(&self, user: i64) -> bool {
        self.users.get(&user).is_some_and(|u| u.active)
    }

    /// Whether `user` holds the same here as in `other`, and has the same applications given
    /// directly (compared in place: a role save reaches tens of thousands of holders).
    pub fn same_holdings(&self, other: &TenantState, user: i64) -> bool {
        fn same<T: PartialEq>(a: Option<&BTreeSet<T>>, b: Option<&BTreeSet<T>>) -> bool {
            a.filter(|s| !s.is_empty()) == b.filter(|s| !s.is_empty())
        }
        same(self.holdings.get(&user), other.holdings.get(&user))
            && same(
                self.direct_applications.get(&user),
                other.direct_applications.get(&user),
            )
    }

    pub fn holdings_of(&self, user: i64) -> BTreeSet<Holding> {
        self.holdings.get(&user).cloned().unwrap_or_default()
    }

    /// A user's effective global permissions (implications applied) per scope: what holds
    /// tenant-wide, and what holds in each space on top of that. A disabled user holds nothing.
    pub fn global_of(&self, catalogue: &Catalogue, user: i64) -> BTreeMap<Space, Grants> {
        let mut ticked: BTreeMap<Space, Grants> = BTreeMap::new();
        if !self.is_active(user) {
            return ticked;
        }
        for holding in self.holdings.get(&user).into_iter().flatten() {
            if let Holding::Global { role, space } = holding {
                if let Some(r) = self.roles.get(role) {
                    let grants = ticked.entry(*space).or_default();
                    for (t, levels) in &r.grants {
                        grants
                            .entry(t.clone())
                            .or_default()
                            .extend(levels.iter().cloned());
                    }
                }
            }
        }
        ticked
            .into_iter()
            .map(|(space, grants)| (space, catalogue.effective(&grants)))
            .collect()
    }

    /// Everything a user holds in `space` (tenant-wide grants count in every space).
    pub fn global_in(&self, catalogue: &Catalogue, user: i64, space: Space) -> Grants {
        let scoped = self.global_of(catalogue, user);
        let mut grants = scoped.get(&TENANT_WIDE).cloned().unwrap_or_default();
        if space != TENANT_WIDE {
            for (t, levels) in scoped.get(&space).into_iter().flatten() {
                grants
                    .entry(t.clone())
                    .or_default()
                    .extend(levels.iter().cloned());
            }
        }
        grants
    }

    pub fn applications_of(&self, user: i64) -> BTreeSet<String> {
        if !self.is_active(user) {
            return BTreeSet::new();
        }
        self.holdings
            .get(&user)
            .into_iter()
            .flatten()
            .filter_map(|h| match h {
                Holding::Global { role, .. } => self.roles.get(role),
                Holding::Inventory { .. } => None,
            })
            .flat_map(|r| r.applications.iter().cloned())
            .chain(self.direct_applications_of(user))
            .collect()
    }

    /// The applications given to `user` directly.
    pub fn direct_applications_of(&self, user: i64) -> BTreeSet<String> {
        self.direct_applications
            .get(&user)
            .cloned()
            .unwrap_or_default()
    }

    /// The device groups at or below `group` (each once, whatever the tree's shape).
    pub fn subtree(&self, group: i64) -> Vec<i64> {
        let children = &self.children;
        let mut seen = BTreeSet::new();
        let mut stack = vec![group];
        while let Some(g) = stack.pop() {
            if self.device_groups.contains_key(&g) && seen.insert(g) {
                stack.extend(children.get(&g).into_iter().flatten().copied());
            }
        }
        seen.into_iter().collect()
    }

    /// A user's inventory permissions on every device group where they have any: their roles on
    /// the group and on every group above it. A disabled user holds nothing.
    pub fn inventory_of(&self, user: i64) -> BTreeMap<i64, InventoryBits> {
        let mut out: BTreeMap<i64, InventoryBits> = BTreeMap::new();
        if !self.is_active(user) {
            return out;
        }
        for holding in self.holdings.get(&user).into_iter().flatten() {
            if let Holding::Inventory { role, group } = holding {
                let Some((_, bits)) = self.inventory_roles.get(role) else {
                    continue;
                };
                for node in self.subtree(*group) {
                    out.entry(node).or_default().merge(bits);
                }
            }
        }
        out
    }

    /// The first device group whose parent chain never reaches the top, if any.
    pub fn cycle(&self) -> Option<i64> {
        self.device_groups.keys().copied().find(|&start| {
            let mut node = start;
            for _ in 0..=self.device_groups.len() {
                match self.device_groups.get(&node) {
                    Some((parent, _)) if *parent == 0 => return false,
                    Some((parent, _)) => node = *parent,
                    None => return false,
                }
            }
            true
        })
    }

    /// A role that requires itself through the roles it requires (SPEC rule 5 has no cycles), if
    /// any.
    pub fn requirement_cycle(&self) -> Option<i64> {
        // Depth-first, three colours: a grey role met again closes a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Colour {
            Grey,
            Black,
        }
        let mut colour: BTreeMap<i64, Colour> = BTreeMap::new();
        for &(start, _) in &self.requires {
            if colour.contains_key(&start) {
                continue;
            }
            // (role, whether its requirements were pushed)
            let mut stack = vec![(start, false)];
            while let Some((role, expanded)) = stack.pop() {
                if expanded {
                    colour.insert(role, Colour::Black);
                    continue;
                }
                match colour.get(&role) {
                    Some(Colour::Black) => continue,
                    Some(Colour::Grey) => continue,
                    None => {}
                }
                colour.insert(role, Colour::Grey);
                stack.push((role, true));
                for &(_, required) in self.requires.range((role, i64::MIN)..=(role, i64::MAX)) {
                    match colour.get(&required) {
                        Some(Colour::Grey) => return Some(required),
                        Some(Colour::Black) => {}
                        None => stack.push((required, false)),
                    }
                }
            }
        }
        None
    }

    /// Whether some active user holds a tenant-admin role tenant-wide (SPEC rule 9).
    pub fn has_active_tenant_admin(&self) -> bool {
        self.holdings.iter().any(|(user, held)| {
            self.is_active(*user)
                && held.iter().any(|h| {
                    matches!(h, Holding::Global { role, space: TENANT_WIDE }
                        if self.roles.get(role).is_some_and(|r| r.tenant_admin))
                })
        })
    }

    /// Every (user of `users`, role, required role, scope) where a held role's requirement is not
    /// held at the same scope (tenant-wide covers every space) — SPEC rule 5.
    pub fn unmet_requirements(&self, users: &BTreeSet<i64>) -> BTreeSet<(i64, i64, i64, Space)> {
        let mut out = BTreeSet::new();
        for (user, held) in users
            .iter()
            .filter_map(|u| self.holdings.get(u).map(|h| (u, h)))
        {
            for h in held {
                let Holding::Global { role, space } = *h else {
                    continue;
                };
                for &(_, required) in self.requires.range((role, i64::MIN)..=(role, i64::MAX)) {
                    let met = held.contains(&Holding::Global {
                        role: required,
                        space,
                    }) || held.contains(&Holding::Global {
                        role: required,
                        space: TENANT_WIDE,
                    });
                    if !met {
                        out.insert((*user, role, required, space));
                    }
                }
            }
        }
        out
    }

    pub fn space_name(&self, space: Space) -> &str {
        self.spaces
            .get(&space)
            .map_or("a deleted space", String::as_str)
    }

    pub fn group_name(&self, group: i64) -> &str {
        self.device_groups
            .get(&group)
            .map_or("a deleted device group", |(_, n)| n.as_str())
    }

    pub fn username(&self, user: i64) -> &str {
        self.users
            .get(&user)
            .map_or("a deleted user", |u| u.username.as_str())
    }

    pub fn role_name(&self, role: i64) -> &str {
        self.roles
            .get(&role)
            .map_or("a deleted role", |r| r.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::templates::Templates;

    /// The cells a set of bits names, as (type, level).
    fn named(numbers: &CellNumbers, bits: &[u64]) -> BTreeSet<(String, String)> {
        (0..numbers.names.len())
            .filter(|n| bits[n / 64] & (1 << (n % 64)) != 0)
            .map(|n| {
                let (t, l) = &numbers.names[n];
                (t.to_string(), l.to_string())
            })
            .collect()
    }

    fn effective(catalogue: &Catalogue, grants: &Grants) -> BTreeSet<(String, String)> {
        super::super::rules::all_cells(catalogue, grants)
            .into_iter()
            .collect()
    }

    #[test]
    fn a_roles_cells_are_its_grants_with_implications_applied_in_every_template() {
        let templates = Templates::load().unwrap();
        for name in templates.names() {
            let catalogue = &templates.get(name).unwrap().catalogue;
            let numbers = CellNumbers::new(catalogue);
            let mut levels: Vec<String> = catalogue.levels.clone();
            levels.push("NO-SUCH-LEVEL".into());
            let mut types: Vec<String> = catalogue.types().map(|t| t.name.clone()).collect();
            types.push("No such type".into());
            let mut all = Grants::new();
            for (i, t) in types.iter().enumerate() {
                for (j, l) in levels.iter().enumerate() {
                    let one = Grants::from([(t.clone(), BTreeSet::from([l.clone()]))]);
                    assert_eq!(
                        named(&numbers, &numbers.of(&one)),
                        effective(catalogue, &one),
                        "{name}: {t} {l}"
                    );
                    // A mixed role: every other tick of the template.
                    if (i + j) % 2 == 0 {
                        all.entry(t.clone()).or_default().insert(l.clone());
                    }
                }
            }
            assert_eq!(
                named(&numbers, &numbers.of(&all)),
                effective(catalogue, &all),
                "{name}"
            );
            assert!(!numbers.of(&all).iter().all(|w| *w == 0), "{name}");
        }
    }
}
