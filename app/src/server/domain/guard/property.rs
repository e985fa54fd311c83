//! Random operations by random admins on a random tenant, seeded: after each accepted one, every
//! gain and loss is within the actor's authority at its scope (by a naive oracle written apart
//! from the guard) and an active tenant admin remains; a refused one changes nothing.

use crate::model::{Audience, InventoryRoleId, UserStatus};
use std::collections::BTreeSet;

use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

use crate::{
    model::{
        catalogue::{Catalogue, Grants},
        groups::GroupInput,
        inventory_access::{bit, global_bits, row_bits, Want, CHECKED},
        roles::RoleInput,
        spaces::SpaceInput,
        users::UserUpdate,
        wizard::{Mode, Subject, WizardRequest},
        AppError, AppResult, DeviceGroupId, GroupId, RoleId, SpaceId, UserId,
    },
    server::{
        db::{self, tenant_facts::TenantFacts, Db},
        domain::{
            assignments, device_groups, groups, inventory_assignments, roles, spaces,
            testing::{fixture, group_roles_version, inventory_version, roles_version, Fixture},
            users, wizard,
        },
        index::PermissionIndex,
    },
};

/// (space, type, level) with implications applied; space 0 is tenant-wide.
type Cells = BTreeSet<(i64, String, String)>;

/// The oracle's view of one user: global cells and, per device group, inventory bits on `*`.
fn naive_cells(catalogue: &Catalogue, f: &TenantFacts, user: i64) -> Cells {
    let active = f
        .users
        .iter()
        .any(|u| u.id == user && u.status == UserStatus::Active);
    let mut held: Vec<(i64, i64)> = Vec::new();
    if active {
        for &(u, r, s) in &f.user_roles {
            if u == user {
                held.push((r, s));
            }
        }
        for &(g, u) in &f.members {
            if u == user {
                for &(g2, r, s) in &f.group_roles {
                    if g2 == g {
                        held.push((r, s));
                    }
                }
            }
        }
    }
    let mut out = Cells::new();
    for (role, space) in held {
        for (r, t, l) in &f.role_grants {
            if *r == role {
                for implied in catalogue.implied_levels(t, l) {
                    out.insert((space, t.clone(), implied));
                }
            }
        }
    }
    out
}

fn at(cells: &Cells, space: i64) -> BTreeSet<(String, String)> {
    cells
        .iter()
        .filter(|(s, _, _)| *s == 0 || *s == space)
        .map(|(_, t, l)| (t.clone(), l.clone()))
        .collect()
}

fn ancestors(f: &TenantFacts, group: i64) -> Vec<i64> {
    let mut out = vec![group];
    let mut node = group;
    while let Some(&(_, parent, _)) = f.device_groups.iter().find(|(id, _, _)| *id == node) {
        if parent == 0 || out.contains(&parent) {
            break;
        }
        out.push(parent);
        node = parent;
    }
    out
}

fn naive_inventory(f: &TenantFacts, user: i64, group: i64) -> u16 {
    if !f
        .users
        .iter()
        .any(|u| u.id == user && u.status == UserStatus::Active)
    {
        return 0;
    }
    let above = ancestors(f, group);
    let mut bits = 0;
    for &(u, role, g) in &f.user_inventory {
        if u == user && above.contains(&g) {
            for (r, row) in &f.inventory_rows {
                if *r == role && row.fragment_type == "*" {
                    bits |= row_bits(row);
                }
            }
        }
    }
    bits
}

fn grants_of(cells: &BTreeSet<(String, String)>) -> Grants {
    let mut g = Grants::new();
    for (t, l) in cells {
        g.entry(t.clone()).or_default().insert(l.clone());
    }
    g
}

/// The first gain or loss the actor could not have granted, if any.
fn beyond_authority(
    catalogue: &Catalogue,
    before: &TenantFacts,
    after: &TenantFacts,
    actor: i64,
) -> Option<String> {
    let mine = naive_cells(catalogue, before, actor);
    let mut spaces: BTreeSet<i64> = before.spaces.iter().map(|s| s.0).collect();
    spaces.insert(0);
    let users: BTreeSet<i64> = before.users.iter().map(|u| u.id).collect();
    for &user in &users {
        let (a, b) = (
            naive_cells(catalogue, before, user),
            naive_cells(catalogue, after, user),
        );
        for &space in &spaces {
            let mine_here = at(&mine, space);
            for cell in at(&a, space).symmetric_difference(&at(&b, space)) {
                if !mine_here.contains(cell) {
                    return Some(format!("user {user}: {} {} in {space}", cell.0, cell.1));
                }
            }
        }
        for &(group, _, _) in &before.device_groups {
            let changed =
                naive_inventory(before, user, group) ^ naive_inventory(after, user, group);
            let mut allowed = naive_inventory(before, actor, group);
            allowed |= global_bits(&grants_of(&at(&mine, 0)));
            for (c, category) in CHECKED.iter().enumerate() {
                for want in Want::BOTH {
                    if changed & bit(c, want) != 0 && allowed & bit(c, want) == 0 {
                        return Some(format!("user {user}: {category} on group {group}"));
                    }
                }
            }
        }
    }
    None
}

fn active_admin_remains(f: &TenantFacts) -> bool {
    let admin_roles: Vec<i64> = f
        .roles
        .iter()
        .filter(|r| r.built_in != 0 && r.audience == Audience::Admin)
        .map(|r| r.id)
        .collect();
    f.users
        .iter()
        .filter(|u| u.status == UserStatus::Active)
        .any(|u| {
            f.user_roles
                .iter()
                .any(|&(x, r, s)| x == u.id && s == 0 && admin_roles.contains(&r))
                || f.members.iter().any(|&(g, x)| {
                    x == u.id
                        && f.group_roles
                            .iter()
                            .any(|&(g2, r, s)| g2 == g && s == 0 && admin_roles.contains(&r))
                })
        })
}

/// The index kept for the tenant, if it is at the tenant's epoch (installed by the last guarded
/// write, not rebuilt), beside one built from the database now, with every user and group id.
async fn installed_index(
    db: &Db,
    f: &Fixture,
    catalogue: &crate::model::catalogue::Catalogue,
) -> Option<(
    (PermissionIndex, std::sync::Arc<PermissionIndex>),
    Vec<i64>,
    Vec<i64>,
)> {
    let kept = db.index.kept(f.tenant)?;
    let mut conn = db.pool.acquire().await.unwrap();
    let epoch = db::permission_snapshot::epoch(&mut conn, f.tenant)
        .await
        .unwrap();
    if kept.epoch != epoch {
        return None;
    }
    let snapshot = db::permission_snapshot::load(&mut conn, f.tenant)
        .await
        .unwrap();
    let fresh = PermissionIndex::build(catalogue, &snapshot, epoch);
    let users: Vec<i64> = sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1")
        .bind(f.tenant)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let groups: Vec<i64> = sqlx::query_scalar("SELECT id FROM device_groups WHERE tenant_id = $1")
        .bind(f.tenant)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    Some(((fresh, kept), users, groups))
}

async fn raw_facts(db: &Db, f: &Fixture) -> TenantFacts {
    let mut conn = db.pool.acquire().await.unwrap();
    db::tenant_facts::load(&mut conn, f.tenant).await.unwrap()
}

struct World {
    users: Vec<UserId>,
    admins: Vec<UserId>,
    groups: Vec<GroupId>,
    roles: Vec<RoleId>,
    space_roles: Vec<RoleId>,
    spaces: Vec<SpaceId>,
    tree: Vec<DeviceGroupId>,
    inventory_roles: Vec<InventoryRoleId>,
}

async fn world(db: &Db, f: &Fixture, rng: &mut StdRng) -> World {
    let root = f.actor(db, f.admin).await;
    let mut spaces_made = Vec::new();
    for name in ["EMEA", "Americas"] {
        let input = SpaceInput {
            id: None,
            name: name.into(),
            description: String::new(),
            version: 0,
        };
        spaces_made.push(spaces::save(db, &root, &input).await.unwrap().id);
    }
    let catalogue = root.catalogue.clone();
    let all_cells: Vec<(String, String)> = catalogue
        .types()
        .flat_map(|p| p.levels.iter().map(move |l| (p.name.clone(), l.clone())))
        .collect();
    let mut custom = Vec::new();
    for i in 0..6 {
        let mut grants = Grants::new();
        for (t, l) in all_cells.choose_multiple(rng, 4) {
            grants.entry(t.clone()).or_default().insert(l.clone());
        }
        if i < 3 {
            grants
                .entry("User management".into())
                .or_default()
                .insert("ADMIN".into());
        }
        let input = RoleInput {
            id: None,
            name: format!("Custom {i}"),
            description: String::new(),
            grants,
            applications: Default::default(),
            audience: None,
            scope: None,
            requires: None,
            version: 0,
        };
        custom.push(roles::save(db, &root, &input).await.unwrap().id);
    }
    let space_roles = custom[4..].to_vec();
    for role in &space_roles {
        crate::server::domain::testing::make_space_bound(db, *role).await;
    }
    let mut roles_all = custom[..4].to_vec();
    for name in ["admins", "Global Reader", "Global User Manager", "readers"] {
        roles_all.push(f.role(db, name).await);
    }
    let mut users_made = vec![f.admin];
    for i in 0..6 {
        users_made.push(f.user(db, &format!("user{i}")).await);
    }
    // Admins of every strength: the custom roles with User management ADMIN, tenant-wide or in
    // a space only.
    let admins = vec![f.admin, users_made[1], users_made[2], users_made[3]];
    for (i, &user) in admins.iter().enumerate().skip(1) {
        let v = roles_version(db, user).await;
        assignments::set_user_roles(db, &root, user, &[custom[i - 1]].into(), v)
            .await
            .unwrap();
    }
    let mut groups_made = Vec::new();
    for i in 0..3 {
        let input = GroupInput {
            id: None,
            name: format!("Group {i}"),
            description: String::new(),
            version: 0,
        };
        groups_made.push(groups::save(db, &root, &input).await.unwrap());
    }
    let mut tree = Vec::new();
    for i in 0..6 {
        let parent = if i == 0 {
            None
        } else {
            tree.choose(rng).copied()
        };
        tree.push(
            device_groups::create(db, &root, parent, &format!("Node {i}"))
                .await
                .unwrap(),
        );
    }
    let mut conn = db.pool.acquire().await.unwrap();
    let inventory_roles = db::inventory_roles::list(&mut conn, f.tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    World {
        users: users_made,
        admins,
        groups: groups_made,
        roles: roles_all,
        space_roles,
        spaces: spaces_made,
        tree,
        inventory_roles,
    }
}

fn subset<T: Copy + Ord>(rng: &mut StdRng, of: &[T]) -> BTreeSet<T> {
    of.iter().copied().filter(|_| rng.gen_bool(0.3)).collect()
}

/// A preview the guard judges unwritten says what the same preview written and rolled back
/// says: the same changes, gains and losses, or the same refusal. Counts the comparisons.
async fn previews_agree(
    db: &Db,
    actor: &crate::server::domain::access::Actor,
    what: wizard::Previewed<'_>,
    compared: &mut usize,
) {
    let (unwritten, written) = wizard::preview_both_ways(db, actor, what).await;
    if let Some(unwritten) = unwritten {
        assert_eq!(format!("{unwritten:?}"), format!("{written:?}"));
        *compared += 1;
    }
}

async fn one_operation(
    db: &Db,
    f: &Fixture,
    w: &World,
    rng: &mut StdRng,
    previews: &mut usize,
) -> AppResult<()> {
    let actor = f.actor(db, *w.admins.choose(rng).unwrap()).await;
    let user = *w.users.choose(rng).unwrap();
    let group = *w.groups.choose(rng).unwrap();
    match rng.gen_range(0..9) {
        0 => {
            let v = roles_version(db, user).await;
            let wanted = subset(rng, &w.roles);
            assignments::set_user_roles(db, &actor, user, &wanted, v)
                .await
                .map(drop)
        }
        1 => {
            let v = group_roles_version(db, group).await;
            groups::set_roles(db, &actor, group, &subset(rng, &w.roles), v).await
        }
        2 => groups::set_member(db, &actor, group, user, rng.gen_bool(0.6)).await,
        3 => {
            let mut conn = db.pool.acquire().await.unwrap();
            let row = db::users::get(&mut conn, f.tenant, user)
                .await
                .unwrap()
                .unwrap();
            drop(conn);
            let input = UserUpdate {
                id: user,
                display_name: row.display_name,
                email: row.email,
                allocation: row.allocation,
                active: rng.gen_bool(0.7),
                version: row.version,
            };
            users::update(db, &actor, &input).await
        }
        4 => {
            let role = *w.roles.choose(rng).unwrap();
            let mut conn = db.pool.acquire().await.unwrap();
            let detail = roles::detail(&mut conn, f.tenant, role).await.unwrap();
            drop(conn);
            let mut grants = detail.grants.clone();
            let types: Vec<_> = actor.catalogue.types().collect();
            let p = types.choose(rng).unwrap();
            let level = p.levels.choose(rng).unwrap().clone();
            let levels = grants.entry(p.name.clone()).or_default();
            if !levels.remove(&level) {
                levels.insert(level);
            }
            grants.retain(|_, l| !l.is_empty());
            let input = RoleInput {
                id: Some(role),
                name: detail.name,
                description: detail.description,
                grants,
                applications: detail.applications,
                audience: None,
                scope: None,
                requires: None,
                version: detail.version,
            };
            roles::save(db, &actor, &input).await.map(drop)
        }
        5 => {
            let mut subjects = vec![Subject::User(user)];
            if rng.gen_bool(0.5) {
                subjects.push(Subject::Group(group));
            }
            let request = WizardRequest {
                mode: Mode::Append,
                subjects,
                assignments: vec![(
                    *w.space_roles.choose(rng).unwrap(),
                    *w.spaces.choose(rng).unwrap(),
                )],
                versions: Vec::new(),
            };
            previews_agree(db, &actor, wizard::Previewed::Request(&request), previews).await;
            wizard::apply(db, &actor, &request).await.map(drop)
        }
        6 => {
            let mut subjects = vec![
                Subject::User(user),
                Subject::User(*w.users.choose(rng).unwrap()),
            ];
            if rng.gen_bool(0.5) {
                subjects.push(Subject::Group(group));
            }
            let roles = BTreeSet::from([*w.roles.choose(rng).unwrap()]);
            let removal = wizard::Previewed::Removal(&subjects, &roles);
            previews_agree(db, &actor, removal, previews).await;
            wizard::remove_roles(db, &actor, &subjects, &roles)
                .await
                .map(drop)
        }
        7 => {
            let node = *w.tree.choose(rng).unwrap();
            let parent = if rng.gen_bool(0.3) {
                None
            } else {
                w.tree.choose(rng).copied()
            };
            let mut conn = db.pool.acquire().await.unwrap();
            let row = db::device_groups::get(&mut conn, f.tenant, node)
                .await
                .unwrap()
                .unwrap();
            drop(conn);
            device_groups::update(db, &actor, node, row.version, parent, &row.name).await
        }
        _ => {
            let node = *w.tree.choose(rng).unwrap();
            let v = inventory_version(db, user).await;
            let wanted = subset(rng, &w.inventory_roles);
            inventory_assignments::apply(db, &actor, user, node, &wanted, v).await
        }
    }
}

pub async fn random_operations(db: &Db, seed: u64, operations: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let f = fixture(db, "acme").await;
    let w = world(db, &f, &mut rng).await;
    let catalogue = f.actor(db, f.admin).await.catalogue;
    let (mut accepted, mut refused, mut compared, mut indexes) = (0, 0, 0, 0);
    let mut previews = 0;
    let print = |facts: &TenantFacts| {
        format!(
            "{:?}",
            super::TenantState::from_facts(facts.clone(), &catalogue)
        )
    };
    let mut before = raw_facts(db, &f).await;
    for n in 0..operations {
        let op_seed: u64 = rng.gen();
        let mut op_rng = StdRng::seed_from_u64(op_seed);
        // Which admin acts is the operation's first choice; replay it to learn who acted.
        let actor = *w
            .admins
            .choose(&mut StdRng::seed_from_u64(op_seed))
            .unwrap();
        let outcome = one_operation(db, &f, &w, &mut op_rng, &mut previews).await;
        let after = raw_facts(db, &f).await;
        // The state the guard keeps for the next write is the tenant as it now is.
        if let Some(kept) = super::kept_state(db, f.tenant).await {
            if let Some(field) =
                kept.differs_from(&super::TenantState::from_facts(after.clone(), &catalogue))
            {
                panic!("seed {seed}, operation {n}: the kept state differs in {field}");
            }
            compared += 1;
        }
        // The index a guarded write installed answers as one built from the database now.
        if let Some(patched) = installed_index(db, &f, &catalogue).await {
            let (fresh, users, groups) = patched;
            if let Some(question) = fresh.1.first_difference(&fresh.0, &users, &groups) {
                panic!("seed {seed}, operation {n}: the patched index differs: {question}");
            }
            indexes += 1;
        }
        match outcome {
            Ok(()) => {
                accepted += 1;
                if let Some(beyond) = beyond_authority(&catalogue, &before, &after, actor.0) {
                    panic!("seed {seed}, operation {n}: accepted beyond authority: {beyond}");
                }
                assert!(
                    active_admin_remains(&after),
                    "seed {seed}, operation {n}: no active tenant admin left"
                );
            }
            Err(
                AppError::Forbidden { .. }
                | AppError::Locked { .. }
                | AppError::Validation { .. }
                | AppError::Conflict
                | AppError::NotFound,
            ) => {
                refused += 1;
                assert_eq!(
                    print(&after),
                    print(&before),
                    "seed {seed}, operation {n}: a refused operation changed something"
                );
            }
            Err(other) => panic!("seed {seed}, operation {n}: unexpected {other:?}"),
        }
        before = after;
    }
    assert!(
        accepted > operations / 10,
        "accepted {accepted} of {operations}"
    );
    assert!(
        compared >= accepted,
        "the kept state was compared after {compared} of {operations} operations"
    );
    assert!(
        refused > operations / 10,
        "refused {refused} of {operations}"
    );
    // About two operations in nine preview: most after a guarded write, which leaves a state.
    assert!(
        previews > operations / 9,
        "previews judged unwritten and compared: {previews} of {operations} operations"
    );
    eprintln!("indexes compared: {indexes} of {operations} (accepted {accepted})");
    assert!(
        indexes >= accepted,
        "an installed index was compared after {indexes} of {operations} operations"
    );
}
