use rand::{rngs::StdRng, Rng, SeedableRng};

use super::*;
use crate::{
    model::{inventory_access::CHECKED, DeviceId, TenantId},
    server::{
        db::Db,
        domain::{check_access::Target, testing::fixture},
        templates::Templates,
    },
};

fn iot() -> Catalogue {
    Templates::load()
        .unwrap()
        .get("iot")
        .unwrap()
        .catalogue
        .clone()
}

fn row(c: &str, t: &str, l: &str) -> (i64, InventoryPermission) {
    (0, InventoryPermission::new(c, t, l.parse().unwrap()))
}

/// Region North (1) ⊃ Plant 1 (2); Region South (3).
fn tree() -> Snapshot {
    Snapshot {
        users: vec![10, 11],
        tree: TreeRows {
            device_groups: vec![(1, 0), (2, 1), (3, 0)],
            ..TreeRows::default()
        },
        ..Snapshot::default()
    }
}

/// pump-17's group: a device's access is its group's.
const PUMP: DeviceGroupId = DeviceGroupId(2);

const ALARMS: usize = 0;
const CONTROL: usize = 5;

#[test]
fn an_inventory_role_on_a_group_is_inherited_by_subgroups_only() {
    let mut s = tree();
    s.tree.inventory_rows = vec![(7, row("Alarms", "*", "Read").1)];
    s.tree.user_inventory = vec![(10, 7, 1)];
    let index = PermissionIndex::build(&iot(), &s, Epoch::default());
    let alice = UserId(10);
    for target in [DeviceGroupId(1), DeviceGroupId(2), PUMP] {
        assert!(
            index.allows(alice, target, ALARMS, "*", Want::Read),
            "{target:?}"
        );
        assert!(!index.allows(alice, target, ALARMS, "*", Want::Change));
    }
    assert!(!index.allows(alice, DeviceGroupId(3), ALARMS, "*", Want::Read));
    assert!(!index.allows(UserId(11), DeviceGroupId(2), ALARMS, "*", Want::Read));
    assert!(!index.allows(alice, DeviceGroupId(99), ALARMS, "*", Want::Read));
}

#[test]
fn a_role_low_in_the_tree_grants_nothing_above_it() {
    let mut s = tree();
    s.tree.inventory_rows = vec![(7, row("Full access", "*", "All").1)];
    s.tree.user_inventory = vec![(10, 7, 2)];
    let index = PermissionIndex::build(&iot(), &s, Epoch::default());
    assert!(index.allows(UserId(10), PUMP, CONTROL, "*", Want::Change));
    assert!(!index.allows(UserId(10), DeviceGroupId(1), CONTROL, "*", Want::Read));
}

#[test]
fn a_typed_row_answers_only_its_type() {
    let mut s = tree();
    s.tree.inventory_rows = vec![(7, row("Device control", "c8y_Restart", "All").1)];
    s.tree.user_inventory = vec![(10, 7, 1)];
    let index = PermissionIndex::build(&iot(), &s, Epoch::default());
    let pump = PUMP;
    assert!(index.allows(UserId(10), pump, CONTROL, "c8y_Restart", Want::Change));
    assert!(!index.allows(UserId(10), pump, CONTROL, "c8y_Firmware", Want::Change));
    assert!(!index.allows(UserId(10), pump, CONTROL, "*", Want::Change));
}

#[test]
fn a_tenant_wide_global_role_overrides_inventory_roles_but_a_space_bound_one_does_not() {
    let mut s = tree();
    s.role_grants = vec![(1, "Alarms".into(), "ADMIN".into())];
    s.user_roles = vec![(10, 1, 0), (11, 1, 5)];
    let index = PermissionIndex::build(&iot(), &s, Epoch::default());
    let south = DeviceGroupId(3);
    assert!(index.allows(UserId(10), south, ALARMS, "any_type", Want::Read));
    assert!(index.allows(UserId(10), south, ALARMS, "*", Want::Change));
    assert!(!index.allows(UserId(10), south, CONTROL, "*", Want::Read));
    assert!(!index.allows(UserId(11), south, ALARMS, "*", Want::Read));
    assert!(
        index.holds(UserId(11), "Alarms", "READ"),
        "ADMIN implies READ"
    );
    assert!(index.holds(UserId(10), "Alarms", "UPDATE"));
}

#[test]
fn group_roles_reach_members_only() {
    let mut s = tree();
    s.role_grants = vec![(1, "Inventory".into(), "READ".into())];
    s.group_roles = vec![(50, 1, 0)];
    s.members = vec![(50, 11)];
    let index = PermissionIndex::build(&iot(), &s, Epoch::default());
    assert!(index.holds(UserId(11), "Inventory", "READ"));
    assert!(!index.holds(UserId(10), "Inventory", "READ"));
    assert_eq!(
        index
            .grants_of(UserId(11))
            .get("Inventory")
            .map(|l| l.len()),
        Some(1)
    );
}

// --- The differential test: the index against a naive evaluator straight from the database. ---

const TYPES: [&str; 4] = ["*", "c8y_Restart", "c8y_Position", "c8y_Other"];

async fn exec(db: &Db, sql: &str, args: &[i64]) {
    let mut q = sqlx::query(sql);
    for a in args {
        q = q.bind(*a);
    }
    q.execute(&db.pool).await.unwrap();
}

/// Rebuilds nothing and shares no code with the index: SQL from the tables as written.
async fn naive(
    db: &Db,
    tenant: TenantId,
    user: i64,
    target: Target,
    category: &str,
    fragment_type: &str,
    want: Want,
) -> bool {
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE id = $1 AND tenant_id = $2 AND status = 'active'",
    )
    .bind(user)
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    if active == 0 {
        return false;
    }
    let global_levels = match want {
        Want::Read => ("READ", "ADMIN"),
        Want::Change => ("UPDATE", "ADMIN"),
    };
    let global: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM role_grants g WHERE g.tenant_id = $1 AND g.perm_type = $2 \
         AND g.level IN ($3, $4) AND g.role_id IN ( \
           SELECT role_id FROM user_roles WHERE user_id = $5 AND space_id = 0 \
           UNION SELECT gr.role_id FROM group_roles gr \
           JOIN group_members m ON m.group_id = gr.group_id \
           WHERE m.user_id = $5 AND gr.space_id = 0)",
    )
    .bind(tenant)
    .bind(category)
    .bind(global_levels.0)
    .bind(global_levels.1)
    .bind(user)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    if global > 0 {
        return true;
    }
    let group: Option<i64> = match target {
        Target::Group(g) => Some(g.0),
        Target::Device(d) => {
            sqlx::query_scalar("SELECT group_id FROM devices WHERE id = $1 AND tenant_id = $2")
                .bind(d)
                .bind(tenant)
                .fetch_optional(&db.pool)
                .await
                .unwrap()
        }
    };
    let Some(group) = group else { return false };
    let inventory: i64 = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS ( \
           SELECT id FROM device_groups WHERE id = $1 AND tenant_id = $2 \
           UNION SELECT d.parent_id FROM device_groups d JOIN up ON d.id = up.id \
           WHERE d.parent_id <> 0) \
         SELECT COUNT(*) FROM user_inventory_roles a JOIN up ON a.group_id = up.id \
         JOIN inventory_role_permissions p ON p.role_id = a.role_id \
         WHERE a.user_id = $3 AND (p.category = $4 OR p.category = 'Full access') \
         AND (p.fragment_type = '*' OR p.fragment_type = $5) AND p.level IN ($6, 'All')",
    )
    .bind(group)
    .bind(tenant)
    .bind(user)
    .bind(category)
    .bind(fragment_type)
    .bind(want.label())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    inventory > 0
}

struct World {
    users: Vec<i64>,
    groups: Vec<i64>,
    devices: Vec<i64>,
    global_roles: Vec<i64>,
    inventory_roles: Vec<i64>,
    user_groups: Vec<i64>,
}

async fn ids(db: &Db, sql: &str, tenant: TenantId) -> Vec<i64> {
    sqlx::query_scalar(sql)
        .bind(tenant)
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

/// A random tenant: users, user groups, a nested device tree with devices, global roles with
/// inventory-category grants, inventory roles with random rows, and assignments of every kind.
async fn random_world(db: &Db, tenant: TenantId, rng: &mut StdRng) -> World {
    let t = tenant.0;
    for i in 0..20 {
        exec(
            db,
            &format!("INSERT INTO users (tenant_id, username, created_at) VALUES ($1, 'u{i}', 0)"),
            &[t],
        )
        .await;
    }
    for i in 0..6 {
        exec(
            db,
            &format!(
                "INSERT INTO user_groups (tenant_id, name, created_at) VALUES ($1, 'g{i}', 0)"
            ),
            &[t],
        )
        .await;
    }
    let mut groups: Vec<i64> = Vec::new();
    for i in 0..40 {
        let parent = if groups.is_empty() || rng.gen_bool(0.2) {
            0
        } else {
            groups[rng.gen_range(0..groups.len())]
        };
        exec(db, &format!("INSERT INTO device_groups (tenant_id, parent_id, name, created_at) VALUES ($1, $2, 'dg{i}', 0)"), &[t, parent]).await;
        groups = ids(
            db,
            "SELECT id FROM device_groups WHERE tenant_id = $1 ORDER BY id",
            tenant,
        )
        .await;
    }
    for i in 0..60 {
        let g = groups[rng.gen_range(0..groups.len())];
        exec(db, &format!("INSERT INTO devices (tenant_id, group_id, name, created_at) VALUES ($1, $2, 'd{i}', 0)"), &[t, g]).await;
    }
    for i in 0..5 {
        exec(db, &format!("INSERT INTO roles (tenant_id, name, created_at, updated_at) VALUES ($1, 'gr{i}', 0, 0)"), &[t]).await;
    }
    for i in 0..5 {
        exec(
            db,
            &format!(
                "INSERT INTO inventory_roles (tenant_id, name, created_at) VALUES ($1, 'ir{i}', 0)"
            ),
            &[t],
        )
        .await;
    }
    let world = World {
        users: ids(
            db,
            "SELECT id FROM users WHERE tenant_id = $1 AND username LIKE 'u%'",
            tenant,
        )
        .await,
        groups,
        devices: ids(db, "SELECT id FROM devices WHERE tenant_id = $1", tenant).await,
        global_roles: ids(
            db,
            "SELECT id FROM roles WHERE tenant_id = $1 AND name LIKE 'gr%'",
            tenant,
        )
        .await,
        inventory_roles: ids(
            db,
            "SELECT id FROM inventory_roles WHERE tenant_id = $1 AND name LIKE 'ir%'",
            tenant,
        )
        .await,
        user_groups: ids(
            db,
            "SELECT id FROM user_groups WHERE tenant_id = $1 AND name LIKE 'g%'",
            tenant,
        )
        .await,
    };
    for role in &world.global_roles {
        let category = CHECKED[rng.gen_range(0..CHECKED.len())];
        let level = ["READ", "CREATE", "UPDATE", "ADMIN"][rng.gen_range(0..4)];
        if level == "UPDATE" && ["Audits", "Events", "Measurements"].contains(&category) {
            continue;
        }
        sqlx::query("INSERT INTO role_grants (tenant_id, role_id, perm_type, level) VALUES ($1, $2, $3, $4)")
            .bind(t).bind(role).bind(category).bind(level)
            .execute(&db.pool).await.unwrap();
    }
    for role in &world.inventory_roles {
        for position in 0..rng.gen_range(1..4) {
            let category = inventory_categories()[rng.gen_range(0..7)];
            let fragment = TYPES[rng.gen_range(0..3)];
            let level = ["Read", "Change", "All"][rng.gen_range(0..3)];
            sqlx::query("INSERT INTO inventory_role_permissions (tenant_id, role_id, position, category, fragment_type, level) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(t).bind(role).bind(position as i64).bind(category).bind(fragment).bind(level)
                .execute(&db.pool).await.unwrap();
        }
    }
    for _ in 0..12 {
        let (u, r) = (
            world.users[rng.gen_range(0..20)],
            world.global_roles[rng.gen_range(0..5)],
        );
        let space = if rng.gen_bool(0.2) { 5 } else { 0 };
        exec(db, "INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", &[t, u, r, space]).await;
    }
    for _ in 0..4 {
        let (g, r) = (
            world.user_groups[rng.gen_range(0..6)],
            world.global_roles[rng.gen_range(0..5)],
        );
        exec(db, "INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING", &[t, g, r]).await;
    }
    for _ in 0..20 {
        let (g, u) = (
            world.user_groups[rng.gen_range(0..6)],
            world.users[rng.gen_range(0..20)],
        );
        exec(db, "INSERT INTO group_members (tenant_id, group_id, user_id, username) SELECT $1, $2, id, username FROM users WHERE id = $3 ON CONFLICT DO NOTHING", &[t, g, u]).await;
    }
    for _ in 0..160 {
        assign_inventory(db, tenant, &world, rng).await;
    }
    world
}

fn inventory_categories() -> [&'static str; 7] {
    crate::model::inventory::CATEGORIES
}

async fn assign_inventory(db: &Db, tenant: TenantId, world: &World, rng: &mut StdRng) {
    let u = world.users[rng.gen_range(0..world.users.len())];
    let r = world.inventory_roles[rng.gen_range(0..world.inventory_roles.len())];
    let g = world.groups[rng.gen_range(0..world.groups.len())];
    exec(db, "INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", &[tenant.0, u, r, g]).await;
}

async fn compare(
    db: &Db,
    tenant: TenantId,
    world: &World,
    rng: &mut StdRng,
    checks: usize,
) -> (usize, usize) {
    let index = db.index.get(&db.pool, &iot(), tenant).await.unwrap();
    let mut allowed = 0;
    for _ in 0..checks {
        let user = if rng.gen_bool(0.02) {
            -1
        } else {
            world.users[rng.gen_range(0..world.users.len())]
        };
        let target = if rng.gen_bool(0.5) {
            Target::Group(DeviceGroupId(
                world.groups[rng.gen_range(0..world.groups.len())],
            ))
        } else {
            Target::Device(DeviceId(
                world.devices[rng.gen_range(0..world.devices.len())],
            ))
        };
        let category = rng.gen_range(0..CHECKED.len());
        let fragment = TYPES[rng.gen_range(0..TYPES.len())];
        let want = Want::BOTH[rng.gen_range(0..2)];
        // A device's access is its group's, as check access reads it.
        let group = match target {
            Target::Group(g) => g,
            Target::Device(d) => {
                let mut conn = db.pool.acquire().await.unwrap();
                let (_, group) =
                    crate::server::db::inventory_assignments::device(&mut conn, tenant, d.0)
                        .await
                        .unwrap()
                        .unwrap();
                DeviceGroupId(group)
            }
        };
        let fast = index.allows(UserId(user), group, category, fragment, want);
        let slow = naive(db, tenant, user, target, CHECKED[category], fragment, want).await;
        assert_eq!(
            fast, slow,
            "user {user} {target:?} {} {fragment} {want:?}",
            CHECKED[category]
        );
        allowed += usize::from(fast);
    }
    (allowed, checks)
}

#[tokio::test]
async fn the_index_answers_10000_random_checks_like_the_database_and_stays_exact_after_writes() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "diff").await;
        let mut rng = StdRng::seed_from_u64(0xCA57E11A);
        let world = random_world(db, f.tenant, &mut rng).await;
        let (allowed, total) = compare(db, f.tenant, &world, &mut rng, 5_000).await;
        assert!(
            allowed > 300 && allowed < total - 300,
            "a useful mix: {allowed} of {total}"
        );
        let other = fixture(db, "diff-other").await;
        let (u, ug, g, r, ir) = (
            &world.users,
            &world.user_groups,
            &world.groups,
            &world.global_roles,
            &world.inventory_roles,
        );
        let t = f.tenant.0;
        // Each kind of write on its own: the epoch it touches moves (a tree write keeps the
        // global part, a device write rebuilds nothing), and the index answers like the database
        // right after it.
        for _ in 0..20 {
            assign_inventory(db, f.tenant, &world, &mut rng).await;
        }
        #[derive(Debug, PartialEq)]
        enum Moves {
            Perm,
            Tree,
            Nothing,
        }
        use Moves::*;
        // (what, a statement that makes sure there is something to change, the write, its epoch)
        type Write<'a> = (&'a str, Option<(&'a str, Vec<i64>)>, &'a str, Vec<i64>, Moves);
        let writes: Vec<Write> = vec![
            (
                "remove a user's inventory roles",
                Some(("INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", vec![t, u[0], ir[1], g[0]])),
                "DELETE FROM user_inventory_roles WHERE user_id = $1",
                vec![u[0]],
                Tree,
            ),
            ("move a device group to the top", None, "UPDATE device_groups SET parent_id = 0 WHERE id = $1", vec![g[g.len() - 1]], Tree),
            (
                "empty an inventory role",
                Some(("INSERT INTO inventory_role_permissions (tenant_id, role_id, position, category, fragment_type, level) VALUES ($1, $2, 999, 'Alarms', '*', 'Read') ON CONFLICT DO NOTHING", vec![t, ir[0]])),
                "DELETE FROM inventory_role_permissions WHERE role_id = $1",
                vec![ir[0]],
                Tree,
            ),
            (
                "remove a user from a group",
                Some(("INSERT INTO group_members (tenant_id, group_id, user_id, username) SELECT $1, $2, id, username FROM users WHERE id = $3 ON CONFLICT DO NOTHING", vec![t, ug[1], u[1]])),
                "DELETE FROM group_members WHERE user_id = $1",
                vec![u[1]],
                Perm,
            ),
            ("move a device", None, "UPDATE devices SET group_id = $1 WHERE id = $2", vec![g[0], world.devices[0]], Nothing),
            (
                "remove a user's global roles",
                Some(("INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING", vec![t, u[2], r[0]])),
                "DELETE FROM user_roles WHERE user_id = $1",
                vec![u[2]],
                Perm,
            ),
            (
                "clear a role's grants",
                Some(("INSERT INTO role_grants (tenant_id, role_id, perm_type, level) VALUES ($1, $2, 'Events', 'READ') ON CONFLICT DO NOTHING", vec![t, r[1]])),
                "DELETE FROM role_grants WHERE role_id = $1",
                vec![r[1]],
                Perm,
            ),
            ("grant a role a cell", None, "INSERT INTO role_grants (tenant_id, role_id, perm_type, level) VALUES ($1, $2, 'Alarms', 'ADMIN')", vec![t, r[1]], Perm),
            (
                "clear a group's roles",
                Some(("INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING", vec![t, ug[0], r[1]])),
                "DELETE FROM group_roles WHERE group_id = $1",
                vec![ug[0]],
                Perm,
            ),
            ("give a group a role", None, "INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES ($1, $2, $3, 0)", vec![t, ug[0], r[0]], Perm),
            ("disable a user", None, "UPDATE users SET status = 'disabled' WHERE id = $1", vec![u[3]], Perm),
            ("enable them again", None, "UPDATE users SET status = 'active' WHERE id = $1", vec![u[3]], Perm),
        ];
        for (what, setup, sql, args, moves) in writes {
            if let Some((setup, setup_args)) = setup {
                exec(db, setup, &setup_args).await;
            }
            let before = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap();
            exec(db, sql, &args).await;
            let after = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap();
            let (b, a) = (before.epoch, after.epoch);
            match moves {
                Perm => assert!(a.perm > b.perm, "perm_epoch moves when we {what}"),
                Tree => {
                    assert!(a.perm == b.perm && a.tree > b.tree, "only tree_epoch moves when we {what}");
                    assert!(after.shares_global_part_with(&before), "{what}: the global part is kept");
                }
                Nothing => assert!(Arc::ptr_eq(&before, &after), "{what} rebuilds nothing"),
            }
            compare(db, f.tenant, &world, &mut rng, 300).await;
        }
        // Adding a device group and a device: a tree rebuild, then nothing.
        let before = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap();
        exec(db, "INSERT INTO device_groups (tenant_id, parent_id, name, created_at) VALUES ($1, $2, 'new', 0)", &[t, g[1]]).await;
        let after = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap();
        assert!(after.shares_global_part_with(&before) && after.epoch.tree > before.epoch.tree);
        exec(db, "INSERT INTO devices (tenant_id, group_id, name, created_at) VALUES ($1, $2, 'new', 0)", &[t, g[1]]).await;
        exec(db, "UPDATE device_groups SET name = 'renamed' WHERE id = $1", &[g[1]]).await;
        let last = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap();
        assert!(Arc::ptr_eq(&after, &last), "a new device and a rename rebuild nothing");
        // A user created since the global part was built, then given an inventory role: the
        // tree rebuild alone gives them what the role grants.
        exec(db, "INSERT INTO users (tenant_id, username, created_at) VALUES ($1, 'newcomer', 0)", &[t]).await;
        let newcomer: i64 = sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND username = 'newcomer'")
            .bind(t)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        exec(db, "INSERT INTO inventory_role_permissions (tenant_id, role_id, position, category, fragment_type, level) VALUES ($1, $2, 998, 'Alarms', '*', 'Read')", &[t, ir[2]]).await;
        exec(db, "INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES ($1, $2, $3, $4)", &[t, newcomer, ir[2], g[1]]).await;
        let index = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap();
        assert!(index.shares_global_part_with(&last));
        let mut granted = 0;
        for (c, category) in CHECKED.iter().enumerate() {
            for want in Want::BOTH {
                let fast = index.allows(UserId(newcomer), DeviceGroupId(g[1]), c, "*", want);
                let slow = naive(db, f.tenant, newcomer, Target::Group(DeviceGroupId(g[1])), category, "*", want).await;
                assert_eq!(fast, slow, "newcomer {category} {want:?}");
                granted += usize::from(fast);
            }
        }
        assert!(granted > 0, "the newcomer's role grants something");
        // A disabled user holds nothing, whatever their roles say.
        exec(db, "UPDATE users SET status = 'disabled' WHERE id = $1", &[u[4]]).await;
        // A write in another tenant leaves this tenant's epoch alone.
        let before = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap().epoch;
        let admins = other.role(db, "admins").await;
        exec(
            db,
            "DELETE FROM role_grants WHERE role_id = $1",
            &[admins.0],
        )
        .await;
        let after = db.index.get(&db.pool, &iot(), f.tenant).await.unwrap().epoch;
        assert_eq!(after, before, "another tenant's write is not this tenant's");
        compare(db, f.tenant, &world, &mut rng, 5_000).await;
    })
    .await;
}
