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

fn from<'a>(address: &'a str, username: &'a str, password: &'a str) -> SignIn<'a> {
    SignIn {
        address,
        ..attempt("acme", username, password)
    }
}

#[tokio::test]
async fn one_address_guessing_is_blocked_but_the_real_user_elsewhere_signs_in() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        let mut outcomes = Vec::new();
        for _ in 0..20 {
            let e = sign_in(db, &policy, from("203.0.113.9", "admin", "wrong"), NOW).await;
            outcomes.push(e.unwrap_err());
        }
        // The free attempts and the one that earns the first wait are checked; then refused fast.
        let checked = throttle::PAIR.free_attempts as usize + 1;
        assert!(outcomes[..checked]
            .iter()
            .all(|e| *e == AppError::SignInFailed));
        assert!(outcomes[checked..]
            .iter()
            .all(|e| *e == AppError::TooManyAttempts));
        // Even the right password is refused from that address for now…
        let e = sign_in(db, &policy, from("203.0.113.9", "admin", PW), NOW + 1).await;
        assert_eq!(e.unwrap_err(), AppError::TooManyAttempts);
        // …but the real user at another address is not slowed at all.
        assert!(
            sign_in(db, &policy, from("192.0.2.1", "admin", PW), NOW + 1)
                .await
                .is_ok()
        );
    })
    .await;
}

#[tokio::test]
async fn a_distributed_guess_delays_the_right_password_by_at_most_a_minute() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        for i in 0..40 {
            let address = format!("198.51.100.{i}");
            let _ = sign_in(db, &policy, from(&address, "admin", "wrong"), NOW).await;
        }
        let e = sign_in(db, &policy, from("192.0.2.1", "admin", PW), NOW + 1).await;
        assert_eq!(e.unwrap_err(), AppError::TooManyAttempts);
        let later = NOW + throttle::USER_MAX_WAIT_SECS;
        assert!(sign_in(db, &policy, from("192.0.2.1", "admin", PW), later)
            .await
            .is_ok());
        // A success starts the user's counter again.
        assert!(sign_in(db, &policy, from("192.0.2.1", "admin", PW), later)
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
        for i in 0..=throttle::ADDRESS.free_attempts {
            let name = format!("guess{i}");
            let e = sign_in(db, &policy, attempt("acme", &name, "x"), NOW).await;
            assert_eq!(e.unwrap_err(), AppError::SignInFailed, "attempt {i}");
        }
        let e = sign_in(db, &policy, attempt("acme", "admin", PW), NOW + 1)
            .await
            .unwrap_err();
        assert_eq!(e, AppError::TooManyAttempts);
        let later = NOW + throttle::ADDRESS.step_secs;
        assert!(sign_in(db, &policy, attempt("acme", "admin", PW), later)
            .await
            .is_ok());
    })
    .await;
}

#[tokio::test]
async fn parallel_attempts_cannot_all_pass_the_check() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        let attempts =
            (0..30).map(|_| sign_in(db, &policy, from("203.0.113.5", "admin", "x"), NOW));
        let outcomes = futures::future::join_all(attempts).await;
        let checked = outcomes
            .iter()
            .filter(|o| **o == Err(AppError::SignInFailed))
            .count();
        assert!(
            checked <= throttle::PAIR.free_attempts as usize + 1,
            "{checked} attempts were checked"
        );
        assert!(outcomes.iter().all(|o| matches!(
            o,
            Err(AppError::SignInFailed | AppError::TooManyAttempts | AppError::SignInBusy)
        )));
    })
    .await;
}

#[tokio::test]
async fn over_long_sign_in_fields_are_refused_before_any_work() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        let long = "x".repeat(MAX_PASSWORD_LEN + 1);
        let e = sign_in(db, &policy, attempt("acme", "admin", &long), NOW).await;
        assert_eq!(
            e.unwrap_err(),
            AppError::validation(
                "password",
                format!("At most {MAX_PASSWORD_LEN} characters.")
            )
        );
        // Nothing was counted: the right password still signs in at once.
        for _ in 0..throttle::PAIR.free_attempts {
            let _ = sign_in(db, &policy, attempt("acme", "admin", &long), NOW).await;
        }
        assert!(sign_in(db, &policy, attempt("acme", "admin", PW), NOW)
            .await
            .is_ok());
    })
    .await;
}

#[tokio::test]
async fn successful_sign_ins_from_one_address_never_add_up_to_a_block() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        tenant(db, "acme").await;
        let policy = SessionPolicy::default();
        // One office behind one address: many people sign in, a few mistype.
        for i in 0..(throttle::ADDRESS.free_attempts * 3) {
            if i % 10 == 0 {
                let e = sign_in(db, &policy, attempt("acme", "admin", "typo"), NOW).await;
                assert_eq!(e.unwrap_err(), AppError::SignInFailed);
            }
            let ok = sign_in(db, &policy, attempt("acme", "admin", PW), NOW).await;
            assert!(ok.is_ok(), "sign-in {i}: {ok:?}");
        }
    })
    .await;
}
