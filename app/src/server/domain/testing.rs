//! Test fixtures shared by the domain's database tests: a tenant with its administrator.

use crate::{
    model::{RoleId, TenantId, UserId},
    server::{
        auth::Principal,
        db::{self, users::NewUser, Db},
        domain::{
            access::Actor,
            tenants::{self, NewTenant},
        },
        templates::Templates,
    },
};

pub struct Fixture {
    pub templates: Templates,
    pub template: &'static str,
    pub tenant: TenantId,
    pub admin: UserId,
}

/// A tenant of template `iot` with its first administrator.
pub async fn fixture(db: &Db, slug: &str) -> Fixture {
    fixture_of(db, slug, "iot").await
}

pub async fn fixture_of(db: &Db, slug: &str, template: &'static str) -> Fixture {
    let templates = Templates::load().unwrap();
    let new = NewTenant {
        slug,
        name: slug,
        template,
        admin_username: "admin",
        admin_password: "Correct-horse-1",
    };
    let (tenant, admin) = tenants::create(db, &templates, &new).await.unwrap();
    Fixture {
        templates,
        template,
        tenant,
        admin,
    }
}

impl Fixture {
    /// The catalogue of the fixture's template.
    pub fn catalogue(&self) -> &crate::model::catalogue::Catalogue {
        &self.templates.get(self.template).unwrap().catalogue
    }

    pub async fn user(&self, db: &Db, username: &str) -> UserId {
        let mut conn = db.pool.acquire().await.unwrap();
        let new = NewUser {
            username,
            display_name: username,
            email: "",
            password_hash: None,
            origin: crate::model::Origin::Local,
            is_partner_admin: false,
        };
        db::users::insert(&mut conn, self.tenant, &new, 0)
            .await
            .unwrap()
    }

    pub async fn actor(&self, db: &Db, user: UserId) -> Actor {
        let principal = Principal {
            user_id: user,
            tenant_id: self.tenant,
            username: String::new(),
            display_name: String::new(),
            tenant_slug: String::new(),
            tenant_name: String::new(),
            tenant_template: self.template.into(),
            session_hash: String::new(),
            address: "192.0.2.10".into(),
            must_change_password: false,
        };
        Actor::resolve(db, &self.templates, principal)
            .await
            .unwrap()
    }

    pub async fn role(&self, db: &Db, name: &str) -> RoleId {
        let mut conn = db.pool.acquire().await.unwrap();
        db::roles::id_by_name(&mut conn, self.tenant, name)
            .await
            .unwrap()
            .unwrap()
    }

    /// A new user holding one new role with exactly `cells`, as an actor.
    pub async fn actor_holding(&self, db: &Db, username: &str, cells: &[(&str, &str)]) -> Actor {
        let root = self.actor(db, self.admin).await;
        let input = role_input(&format!("Role of {username}"), cells);
        let role = crate::server::domain::roles::save(db, &root, &input)
            .await
            .unwrap();
        let user = self.user(db, username).await;
        crate::server::domain::assignments::set_user_roles(
            db,
            &root,
            user,
            &[role.id].into(),
            crate::server::domain::testing::roles_version(db, user).await,
        )
        .await
        .unwrap();
        self.actor(db, user).await
    }
}

/// A new cross-space role named `name` granting exactly `cells`, as the editor sends it.
pub fn role_input(name: &str, cells: &[(&str, &str)]) -> crate::model::roles::RoleInput {
    let mut grants = crate::model::catalogue::Grants::new();
    for (t, l) in cells {
        grants
            .entry(t.to_string())
            .or_default()
            .insert(l.to_string());
    }
    crate::model::roles::RoleInput {
        id: None,
        name: name.into(),
        description: String::new(),
        grants,
        applications: Default::default(),
        audience: None,
        scope: None,
        requires: None,
        version: 0,
    }
}

/// The version of a user's global roles, as a client would have read it.
pub async fn roles_version(db: &Db, user: UserId) -> i64 {
    sqlx::query_scalar("SELECT roles_version FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

/// The version of a user's inventory roles.
pub async fn inventory_version(db: &Db, user: UserId) -> i64 {
    sqlx::query_scalar("SELECT inventory_version FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

/// The version of a group's roles.
pub async fn group_roles_version(db: &Db, group: crate::model::GroupId) -> i64 {
    sqlx::query_scalar("SELECT roles_version FROM user_groups WHERE id = $1")
        .bind(group)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

/// `set_user_roles` as a client that has just read the user's roles would call it.
pub async fn set_user_roles_now(
    db: &Db,
    actor: &Actor,
    user: UserId,
    roles: &std::collections::BTreeSet<RoleId>,
) -> crate::model::AppResult<Vec<RoleId>> {
    let version = roles_version(db, user).await;
    crate::server::domain::assignments::set_user_roles(db, actor, user, roles, version).await
}

/// `groups::set_roles` as a client that has just read the group's roles would call it.
pub async fn set_group_roles_now(
    db: &Db,
    actor: &Actor,
    group: crate::model::GroupId,
    roles: &std::collections::BTreeSet<RoleId>,
) -> crate::model::AppResult<()> {
    let version = group_roles_version(db, group).await;
    crate::server::domain::groups::set_roles(db, actor, group, roles, version).await
}

/// Inventory `apply` as a client that has just read the user's inventory roles would call it.
pub async fn apply_inventory_now(
    db: &Db,
    actor: &Actor,
    user: UserId,
    group: crate::model::DeviceGroupId,
    roles: &std::collections::BTreeSet<crate::model::InventoryRoleId>,
) -> crate::model::AppResult<()> {
    let version = inventory_version(db, user).await;
    crate::server::domain::inventory_assignments::apply(db, actor, user, group, roles, version)
        .await
}

/// Makes a custom role space-bound (the editor has no `Scope` field yet: issue 14).
pub async fn make_space_bound(db: &Db, role: crate::model::RoleId) {
    sqlx::query("UPDATE roles SET scope = $2 WHERE id = $1")
        .bind(role)
        .bind(crate::model::RoleScope::SpaceBound)
        .execute(&db.pool)
        .await
        .unwrap();
}
