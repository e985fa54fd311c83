use super::*;
use crate::{
    model::TenantId,
    server::{
        db::{testing::each_backend, users::NewUser},
        domain::testing::{fixture, Fixture},
    },
};

/// A partner with one administrator serving `f`'s tenant, where the user `partner.erin`
/// stands for her; and the principal she signs in as.
async fn partner(db: &Db, name: &str, admin: &str, serves: &[&Fixture]) -> PartnerPrincipal {
    let mut conn = db.pool.acquire().await.unwrap();
    let id = db::partners::insert_partner(&mut conn, name, 0)
        .await
        .unwrap();
    let admin_id = db::partners::insert_admin(&mut conn, id, admin, admin, "x", 0)
        .await
        .unwrap();
    for f in serves {
        db::partners::serve(&mut conn, id, f.tenant).await.unwrap();
        let user = NewUser {
            username: admin,
            display_name: admin,
            email: "",
            password_hash: None,
            origin: crate::model::Origin::Local,
            is_partner_admin: true,
        };
        let user = db::users::insert(&mut conn, f.tenant, &user, 0)
            .await
            .unwrap();
        db::partners::link(&mut conn, f.tenant, user, admin_id)
            .await
            .unwrap();
    }
    PartnerPrincipal {
        admin_id,
        partner_id: id,
        username: admin.into(),
        partner_name: name.into(),
        address: "192.0.2.7".into(),
    }
}

async fn roles_of(db: &Db, tenant: TenantId, user: UserId) -> BTreeSet<RoleId> {
    let mut conn = db.pool.acquire().await.unwrap();
    db::assignments::user_role_ids(&mut conn, tenant, user)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn a_partner_sees_and_creates_only_its_own_tenants() {
    each_backend(async |db: &Db| {
        let acme = fixture(db, "acme").await;
        let globex = fixture(db, "globex").await;
        let erin = partner(db, "Northwind", "partner.erin", &[&acme]).await;
        let other = partner(db, "Southwind", "partner.sam", &[&globex]).await;

        let page = served_page(db, &acme.templates, &erin, "", 1)
            .await
            .unwrap();
        let slugs: Vec<&str> = page.rows.iter().map(|r| r.slug.as_str()).collect();
        assert_eq!(slugs, ["acme"]);
        assert_eq!(page.rows[0].users, 2, "admin and partner.erin");
        assert_eq!(
            tenant_detail(db, &acme.templates, &erin, "globex")
                .await
                .unwrap_err(),
            AppError::NotFound
        );

        let mut input = NewTenantInput {
            slug: "Wayne!".into(),
            name: "Wayne Enterprises".into(),
            template: "mdm".into(),
            admin_username: "bruce".into(),
            admin_password: "Castellan-demo-1".into(),
        };
        assert!(matches!(
            create_tenant(db, &acme.templates, &erin, &input).await,
            Err(AppError::Validation { field, .. }) if field == "slug"
        ));
        input.slug = "wayne".into();
        assert_eq!(
            create_tenant(db, &acme.templates, &erin, &input)
                .await
                .unwrap(),
            "wayne"
        );
        let page = served_page(db, &acme.templates, &erin, "WAY", 1)
            .await
            .unwrap();
        assert_eq!(page.rows.len(), 1);
        assert_eq!(
            (page.rows[0].template.as_str(), page.rows[0].users),
            ("mdm", 2)
        );
        let detail = tenant_detail(db, &acme.templates, &erin, "wayne")
            .await
            .unwrap();
        assert_eq!(detail.admins.len(), 1);
        assert_eq!(detail.admins[0].username, "partner.erin");
        assert!(served_page(db, &acme.templates, &other, "wayne", 1)
            .await
            .unwrap()
            .rows
            .is_empty());

        let mut conn = db.pool.acquire().await.unwrap();
        let wayne = db::tenants::find_by_slug(&mut conn, "wayne")
            .await
            .unwrap()
            .unwrap()
            .id;
        let events = db::audit::list(&mut conn, wayne).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].action, "tenant.create");
        assert_eq!(events[0].actor_id, Some(detail.admins[0].user));
        assert_eq!(
            create_tenant(db, &acme.templates, &erin, &input)
                .await
                .unwrap_err(),
            AppError::validation("slug", "A tenant with this id already exists.")
        );
    })
    .await;
}

#[tokio::test]
async fn the_portal_changes_only_its_own_partner_administrators_with_versions_and_audit() {
    each_backend(async |db: &Db| {
        let acme = fixture(db, "acme").await;
        let erin = partner(db, "Northwind", "partner.erin", &[&acme]).await;
        let sam = partner(db, "Southwind", "partner.sam", &[&acme]).await;
        let bob = acme.user(db, "bob").await;
        let reader = acme.role(db, "Global Reader").await;
        let admins = acme.role(db, "admins").await;
        let (none, only_admins, only_reader): (
            BTreeSet<RoleId>,
            BTreeSet<RoleId>,
            BTreeSet<RoleId>,
        ) = ([].into(), [admins].into(), [reader].into());
        let t = &acme.templates;
        let detail = tenant_detail(db, t, &erin, "acme").await.unwrap();
        assert_eq!(detail.admins.len(), 1, "only Northwind's administrators");
        let me = detail.admins[0].clone();

        // Every role of the template is within her authority, admins included.
        set_admin_roles(
            db,
            t,
            &erin,
            "acme",
            me.user,
            &[reader, admins].into(),
            me.roles_version,
        )
        .await
        .unwrap();
        assert_eq!(
            roles_of(db, acme.tenant, me.user).await,
            [reader, admins].into()
        );
        // A stale version, a tenant user who is no partner administrator, another partner's
        // administrator: refused, nothing changes.
        let stale = set_admin_roles(db, t, &erin, "acme", me.user, &none, me.roles_version);
        assert_eq!(stale.await.unwrap_err(), AppError::Conflict);
        let version = crate::server::domain::testing::roles_version(db, bob).await;
        let not_partner = set_admin_roles(db, t, &erin, "acme", bob, &only_admins, version);
        assert_eq!(not_partner.await.unwrap_err(), AppError::NotFound);
        let sams = tenant_detail(db, t, &sam, "acme").await.unwrap().admins[0].clone();
        let foreign = set_admin_roles(
            db,
            t,
            &erin,
            "acme",
            sams.user,
            &only_admins,
            sams.roles_version,
        );
        assert_eq!(foreign.await.unwrap_err(), AppError::NotFound);
        assert!(roles_of(db, acme.tenant, bob).await.is_empty());
        assert!(roles_of(db, acme.tenant, sams.user).await.is_empty());

        let mut conn = db.pool.acquire().await.unwrap();
        let events = db::audit::list(&mut conn, acme.tenant).await.unwrap();
        let last = events.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor_id),
            ("user.roles.set", Some(me.user))
        );
        assert_eq!(last.after_json, r#"{"roles":["Global Reader","admins"]}"#);

        // Rule 9 holds in the portal too: once she is the only active admin, she keeps it.
        sqlx::query("UPDATE users SET status = 'disabled' WHERE id = $1")
            .bind(acme.admin)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let version = crate::server::domain::testing::roles_version(db, me.user).await;
        let lockout = set_admin_roles(db, t, &erin, "acme", me.user, &only_reader, version);
        assert!(matches!(lockout.await, Err(AppError::Locked { .. })));
        assert_eq!(
            roles_of(db, acme.tenant, me.user).await,
            [reader, admins].into()
        );
    })
    .await;
}

#[tokio::test]
async fn the_cli_creates_a_partner_whose_administrator_signs_in_to_the_portal() {
    each_backend(async |db: &Db| {
        let acme = fixture(db, "acme").await;
        let serves = vec!["acme".to_owned()];
        let unknown = vec!["acme".to_owned(), "nowhere".to_owned()];
        assert!(matches!(
            tenants::create_partner(db, "Northwind", "partner.erin", "Castellan-demo-1", &unknown).await,
            Err(AppError::Validation { field, .. }) if field == "tenant"
        ));
        let count = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.pool).await.unwrap()
        };
        assert_eq!(count("SELECT COUNT(*) FROM partners").await, 0, "nothing half-made");
        tenants::create_partner(db, "Northwind", "partner.erin", "Castellan-demo-1", &serves)
            .await
            .unwrap();
        assert!(matches!(
            tenants::create_partner(db, "Northwind", "partner.sam", "Castellan-demo-1", &[]).await,
            Err(AppError::Validation { field, .. }) if field == "name"
        ));
        let policy = crate::server::auth::SessionPolicy::default();
        let token = crate::server::auth::partner::sign_in(
            db, &policy, "partner.erin", "Castellan-demo-1", "192.0.2.9", 1_000,
        )
        .await
        .unwrap();
        let who = crate::server::auth::partner::resolve(db, &policy, &token, 1_001)
            .await
            .unwrap()
            .unwrap();
        let page = served_page(db, &acme.templates, &who, "", 1).await.unwrap();
        assert_eq!(page.rows.iter().map(|r| r.slug.as_str()).collect::<Vec<_>>(), ["acme"]);
        let detail = tenant_detail(db, &acme.templates, &who, "acme").await.unwrap();
        assert_eq!(detail.admins[0].username, "partner.erin");
        assert_eq!(
            crate::server::auth::partner::sign_in(db, &policy, "partner.erin", "wrong-password", "192.0.2.9", 1_002)
                .await
                .unwrap_err(),
            AppError::SignInFailed
        );
    })
    .await;
}
