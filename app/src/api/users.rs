use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    users::{AssignableRole, NewUserInput, UserDetail, UserPage, UserUpdate},
    AppError, RoleId, UserId,
};

pub const PAGE_SIZE: i64 = 20;

/// One page of the tenant's users matching `query`, with their global roles.
/// **Permissions**: User management READ.
#[server(endpoint = "users/list", input = Json)]
pub async fn list_users(query: String, page: i64) -> Result<UserPage, AppError> {
    use super::ctx;
    use crate::model::users::{RoleRef, UserListRow};
    use crate::server::db;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let page = page.max(1);
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        let (rows, total) = db::users::search(
            &mut conn,
            actor.tenant(),
            &query,
            (page - 1) * PAGE_SIZE,
            PAGE_SIZE,
        )
        .await?;
        let ids: Vec<UserId> = rows.iter().map(|r| UserId(r.id)).collect();
        let held = db::assignments::roles_of_users(&mut conn, actor.tenant(), &ids).await?;
        let rows = rows
            .into_iter()
            .map(|r| UserListRow {
                roles: held
                    .iter()
                    .filter(|(u, _, _)| *u == r.id)
                    .map(|(_, id, name)| RoleRef {
                        id: RoleId(*id),
                        name: name.clone(),
                    })
                    .collect(),
                id: UserId(r.id),
                username: r.username,
                display_name: r.display_name,
                email: r.email,
                status: r.status,
                origin: r.origin,
                roles_version: r.roles_version,
            })
            .collect();
        Ok(UserPage {
            rows,
            total,
            page,
            page_size: PAGE_SIZE,
            can_create: actor.require_create_users().is_ok(),
            can_assign: actor.require_admin().is_ok(),
        })
    })
    .await
}

/// Every global role, marked grantable or not by the signed-in admin.
/// **Permissions**: User management READ.
#[server(endpoint = "users/assignable_roles", input = Json)]
pub async fn assignable_roles() -> Result<Vec<AssignableRole>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::roles::assignable(&mut conn, &actor).await
    })
    .await
}

/// Sets a user's global roles to exactly `roles`, if they are still at `roles_version`.
/// **Permissions**: User management ADMIN, and every permission of each role added or removed.
#[server(endpoint = "users/set_roles", input = Json)]
pub async fn set_user_roles(
    user: UserId,
    roles: Vec<RoleId>,
    roles_version: i64,
) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let wanted = roles.into_iter().collect();
        crate::server::domain::assignments::set_user_roles(
            &ctx::state()?.db,
            &actor,
            user,
            &wanted,
            roles_version,
        )
        .await?;
        Ok(())
    })
    .await
}

/// A user's page: details, global roles, effective permissions with provenance.
/// **Permissions**: User management READ.
#[server(endpoint = "users/load", input = Json)]
pub async fn load_user(id: UserId) -> Result<UserDetail, AppError> {
    use super::ctx;
    use crate::server::{db, domain};
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        let user = db::users::get(&mut conn, actor.tenant(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let role_ids = db::assignments::user_role_ids(&mut conn, actor.tenant(), id).await?;
        let roles_locked =
            domain::assignments::ensure_roles_editable(&mut conn, actor.tenant(), &user)
                .await
                .err()
                .map(|e| e.to_string());
        let owner = match user.owner_id {
            Some(owner) => db::users::get(&mut conn, actor.tenant(), UserId(owner))
                .await?
                .map(|o| o.username),
            None => None,
        };
        let can_manage = domain::users::may_manage(&actor, &user).is_ok();
        let roles = domain::roles::assignable(&mut conn, &actor).await?;
        let (effective, provenance) =
            domain::access::effective(&mut conn, &actor.catalogue, actor.tenant(), id).await?;
        let add_new = actor
            .catalogue
            .access
            .add_new_prefix
            .as_deref()
            .map(|prefix| {
                let shown = crate::model::users::sees_add_new(&user.allocation, &effective, prefix);
                let reason = match (shown, user.allocation.as_str()) {
                    (true, "Professional") => "Professional users create content.".to_owned(),
                    (true, _) => "An Analyzer, but a role grants creating.".to_owned(),
                    (false, _) => {
                        "Analyzer users only consume content; no role grants creating.".to_owned()
                    }
                };
                crate::model::users::AddNew { shown, reason }
            });
        Ok(UserDetail {
            id,
            username: user.username,
            display_name: user.display_name,
            email: user.email,
            status: user.status,
            origin: user.origin,
            allocation: user.allocation,
            device: user.kind == "device",
            owner,
            is_partner_admin: user.is_partner_admin != 0,
            version: user.version,
            roles_version: user.roles_version,
            roles_locked,
            add_new,
            can_manage,
            role_ids,
            roles,
            can_edit: actor.require_admin().is_ok(),
            catalogue: actor.catalogue,
            provenance,
        })
    })
    .await
}

/// Creates a user (the caller's sub-user when they cannot assign roles).
/// **Permissions**: the template's create-users permission (User management CREATE in `iot`).
#[server(endpoint = "users/create", input = Json)]
pub async fn create_user(input: NewUserInput) -> Result<UserId, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::users::create(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// Changes a user's details and status.
/// **Permissions**: the assign permission, or create-users for one's own sub-users.
#[server(endpoint = "users/update", input = Json)]
pub async fn update_user(input: UserUpdate) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::users::update(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// Deletes a user.
/// **Permissions**: as `users/update`, and every permission of the roles the user holds.
#[server(endpoint = "users/delete", input = Json)]
pub async fn delete_user(id: UserId, version: i64) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::users::delete(&ctx::state()?.db, &actor, id, version).await
    })
    .await
}
