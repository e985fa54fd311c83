//! `CASTELLAN_DEMO=1`: the demo tenants of SPEC section 7, each created only when missing.

use crate::{
    model::{AppResult, Origin, TenantId},
    server::{
        auth::password,
        db::{self, users::NewUser, Db},
        templates::Templates,
        unix_now,
    },
};

use super::tenants::{self, NewTenant};

pub const DEMO_PASSWORD: &str = "Castellan-demo-1";

/// (tenant id, display name, template, spaces besides `Default Space`) of the demo tenants.
pub const DEMO_TENANTS: &[(&str, &str, &str, &[&str])] = &[
    ("acme", "Acme Industries", "iot", &[]),
    ("globex", "Globex Corporation", "mdm", &["EMEA", "Americas"]),
    ("hooli", "Hooli", "mdm", &[]),
    ("initech", "Initech", "migration", &[]),
    ("umbrella", "Umbrella Analytics", "analytics", &[]),
];

/// Seeds every demo tenant that does not exist yet; returns the ids of those it created.
pub async fn seed(db: &Db, templates: &Templates) -> AppResult<Vec<&'static str>> {
    let mut created = Vec::new();
    for &(slug, name, template, spaces) in DEMO_TENANTS {
        let mut conn = db.pool.acquire().await?;
        if db::tenants::find_by_slug(&mut conn, slug).await?.is_some() {
            continue;
        }
        drop(conn);
        let (tenant, _admin) = tenants::create(
            db,
            templates,
            &NewTenant {
                slug,
                name,
                template,
                admin_username: "admin",
                admin_password: DEMO_PASSWORD,
            },
        )
        .await?;
        seed_people(db, tenant).await?;
        let mut conn = db.pool.acquire().await?;
        for space in spaces {
            db::spaces::insert(&mut conn, tenant, space, "", false, unix_now()).await?;
        }
        if template == "iot" {
            // SPEC section 7: Region North ⊃ Plant 1 ⊃ pump-17, and Region South.
            let now = unix_now();
            let north =
                db::device_groups::insert(&mut conn, tenant, 0, "Region North", now).await?;
            let plant =
                db::device_groups::insert(&mut conn, tenant, north.0, "Plant 1", now).await?;
            db::device_groups::insert_device(&mut conn, tenant, plant, "pump-17", now).await?;
            db::device_groups::insert(&mut conn, tenant, 0, "Region South", now).await?;
        }
        created.push(slug);
    }
    Ok(created)
}

/// The demo's single sign-on (SPEC section 7): `acme` trusts the development provider at
/// `issuer` (`scripts/oidc-dev.sh`), client `castellan-acme`, reassigning roles at every sign-in,
/// with one rule: `groups` contains `operators` → `Global Reader` and `Reader` on `Region North`.
/// Done once: a tenant whose SSO is already set up (by the demo or an administrator) is left
/// alone. Returns whether it configured anything.
pub async fn configure_sso(db: &Db, issuer: &str) -> AppResult<bool> {
    use crate::model::{
        sso::{Condition, MappedInventory, MappedRole, MappingRule},
        Operator, RoleMode,
    };
    let mut tx = db.pool.begin().await?;
    let Some(acme) = db::tenants::find_by_slug(&mut tx, "acme").await? else {
        return Ok(false);
    };
    let tenant = acme.id;
    let Some(config) = db::sso::config(&mut tx, tenant).await? else {
        return Ok(false);
    };
    if config.enabled() || acme.template != "iot" {
        return Ok(false);
    }
    let config = db::sso::SsoConfig {
        sso_issuer: issuer.trim_end_matches('/').to_owned(),
        sso_client_id: "castellan-acme".into(),
        sso_client_secret: "castellan-dev-secret".into(),
        sso_username_claim: "preferred_username".into(),
        sso_role_mode: RoleMode::Reassign,
    };
    db::sso::set_config(&mut tx, tenant, &config).await?;
    let reader = db::roles::id_by_name(&mut tx, tenant, "Global Reader").await?;
    let inventory_reader = db::inventory_roles::list(&mut tx, tenant)
        .await?
        .into_iter()
        .find(|r| r.name == "Reader")
        .map(|r| r.id);
    let north = db::sso::group_choices(&mut tx, tenant)
        .await?
        .into_iter()
        .find(|(_, name)| name == "Region North")
        .map(|(id, _)| crate::model::DeviceGroupId(id));
    let rule = MappingRule {
        conditions: vec![Condition {
            claim: "groups".into(),
            operator: Operator::Contains,
            value: "operators".into(),
        }],
        roles: reader
            .map(|role| MappedRole { role, space: None })
            .into_iter()
            .collect(),
        inventory: inventory_reader
            .zip(north)
            .map(|(role, group)| MappedInventory { role, group })
            .into_iter()
            .collect(),
        applications: vec![],
    };
    db::sso::replace_rules(&mut tx, tenant, &[rule]).await?;
    tx.commit().await?;
    Ok(true)
}

/// The demo partner (SPEC section 7): `partner.erin` / [`DEMO_PASSWORD`] signs in at `/partner`
/// and serves every demo tenant, where the user `partner.erin` stands for her. Made once; each
/// start links demo tenants created since.
pub const DEMO_PARTNER: &str = "Northwind Services";
pub const DEMO_PARTNER_ADMIN: &str = "partner.erin";

pub async fn ensure_partner(db: &Db) -> AppResult<()> {
    let mut conn = db.pool.acquire().await?;
    let partner = match db::partners::partner_by_name(&mut conn, DEMO_PARTNER).await? {
        Some(id) => id,
        None => {
            let hash = password::hash_blocking(DEMO_PASSWORD.to_owned()).await?;
            let now = unix_now();
            let id = db::partners::insert_partner(&mut conn, DEMO_PARTNER, now).await?;
            db::partners::insert_admin(&mut conn, id, DEMO_PARTNER_ADMIN, "Erin Evans", &hash, now)
                .await?;
            id
        }
    };
    let Some(admin) = db::partners::credentials(&mut conn, DEMO_PARTNER_ADMIN).await? else {
        return Ok(());
    };
    for &(slug, ..) in DEMO_TENANTS {
        let Some(tenant) = db::tenants::find_by_slug(&mut conn, slug).await? else {
            continue;
        };
        db::partners::serve(&mut conn, partner, tenant.id).await?;
        if let Some(user) =
            db::users::id_by_username(&mut conn, tenant.id, DEMO_PARTNER_ADMIN).await?
        {
            db::partners::link(&mut conn, tenant.id, user, admin.id).await?;
        }
    }
    Ok(())
}

/// The demo people of every tenant: alice, bob, carol (local, no roles), sso.dave (origin sso),
/// partner administrator partner.erin, and group Helpdesk with alice in it.
async fn seed_people(db: &Db, tenant: TenantId) -> AppResult<()> {
    let hash = password::hash_blocking(DEMO_PASSWORD.to_owned()).await?;
    let now = unix_now();
    let people = [
        ("alice", "Alice Andersen", Origin::Local, false),
        ("bob", "Bob Brown", Origin::Local, false),
        ("carol", "Carol Chen", Origin::Local, false),
        ("sso.dave", "Dave Dawson", Origin::Sso, false),
        ("partner.erin", "Erin Evans", Origin::Local, true),
    ];
    let mut tx = db.pool.begin().await?;
    let mut alice = None;
    for (username, display_name, origin, is_partner_admin) in people {
        let email = format!("{username}@example.com");
        let user = NewUser {
            username,
            display_name,
            email: &email,
            password_hash: (origin == Origin::Local).then_some(hash.as_str()),
            origin,
            is_partner_admin,
        };
        let id = db::users::insert(&mut tx, tenant, &user, now).await?;
        if username == "alice" {
            alice = Some(id);
        }
    }
    let helpdesk =
        db::groups::insert(&mut tx, tenant, "Helpdesk", "First-line support", now).await?;
    if let Some(alice) = alice {
        db::groups::add_member(&mut tx, tenant, helpdesk, alice).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::server::db;

    #[tokio::test]
    async fn demo_seed_creates_every_demo_tenant_once_with_its_people() {
        crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
            let templates = crate::server::templates::Templates::load().unwrap();
            assert_eq!(
                super::seed(db, &templates).await.unwrap(),
                vec!["acme", "globex", "hooli", "initech", "umbrella"]
            );
            assert!(
                super::seed(db, &templates).await.unwrap().is_empty(),
                "second start seeds nothing"
            );
            let mut conn = db.pool.acquire().await.unwrap();
            let acme = db::tenants::find_by_slug(&mut conn, "acme")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(acme.template, "iot");
            let tenant = acme.id;
            for name in ["admin", "alice", "bob", "carol", "sso.dave", "partner.erin"] {
                assert!(
                    db::users::id_by_username(&mut conn, tenant, name)
                        .await
                        .unwrap()
                        .is_some(),
                    "{name}"
                );
            }
            let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(users, 6 * 5);
            let globex = db::tenants::find_by_slug(&mut conn, "globex")
                .await
                .unwrap()
                .unwrap();
            let spaces: Vec<String> = db::spaces::list(&mut conn, globex.id)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.name)
                .collect();
            assert_eq!(spaces, ["Default Space", "Americas", "EMEA"]);
            let tree: Vec<(String, i64)> = sqlx::query_as(
            "SELECT g.name, g.parent_id FROM device_groups g JOIN tenants t ON t.id = g.tenant_id \
             WHERE t.slug = 'acme' ORDER BY g.id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
            assert_eq!(tree.len(), 3);
            assert_eq!(tree[1].0, "Plant 1");
            let devices: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE name = 'pump-17'")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            assert_eq!(devices, 1);
            drop(conn);
            assert!(super::configure_sso(db, "http://127.0.0.1:3900")
                .await
                .unwrap());
            assert!(
                !super::configure_sso(db, "http://127.0.0.1:3900")
                    .await
                    .unwrap(),
                "configured once"
            );
            let mut conn = db.pool.acquire().await.unwrap();
            let rules = db::sso::rules(&mut conn, tenant).await.unwrap();
            assert_eq!(rules.len(), 1);
            assert_eq!((rules[0].roles.len(), rules[0].inventory.len()), (1, 1));
            let config = db::sso::config(&mut conn, tenant).await.unwrap().unwrap();
            assert!(config.enabled());
            for (slug, template) in [
                ("hooli", "mdm"),
                ("initech", "migration"),
                ("umbrella", "analytics"),
            ] {
                let t = db::tenants::find_by_slug(&mut conn, slug)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(t.template, template);
            }
        })
        .await;
    }
}
