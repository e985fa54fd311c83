use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    passwords::{PasswordPolicy, PasswordSettings},
    AppError, UserId,
};

/// Changes the signed-in user's own password (`Change password`); it also ends a one-time
/// password. The user's other sessions end.
/// **Permissions**: a live session and the current password.
#[server(endpoint = "session/change_password", input = Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let principal = ctx::principal().await?;
        crate::server::domain::passwords::change_own(&ctx::state()?.db, &principal, &current, &new)
            .await
    })
    .await
}

/// Sets a one-time password for a user, to be changed at their next sign-in.
/// **Permissions**: as `users/update` (the assign permission, or create-users for one's own
/// sub-users).
#[server(endpoint = "users/set_one_time_password", input = Json)]
pub async fn set_one_time_password(user: UserId, password: String) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::passwords::set_one_time(&ctx::state()?.db, &actor, user, &password)
            .await
    })
    .await
}

/// The tenant's password policy.
/// **Permissions**: the template's view permission (or create-users).
#[server(endpoint = "settings/password_policy", input = Json)]
pub async fn load_password_policy() -> Result<PasswordSettings, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::passwords::settings(&ctx::state()?.db, &actor).await
    })
    .await
}

/// Changes the tenant's password policy.
/// **Permissions**: the template's assign permission.
#[server(endpoint = "settings/save_password_policy", input = Json)]
pub async fn save_password_policy(policy: PasswordPolicy) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::passwords::save_policy(&ctx::state()?.db, &actor, &policy).await
    })
    .await
}
