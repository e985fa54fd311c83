use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    sso::{MappingEditor, MappingPreview, MappingRule, SsoSettings, SsoSettingsInput},
    AppError,
};

/// Whether the tenant of this id offers `Sign in with SSO` (the sign-in page asks once the
/// tenant is filled in).
/// **Permissions**: none (public; says no more than the sign-in page would).
#[server(endpoint = "sso/available", input = Json)]
pub async fn sso_available(tenant: String) -> Result<bool, AppError> {
    use super::ctx;
    ctx::run(async move {
        let tenant = tenant.trim();
        if tenant.is_empty() || tenant.len() > 64 {
            return Ok(false);
        }
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::db::sso::enabled_for_slug(&mut conn, tenant).await
    })
    .await
}

/// Starts `Sign in with SSO` for a tenant: sets the cookie that binds the sign-in to this
/// browser and returns the provider's address, where the page then goes.
/// **Permissions**: none (public).
#[server(endpoint = "sso/start", input = Json)]
pub async fn start_sso(tenant: String) -> Result<String, AppError> {
    use super::ctx;
    ctx::run(async move {
        let state = ctx::state()?;
        let origin = ctx::our_origin().await?;
        let secure = ctx::cookie_secure(&state).await;
        let (url, cookie) =
            crate::server::sso_routes::begin(&state, &tenant, &origin, secure).await?;
        ctx::set_cookie(&cookie)?;
        Ok(url)
    })
    .await
}

/// The tenant's single sign-on settings (never the client secret).
/// **Permissions**: the template's view permission.
#[server(endpoint = "sso/settings", input = Json)]
pub async fn load_sso_settings() -> Result<SsoSettings, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let origin = ctx::our_origin().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::sso::settings(&mut conn, &actor, &origin).await
    })
    .await
}

/// Saves the single sign-on settings (an empty secret keeps the stored one).
/// **Permissions**: the template's assign permission.
#[server(endpoint = "sso/save_settings", input = Json)]
pub async fn save_sso_settings(input: SsoSettingsInput) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::sso::save_settings(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// The access-mapping rules and what they can name.
/// **Permissions**: the template's view permission.
#[server(endpoint = "sso/mapping", input = Json)]
pub async fn load_mapping() -> Result<MappingEditor, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::sso::editor(&mut conn, &actor).await
    })
    .await
}

/// Replaces the access-mapping rules.
/// **Permissions**: the template's assign permission, and everything the rules grant.
#[server(endpoint = "sso/save_mapping", input = Json)]
pub async fn save_mapping(rules: Vec<MappingRule>) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::sso::save_rules(&ctx::state()?.db, &actor, &rules).await
    })
    .await
}

/// What `rules` (as edited, saved or not) would give a user with these claims.
/// **Permissions**: the template's view permission.
#[server(endpoint = "sso/preview_mapping", input = Json)]
pub async fn preview_mapping(
    rules: Vec<MappingRule>,
    claims: String,
) -> Result<MappingPreview, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::checked_count("rules", rules.len())?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        let editor = crate::server::domain::sso::editor(&mut conn, &actor).await?;
        crate::server::domain::sso::preview(&actor, &editor, &rules, &claims)
    })
    .await
}
