//! Credentials as an administrator, a sub-user manager and a user with a one-time password would
//! try them.

use super::*;
use crate::{
    model::{users::NewUserInput, Allocation},
    server::{
        auth::{self, SessionPolicy, SignIn},
        domain::{access::Actor, testing::fixture, users},
    },
};

const NOW: i64 = 2_000_000_000;

fn new(username: &str, password: &str) -> NewUserInput {
    NewUserInput {
        username: username.into(),
        display_name: String::new(),
        email: String::new(),
        password: password.into(),
        allocation: Allocation::Professional,
        device: false,
    }
}

fn field_of(result: AppResult<impl std::fmt::Debug>) -> String {
    match result {
        Err(AppError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn sign_in(db: &Db, username: &str, password: &str) -> AppResult<Principal> {
    let policy = SessionPolicy::default();
    let attempt = SignIn {
        tenant: "acme",
        username,
        password,
        address: "192.0.2.7",
    };
    let token = auth::sign_in(db, &policy, attempt, NOW).await?;
    Ok(auth::resolve(db, &policy, &token, NOW).await?.unwrap())
}

async fn hash_of(db: &Db, tenant: TenantId, user: UserId) -> Option<String> {
    let mut conn = db.pool.acquire().await.unwrap();
    db::users::password_hash(&mut conn, tenant, user)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_tenant_policy_applies_wherever_a_password_is_set() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        for (username, password, why) in [
            ("dora", "Short-1", "too short"),
            ("dora", "my-DORA-pass-1", "the username"),
            ("dora", "Password123", "common"),
        ] {
            let refused = users::create(db, &admin, &new(username, password)).await;
            assert_eq!(field_of(refused), "password", "{why}");
        }
        users::create(db, &admin, &new("dora", "Long-enough-1"))
            .await
            .unwrap();

        // Only an assigner changes the policy, within its bounds; it is audited.
        let viewer = f
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        let strict = PasswordPolicy {
            min_length: 16,
            disallow_username: true,
            check_common: true,
        };
        assert_eq!(
            save_policy(db, &viewer, &strict).await,
            Err(AppError::forbidden("User management ADMIN"))
        );
        let silly = PasswordPolicy {
            min_length: 3,
            ..strict
        };
        assert_eq!(
            field_of(save_policy(db, &admin, &silly).await),
            "min_length"
        );
        assert_eq!(
            settings(db, &admin).await.unwrap().policy,
            PasswordPolicy::default()
        );
        save_policy(db, &admin, &strict).await.unwrap();
        assert_eq!(settings(db, &viewer).await.unwrap().policy, strict);
        let refused = users::create(db, &admin, &new("emil", "Long-enough-1")).await;
        assert_eq!(field_of(refused), "password");
        let emil = users::create(db, &admin, &new("emil", "A-much-longer-one-1"))
            .await
            .unwrap();
        let before = hash_of(db, f.tenant, emil).await;
        assert_eq!(
            field_of(set_one_time(db, &admin, emil, "Long-enough-1").await),
            "password"
        );
        assert_eq!(hash_of(db, f.tenant, emil).await, before);
        let mut conn = db.pool.acquire().await.unwrap();
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'tenant.password-policy'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(audited, 1);
    })
    .await;
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_before_anything_else() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let bob = users::create(db, &admin, &new("bob", "Kestrel-first-1"))
            .await
            .unwrap();
        sign_in(db, "bob", "Kestrel-first-1").await.unwrap();

        // Someone who does not manage bob cannot set one; nor can anyone set their own.
        let creator = f
            .actor_holding(db, "creator", &[("User management", "CREATE")])
            .await;
        let before = hash_of(db, f.tenant, bob).await;
        assert!(matches!(
            set_one_time(db, &creator, bob, "Temporary-pass-9").await,
            Err(AppError::Forbidden { .. })
        ));
        assert!(matches!(
            set_one_time(db, &admin, f.admin, "Temporary-pass-9").await,
            Err(AppError::Locked { .. })
        ));
        assert_eq!(hash_of(db, f.tenant, bob).await, before);

        set_one_time(db, &admin, bob, "Temporary-pass-9")
            .await
            .unwrap();
        let sessions_of_bob = async || -> i64 {
            let mut conn = db.pool.acquire().await.unwrap();
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
                .bind(bob)
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        };
        assert_eq!(sessions_of_bob().await, 0, "bob's sessions ended");
        assert!(sign_in(db, "bob", "Kestrel-first-1").await.is_err());
        let bob_now = sign_in(db, "bob", "Temporary-pass-9").await.unwrap();
        let _elsewhere = sign_in(db, "bob", "Temporary-pass-9").await.unwrap();
        assert!(bob_now.must_change_password);
        let templates = crate::server::templates::Templates::load().unwrap();
        assert_eq!(
            Actor::resolve(db, &templates, bob_now.clone()).await.err(),
            Some(AppError::Locked {
                reason: crate::model::passwords::MUST_CHANGE.into()
            })
        );

        assert_eq!(
            field_of(change_own(db, &bob_now, "wrong-password-1", "Kestrel-own-two-2").await),
            "current_password"
        );
        assert_eq!(
            field_of(change_own(db, &bob_now, "Temporary-pass-9", "Temporary-pass-9").await),
            "new_password"
        );
        assert_eq!(
            field_of(change_own(db, &bob_now, "Temporary-pass-9", "x-bob-x-long-2").await),
            "new_password"
        );
        change_own(db, &bob_now, "Temporary-pass-9", "Kestrel-own-two-2")
            .await
            .unwrap();
        // Guessing the current password is throttled like a sign-in.
        let mut guesses = Vec::new();
        for i in 0..7 {
            let guess = format!("guess-{i}-xxxx");
            guesses.push(change_own(db, &bob_now, &guess, "Kestrel-new-3").await);
        }
        assert!(
            guesses.contains(&Err(AppError::TooManyAttempts)),
            "{guesses:?}"
        );
        assert_eq!(
            sessions_of_bob().await,
            1,
            "only the session that changed it stays"
        );
        let bob_later = sign_in(db, "bob", "Kestrel-own-two-2").await.unwrap();
        assert!(!bob_later.must_change_password);
        assert!(Actor::resolve(db, &templates, bob_later).await.is_ok());

        // A sub-user manager sets one for her own sub-user.
        let sub = users::create(db, &creator, &new("sub.ann", "Heron-first-1"))
            .await
            .unwrap();
        set_one_time(db, &creator, sub, "Temporary-pass-9")
            .await
            .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let audited: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_events WHERE action LIKE 'user.password.%' ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert_eq!(
            audited,
            [
                "user.password.one-time",
                "user.password.change",
                "user.password.one-time"
            ]
        );
    })
    .await;
}
