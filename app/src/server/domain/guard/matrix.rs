//! The escalation matrix: every write path × {tenant-wide, space, device group} × {gain, loss}.
//! A low-privilege admin (User management ADMIN and Inventory ADMIN, nothing else) is refused and
//! nothing changes; the tenant admin, holding what the write hands out or takes, is allowed.

use std::collections::BTreeSet;

use crate::{
    model::{
        groups::GroupInput,
        inventory::{InventoryPermission, InventoryRoleInput},
        roles::RoleInput,
        spaces::SpaceInput,
        user_inventory::CopyMode,
        users::UserUpdate,
        wizard::{Mode, Subject, WizardRequest},
        AppError, AppResult, DeviceGroupId, GroupId, InventoryLevel, InventoryRoleId, RoleId,
        SpaceId, UserId,
    },
    server::{
        db::{self, Db},
        domain::{
            access::Actor,
            assignments, device_groups, groups, inventory_assignments, inventory_roles, roles,
            spaces,
            testing::{fixture, group_roles_version, inventory_version, roles_version, Fixture},
            users, wizard,
        },
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    UserRoles,
    GroupRoles,
    Membership,
    UserStatus,
    RoleGrants,
    WizardInSpace,
    InventoryApply,
    DeviceGroupMove,
    InventoryRows,
    InventoryCopy,
    GroupDelete,
    UserDelete,
}

pub const PATHS: [Path; 12] = [
    Path::UserRoles,
    Path::GroupRoles,
    Path::Membership,
    Path::UserStatus,
    Path::RoleGrants,
    Path::WizardInSpace,
    Path::InventoryApply,
    Path::DeviceGroupMove,
    Path::InventoryRows,
    Path::InventoryCopy,
    Path::GroupDelete,
    Path::UserDelete,
];

struct World {
    f: Fixture,
    bob: UserId,
    alice: UserId,
    carol: UserId,
    group: GroupId,
    alarms: RoleId,
    held: RoleId,
    in_space: RoleId,
    emea: SpaceId,
    north: DeviceGroupId,
    south: DeviceGroupId,
    reader: InventoryRoleId,
    rows_role: InventoryRoleId,
}

fn alarms_admin() -> crate::model::catalogue::Grants {
    [("Alarms".to_owned(), BTreeSet::from(["ADMIN".to_owned()]))].into()
}

async fn world(db: &Db, slug: &str) -> World {
    let f = fixture(db, slug).await;
    let root = f.actor(db, f.admin).await;
    let role = |name: &str, grants| RoleInput {
        id: None,
        name: name.into(),
        description: String::new(),
        grants,
        applications: Default::default(),
        audience: None,
        scope: None,
        requires: None,
        version: 0,
    };
    let alarms = roles::save(db, &root, &role("Alarms role", alarms_admin()))
        .await
        .unwrap()
        .id;
    let held = roles::save(db, &root, &role("Held", Default::default()))
        .await
        .unwrap()
        .id;
    let in_space = roles::save(db, &root, &role("Alarms in a space", alarms_admin()))
        .await
        .unwrap()
        .id;
    crate::server::domain::testing::make_space_bound(db, in_space).await;
    let emea = spaces::save(
        db,
        &root,
        &SpaceInput {
            id: None,
            name: "EMEA".into(),
            description: String::new(),
            version: 0,
        },
    )
    .await
    .unwrap()
    .id;
    let (bob, alice) = (f.user(db, "bob").await, f.user(db, "alice").await);
    let carol = f.user(db, "carol").await;
    let group = groups::save(
        db,
        &root,
        &GroupInput {
            id: None,
            name: "Team".into(),
            description: String::new(),
            version: 0,
        },
    )
    .await
    .unwrap();
    let north = device_groups::create(db, &root, None, "Region North")
        .await
        .unwrap();
    let south = device_groups::create(db, &root, None, "Region South")
        .await
        .unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    let reader = db::inventory_roles::list(&mut conn, f.tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Reader")
        .unwrap()
        .id;
    drop(conn);
    let rows_role = inventory_roles::save(
        db,
        &root,
        &InventoryRoleInput {
            id: None,
            name: "Rows".into(),
            description: String::new(),
            rows: vec![InventoryPermission::new(
                "Events",
                "*",
                InventoryLevel::Read,
            )],
            version: 0,
        },
    )
    .await
    .unwrap()
    .id;
    World {
        f,
        bob,
        alice,
        carol,
        group,
        alarms,
        held,
        in_space,
        emea,
        north,
        south,
        reader,
        rows_role,
    }
}

/// What the tenant must look like before the gain (and after the loss).
async fn prepare(db: &Db, w: &World, path: Path) {
    let root = w.f.actor(db, w.f.admin).await;
    let ok = |r: AppResult<()>| r.unwrap();
    match path {
        Path::Membership => ok(set_group(db, &root, w, &[w.alarms]).await),
        Path::RoleGrants => ok(set_user(db, &root, w, &[w.held]).await),
        Path::InventoryRows => {
            let v = inventory_version(db, w.bob).await;
            let roles = BTreeSet::from([w.rows_role]);
            ok(inventory_assignments::apply(db, &root, w.bob, w.north, &roles, v).await)
        }
        Path::DeviceGroupMove => {
            let v = inventory_version(db, w.bob).await;
            let roles = BTreeSet::from([w.reader]);
            ok(inventory_assignments::apply(db, &root, w.bob, w.north, &roles, v).await)
        }
        Path::InventoryCopy => {
            let v = inventory_version(db, w.alice).await;
            let roles = BTreeSet::from([w.reader]);
            ok(inventory_assignments::apply(db, &root, w.alice, w.north, &roles, v).await)
        }
        Path::UserStatus | Path::UserDelete => ok(set_user(db, &root, w, &[w.alarms]).await),
        Path::GroupDelete => {
            ok(set_group(db, &root, w, &[w.alarms]).await);
            ok(groups::set_member(db, &root, w.group, w.bob, true).await);
        }
        Path::GroupRoles => ok(groups::set_member(db, &root, w.group, w.bob, true).await),
        _ => {}
    }
}

async fn set_user(db: &Db, actor: &Actor, w: &World, roles: &[RoleId]) -> AppResult<()> {
    let v = roles_version(db, w.bob).await;
    let wanted = roles.iter().copied().collect();
    assignments::set_user_roles(db, actor, w.bob, &wanted, v)
        .await
        .map(drop)
}

async fn set_group(db: &Db, actor: &Actor, w: &World, roles: &[RoleId]) -> AppResult<()> {
    let v = group_roles_version(db, w.group).await;
    let wanted = roles.iter().copied().collect();
    groups::set_roles(db, actor, w.group, &wanted, v).await
}

async fn save_held(db: &Db, actor: &Actor, w: &World, gain: bool) -> AppResult<()> {
    let mut conn = db.pool.acquire().await.unwrap();
    let detail = roles::detail(&mut conn, w.f.tenant, w.held).await.unwrap();
    drop(conn);
    let input = RoleInput {
        id: Some(w.held),
        name: detail.name,
        description: detail.description,
        grants: if gain {
            alarms_admin()
        } else {
            Default::default()
        },
        applications: detail.applications,
        audience: None,
        scope: None,
        requires: None,
        version: detail.version,
    };
    roles::save(db, actor, &input).await.map(drop)
}

async fn set_status(db: &Db, actor: &Actor, w: &World, active: bool) -> AppResult<()> {
    let mut conn = db.pool.acquire().await.unwrap();
    let row = db::users::get(&mut conn, w.f.tenant, w.bob)
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let input = UserUpdate {
        id: w.bob,
        display_name: row.display_name,
        email: row.email,
        allocation: row.allocation,
        active,
        version: row.version,
    };
    users::update(db, actor, &input).await
}

async fn save_rows(db: &Db, actor: &Actor, w: &World, gain: bool) -> AppResult<()> {
    let mut conn = db.pool.acquire().await.unwrap();
    let version: i64 = sqlx::query_scalar("SELECT version FROM inventory_roles WHERE id = $1")
        .bind(w.rows_role)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let mut rows = vec![InventoryPermission::new(
        "Events",
        "*",
        InventoryLevel::Read,
    )];
    if gain {
        rows.push(InventoryPermission::new(
            "Alarms",
            "*",
            InventoryLevel::Change,
        ));
    }
    let input = InventoryRoleInput {
        id: Some(w.rows_role),
        name: "Rows".into(),
        description: String::new(),
        rows,
        version,
    };
    inventory_roles::save(db, actor, &input).await.map(drop)
}

/// The write itself: `gain` hands something out, otherwise it takes it away. `None` when the
/// path has no such direction.
async fn write(db: &Db, actor: &Actor, w: &World, path: Path, gain: bool) -> Option<AppResult<()>> {
    let space_request = |mode| WizardRequest {
        mode,
        subjects: vec![Subject::User(w.bob)],
        assignments: vec![(w.in_space, w.emea)],
        versions: Vec::new(),
    };
    Some(match (path, gain) {
        (Path::UserRoles, true) => set_user(db, actor, w, &[w.alarms]).await,
        (Path::UserRoles, false) => set_user(db, actor, w, &[]).await,
        (Path::GroupRoles, true) => set_group(db, actor, w, &[w.alarms]).await,
        (Path::GroupRoles, false) => set_group(db, actor, w, &[]).await,
        (Path::Membership, member) => groups::set_member(db, actor, w.group, w.bob, member).await,
        (Path::UserStatus, active) => set_status(db, actor, w, active).await,
        (Path::RoleGrants, gain) => save_held(db, actor, w, gain).await,
        (Path::WizardInSpace, true) => wizard::apply(db, actor, &space_request(Mode::Append))
            .await
            .map(drop),
        (Path::WizardInSpace, false) => {
            let roles = BTreeSet::from([w.in_space]);
            wizard::remove_roles(db, actor, &[Subject::User(w.bob)], &roles)
                .await
                .map(drop)
        }
        (Path::InventoryApply, gain) => {
            let v = inventory_version(db, w.bob).await;
            let roles = if gain {
                BTreeSet::from([w.reader])
            } else {
                BTreeSet::new()
            };
            inventory_assignments::apply(db, actor, w.bob, w.north, &roles, v).await
        }
        (Path::DeviceGroupMove, under_north) => {
            let version: i64 =
                sqlx::query_scalar("SELECT version FROM device_groups WHERE id = $1")
                    .bind(w.south)
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
            let parent = under_north.then_some(w.north);
            device_groups::update(db, actor, w.south, version, parent, "Region South").await
        }
        (Path::InventoryRows, gain) => save_rows(db, actor, w, gain).await,
        (Path::InventoryCopy, gain) => {
            let mode = if gain {
                CopyMode::Merge
            } else {
                CopyMode::Replace
            };
            // Losing: copy from carol, who has nothing, replacing bob's roles.
            let from = if gain { w.alice } else { w.carol };
            inventory_assignments::copy(db, actor, from, w.bob, mode)
                .await
                .map(drop)
        }
        (Path::GroupDelete, false) => {
            let version: i64 = sqlx::query_scalar("SELECT version FROM user_groups WHERE id = $1")
                .bind(w.group)
                .fetch_one(&db.pool)
                .await
                .unwrap();
            groups::delete(db, actor, w.group, version).await
        }
        (Path::UserDelete, false) => {
            let mut conn = db.pool.acquire().await.unwrap();
            let row = db::users::get(&mut conn, w.f.tenant, w.bob)
                .await
                .unwrap()
                .unwrap();
            drop(conn);
            users::delete(db, actor, w.bob, row.version).await
        }
        (Path::GroupDelete | Path::UserDelete, true) => return None,
    })
}

async fn fingerprint(db: &Db, w: &World) -> String {
    let mut conn = db.pool.acquire().await.unwrap();
    let facts = db::tenant_facts::load(&mut conn, w.f.tenant).await.unwrap();
    format!(
        "{:?}",
        super::TenantState::from_facts(facts, w.f.catalogue())
    )
}

/// One row of the matrix on one backend: gain then loss, each refused for the low admin (nothing
/// changes) and allowed for the tenant admin.
pub async fn row(db: &Db, path: Path) {
    let w = world(db, &format!("matrix-{}", path as u8)).await;
    let root = w.f.actor(db, w.f.admin).await;
    let low =
        w.f.actor_holding(
            db,
            "low",
            &[("User management", "ADMIN"), ("Inventory", "ADMIN")],
        )
        .await;
    prepare(db, &w, path).await;
    // UserStatus gains by enabling a disabled user: disable first (as the tenant admin).
    let directions: &[bool] = match path {
        Path::UserStatus => &[false, true],
        Path::GroupDelete | Path::UserDelete => &[false],
        _ => &[true, false],
    };
    for &gain in directions {
        let before = fingerprint(db, &w).await;
        let Some(refused) = write(db, &low, &w, path, gain).await else {
            continue;
        };
        let copy = path == Path::InventoryCopy;
        match refused {
            Err(AppError::Forbidden { .. } | AppError::Locked { .. }) => {}
            // Copy leaves out what the admin may not grant, and says so.
            Ok(()) if copy => {}
            other => panic!("{path:?} gain={gain}: the low admin got {other:?}"),
        }
        assert_eq!(
            fingerprint(db, &w).await,
            before,
            "{path:?} gain={gain}: a refused write changed something"
        );
        write(db, &root, &w, path, gain)
            .await
            .unwrap_or_else(|| unreachable!())
            .unwrap_or_else(|e| panic!("{path:?} gain={gain}: the tenant admin got {e:?}"));
        assert_ne!(
            fingerprint(db, &w).await,
            before,
            "{path:?} gain={gain}: the allowed write changed nothing"
        );
    }
}
