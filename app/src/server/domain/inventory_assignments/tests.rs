use super::*;
use crate::server::domain::testing::apply_inventory_now;
use crate::{
    model::{inventory_access::Want, DeviceId},
    server::{
        db::Db,
        domain::{
            check_access::{report, Target},
            testing::fixture,
            testing::Fixture,
        },
    },
};

struct Tree {
    north: DeviceGroupId,
    plant: DeviceGroupId,
    south: DeviceGroupId,
    pump: i64,
}

/// Region North ⊃ Plant 1 ⊃ pump-17, and Region South.
async fn tree(db: &Db, f: &Fixture) -> Tree {
    let mut conn = db.pool.acquire().await.unwrap();
    let north = db::device_groups::insert(&mut conn, f.tenant, 0, "Region North", 0)
        .await
        .unwrap();
    let plant = db::device_groups::insert(&mut conn, f.tenant, north.0, "Plant 1", 0)
        .await
        .unwrap();
    let south = db::device_groups::insert(&mut conn, f.tenant, 0, "Region South", 0)
        .await
        .unwrap();
    let pump = db::device_groups::insert_device(&mut conn, f.tenant, plant, "pump-17", 0)
        .await
        .unwrap();
    Tree {
        north,
        plant,
        south,
        pump,
    }
}

async fn role_id(db: &Db, f: &Fixture, name: &str) -> crate::model::InventoryRoleId {
    let mut conn = db.pool.acquire().await.unwrap();
    db::inventory_roles::list(&mut conn, f.tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap()
        .id
}

fn line<'a>(
    r: &'a crate::model::inventory_access::AccessReport,
    c: &str,
    w: Want,
) -> &'a crate::model::inventory_access::AccessLine {
    r.lines
        .iter()
        .find(|l| l.category == c && l.want == w)
        .unwrap()
}

#[tokio::test]
async fn a_role_on_a_parent_is_inherited_and_check_access_names_the_ancestor() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let t = tree(db, &f).await;
        let admin = f.actor(db, f.admin).await;
        let bob = f.user(db, "bob").await;
        let reader = role_id(db, &f, "Reader").await;
        apply_inventory_now(db, &admin, bob, t.north, &[reader].into())
            .await
            .unwrap();
        let admin = f.actor(db, f.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let r = report(
            &mut conn,
            &admin,
            bob,
            Target::Device(DeviceId(t.pump)),
            "*",
        )
        .await
        .unwrap();
        assert_eq!(r.target, "Region North / Plant 1 / pump-17");
        let read = line(&r, "Alarms", Want::Read);
        assert!(read.allowed);
        assert_eq!(
            read.granted_by,
            ["Inventory role Reader inherited from Region North: Full access * Read"]
        );
        let change = line(&r, "Alarms", Want::Change);
        assert!(!change.allowed);
        assert!(change
            .would_grant
            .as_deref()
            .unwrap()
            .contains("Alarms Change"));
        // Every line agrees with the index: allowed exactly when a path grants it.
        assert!(r.lines.iter().all(|l| l.allowed != l.granted_by.is_empty()));
        let south = report(&mut conn, &admin, bob, Target::Group(t.south), "*")
            .await
            .unwrap();
        assert!(south.lines.iter().all(|l| !l.allowed));
        let tab = view(&mut conn, &admin, bob).await.unwrap();
        assert_eq!(tab.assignments.len(), 1);
        assert_eq!(tab.assignments[0].group_name, "Region North");
        assert!(tab.global_overrides.is_empty());
        // The admin's own tab says which global role already grants everything.
        let own = view(&mut conn, &admin, f.admin).await.unwrap();
        assert!(
            own.global_overrides[0].starts_with("admins ("),
            "{:?}",
            own.global_overrides
        );
        let own_check = report(&mut conn, &admin, f.admin, Target::Group(t.plant), "*")
            .await
            .unwrap();
        assert!(own_check.lines.iter().all(|l| l.allowed));
    })
    .await;
}

#[tokio::test]
async fn a_global_role_overrides_inventory_roles_in_check_access() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let t = tree(db, &f).await;
        let admin = f.actor(db, f.admin).await;
        let carol = f.actor_holding(db, "carol", &[("Alarms", "READ")]).await;
        let manager = role_id(db, &f, "Manager").await;
        apply_inventory_now(
            db,
            &admin,
            carol.principal.user_id,
            t.plant,
            &[manager].into(),
        )
        .await
        .unwrap();
        let admin = f.actor(db, f.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let r = report(
            &mut conn,
            &admin,
            carol.principal.user_id,
            Target::Group(t.plant),
            "*",
        )
        .await
        .unwrap();
        let read = line(&r, "Alarms", Want::Read);
        assert_eq!(read.granted_by, ["Global role Role of carol (Alarms READ)"]);
        assert!(read
            .overridden
            .iter()
            .any(|o| o.contains("overridden by global role Role of carol")));
        let change = line(&r, "Alarms", Want::Change);
        assert_eq!(
            change.granted_by,
            ["Inventory role Manager on Plant 1 (this group): Alarms * All"]
        );
    })
    .await;
}

#[tokio::test]
async fn apply_refuses_a_role_the_actor_does_not_hold_on_that_group_and_changes_nothing() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let t = tree(db, &f).await;
        let admin = f.actor(db, f.admin).await;
        let low = f
            .actor_holding(
                db,
                "low",
                &[("User management", "ADMIN"), ("Alarms", "ADMIN")],
            )
            .await;
        let bob = f.user(db, "bob").await;
        let reader = role_id(db, &f, "Reader").await;
        let mut conn = db.pool.acquire().await.unwrap();
        let offered = choices(&mut conn, &low, bob, t.north).await.unwrap();
        let reader_choice = offered.iter().find(|c| c.id == reader).unwrap();
        assert_eq!(
            reader_choice.missing.as_deref(),
            Some("Audits Read on Region North")
        );
        drop(conn);
        let refused = apply_inventory_now(db, &low, bob, t.north, &[reader].into())
            .await
            .unwrap_err();
        assert_eq!(refused, AppError::forbidden("Audits Read on Region North"));
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(view(&mut conn, &admin, bob)
            .await
            .unwrap()
            .assignments
            .is_empty());
        // A viewer without the assign permission cannot apply at all.
        drop(conn);
        let viewer = f
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        assert!(apply_inventory_now(db, &viewer, bob, t.north, &[].into())
            .await
            .is_err());
    })
    .await;
}

#[tokio::test]
async fn copy_merges_or_replaces_and_leaves_out_what_the_actor_cannot_grant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let t = tree(db, &f).await;
        let admin = f.actor(db, f.admin).await;
        let (alice, bob) = (f.user(db, "alice").await, f.user(db, "bob").await);
        let reader = role_id(db, &f, "Reader").await;
        let ops = role_id(db, &f, "Operations: All").await;
        let restart = role_id(db, &f, "Operations: Restart Device").await;
        apply_inventory_now(db, &admin, alice, t.north, &[reader].into())
            .await
            .unwrap();
        apply_inventory_now(db, &admin, alice, t.south, &[ops].into())
            .await
            .unwrap();
        apply_inventory_now(db, &admin, bob, t.plant, &[restart].into())
            .await
            .unwrap();

        // An admin holding Device control only: Reader is left out, Operations: All is copied.
        let low = f
            .actor_holding(
                db,
                "low",
                &[("User management", "ADMIN"), ("Device control", "ADMIN")],
            )
            .await;
        let merged = copy(db, &low, alice, bob, CopyMode::Merge).await.unwrap();
        assert_eq!(merged.copied, ["Operations: All on Region South"]);
        assert_eq!(
            merged.left_out,
            ["Reader on Region North (not copied: you lack Alarms Read on Region North)"]
        );
        let mut conn = db.pool.acquire().await.unwrap();
        let held = |tab: UserInventory| -> Vec<String> {
            tab.assignments
                .iter()
                .map(|a| format!("{} on {}", a.role_name, a.group_name))
                .collect()
        };
        assert_eq!(
            held(view(&mut conn, &admin, bob).await.unwrap()),
            [
                "Operations: Restart Device on Plant 1",
                "Operations: All on Region South"
            ]
        );
        drop(conn);

        let replaced = copy(db, &admin, alice, bob, CopyMode::Replace)
            .await
            .unwrap();
        assert_eq!(replaced.copied, ["Reader on Region North"]);
        assert_eq!(replaced.removed, ["Operations: Restart Device on Plant 1"]);
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            held(view(&mut conn, &admin, bob).await.unwrap()),
            held(view(&mut conn, &admin, alice).await.unwrap())
        );
        drop(conn);
        assert!(copy(db, &admin, bob, bob, CopyMode::Merge).await.is_err());
    })
    .await;
}
