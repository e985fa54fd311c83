use super::*;

use crate::model::DeviceGroupId;
use crate::server::domain::testing::fixture;

#[tokio::test]
async fn a_new_iot_tenant_has_the_default_inventory_roles_in_order() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let cards = list(&mut conn, &admin).await.unwrap();
        let names: Vec<&str> = cards.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Manager",
                "Operations: All",
                "Operations: Restart Device",
                "Reader"
            ]
        );
        let manager = &cards[0];
        assert_eq!(manager.rows[0].permission.category, "Full access");
        assert!(manager.rows.iter().all(|r| r.overridden.is_none()));
        drop(conn);
        // Backfill leaves a tenant that has inventory roles alone.
        let filled = crate::server::domain::tenants::backfill_inventory_roles(db, &f.templates)
            .await
            .unwrap();
        assert_eq!(filled, 0);
        sqlx::query("DELETE FROM inventory_roles")
            .execute(&db.pool)
            .await
            .unwrap();
        let filled = crate::server::domain::tenants::backfill_inventory_roles(db, &f.templates)
            .await
            .unwrap();
        assert_eq!(filled, 1);
        let viewer = f.actor_holding(db, "nobody", &[("Alarms", "READ")]).await;
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(list(&mut conn, &viewer).await.is_err());
    })
    .await;
}

fn p(c: &str, t: &str, l: &str) -> InventoryPermission {
    InventoryPermission::new(c, t, l.parse().unwrap())
}

fn input(name: &str, rows: &[InventoryPermission]) -> InventoryRoleInput {
    InventoryRoleInput {
        id: None,
        name: name.into(),
        description: "d".into(),
        rows: rows.to_vec(),
        version: 0,
    }
}

/// Everything an inventory-role change could touch, as one number.
async fn state(db: &Db) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM inventory_roles), (SELECT COUNT(*) FROM inventory_role_permissions), \
         (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM inventory_roles), (SELECT COUNT(*) FROM audit_events)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn inventory_role_create_update_delete_with_audit() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
    let f = fixture(db, "acme").await;
    let admin = f.actor(db, f.admin).await;
    let created = save(
        db,
        &admin,
        &input(
            "Trackers",
            &[
                p("Inventory", "*", "Read"),
                p("Events", " c8y_Position ", "Read"),
            ],
        ),
    )
    .await
    .unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(
        created.rows[1],
        p("Events", "c8y_Position", "Read"),
        "types are trimmed"
    );
    let mut update = input("Trackers EU", &[p("Events", "c8y_Position", "All")]);
    update.id = Some(created.id);
    update.version = created.version;
    let updated = save(db, &admin, &update).await.unwrap();
    assert_eq!((updated.name.as_str(), updated.version), ("Trackers EU", 2));
    assert_eq!(updated.rows, [p("Events", "c8y_Position", "All")]);
    let mut conn = db.pool.acquire().await.unwrap();
    assert_eq!(
        detail(&mut conn, f.tenant, created.id).await.unwrap(),
        updated
    );
    drop(conn);

    // An assignment goes with the role.
    let user = f.user(db, "smith").await;
    let group: i64 = sqlx::query_scalar(
        "INSERT INTO device_groups (tenant_id, name, created_at) VALUES ($1, 'Region North', 0) RETURNING id",
    )
    .bind(f.tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES ($1, $2, $3, $4)")
        .bind(f.tenant)
        .bind(user)
        .bind(created.id)
        .bind(group)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        delete(db, &admin, created.id, 1).await.unwrap_err(),
        AppError::Conflict
    );
    delete(db, &admin, created.id, updated.version)
        .await
        .unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    assert_eq!(
        detail(&mut conn, f.tenant, created.id).await.unwrap_err(),
        AppError::NotFound
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_inventory_roles")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(left, 0, "the assignment is deleted with the role");
    let actions: Vec<String> = db::audit::list(&mut conn, f.tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("inventory_role."))
        .collect();
    assert_eq!(
        actions,
        [
            "inventory_role.create",
            "inventory_role.update",
            "inventory_role.delete"
        ]
    );
})
    .await;
}

#[tokio::test]
async fn empty_or_duplicate_name_and_unknown_category_are_refused_and_nothing_saved() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let before = state(db).await;
        let empty = save(db, &admin, &input("  ", &[])).await.unwrap_err();
        assert_eq!(empty.for_field("name"), Some("Name is required."));
        let duplicate = save(db, &admin, &input("reader", &[])).await.unwrap_err();
        assert_eq!(
            duplicate.for_field("name"),
            Some("An inventory role with this name already exists.")
        );
        let unknown = save(
            db,
            &admin,
            &input(
                "Odd",
                &[p("Alarms", "*", "Read"), p("Weather", "*", "Read")],
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(
            unknown.for_field("rows"),
            Some("Row 2: Unknown category 'Weather'.")
        );
        let no_type = save(db, &admin, &input("Odd", &[p("Alarms", " ", "Read")]))
            .await
            .unwrap_err();
        assert!(no_type.for_field("rows").is_some());
        assert_eq!(state(db).await, before);
        // A role without rows is allowed.
        assert!(save(db, &admin, &input("Empty", &[]))
            .await
            .unwrap()
            .rows
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn second_save_of_the_same_version_is_a_conflict_not_an_overwrite() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let created = save(db, &admin, &input("Shared", &[p("Alarms", "*", "Read")]))
            .await
            .unwrap();
        let mut first = input("Shared", &[p("Alarms", "*", "All")]);
        first.id = Some(created.id);
        first.version = created.version;
        let mut second = first.clone();
        second.rows = vec![p("Events", "*", "Read")];
        save(db, &admin, &first).await.unwrap();
        let before = state(db).await;
        assert_eq!(
            save(db, &admin, &second).await.unwrap_err(),
            AppError::Conflict
        );
        assert_eq!(state(db).await, before);
        let mut conn = db.pool.acquire().await.unwrap();
        let stored = detail(&mut conn, f.tenant, created.id).await.unwrap();
        assert_eq!(stored.rows, [p("Alarms", "*", "All")]);
    })
    .await;
}

#[tokio::test]
async fn an_admin_cannot_add_inventory_rows_beyond_what_they_hold_globally() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let limited = f
            .actor_holding(
                db,
                "dana",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            )
            .await;
        let wide = save(
            db,
            &admin,
            &input(
                "Wide",
                &[p("Full access", "*", "All"), p("Alarms", "*", "Read")],
            ),
        )
        .await
        .unwrap();
        let before = state(db).await;

        // Creating with a row beyond Alarms READ is refused, naming what is missing.
        let refused = save(
            db,
            &limited,
            &input("Mine", &[p("Alarms", "*", "Read"), p("Alarms", "*", "All")]),
        )
        .await
        .unwrap_err();
        assert_eq!(refused, AppError::forbidden("Alarms ADMIN"));
        // Adding a Full access row to an existing role is refused and nothing changes.
        let mut grow = input(
            "Wide",
            &[
                p("Full access", "*", "All"),
                p("Alarms", "*", "Read"),
                p("Full access", "*", "Read"),
            ],
        );
        grow.id = Some(wide.id);
        grow.version = wide.version;
        let refused = save(db, &limited, &grow).await.unwrap_err();
        assert_eq!(refused, AppError::forbidden("Audits READ"));
        // Deleting a role that carries more than the actor holds is refused too.
        assert_eq!(
            delete(db, &limited, wide.id, wide.version)
                .await
                .unwrap_err(),
            AppError::forbidden("Alarms ADMIN")
        );
        assert_eq!(state(db).await, before);

        // Rows the role already had may stay: renaming and removing a row is allowed.
        let mut shrink = input("Wide renamed", &[p("Full access", "*", "All")]);
        shrink.id = Some(wide.id);
        shrink.version = wide.version;
        let saved = save(db, &limited, &shrink).await.unwrap();
        assert_eq!(saved.name, "Wide renamed");
        // What the actor holds may be added.
        let own = save(
            db,
            &limited,
            &input("Alarm readers", &[p("Alarms", "c8y_Temp", "Read")]),
        )
        .await
        .unwrap();
        assert_eq!(own.rows.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn viewers_read_and_only_admins_change_within_their_tenant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let other = crate::server::domain::testing::fixture(db, "globex").await;
        let viewer = f
            .actor_holding(db, "val", &[("User management", "READ")])
            .await;
        let foreign = other.actor(db, other.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let cards = list(&mut conn, &viewer).await.unwrap();
        let reader = cards.iter().find(|c| c.name == "Reader").unwrap();
        assert_eq!(
            detail(&mut conn, other.tenant, reader.id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        drop(conn);
        let before = state(db).await;
        let mut change = input("Reader", &[]);
        change.id = Some(reader.id);
        change.version = reader.version;
        assert_eq!(
            save(db, &viewer, &change).await.unwrap_err(),
            AppError::forbidden("User management ADMIN")
        );
        assert_eq!(
            save(db, &foreign, &change).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            delete(db, &foreign, reader.id, reader.version)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(state(db).await, before);
    })
    .await;
}

#[tokio::test]
async fn the_database_keys_refuse_an_inventory_holding_across_tenants() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let other = fixture(db, "globex").await;
        let smith = f.user(db, "smith").await;
        let region = |tenant: crate::model::TenantId| async move {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO device_groups (tenant_id, name, created_at) VALUES ($1, 'Region', 0) RETURNING id",
            )
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap()
        };
        let (our_group, their_group) = (region(f.tenant).await, region(other.tenant).await);
        let reader_of = |tenant: crate::model::TenantId| async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM inventory_roles WHERE tenant_id = $1 AND name = 'Reader'",
            )
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap()
        };
        let (our_role, their_role) = (reader_of(f.tenant).await, reader_of(other.tenant).await);
        let held = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM user_inventory_roles")
                .fetch_one(&db.pool)
                .await
                .unwrap()
        };
        let before = held().await;
        let mut conn = db.pool.acquire().await.unwrap();
        // Through the write path the user page uses: another tenant's role, or device group.
        for (role, group) in [(their_role, our_group), (our_role, their_group)] {
            assert_eq!(
                db::inventory_assignments::add(
                    &mut conn,
                    f.tenant,
                    smith,
                    InventoryRoleId(role),
                    DeviceGroupId(group)
                )
                .await,
                Err(AppError::NotFound),
                "{role} {group}"
            );
        }
        // By hand, whichever tenant the row names.
        for (tenant, role, group) in [
            (f.tenant.0, their_role, our_group),
            (f.tenant.0, our_role, their_group),
            (other.tenant.0, their_role, their_group),
        ] {
            let inserted = sqlx::query(
                "INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(tenant)
            .bind(smith)
            .bind(role)
            .bind(group)
            .execute(&mut *conn)
            .await;
            assert!(inserted.is_err(), "{tenant} {role} {group}: {inserted:?}");
        }
        drop(conn);
        assert_eq!(held().await, before);
        // The same row within one tenant is accepted: the keys refuse only the mix.
        let mut conn = db.pool.acquire().await.unwrap();
        db::inventory_assignments::add(&mut conn, f.tenant, smith, InventoryRoleId(our_role), DeviceGroupId(our_group))
            .await
            .unwrap();
        drop(conn);
        assert_eq!(held().await, before + 1);
    })
    .await;
}
