use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    device_groups::{ChildrenPage, DeleteImpact},
    AppError, DeviceGroupId, DeviceId,
};

/// One page of a node's children (None: the top level).
/// **Permissions**: Inventory READ.
#[server(endpoint = "device_groups/children", input = Json)]
pub async fn group_children(
    parent: Option<DeviceGroupId>,
    offset: i64,
) -> Result<ChildrenPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::device_groups::children(&mut conn, &actor, parent, offset).await
    })
    .await
}

/// Creates a group under `parent` (None: top level).
/// **Permissions**: Inventory ADMIN.
#[server(endpoint = "device_groups/create", input = Json)]
pub async fn create_device_group(
    parent: Option<DeviceGroupId>,
    name: String,
) -> Result<DeviceGroupId, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::device_groups::create(&ctx::state()?.db, &actor, parent, &name).await
    })
    .await
}

/// Adds a device to a group.
/// **Permissions**: Inventory ADMIN.
#[server(endpoint = "device_groups/add_device", input = Json)]
pub async fn add_device(group: DeviceGroupId, name: String) -> Result<DeviceId, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::device_groups::add_device(&ctx::state()?.db, &actor, group, &name)
            .await
    })
    .await
}

/// Renames a group and/or moves it (never under itself).
/// **Permissions**: Inventory ADMIN.
#[server(endpoint = "device_groups/update", input = Json)]
pub async fn update_device_group(
    id: DeviceGroupId,
    version: i64,
    parent: Option<DeviceGroupId>,
    name: String,
) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::device_groups::update(
            &ctx::state()?.db,
            &actor,
            id,
            version,
            parent,
            &name,
        )
        .await
    })
    .await
}

/// What deleting a group would remove.
/// **Permissions**: Inventory READ.
#[server(endpoint = "device_groups/delete_impact", input = Json)]
pub async fn device_group_delete_impact(id: DeviceGroupId) -> Result<DeleteImpact, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::device_groups::delete_impact(&mut conn, &actor, id).await
    })
    .await
}

/// Deletes a group with its subgroups and devices.
/// **Permissions**: Inventory ADMIN.
#[server(endpoint = "device_groups/delete", input = Json)]
pub async fn delete_device_group(
    id: DeviceGroupId,
    version: i64,
) -> Result<DeleteImpact, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::device_groups::delete(&ctx::state()?.db, &actor, id, version).await
    })
    .await
}
