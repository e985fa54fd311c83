use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{settings::TenantSettings, AppError};

/// The tenant's settings.
/// **Permissions**: the template's view permission.
#[server(endpoint = "settings/load", input = Json)]
pub async fn load_settings() -> Result<TenantSettings, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::settings::load(&mut conn, &actor).await
    })
    .await
}

/// Allows (or stops) changing SSO users' roles by hand.
/// **Permissions**: the template's assign permission.
#[server(endpoint = "settings/sso_manual_changes", input = Json)]
pub async fn set_sso_manual_changes(allowed: bool) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::settings::set_sso_manual_changes(&ctx::state()?.db, &actor, allowed)
            .await
    })
    .await
}
