use serde_json::{json, Value};

use super::*;
use crate::{
    model::{
        sso::{Condition, MappedInventory, MappedRole, MappingRule},
        wizard::Subject,
        DeviceGroupId, InventoryRoleId, Operator, RoleId, RoleMode,
    },
    server::domain::{
        assignments::set_user_roles,
        testing::{fixture, roles_version, Fixture},
    },
};

const ISSUER: &str = "https://idp.example.com";

fn operators(reader: RoleId, inventory: Option<MappedInventory>) -> MappingRule {
    MappingRule {
        conditions: vec![Condition {
            claim: "groups".into(),
            operator: Operator::Contains,
            value: "operators".into(),
        }],
        roles: vec![MappedRole {
            role: reader,
            space: None,
        }],
        inventory: inventory.into_iter().collect(),
        applications: vec![],
    }
}

fn claims(username: &str, sub: &str, groups: &[&str]) -> Value {
    json!({ "iss": ISSUER, "sub": sub, "preferred_username": username, "groups": groups })
}

async fn configure(db: &Db, f: &Fixture, mode: RoleMode) {
    let admin = f.actor(db, f.admin).await;
    let input = SsoSettingsInput {
        issuer: ISSUER.into(),
        client_id: "castellan-acme".into(),
        client_secret: "s3cret".into(),
        username_claim: "preferred_username".into(),
        role_mode: mode,
        manual_changes: false,
    };
    save_settings(db, &admin, &input).await.unwrap();
}

async fn north(db: &Db, f: &Fixture) -> (DeviceGroupId, InventoryRoleId) {
    let mut conn = db.pool.acquire().await.unwrap();
    let north = db::device_groups::insert(&mut conn, f.tenant, 0, "Region North", 0)
        .await
        .unwrap();
    let reader = db::inventory_roles::list(&mut conn, f.tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Reader")
        .unwrap()
        .id;
    (north, reader)
}

async fn roles_of(db: &Db, f: &Fixture, user: UserId) -> Vec<RoleId> {
    let mut conn = db.pool.acquire().await.unwrap();
    db::assignments::of_subject(&mut conn, f.tenant, Subject::User(user))
        .await
        .unwrap()
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

async fn inventory_of(db: &Db, f: &Fixture, user: UserId) -> usize {
    let mut conn = db.pool.acquire().await.unwrap();
    db::inventory_assignments::of_user(&mut conn, f.tenant, user)
        .await
        .unwrap()
        .len()
}

async fn saved_rules(db: &Db, f: &Fixture) -> Vec<MappingRule> {
    let mut conn = db.pool.acquire().await.unwrap();
    db::sso::rules(&mut conn, f.tenant).await.unwrap()
}

async fn sign(db: &Db, f: &Fixture, claims: &Value) -> AppResult<SignedIn> {
    let verified = crate::server::oidc::VerifiedClaims::for_tests(claims.clone());
    sign_in(
        db,
        &f.templates,
        f.tenant,
        &verified,
        "192.0.2.7",
        unix_now(),
    )
    .await
}

#[tokio::test]
async fn a_rule_granting_what_the_admin_lacks_is_refused_and_nothing_is_saved() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let low = f
            .actor_holding(
                db,
                "low",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            )
            .await;
        // A role granting exactly Alarms ADMIN, which low lacks.
        let alarm_admin = f.actor_holding(db, "holder", &[("Alarms", "ADMIN")]).await;
        let alarm_role = f.role(db, "Role of holder").await;
        drop(alarm_admin);
        let refused = save_rules(db, &low, &[operators(alarm_role, None)]).await;
        assert!(
            matches!(&refused, Err(AppError::Forbidden { missing }) if missing == "Alarms ADMIN"),
            "{refused:?}"
        );
        let manager = f.role(db, "Global Manager").await;
        assert!(saved_rules(db, &f).await.is_empty(), "nothing was saved");
        let viewer = f
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        assert!(matches!(
            save_rules(db, &viewer, &[]).await,
            Err(AppError::Forbidden { .. })
        ));
        let admin = f.actor(db, f.admin).await;
        save_rules(db, &admin, &[operators(manager, None)])
            .await
            .unwrap();
        assert_eq!(saved_rules(db, &f).await, vec![operators(manager, None)]);
    })
    .await;
}

#[tokio::test]
async fn rules_naming_another_tenants_role_or_malformed_are_refused() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let other = fixture(db, "globex").await;
        let admin = f.actor(db, f.admin).await;
        let foreign = other.role(db, "Global Reader").await;
        let refused = save_rules(db, &admin, &[operators(foreign, None)]).await;
        assert!(
            matches!(refused, Err(AppError::Validation { .. })),
            "{refused:?}"
        );
        let mut empty = operators(f.role(db, "Global Reader").await, None);
        empty.conditions.clear();
        assert!(matches!(
            save_rules(db, &admin, &[empty]).await,
            Err(AppError::Validation { .. })
        ));
        assert!(saved_rules(db, &f).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_first_sign_in_creates_the_user_with_the_mapped_roles_and_later_ones_follow_the_rule() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        configure(db, &f, RoleMode::Reassign).await;
        let (north, inventory_reader) = north(db, &f).await;
        let reader = f.role(db, "Global Reader").await;
        let admin = f.actor(db, f.admin).await;
        let mapped = MappedInventory {
            role: inventory_reader,
            group: north,
        };
        save_rules(db, &admin, &[operators(reader, Some(mapped))]).await.unwrap();

        let dave = sign(db, &f, &claims("sso.dave", "dave-1", &["operators"])).await.unwrap();
        assert!(dave.created);
        assert_eq!(roles_of(db, &f, dave.user).await, vec![reader]);
        assert_eq!(inventory_of(db, &f, dave.user).await, 1);
        let again = sign(db, &f, &claims("sso.dave", "dave-1", &["operators"])).await.unwrap();
        assert_eq!((again.user, again.created), (dave.user, false));

        // Reassign mode: the roles are locked for administrators.
        let admin = f.actor(db, f.admin).await;
        let version = roles_version(db, dave.user).await;
        let manual = set_user_roles(db, &admin, dave.user, &Default::default(), version).await;
        assert!(matches!(manual, Err(AppError::Locked { .. })), "{manual:?}");
        assert_eq!(roles_of(db, &f, dave.user).await, vec![reader]);

        // The provider no longer says "operators": the next sign-in takes the roles away, and the
        // audit names SSO (no actor) and the claims.
        sign(db, &f, &claims("sso.dave", "dave-1", &["night-shift"])).await.unwrap();
        assert!(roles_of(db, &f, dave.user).await.is_empty());
        assert_eq!(inventory_of(db, &f, dave.user).await, 0);
        let audited: Vec<(Option<i64>, String)> = sqlx::query_as(
            "SELECT actor_id, after_json FROM audit_events WHERE tenant_id = $1 AND action = 'sso.roles' ORDER BY id",
        )
        .bind(f.tenant)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert_eq!(audited.len(), 2, "one row per sign-in that changed roles");
        assert_eq!(audited[0].0, None);
        assert!(audited[0].1.contains("\"operators\""), "{}", audited[0].1);

        // No rule matches grace: she gets no roles.
        let grace = sign(db, &f, &claims("sso.grace", "grace-2", &["auditors"])).await.unwrap();
        assert!(roles_of(db, &f, grace.user).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn only_when_created_and_only_the_listed_roles_leave_the_other_roles_to_administrators() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        configure(db, &f, RoleMode::OnCreate).await;
        let reader = f.role(db, "Global Reader").await;
        let other = f.role(db, "Global Manager").await;
        let admin = f.actor(db, f.admin).await;
        save_rules(db, &admin, &[operators(reader, None)])
            .await
            .unwrap();
        let dave = sign(db, &f, &claims("sso.dave", "dave-1", &["operators"]))
            .await
            .unwrap();
        assert_eq!(
            roles_of(db, &f, dave.user).await,
            vec![reader],
            "given at creation"
        );
        // Not locked in this mode, and later sign-ins leave the roles alone.
        let version = roles_version(db, dave.user).await;
        set_user_roles(db, &admin, dave.user, &[other].into(), version)
            .await
            .unwrap();
        sign(db, &f, &claims("sso.dave", "dave-1", &["operators"]))
            .await
            .unwrap();
        assert_eq!(roles_of(db, &f, dave.user).await, vec![other]);

        configure(db, &f, RoleMode::Listed).await;
        let admin = f.actor(db, f.admin).await;
        sign(db, &f, &claims("sso.dave", "dave-1", &["operators"]))
            .await
            .unwrap();
        let mut both = vec![reader, other];
        both.sort();
        assert_eq!(
            roles_of(db, &f, dave.user).await,
            both,
            "the listed role is added, the other kept"
        );
        // The user page shows which roles are the mapping's.
        let page = crate::server::domain::user_pages::detail(db, &admin, dave.user)
            .await
            .unwrap();
        let shown = |role: RoleId| page.roles.roles.iter().find(|r| r.id == role).unwrap();
        assert!(page.roles_locked.is_none(), "not every role is locked");
        assert!(!shown(reader).grantable);
        assert_eq!(shown(reader).reason.as_deref(), Some(MANAGED_ROLE_REASON));
        assert!(shown(other).grantable);
        // The listed role is locked; the other is the administrators' to change.
        let version = roles_version(db, dave.user).await;
        let take_listed = set_user_roles(db, &admin, dave.user, &[other].into(), version).await;
        assert!(
            matches!(take_listed, Err(AppError::Locked { .. })),
            "{take_listed:?}"
        );
        set_user_roles(db, &admin, dave.user, &[reader].into(), version)
            .await
            .unwrap();
        assert_eq!(roles_of(db, &f, dave.user).await, vec![reader]);
    })
    .await;
}

#[tokio::test]
async fn sso_never_signs_in_as_a_local_user_a_linked_user_of_another_subject_or_a_disabled_one() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        configure(db, &f, RoleMode::Reassign).await;
        let alice = f.user(db, "alice").await;
        let refused = sign(db, &f, &claims("alice", "alice-9", &[])).await;
        assert!(
            matches!(&refused, Err(AppError::Locked { reason }) if reason.contains("local user")),
            "{refused:?}"
        );
        let mut conn = db.pool.acquire().await.unwrap();
        let linked: Option<String> =
            sqlx::query_scalar("SELECT sso_subject FROM users WHERE id = $1")
                .bind(alice)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(linked, None, "alice stays unlinked");
        drop(conn);

        let dave = sign(db, &f, &claims("sso.dave", "dave-1", &[]))
            .await
            .unwrap();
        let impostor = sign(db, &f, &claims("sso.dave", "someone-else", &[])).await;
        assert!(
            matches!(impostor, Err(AppError::Locked { .. })),
            "{impostor:?}"
        );

        sqlx::query("UPDATE users SET status = 'disabled' WHERE id = $1")
            .bind(dave.user)
            .execute(&db.pool)
            .await
            .unwrap();
        let disabled = sign(db, &f, &claims("sso.dave", "dave-1", &[])).await;
        assert!(
            matches!(disabled, Err(AppError::Locked { .. })),
            "{disabled:?}"
        );

        // A tenant without SSO refuses every SSO sign-in.
        let plain = fixture(db, "plain").await;
        let none = sign(db, &plain, &claims("x", "x", &[])).await;
        assert!(matches!(none, Err(AppError::Locked { .. })), "{none:?}");
    })
    .await;
}

#[tokio::test]
async fn the_client_secret_is_kept_when_left_empty_and_never_shown() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        configure(db, &f, RoleMode::Reassign).await;
        let admin = f.actor(db, f.admin).await;
        let input = SsoSettingsInput {
            issuer: format!("{ISSUER}/"),
            client_id: "castellan-acme".into(),
            client_secret: String::new(),
            username_claim: "email".into(),
            role_mode: RoleMode::Listed,
            manual_changes: false,
        };
        save_settings(db, &admin, &input).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let shown = settings(&mut conn, &admin, "https://castellan.example")
            .await
            .unwrap();
        assert!(shown.has_client_secret);
        assert_eq!(shown.issuer, ISSUER, "the trailing slash is dropped");
        assert_eq!(shown.redirect_uri, "https://castellan.example/sso/callback");
        let text = serde_json::to_string(&shown).unwrap();
        assert!(!text.contains("s3cret"));
        let audited: Vec<String> = sqlx::query_scalar(
            "SELECT after_json FROM audit_events WHERE tenant_id = $1 AND action = 'tenant.sso'",
        )
        .bind(f.tenant)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert!(audited.iter().all(|a| !a.contains("s3cret")), "{audited:?}");
        let bad = SsoSettingsInput {
            issuer: "ftp://idp.example.com".into(),
            ..input
        };
        assert!(matches!(
            save_settings(db, &admin, &bad).await,
            Err(AppError::Validation { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_rule_gives_applications_and_takes_them_back_in_reassign_mode() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        configure(db, &f, RoleMode::Reassign).await;
        let admin = f.actor(db, f.admin).await;
        let app = admin.catalogue.applications[0].name.clone();
        let mut rule = operators(f.role(db, "Global Reader").await, None);
        rule.applications = vec![app.clone()];
        save_rules(db, &admin, std::slice::from_ref(&rule)).await.unwrap();
        assert_eq!(saved_rules(db, &f).await, vec![rule.clone()]);
        let dave = sign(db, &f, &claims("sso.dave", "dave-1", &["operators"])).await.unwrap();
        assert!(f.actor(db, dave.user).await.applications.contains(&app));
        // Locked for administrators in this mode.
        let manual = crate::server::domain::applications::set_user_applications(
            db,
            &admin,
            dave.user,
            &[app.clone()].into(),
            &Default::default(),
        )
        .await;
        assert!(matches!(manual, Err(AppError::Locked { .. })), "{manual:?}");
        sign(db, &f, &claims("sso.dave", "dave-1", &[])).await.unwrap();
        assert!(!f.actor(db, dave.user).await.applications.contains(&app));
        // An admin without the application cannot save a rule that gives it.
        let low = f
            .actor_holding(db, "low", &[("User management", "ADMIN")])
            .await;
        let mut only_app = rule.clone();
        only_app.roles.clear();
        let refused = save_rules(db, &low, &[only_app]).await;
        assert!(
            matches!(&refused, Err(AppError::Forbidden { missing }) if missing == &format!("application {app}")),
            "{refused:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_space_specific_role_is_mapped_into_its_space_and_never_tenant_wide() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        configure(db, &f, RoleMode::Reassign).await;
        let admin = f.actor(db, f.admin).await;
        let role = f.role(db, "Global Reader").await;
        crate::server::domain::testing::make_space_bound(db, role).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let emea = db::spaces::insert(&mut conn, f.tenant, "EMEA", "", false, 0)
            .await
            .unwrap();
        drop(conn);
        let tenant_wide = operators(role, None);
        let refused = save_rules(db, &admin, &[tenant_wide]).await;
        assert!(
            matches!(&refused, Err(AppError::Validation { message, .. }) if message.contains("Space-Specific")),
            "{refused:?}"
        );
        let mut in_emea = operators(role, None);
        in_emea.roles[0].space = Some(emea);
        save_rules(db, &admin, &[in_emea]).await.unwrap();
        let dave = sign(db, &f, &claims("sso.dave", "dave-1", &["operators"])).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let held = db::assignments::of_subject(&mut conn, f.tenant, Subject::User(dave.user))
            .await
            .unwrap();
        assert_eq!(held, vec![(role, emea)], "in EMEA only");
        // A Cross-Space role takes no space.
        let manager = f.role(db, "Global Manager").await;
        let mut misplaced = operators(manager, None);
        misplaced.roles[0].space = Some(emea);
        drop(conn);
        assert!(matches!(
            save_rules(db, &admin, &[misplaced]).await,
            Err(AppError::Validation { .. })
        ));
    })
    .await;
}
