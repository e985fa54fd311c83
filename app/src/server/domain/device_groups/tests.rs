use super::*;
use crate::server::domain::testing::fixture;

async fn names(db: &Db, actor: &Actor, parent: Option<DeviceGroupId>) -> Vec<String> {
    let mut conn = db.pool.acquire().await.unwrap();
    children(&mut conn, actor, parent, 0)
        .await
        .unwrap()
        .groups
        .into_iter()
        .map(|g| g.name)
        .collect()
}

async fn version(db: &Db, actor: &Actor, id: DeviceGroupId) -> i64 {
    let mut conn = db.pool.acquire().await.unwrap();
    db::device_groups::get(&mut conn, actor.tenant(), id)
        .await
        .unwrap()
        .unwrap()
        .version
}

#[tokio::test]
async fn a_tree_is_built_renamed_and_moved_but_never_under_itself() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let north = create(db, &admin, None, "Region North").await.unwrap();
        let plant = create(db, &admin, Some(north), "Plant 1").await.unwrap();
        let line = create(db, &admin, Some(plant), "Line A").await.unwrap();
        let south = create(db, &admin, None, "Region South").await.unwrap();
        add_device(db, &admin, plant, "pump-17").await.unwrap();
        assert_eq!(
            create(db, &admin, Some(north), "plant 1")
                .await
                .unwrap_err(),
            AppError::validation("name", "A group with this name already exists here.")
        );
        assert_eq!(
            names(db, &admin, None).await,
            ["Region North", "Region South"]
        );
        let mut conn = db.pool.acquire().await.unwrap();
        let page = children(&mut conn, &admin, Some(plant), 0).await.unwrap();
        drop(conn);
        assert_eq!(
            (
                page.total_groups,
                page.total_devices,
                page.devices[0].name.as_str()
            ),
            (1, 1, "pump-17")
        );
        // Into itself, or into its own subgroup: refused.
        for target in [north, line] {
            let error = update(
                db,
                &admin,
                north,
                version(db, &admin, north).await,
                Some(target),
                "Region North",
            )
            .await
            .unwrap_err();
            assert!(
                matches!(error, AppError::Validation { ref field, .. } if field == "parent"),
                "{error:?}"
            );
        }
        update(
            db,
            &admin,
            plant,
            version(db, &admin, plant).await,
            Some(south),
            "Plant One",
        )
        .await
        .unwrap();
        assert_eq!(names(db, &admin, Some(south)).await, ["Plant One"]);
        assert!(names(db, &admin, Some(north)).await.is_empty());
        assert_eq!(
            update(db, &admin, plant, 1, None, "Stale")
                .await
                .unwrap_err(),
            AppError::Conflict
        );
    })
    .await;
}

#[tokio::test]
async fn deleting_a_group_removes_everything_below_and_says_so_first() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let north = create(db, &admin, None, "Region North").await.unwrap();
        let plant = create(db, &admin, Some(north), "Plant 1").await.unwrap();
        create(db, &admin, Some(plant), "Line A").await.unwrap();
        add_device(db, &admin, plant, "pump-17").await.unwrap();
        add_device(db, &admin, north, "gateway").await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let impact = delete_impact(&mut conn, &admin, north).await.unwrap();
        drop(conn);
        assert_eq!((impact.subgroups, impact.devices), (2, 2));
        let v = version(db, &admin, north).await;
        assert_eq!(
            delete(db, &admin, north, v + 1).await.unwrap_err(),
            AppError::Conflict
        );
        delete(db, &admin, north, v).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_groups")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let devices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM devices")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!((left, devices), (0, 0));
    })
    .await;
}

#[tokio::test]
async fn children_come_in_pages_so_a_huge_node_opens_at_once() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let big = create(db, &admin, None, "Big").await.unwrap();
        let mut tx = db.pool.begin().await.unwrap();
        for i in 0..120 {
            db::device_groups::insert(&mut tx, f.tenant, big.0, &format!("g{i:03}"), 0)
                .await
                .unwrap();
        }
        for i in 0..30 {
            db::device_groups::insert_device(&mut tx, f.tenant, big, &format!("d{i:02}"), 0)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let first = children(&mut conn, &admin, Some(big), 0).await.unwrap();
        assert_eq!(
            (
                first.groups.len(),
                first.devices.len(),
                first.total_groups,
                first.total_devices
            ),
            (50, 0, 120, 30)
        );
        let third = children(&mut conn, &admin, Some(big), 100).await.unwrap();
        assert_eq!((third.groups.len(), third.devices.len()), (20, 30));
        assert_eq!(third.groups[0].name, "g100");
    })
    .await;
}

#[tokio::test]
async fn device_groups_need_inventory_permissions_and_stay_in_their_tenant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let acme = fixture(db, "acme").await;
        let globex = fixture(db, "globex").await;
        let admin = acme.actor(db, acme.admin).await;
        let north = create(db, &admin, None, "Region North").await.unwrap();
        let reader = acme
            .actor_holding(db, "reader", &[("Inventory", "READ")])
            .await;
        assert_eq!(names(db, &reader, None).await, ["Region North"]);
        assert_eq!(
            create(db, &reader, None, "Mine").await.unwrap_err(),
            AppError::forbidden("Inventory ADMIN")
        );
        let nobody = acme
            .actor_holding(db, "nobody", &[("Alarms", "READ")])
            .await;
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            children(&mut conn, &nobody, None, 0).await.unwrap_err(),
            AppError::forbidden("Inventory READ")
        );
        let stranger = globex.actor(db, globex.admin).await;
        assert_eq!(
            children(&mut conn, &stranger, Some(north), 0)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert!(children(&mut conn, &stranger, None, 0)
            .await
            .unwrap()
            .groups
            .is_empty());
        drop(conn);
        assert_eq!(
            delete(db, &stranger, north, 1).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            create(db, &stranger, Some(north), "x").await.unwrap_err(),
            AppError::NotFound
        );
    })
    .await;
}
