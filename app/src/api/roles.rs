use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    roles::{RoleDetail, RoleEditorData, RoleInput, RolePage},
    AppError, InventoryRoleId, RoleId,
};

/// One page of the tenant's global roles as cards, searched by name and description.
/// **Permissions**: User management READ.
#[server(endpoint = "roles/list", input = Json)]
pub async fn list_roles(query: String, page: i64) -> Result<RolePage, AppError> {
    use super::ctx;
    use crate::server::domain::roles;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        roles::list(&mut conn, actor.tenant(), &query, page).await
    })
    .await
}

/// The editor's data: catalogue, the role (none for a new one), what the actor holds.
/// **Permissions**: User management READ (editing needs ADMIN; `can_edit` says which).
#[server(endpoint = "roles/editor", input = Json)]
pub async fn role_editor(id: Option<RoleId>) -> Result<RoleEditorData, AppError> {
    use super::ctx;
    use crate::server::domain::roles;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        let (role, holders) = match id {
            Some(id) => (
                Some(roles::detail(&mut conn, actor.tenant(), id).await?),
                roles::holders(&mut conn, actor.tenant(), id).await?,
            ),
            None => (None, Default::default()),
        };
        Ok(RoleEditorData {
            can_edit: actor.require_admin().is_ok(),
            locked: role.as_ref().and_then(|r| roles::built_in_lock(&actor, r)),
            catalogue: actor.catalogue,
            role,
            holders,
            actor: actor.effective,
            actor_applications: actor.applications,
        })
    })
    .await
}

/// Creates or updates a global role.
/// **Permissions**: User management ADMIN, and every permission the save adds.
#[server(endpoint = "roles/save", input = Json)]
pub async fn save_role(input: RoleInput) -> Result<RoleDetail, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::roles::save(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// Copies a role under a new name.
/// **Permissions**: User management ADMIN, and every permission of the role.
#[server(endpoint = "roles/duplicate", input = Json)]
pub async fn duplicate_role(id: RoleId) -> Result<RoleDetail, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_admin()?;
        crate::server::domain::roles::duplicate(&ctx::state()?.db, &actor, id).await
    })
    .await
}

/// Deletes a role that is not built in.
/// **Permissions**: User management ADMIN, and every permission of the role.
#[server(endpoint = "roles/delete", input = Json)]
pub async fn delete_role(id: RoleId, version: i64) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::roles::delete(&ctx::state()?.db, &actor, id, version).await
    })
    .await
}

/// Every inventory role of the tenant, with its rows and the overridden marker.
/// **Permissions**: the template's view permission.
#[server(endpoint = "roles/inventory_list", input = Json)]
pub async fn list_inventory_roles(
) -> Result<Vec<crate::model::inventory::InventoryRoleCard>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::inventory_roles::list(&mut conn, &actor).await
    })
    .await
}

/// The inventory role editor's data: the role (none for a new one), whether the actor may change
/// it, and what they hold globally.
/// **Permissions**: the template's view permission (changing needs User management ADMIN).
#[server(endpoint = "roles/inventory_detail", input = Json)]
pub async fn inventory_role_editor(
    id: Option<InventoryRoleId>,
) -> Result<crate::model::inventory::InventoryEditorData, AppError> {
    use super::ctx;
    use crate::server::domain::inventory_roles;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        let role = match id {
            Some(id) => Some(inventory_roles::detail(&mut conn, actor.tenant(), id).await?),
            None => None,
        };
        Ok(crate::model::inventory::InventoryEditorData {
            can_edit: actor.require_admin().is_ok(),
            role,
            actor: actor.effective,
        })
    })
    .await
}

/// Creates or updates an inventory role.
/// **Permissions**: User management ADMIN, and globally every permission a row the save adds grants.
#[server(endpoint = "roles/inventory_save", input = Json)]
pub async fn save_inventory_role(
    input: crate::model::inventory::InventoryRoleInput,
) -> Result<crate::model::inventory::InventoryRoleDetail, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::inventory_roles::save(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// Deletes an inventory role and its assignments.
/// **Permissions**: User management ADMIN, and globally every permission the role's rows grant.
#[server(endpoint = "roles/inventory_delete", input = Json)]
pub async fn delete_inventory_role(id: InventoryRoleId, version: i64) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::inventory_roles::delete(&ctx::state()?.db, &actor, id, version).await
    })
    .await
}
