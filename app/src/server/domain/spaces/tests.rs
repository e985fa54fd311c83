use super::*;
use crate::server::domain::testing::fixture;

fn input(name: &str) -> SpaceInput {
    SpaceInput {
        id: None,
        name: name.into(),
        description: String::new(),
        version: 0,
    }
}

async fn names(db: &Db, tenant: TenantId) -> Vec<String> {
    let mut conn = db.pool.acquire().await.unwrap();
    list(&mut conn, tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect()
}

#[tokio::test]
async fn a_new_tenant_has_default_space_and_spaces_are_created_and_renamed() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        assert_eq!(names(db, f.tenant).await, [DEFAULT_SPACE]);
        let emea = save(db, &admin, &input("EMEA")).await.unwrap();
        save(db, &admin, &input("Americas")).await.unwrap();
        assert_eq!(
            names(db, f.tenant).await,
            [DEFAULT_SPACE, "Americas", "EMEA"]
        );
        assert_eq!(
            save(db, &admin, &input(" emea ")).await.unwrap_err(),
            AppError::validation("name", "A space with this name already exists.")
        );
        assert_eq!(
            save(db, &admin, &input("  ")).await.unwrap_err(),
            AppError::validation("name", "Name is required.")
        );
        let rename = SpaceInput {
            id: Some(emea.id),
            name: "Europe".into(),
            description: "EU and UK".into(),
            version: emea.version,
        };
        let renamed = save(db, &admin, &rename).await.unwrap();
        assert_eq!((renamed.name.as_str(), renamed.version), ("Europe", 2));
        // The same stale version again: refused, never overwritten.
        assert_eq!(
            save(db, &admin, &rename).await.unwrap_err(),
            AppError::Conflict
        );
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'space.%'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(audited, 3);
    })
    .await;
}

#[tokio::test]
async fn default_space_cannot_be_deleted_or_renamed() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let default = list(&mut conn, f.tenant).await.unwrap().remove(0);
        drop(conn);
        assert!(matches!(
            delete(db, &admin, default.id, default.version).await,
            Err(AppError::Locked { .. })
        ));
        let rename = SpaceInput {
            id: Some(default.id),
            name: "Main".into(),
            description: String::new(),
            version: default.version,
        };
        assert!(matches!(
            save(db, &admin, &rename).await,
            Err(AppError::Locked { .. })
        ));
        assert_eq!(names(db, f.tenant).await, [DEFAULT_SPACE]);
    })
    .await;
}

#[tokio::test]
async fn deleting_a_space_removes_the_assignments_bound_to_it() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
    let f = fixture(db, "acme").await;
    let admin = f.actor(db, f.admin).await;
    let emea = save(db, &admin, &input("EMEA")).await.unwrap();
    let bob = f.user(db, "bob").await;
    let reader = f.role(db, "Global Reader").await;
    for space in [0, emea.id.0] {
        sqlx::query("INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES ($1, $2, $3, $4)")
            .bind(f.tenant)
            .bind(bob)
            .bind(reader)
            .bind(space)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let mut conn = db.pool.acquire().await.unwrap();
    let emea = db::spaces::get(&mut conn, f.tenant, emea.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(emea.assignments, 1);
    drop(conn);
    assert_eq!(
        delete(db, &admin, emea.id, emea.version - 1)
            .await
            .unwrap_err(),
        AppError::Conflict
    );
    delete(db, &admin, emea.id, emea.version)
        .await
        .unwrap();
    let left: Vec<i64> = sqlx::query_scalar("SELECT space_id FROM user_roles WHERE user_id = $1")
        .bind(bob)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, [0], "the tenant-wide assignment stays");
})
    .await;
}

#[tokio::test]
async fn spaces_need_the_assign_permission_and_stay_in_their_tenant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let acme = fixture(db, "acme").await;
        let globex = fixture(db, "globex").await;
        let reader = acme
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        assert_eq!(
            save(db, &reader, &input("EMEA")).await.unwrap_err(),
            AppError::forbidden("User management ADMIN")
        );
        let foreign_admin = globex.actor(db, globex.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let acme_default = list(&mut conn, acme.tenant).await.unwrap().remove(0);
        drop(conn);
        let hijack = SpaceInput {
            id: Some(acme_default.id),
            name: "Default Space".into(),
            description: "mine".into(),
            version: acme_default.version,
        };
        assert_eq!(
            save(db, &foreign_admin, &hijack).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            delete(db, &foreign_admin, acme_default.id, acme_default.version)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    })
    .await;
}
