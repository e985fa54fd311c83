use super::{seed, Size};
use crate::server::{db::testing::each_backend, db::Db, templates::Templates};

async fn count(db: &Db, sql: &str, tenant: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(tenant)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn seed_s_writes_the_shape_of_its_size_once_and_the_index_builds() {
    each_backend(async |db: &Db| {
        let templates = Templates::load().unwrap();
        let written = seed(db, &templates, "scale-s", Size::S).await.unwrap();
        let shape = Size::S.shape();
        assert_eq!(written.users as usize, shape.users);
        assert_eq!(written.assignments as usize, shape.assignments);
        let tenant: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'scale-s'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        // The seeded users and the administrator.
        let users = count(
            db,
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1",
            tenant,
        )
        .await;
        assert_eq!(users as usize, shape.users + 1);
        let groups = count(
            db,
            "SELECT COUNT(*) FROM user_groups WHERE tenant_id = $1",
            tenant,
        )
        .await;
        assert_eq!(groups as usize, shape.groups);
        let custom =
            "SELECT COUNT(*) FROM roles WHERE tenant_id = $1 AND description LIKE 'Seeded role %'";
        assert_eq!(count(db, custom, tenant).await as usize, shape.roles);
        let assignments = "SELECT (SELECT COUNT(*) FROM user_roles WHERE tenant_id = $1) \
             + (SELECT COUNT(*) FROM group_roles WHERE tenant_id = $1) \
             + (SELECT COUNT(*) FROM user_inventory_roles WHERE tenant_id = $1)";
        // The administrator's own admin role comes on top of the seeded assignments.
        assert_eq!(
            count(db, assignments, tenant).await as usize,
            shape.assignments + 1
        );
        let largest = "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM group_members \
             WHERE tenant_id = $1 GROUP BY group_id) AS sizes";
        assert_eq!(count(db, largest, tenant).await as usize, shape.large_group);
        let wide = "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             WHERE ur.tenant_id = $1 AND r.name = 'Fleet Operator'";
        assert_eq!(
            count(db, wide, tenant).await as usize,
            shape.wide_role_holders
        );
        let space_bound = "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             WHERE ur.tenant_id = $1 AND r.scope = 'space-bound' AND ur.space_id <> 0";
        assert!(count(db, space_bound, tenant).await > 0);
        let misplaced = "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             WHERE ur.tenant_id = $1 AND ((r.scope = 'space-bound') <> (ur.space_id <> 0))";
        assert_eq!(
            count(db, misplaced, tenant).await,
            0,
            "a role held where its scope forbids"
        );
        let depth = "WITH RECURSIVE d(id, depth) AS ( \
             SELECT id, 1 FROM device_groups WHERE tenant_id = $1 AND parent_id = 0 \
             UNION ALL SELECT g.id, d.depth + 1 FROM device_groups g JOIN d ON g.parent_id = d.id) \
             SELECT MAX(depth) FROM d";
        assert_eq!(count(db, depth, tenant).await, 10);
        let device_groups = "SELECT COUNT(*) FROM device_groups WHERE tenant_id = $1";
        assert_eq!(
            count(db, device_groups, tenant).await as usize,
            shape.device_groups
        );

        let again = seed(db, &templates, "scale-s", Size::S).await;
        assert!(again.is_err(), "an existing tenant id is refused");
        let users_after = count(
            db,
            "SELECT COUNT(*) FROM users WHERE tenant_id = $1",
            tenant,
        )
        .await;
        assert_eq!(users_after, users, "the refused seed wrote nothing");

        let catalogue = &templates.get("iot").unwrap().catalogue;
        let index = db
            .index
            .get(&db.pool, catalogue, crate::model::TenantId(tenant))
            .await
            .unwrap();
        drop(index);
    })
    .await;
}
