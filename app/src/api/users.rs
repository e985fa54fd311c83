use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    users::{NewUserInput, RoleChoices, RolesOf, UserDetail, UserPage, UserUpdate},
    AppError, Audience, RoleId, UserId, UserKind,
};

/// One page of the tenant's users matching `query` (human or device users only, if `kind`
/// says so), with their global roles.
/// **Permissions**: User management READ; with User management CREATE alone, one's own
/// sub-users.
#[server(endpoint = "users/list", input = Json)]
pub async fn list_users(
    query: String,
    page: i64,
    #[server(default)] kind: Option<UserKind>,
) -> Result<UserPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let db = &ctx::state()?.db;
        crate::server::domain::user_pages::list_page(db, &actor, &query, page, kind).await
    })
    .await
}

/// One page of the role checklist of a user or group (`Search roles`, `Previous page`, `Next
/// page`): the roles matching `query`, of one audience if given, the subject's own first, each
/// marked grantable or not by the signed-in admin.
/// **Permissions**: User management READ; with User management CREATE alone, of one's own
/// sub-users (only roles one holds are grantable).
#[server(endpoint = "roles/choices", input = Json)]
pub async fn list_role_choices(
    of: RolesOf,
    audience: Option<Audience>,
    query: String,
    page: i64,
) -> Result<RoleChoices, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::role_choices::choices(&mut conn, &actor, of, audience, &query, page)
            .await
    })
    .await
}

/// Gives a user exactly `applications` directly (`Application access`), if what they had is
/// still `seen`.
/// **Permissions**: User management ADMIN, and every application given or taken.
#[server(endpoint = "users/set_applications", input = Json)]
pub async fn set_user_applications(
    user: UserId,
    seen: Vec<String>,
    applications: Vec<String>,
) -> Result<Vec<String>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::checked_count("applications", seen.len())?;
        let seen = seen.into_iter().collect();
        let wanted = applications.into_iter().collect();
        crate::server::domain::applications::set_user_applications(
            &ctx::state()?.db,
            &actor,
            user,
            &seen,
            &wanted,
        )
        .await
    })
    .await
}

/// Sets a user's global roles to exactly `roles`, if they are still at `roles_version`.
/// **Permissions**: User management ADMIN, and every permission of each role added or removed;
/// with User management CREATE alone, on one's own sub-users, roles one holds.
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
/// **Permissions**: User management READ; with User management CREATE alone, one's own
/// sub-users.
#[server(endpoint = "users/load", input = Json)]
pub async fn load_user(id: UserId) -> Result<UserDetail, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let db = &ctx::state()?.db;
        crate::server::domain::user_pages::detail(db, &actor, id).await
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
