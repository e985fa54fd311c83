//! The user page's `Inventory roles` tab: assignments on the tree, copy, and Check access.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    inventory_access::AccessReport,
    user_inventory::{CopyMode, CopyOutcome, RoleChoice, UserInventory},
    AppError, DeviceGroupId, InventoryRoleId, UserId,
};

/// A user's inventory roles, and the global roles that already grant on every device.
/// **Permissions**: User management READ.
#[server(endpoint = "users/inventory", input = Json)]
pub async fn load_user_inventory(user: UserId) -> Result<UserInventory, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::inventory_assignments::view(&mut conn, &actor, user).await
    })
    .await
}

/// The inventory roles offered on one group, assigned or not, grantable or not.
/// **Permissions**: User management ADMIN.
#[server(endpoint = "users/inventory_choices", input = Json)]
pub async fn inventory_choices(
    user: UserId,
    group: DeviceGroupId,
) -> Result<Vec<RoleChoice>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::inventory_assignments::choices(&mut conn, &actor, user, group).await
    })
    .await
}

/// Sets the user's inventory roles on one group to exactly `roles`, if the user's inventory
/// roles are still at `version`.
/// **Permissions**: User management ADMIN, and on that group every permission of each role
/// added or removed.
#[server(endpoint = "users/inventory_apply", input = Json)]
pub async fn apply_inventory_roles(
    user: UserId,
    group: DeviceGroupId,
    roles: Vec<InventoryRoleId>,
    version: i64,
) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let state = ctx::state()?;
        let roles = roles.into_iter().collect();
        let domain_apply = crate::server::domain::inventory_assignments::apply;
        domain_apply(&state.db, &actor, user, group, &roles, version).await
    })
    .await
}

/// Copies another user's inventory roles to `user`, merging or replacing.
/// **Permissions**: User management ADMIN; what the admin lacks on a group is left out.
#[server(endpoint = "users/inventory_copy", input = Json)]
pub async fn copy_inventory_roles(
    from: UserId,
    user: UserId,
    mode: CopyMode,
) -> Result<CopyOutcome, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let state = ctx::state()?;
        crate::server::domain::inventory_assignments::copy(&state.db, &actor, from, user, mode)
            .await
    })
    .await
}

/// What `user` may do on a device group or a device, and why.
/// **Permissions**: User management READ.
#[server(endpoint = "users/check_access", input = Json)]
pub async fn check_access(
    user: UserId,
    group: Option<i64>,
    device: Option<i64>,
    fragment_type: String,
) -> Result<AccessReport, AppError> {
    use super::ctx;
    use crate::server::domain::check_access;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let target = check_access::target(group, device)?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        check_access::report(&mut conn, &actor, user, target, &fragment_type).await
    })
    .await
}
