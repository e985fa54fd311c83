//! Dataset L of issue 5, generated from a fixed seed so every run measures the same tenant.

use app::{
    model::{
        catalogue::Catalogue,
        inventory::{InventoryPermission, CATEGORIES, LEVELS},
        inventory_access::{Want, CHECKED},
        DeviceGroupId, DeviceId, UserId,
    },
    server::index::Snapshot,
};
use std::collections::HashMap;

use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

pub const SEED: u64 = 0x0CA5_7E11_A000_0005;
pub const USERS: i64 = 100_000;
pub const USER_GROUPS: i64 = 10_000;
pub const GLOBAL_ROLES: i64 = 4_800;
pub const INVENTORY_ROLES: i64 = 200;
pub const USER_GLOBAL: usize = 250_000;
pub const GROUP_GLOBAL: usize = 50_000;
pub const USER_INVENTORY: usize = 200_000;
pub const DEVICE_GROUPS: i64 = 10_000;
pub const ROOT_GROUPS: i64 = 20;
pub const MAX_DEPTH: u32 = 10;
pub const DEVICES: i64 = 50_000;
/// Share of global roles with a grant on an inventory category (they apply on every device).
pub const GLOBAL_INVENTORY_SHARE: f64 = 0.02;
/// Share of global role assignments bound to a space (they give no inventory permission).
pub const SPACE_BOUND_SHARE: f64 = 0.10;
pub const FRAGMENT_TYPES: [&str; 5] = [
    "c8y_Restart",
    "c8y_Firmware",
    "c8y_Configuration",
    "c8y_Software",
    "c8y_Position",
];

/// What a check is about: a device group or a device.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Group(DeviceGroupId),
    Device(DeviceId),
}

/// One check: who, on what, which category, which fragment type, read or change. `group` is the
/// target's group (a device's access is its group's): the product reads it with the device's row
/// before asking the index, casbin follows the device's `g2` link itself.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub user: UserId,
    pub target: Target,
    pub group: DeviceGroupId,
    pub category: usize,
    pub fragment_type: &'static str,
    pub want: Want,
}

pub struct Dataset {
    pub snapshot: Snapshot,
    /// (device, device group): not in the index, which holds groups only.
    pub devices: Vec<(i64, i64)>,
    /// The depth of each device group (1 at the top), in `snapshot.tree.device_groups` order.
    pub depth: Vec<u32>,
}

fn global_role_grants(
    rng: &mut StdRng,
    catalogue: &Catalogue,
    role: i64,
) -> Vec<(i64, String, String)> {
    let mut other: Vec<(&str, &str)> = Vec::new();
    let mut inventory: Vec<(&str, &str)> = Vec::new();
    for p in catalogue.modules.iter().flat_map(|m| &m.permissions) {
        for l in &p.levels {
            if !CHECKED.contains(&p.name.as_str()) {
                other.push((p.name.as_str(), l.as_str()));
            } else if ["READ", "UPDATE", "ADMIN"].contains(&l.as_str()) {
                inventory.push((p.name.as_str(), l.as_str()));
            }
        }
    }
    let mut grants: Vec<(i64, String, String)> = (0..rng.gen_range(1..=4))
        .filter_map(|_| other.choose(rng))
        .map(|(t, l)| (role, t.to_string(), l.to_string()))
        .collect();
    if rng.gen_bool(GLOBAL_INVENTORY_SHARE) {
        if let Some((t, l)) = inventory.choose(rng) {
            grants.push((role, t.to_string(), l.to_string()));
        }
    }
    grants.sort();
    grants.dedup();
    grants
}

fn inventory_row(rng: &mut StdRng) -> InventoryPermission {
    let category = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
    let fragment_type = if rng.gen_bool(0.7) {
        "*"
    } else {
        FRAGMENT_TYPES[rng.gen_range(0..FRAGMENT_TYPES.len())]
    };
    let level = LEVELS[rng.gen_range(0..LEVELS.len())];
    InventoryPermission::new(category, fragment_type, level)
}

fn space(rng: &mut StdRng) -> i64 {
    if rng.gen_bool(SPACE_BOUND_SHARE) {
        rng.gen_range(1..=20)
    } else {
        0
    }
}

pub fn generate(catalogue: &Catalogue) -> Dataset {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut s = Snapshot {
        users: (1..=USERS).collect(),
        ..Snapshot::default()
    };
    for user in 1..=USERS {
        let first = rng.gen_range(1..=USER_GROUPS);
        s.members.push((first, user));
        if rng.gen_bool(0.5) {
            let second = rng.gen_range(1..=USER_GROUPS);
            if second != first {
                s.members.push((second, user));
            }
        }
    }
    for role in 1..=GLOBAL_ROLES {
        s.role_grants
            .extend(global_role_grants(&mut rng, catalogue, role));
    }
    for role in GLOBAL_ROLES + 1..=GLOBAL_ROLES + INVENTORY_ROLES {
        for _ in 0..rng.gen_range(1..=4) {
            s.tree.inventory_rows.push((role, inventory_row(&mut rng)));
        }
    }
    let mut depth = Vec::with_capacity(DEVICE_GROUPS as usize);
    for group in 1..=DEVICE_GROUPS {
        if group <= ROOT_GROUPS {
            s.tree.device_groups.push((group, 0));
            depth.push(1);
            continue;
        }
        // A random earlier group as parent, moved up while the tree would grow too deep.
        let mut parent = rng.gen_range(1..group);
        while depth[parent as usize - 1] >= MAX_DEPTH {
            parent = s.tree.device_groups[parent as usize - 1].1;
        }
        depth.push(depth[parent as usize - 1] + 1);
        s.tree.device_groups.push((group, parent));
    }
    let mut devices = Vec::with_capacity(DEVICES as usize);
    for device in 1..=DEVICES {
        devices.push((device, rng.gen_range(1..=DEVICE_GROUPS)));
    }
    for _ in 0..USER_GLOBAL {
        let (user, role) = (rng.gen_range(1..=USERS), rng.gen_range(1..=GLOBAL_ROLES));
        s.user_roles.push((user, role, space(&mut rng)));
    }
    for _ in 0..GROUP_GLOBAL {
        let (group, role) = (
            rng.gen_range(1..=USER_GROUPS),
            rng.gen_range(1..=GLOBAL_ROLES),
        );
        s.group_roles.push((group, role, space(&mut rng)));
    }
    for _ in 0..USER_INVENTORY {
        let user = rng.gen_range(1..=USERS);
        let role = rng.gen_range(GLOBAL_ROLES + 1..=GLOBAL_ROLES + INVENTORY_ROLES);
        let group = rng.gen_range(1..=DEVICE_GROUPS);
        s.tree.user_inventory.push((user, role, group));
    }
    Dataset {
        snapshot: s,
        devices,
        depth,
    }
}

/// Random questions from their own seed. Half are uniform (almost all denied: a user's few
/// inventory roles cover a small part of the tree); half pick a device, an ancestor group that
/// some user holds an inventory role on, that user, and the device or a group between the two,
/// so that category, level and type decide. A quarter ask about one fragment type, the rest
/// about every type (`*`).
pub fn questions(data: &Dataset, count: usize, seed: u64) -> Vec<Question> {
    let s = &data.snapshot;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut holders: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, _, group) in &s.tree.user_inventory {
        holders.entry(*group).or_default().push(*user);
    }
    let parent = |g: i64| s.tree.device_groups[g as usize - 1].1;
    let pick = |rng: &mut StdRng| -> (i64, Target) {
        let device = rng.gen_range(1..=DEVICES);
        if rng.gen_bool(0.5) {
            let user = rng.gen_range(1..=USERS);
            return if rng.gen_bool(0.5) {
                (user, Target::Device(DeviceId(device)))
            } else {
                (
                    user,
                    Target::Group(DeviceGroupId(rng.gen_range(1..=DEVICE_GROUPS))),
                )
            };
        }
        let mut path = vec![data.devices[device as usize - 1].1];
        while let Some(&g) = path.last().filter(|g| parent(**g) != 0) {
            path.push(parent(g));
        }
        let held: Vec<usize> = (0..path.len())
            .filter(|i| holders.contains_key(&path[*i]))
            .collect();
        let Some(&at) = held.choose(rng) else {
            return (rng.gen_range(1..=USERS), Target::Device(DeviceId(device)));
        };
        let user = *holders[&path[at]]
            .choose(rng)
            .expect("holders are never empty");
        let below = rng.gen_range(0..=at + 1);
        if below > at {
            (user, Target::Device(DeviceId(device)))
        } else {
            (user, Target::Group(DeviceGroupId(path[below])))
        }
    };
    (0..count)
        .map(|_| {
            let (user, target) = pick(&mut rng);
            let group = match target {
                Target::Group(g) => g,
                Target::Device(d) => DeviceGroupId(data.devices[d.0 as usize - 1].1),
            };
            Question {
                user: UserId(user),
                target,
                group,
                category: rng.gen_range(0..CHECKED.len()),
                fragment_type: if rng.gen_bool(0.25) {
                    FRAGMENT_TYPES[rng.gen_range(0..FRAGMENT_TYPES.len())]
                } else {
                    "*"
                },
                want: if rng.gen_bool(0.5) {
                    Want::Read
                } else {
                    Want::Change
                },
            }
        })
        .collect()
}

/// The dataset's exact composition, as a Markdown table.
pub fn print_composition(data: &Dataset) {
    let s = &data.snapshot;
    let tenant_wide = |v: &[(i64, i64, i64)]| v.iter().filter(|r| r.2 == 0).count();
    let max_depth = data.depth.iter().max().copied().unwrap_or(0);
    let deepest = data.depth.iter().filter(|d| **d == max_depth).count();
    let typed = s
        .tree
        .inventory_rows
        .iter()
        .filter(|(_, r)| r.fragment_type != "*")
        .count();
    let global_inventory_roles = {
        let mut roles: Vec<i64> = s
            .role_grants
            .iter()
            .filter(|(_, t, _)| CHECKED.contains(&t.as_str()))
            .map(|(r, _, _)| *r)
            .collect();
        roles.dedup();
        roles.len()
    };
    println!("## Dataset L (seed {:#x})", SEED);
    println!("| what | count |\n| --- | ---: |");
    println!("| users | {} |", s.users.len());
    println!(
        "| user groups / memberships (each user in 1 or 2) | {} / {} |",
        USER_GROUPS,
        s.members.len()
    );
    println!(
        "| roles: global / inventory | {} / {} |",
        GLOBAL_ROLES, INVENTORY_ROLES
    );
    println!(
        "| global role grants (1-4 per role) / roles with an inventory category | {} / {} |",
        s.role_grants.len(),
        global_inventory_roles
    );
    println!(
        "| inventory rows (1-4 per role) / typed (not `*`) | {} / {} |",
        s.tree.inventory_rows.len(),
        typed
    );
    println!(
        "| assignments: user -> global role (tenant-wide) | {} ({}) |",
        s.user_roles.len(),
        tenant_wide(&s.user_roles)
    );
    println!(
        "| assignments: user group -> global role (tenant-wide) | {} ({}) |",
        s.group_roles.len(),
        tenant_wide(&s.group_roles)
    );
    println!(
        "| assignments: user -> inventory role on a device group | {} |",
        s.tree.user_inventory.len()
    );
    println!(
        "| assignments in all | {} |",
        s.user_roles.len() + s.group_roles.len() + s.tree.user_inventory.len()
    );
    println!(
        "| device groups / roots / max depth (groups at it) | {} / {} / {max_depth} ({deepest}) |",
        s.tree.device_groups.len(),
        ROOT_GROUPS
    );
    println!("| devices | {} |", data.devices.len());
}
