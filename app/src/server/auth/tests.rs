use super::*;
use crate::server::domain::tenants::{self as tenant_ops, NewTenant};

const PW: &str = "Correct-horse-1";

async fn tenant(db: &Db, slug: &str) -> (TenantId, UserId) {
    let templates = crate::server::templates::Templates::load().unwrap();
    tenant_ops::create(
        db,
        &templates,
        &NewTenant {
            slug,
            name: slug,
            template: "iot",
            admin_username: "admin",
            admin_password: PW,
        },
    )
    .await
    .unwrap()
}

fn attempt<'a>(tenant: &'a str, username: &'a str, password: &'a str) -> SignIn<'a> {
    SignIn {
        tenant,
        username,
        password,
        address: "192.0.2.1",
    }
}

const NOW: i64 = 1_000_000;

#[tokio::test]
async fn sign_in_opens_a_session_that_resolves_to_the_user() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let (tenant_id, admin) = tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        let token = sign_in(db, &policy, attempt("acme", "Admin", PW), NOW)
            .await
            .unwrap();
        let principal = resolve(db, &policy, &token, NOW + 5)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(principal.user_id, admin);
        assert_eq!(principal.tenant_id, tenant_id);
        assert_eq!(principal.tenant_slug, "acme");
        assert!(resolve(db, &policy, "0".repeat(64).as_str(), NOW)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn wrong_password_unknown_user_and_unknown_tenant_fail_alike() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        for (t, u, p) in [
            ("acme", "admin", "wrong-password"),
            ("acme", "nobody", PW),
            ("nope", "admin", PW),
        ] {
            let error = sign_in(db, &policy, attempt(t, u, p), NOW)
                .await
                .unwrap_err();
            assert_eq!(error, AppError::SignInFailed, "{t}/{u}");
        }
    })
    .await;
}

#[tokio::test]
async fn each_sign_in_gets_a_new_session_and_sign_out_deletes_it() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        let first = sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .unwrap();
        let second = sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .unwrap();
        assert_ne!(first, second);
        let mut conn = db.pool.acquire().await.unwrap();
        sign_out(&mut conn, &first).await.unwrap();
        assert!(resolve(db, &policy, &first, NOW).await.unwrap().is_none());
        assert!(resolve(db, &policy, &second, NOW).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn idle_and_absolute_timeouts_end_a_session() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy {
            idle_secs: 600,
            absolute_secs: 3600,
            force_secure_cookie: false,
        };
        let token = sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .unwrap();
        assert!(resolve(db, &policy, &token, NOW + 599)
            .await
            .unwrap()
            .is_some());
        assert!(
            resolve(db, &policy, &token, NOW + 599 + 601)
                .await
                .unwrap()
                .is_none(),
            "idle"
        );

        let token = sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .unwrap();
        let mut at = NOW;
        while at < NOW + 3600 {
            at += 500;
            let alive = resolve(db, &policy, &token, at).await.unwrap().is_some();
            assert_eq!(alive, at - NOW <= 3600, "at +{}", at - NOW);
        }
        // Expired sessions are removed from the table, not just ignored.
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
    })
    .await;
}

#[tokio::test]
async fn disabled_user_cannot_sign_in_and_loses_sessions() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let (_, admin) = tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        let token = sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .unwrap();
        sqlx::query("UPDATE users SET status = 'disabled' WHERE id = $1")
            .bind(admin)
            .execute(&db.pool)
            .await
            .unwrap();
        assert!(resolve(db, &policy, &token, NOW).await.unwrap().is_none());
        let error = sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .unwrap_err();
        assert_eq!(error, AppError::SignInFailed);
    })
    .await;
}

#[tokio::test]
async fn user_lookup_is_tenant_scoped() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let (acme, acme_admin) = tenant(db, "acme").await;
        let (globex, globex_admin) = tenant(db, "globex").await;
        assert_ne!(acme_admin, globex_admin);
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            crate::server::db::users::id_by_username(&mut conn, acme, "admin")
                .await
                .unwrap(),
            Some(acme_admin)
        );
        assert_eq!(
            crate::server::db::users::id_by_username(&mut conn, globex, "admin")
                .await
                .unwrap(),
            Some(globex_admin)
        );
        drop(conn);
        // A session of one tenant's admin names that tenant only.
        let policy = SessionPolicy::default();
        let token = sign_in(db, &policy, attempt("globex", "admin", PW), NOW)
            .await
            .unwrap();
        let p = resolve(db, &policy, &token, NOW).await.unwrap().unwrap();
        assert_eq!((p.tenant_id, p.user_id), (globex, globex_admin));
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_throttle_the_user_even_with_the_right_password() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        for _ in 0..throttle::MAX_PER_USER {
            let e = sign_in(db, &policy, attempt("acme", "admin", "wrong-password"), NOW)
                .await
                .unwrap_err();
            assert_eq!(e, AppError::SignInFailed);
        }
        let e = sign_in(db, &policy, attempt("acme", "admin", PW), NOW + 1)
            .await
            .unwrap_err();
        assert_eq!(e, AppError::TooManyAttempts);
        // Another user from another address is not affected; after the window the user may retry.
        let other = SignIn {
            address: "198.51.100.7",
            ..attempt("acme", "nobody", "x")
        };
        assert_eq!(
            sign_in(db, &policy, other, NOW + 1).await.unwrap_err(),
            AppError::SignInFailed
        );
        let later = NOW + throttle::WINDOW_SECS + 1;
        assert!(sign_in(db, &policy, attempt("acme", "admin", PW), later)
            .await
            .is_ok());
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_from_one_address_throttle_every_username() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        for i in 0..throttle::MAX_PER_ADDRESS {
            let name = format!("guess{i}");
            let _ = sign_in(db, &policy, attempt("acme", &name, "x"), NOW).await;
        }
        let e = sign_in(db, &policy, attempt("acme", "admin", PW), NOW + 1)
            .await
            .unwrap_err();
        assert_eq!(e, AppError::TooManyAttempts);
    })
    .await;
}
