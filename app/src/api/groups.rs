use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    groups::{GroupDetail, GroupInput, GroupPage, MemberPage},
    AppError, GroupId, RoleId, UserId,
};

/// One page of the tenant's groups matching `query`, with their roles.
/// **Permissions**: the template's view permission (User management READ in `iot`).
#[server(endpoint = "groups/list", input = Json)]
pub async fn list_groups(query: String, page: i64) -> Result<GroupPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::groups::list(&mut conn, &actor, &query, page).await
    })
    .await
}

/// A group's page: members and roles.
/// **Permissions**: the view permission.
#[server(endpoint = "groups/load", input = Json)]
pub async fn load_group(id: GroupId) -> Result<GroupDetail, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::groups::detail(&mut conn, &actor, id).await
    })
    .await
}

/// One page of a group's members, searched by username and display name.
/// **Permissions**: the view permission.
#[server(endpoint = "groups/members", input = Json)]
pub async fn group_members(
    group: GroupId,
    query: String,
    page: i64,
) -> Result<MemberPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::groups::members(&mut conn, &actor, group, &query, page).await
    })
    .await
}

/// Creates or renames a group.
/// **Permissions**: the template's assign permission (User management ADMIN in `iot`).
#[server(endpoint = "groups/save", input = Json)]
pub async fn save_group(input: GroupInput) -> Result<GroupId, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::groups::save(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// Deletes a group; its members lose the roles it held.
/// **Permissions**: the assign permission, and every permission of the group's roles.
#[server(endpoint = "groups/delete", input = Json)]
pub async fn delete_group(id: GroupId, version: i64) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::groups::delete(&ctx::state()?.db, &actor, id, version).await
    })
    .await
}

/// Adds a user to a group (`member` true) or removes them.
/// **Permissions**: the assign permission, and every permission of the group's roles.
#[server(endpoint = "groups/set_member", input = Json)]
pub async fn set_group_member(group: GroupId, user: UserId, member: bool) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::groups::set_member(&ctx::state()?.db, &actor, group, user, member)
            .await
    })
    .await
}

/// Adds a user, found by username, to a group.
/// **Permissions**: as `groups/set_member`.
#[server(endpoint = "groups/add_member_by_name", input = Json)]
pub async fn add_group_member_by_name(group: GroupId, username: String) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let db = &ctx::state()?.db;
        crate::server::domain::groups::add_member_by_name(db, &actor, group, &username).await
    })
    .await
}

/// Sets a group's global roles to exactly `roles`, if they are still at `roles_version`.
/// **Permissions**: the assign permission, and every permission of each role added or removed.
#[server(endpoint = "groups/set_roles", input = Json)]
pub async fn set_group_roles(
    group: GroupId,
    roles: Vec<RoleId>,
    roles_version: i64,
) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let wanted = roles.into_iter().collect();
        let db = &ctx::state()?.db;
        crate::server::domain::groups::set_roles(db, &actor, group, &wanted, roles_version).await
    })
    .await
}
