use super::*;
use crate::model::Origin;
use crate::model::TenantId;
use crate::server::domain::testing::{set_group_roles_now, set_user_roles_now};
use crate::server::{
    db::users::NewUser,
    domain::{
        access::effective,
        assignments::{PARTNER_ADMIN_MESSAGE, SSO_LOCK_REASON},
        testing::fixture,
    },
};

fn input(name: &str) -> GroupInput {
    GroupInput {
        id: None,
        name: name.into(),
        description: String::new(),
        version: 0,
    }
}

async fn person(
    db: &Db,
    tenant: TenantId,
    username: &str,
    origin: Origin,
    partner: bool,
) -> UserId {
    let mut conn = db.pool.acquire().await.unwrap();
    let new = NewUser {
        username,
        display_name: username,
        email: "",
        password_hash: None,
        origin,
        is_partner_admin: partner,
    };
    db::users::insert(&mut conn, tenant, &new, 0).await.unwrap()
}

#[tokio::test]
async fn groups_are_created_renamed_searched_and_deleted_with_audit() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let helpdesk = save(db, &admin, &input("Helpdesk")).await.unwrap();
        save(db, &admin, &input("Operators")).await.unwrap();
        assert_eq!(
            save(db, &admin, &input("HELPDESK")).await.unwrap_err(),
            AppError::validation("name", "A group with this name already exists.")
        );
        let mut conn = db.pool.acquire().await.unwrap();
        let page = list(&mut conn, &admin, "desk", 1).await.unwrap();
        assert_eq!((page.total, page.rows[0].name.as_str()), (1, "Helpdesk"));
        let detail_v1 = detail(&mut conn, &admin, helpdesk).await.unwrap();
        drop(conn);
        let rename = GroupInput {
            id: Some(helpdesk),
            name: "Service desk".into(),
            description: "First line".into(),
            version: detail_v1.version,
        };
        save(db, &admin, &rename).await.unwrap();
        assert_eq!(
            save(db, &admin, &rename).await.unwrap_err(),
            AppError::Conflict
        );
        assert_eq!(
            delete(db, &admin, helpdesk, detail_v1.version)
                .await
                .unwrap_err(),
            AppError::Conflict
        );
        delete(db, &admin, helpdesk, detail_v1.version + 1)
            .await
            .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(list(&mut conn, &admin, "", 1).await.unwrap().total, 1);
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'group.%'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(audited, 4);
    })
    .await;
}

#[tokio::test]
async fn roles_of_a_group_count_for_every_member_via_group() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let group = save(db, &admin, &input("Readers")).await.unwrap();
        let alice = f.user(db, "alice").await;
        set_member(db, &admin, group, alice, true).await.unwrap();
        set_member(db, &admin, group, alice, true).await.unwrap();
        let reader = f.role(db, "Global Reader").await;
        set_group_roles_now(db, &admin, group, &[reader].into())
            .await
            .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let (grants, provenance) = effective(&mut conn, &admin.catalogue, f.tenant, alice)
            .await
            .unwrap();
        assert!(grants["Alarms"].contains("READ"));
        assert_eq!(
            provenance["Alarms"]["READ"],
            ["Global Reader via group Readers"]
        );
        drop(conn);
        set_member(db, &admin, group, alice, false).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let (grants, _) = effective(&mut conn, &admin.catalogue, f.tenant, alice)
            .await
            .unwrap();
        assert!(grants.is_empty());
    })
    .await;
}

#[tokio::test]
async fn group_paths_refuse_escalation_and_change_nothing() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let limited = f
            .actor_holding(
                db,
                "limited",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            )
            .await;
        let group = save(db, &admin, &input("Readers")).await.unwrap();
        let reader = f.role(db, "Global Reader").await;
        set_group_roles_now(db, &admin, group, &[reader].into())
            .await
            .unwrap();
        let bob = f.user(db, "bob").await;
        let denied = set_member(db, &limited, group, bob, true)
            .await
            .unwrap_err();
        assert!(matches!(denied, AppError::Forbidden { .. }), "{denied:?}");
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(!db::groups::is_member(&mut conn, f.tenant, group, bob)
            .await
            .unwrap());
        drop(conn);
        // Removing what one could not grant is refused too.
        set_member(db, &admin, group, bob, true).await.unwrap();
        assert!(matches!(
            set_member(db, &limited, group, bob, false).await,
            Err(AppError::Forbidden { .. })
        ));
        assert!(matches!(
            set_group_roles_now(db, &limited, group, &BTreeSet::new()).await,
            Err(AppError::Forbidden { .. })
        ));
        let version = {
            let mut conn = db.pool.acquire().await.unwrap();
            db::groups::get(&mut conn, f.tenant, group)
                .await
                .unwrap()
                .unwrap()
                .version
        };
        assert!(matches!(
            delete(db, &limited, group, version).await,
            Err(AppError::Forbidden { .. })
        ));
        // A group without roles: the limited admin manages its members freely.
        let empty = save(db, &limited, &input("Empty")).await.unwrap();
        set_member(db, &limited, empty, bob, true).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(db::groups::is_member(&mut conn, f.tenant, group, bob)
            .await
            .unwrap());
        assert_eq!(
            db::groups::role_ids(&mut conn, f.tenant, group)
                .await
                .unwrap(),
            [reader]
        );
    })
    .await;
}

#[tokio::test]
async fn partner_administrators_and_sso_users_are_locked_on_every_role_path() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let erin = person(db, f.tenant, "partner.erin", Origin::Local, true).await;
        let dave = person(db, f.tenant, "sso.dave", Origin::Sso, false).await;
        let reader = f.role(db, "Global Reader").await;
        let partner = AppError::Locked {
            reason: PARTNER_ADMIN_MESSAGE.into(),
        };
        let sso = AppError::Locked {
            reason: SSO_LOCK_REASON.into(),
        };
        assert_eq!(
            set_user_roles_now(db, &admin, erin, &[reader].into())
                .await
                .unwrap_err(),
            partner
        );
        assert_eq!(
            set_user_roles_now(db, &admin, dave, &[reader].into())
                .await
                .unwrap_err(),
            sso
        );
        let group = save(db, &admin, &input("Readers")).await.unwrap();
        set_group_roles_now(db, &admin, group, &[reader].into())
            .await
            .unwrap();
        // Through a group, the refusal names the member (a group may have many).
        let named = |e: &AppError, who: &str| match e {
            AppError::Locked { reason } => AppError::Locked {
                reason: format!("{reason} ({who})"),
            },
            other => other.clone(),
        };
        assert_eq!(
            set_member(db, &admin, group, erin, true).await.unwrap_err(),
            named(&partner, "partner.erin")
        );
        assert_eq!(
            set_member(db, &admin, group, dave, true).await.unwrap_err(),
            named(&sso, "sso.dave")
        );
        // The tenant setting lets administrators change SSO users' roles by hand.
        let mut conn = db.pool.acquire().await.unwrap();
        db::tenants::set_sso_manual_changes(&mut conn, f.tenant, true)
            .await
            .unwrap();
        drop(conn);
        set_member(db, &admin, group, dave, true).await.unwrap();
        set_user_roles_now(db, &admin, dave, &[reader].into())
            .await
            .unwrap();
        assert_eq!(
            set_user_roles_now(db, &admin, erin, &[reader].into())
                .await
                .unwrap_err(),
            partner
        );
    })
    .await;
}

#[tokio::test]
async fn groups_need_view_or_assign_and_stay_in_their_tenant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let acme = fixture(db, "acme").await;
        let globex = fixture(db, "globex").await;
        let acme_admin = acme.actor(db, acme.admin).await;
        let group = save(db, &acme_admin, &input("Helpdesk")).await.unwrap();
        let viewer = acme
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(list(&mut conn, &viewer, "", 1).await.is_ok());
        drop(conn);
        assert_eq!(
            save(db, &viewer, &input("Mine")).await.unwrap_err(),
            AppError::forbidden("User management ADMIN")
        );
        let stranger = globex.actor(db, globex.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            detail(&mut conn, &stranger, group).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            list(&mut conn, &stranger, "Helpdesk", 1)
                .await
                .unwrap()
                .total,
            0
        );
        drop(conn);
        assert_eq!(
            delete(db, &stranger, group, 1).await.unwrap_err(),
            AppError::NotFound
        );
        let alice = acme.user(db, "alice").await;
        assert_eq!(
            set_member(db, &stranger, group, alice, true)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn members_page_and_search_on_the_server_in_username_order_within_the_tenant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let group = save(db, &admin, &input("Field")).await.unwrap();
        // Out of order on purpose, and one who is not a member.
        for i in (0..60).rev() {
            let name = format!("Member{i:02}");
            person(db, f.tenant, &name, Origin::Local, false).await;
            add_member_by_name(db, &admin, group, &name).await.unwrap();
        }
        person(db, f.tenant, "member99", Origin::Local, false).await;
        // The database's keys refuse a membership that crosses tenants, whichever tenant the
        // row claims, and one whose username is not its user's: the total below stays 60.
        let other = fixture(db, "globex").await;
        let stranger = person(db, other.tenant, "member00x", Origin::Local, false).await;
        let member01 =
            sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE username = 'Member01'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        for (tenant, user, username) in [
            (f.tenant.0, stranger.0, "member00x"),
            (other.tenant.0, stranger.0, "member00x"),
            (f.tenant.0, member01, "Member01x"),
        ] {
            let inserted = sqlx::query(
                "INSERT INTO group_members (tenant_id, group_id, user_id, username) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(tenant)
            .bind(group)
            .bind(user)
            .bind(username)
            .execute(&db.pool)
            .await;
            assert!(
                inserted.is_err(),
                "{tenant} {user} {username}: {inserted:?}"
            );
        }
        let mut conn = db.pool.acquire().await.unwrap();
        let first = members(&mut conn, &admin, group, "", 1).await.unwrap();
        let second = members(&mut conn, &admin, group, "", 2).await.unwrap();
        assert_eq!(first.total, 60);
        assert_eq!((first.rows.len(), second.rows.len()), (50, 10));
        let names: Vec<String> = first
            .rows
            .iter()
            .chain(&second.rows)
            .map(|m| m.username.clone())
            .collect();
        let expected: Vec<String> = (0..60).map(|i| format!("Member{i:02}")).collect();
        assert_eq!(
            names, expected,
            "by username, case-insensitively, across pages"
        );
        let found = members(&mut conn, &admin, group, "MEMBER5", 1)
            .await
            .unwrap();
        assert_eq!(found.total, 10, "Member50 to Member59");
        assert!(found.rows.iter().all(|m| m.username.starts_with("Member5")));
        let none = members(&mut conn, &admin, group, "member99", 1)
            .await
            .unwrap();
        assert_eq!(none.total, 0, "a user outside the group is not a member");
    })
    .await;
}
