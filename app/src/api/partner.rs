//! The partner portal's server functions (`/partner`). Each authorizes itself with the portal
//! session (a tenant session is never one); a partner administrator reaches only the tenants
//! their partner serves.

use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    partner::{NewTenantInput, PartnerMe, ServedPage, ServedTenantDetail},
    AppError, RoleId, UserId,
};

#[cfg(feature = "ssr")]
mod portal {
    use crate::{
        api::ctx,
        model::{AppError, AppResult},
        server::{
            auth::{partner, partner::PartnerPrincipal, token},
            unix_now,
        },
    };

    pub async fn token() -> Option<String> {
        ctx::session_token_of(token::Kind::Partner).await
    }

    /// The signed-in partner administrator, or `Unauthorized`.
    pub async fn principal() -> AppResult<PartnerPrincipal> {
        let state = ctx::state()?;
        let token = token().await.ok_or(AppError::Unauthorized)?;
        let mut who = partner::resolve(&state.db, &state.sessions, &token, unix_now())
            .await?
            .ok_or(AppError::Unauthorized)?;
        who.address = ctx::client_address().await;
        Ok(who)
    }
}

/// Signs a partner administrator in to the portal (no tenant field).
/// **Permissions**: none (public).
#[server(endpoint = "partner/login")]
pub async fn partner_login(username: String, password: String) -> Result<(), AppError> {
    use super::ctx;
    use crate::server::{auth, unix_now};
    ctx::run(async move {
        let state = ctx::state()?;
        let address = ctx::client_address().await;
        let token = auth::partner::sign_in(
            &state.db,
            &state.sessions,
            &username,
            &password,
            &address,
            unix_now(),
        )
        .await?;
        if let Some(old) = portal::token().await {
            auth::partner::sign_out(&state.db, &old).await?;
        }
        let secure = ctx::cookie_secure(&state).await;
        ctx::set_cookie(&auth::token::set_cookie_of(
            auth::token::Kind::Partner,
            &token,
            state.sessions.absolute_secs,
            secure,
        ))?;
        leptos_axum::redirect("/partner");
        Ok(())
    })
    .await
}

/// Ends the portal session.
/// **Permissions**: none.
#[server(endpoint = "partner/logout")]
pub async fn partner_logout() -> Result<(), AppError> {
    use super::ctx;
    use crate::server::auth;
    ctx::run(async move {
        let state = ctx::state()?;
        if let Some(token) = portal::token().await {
            auth::partner::sign_out(&state.db, &token).await?;
        }
        let secure = ctx::cookie_secure(&state).await;
        ctx::set_cookie(&auth::token::set_cookie_of(
            auth::token::Kind::Partner,
            "",
            0,
            secure,
        ))?;
        leptos_axum::redirect("/partner");
        Ok(())
    })
    .await
}

/// The signed-in partner administrator, or None when nobody is signed in to the portal.
/// **Permissions**: none.
#[server(endpoint = "partner/me", input = Json)]
pub async fn portal_me() -> Result<Option<PartnerMe>, AppError> {
    use super::ctx;
    ctx::run(async move {
        Ok(match portal::principal().await {
            Ok(who) => Some(PartnerMe {
                username: who.username,
                partner: who.partner_name,
            }),
            Err(AppError::Unauthorized) => None,
            Err(e) => return Err(e),
        })
    })
    .await
}

/// One page of the tenants the partner serves.
/// **Permissions**: a portal session.
#[server(endpoint = "partner/tenants", input = Json)]
pub async fn served_tenants(query: String, page: i64) -> Result<ServedPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let who = portal::principal().await?;
        let state = ctx::state()?;
        crate::server::domain::partner::served_page(&state.db, &state.templates, &who, &query, page)
            .await
    })
    .await
}

/// `Create tenant` from a template with its first administrator; the partner serves it.
/// **Permissions**: a portal session.
#[server(endpoint = "partner/create_tenant", input = Json)]
pub async fn create_tenant(input: NewTenantInput) -> Result<String, AppError> {
    use super::ctx;
    ctx::run(async move {
        let who = portal::principal().await?;
        let state = ctx::state()?;
        crate::server::domain::partner::create_tenant(&state.db, &state.templates, &who, &input)
            .await
    })
    .await
}

/// A served tenant with its partner administrators and their global roles.
/// **Permissions**: a portal session of a partner serving the tenant.
#[server(endpoint = "partner/tenant", input = Json)]
pub async fn served_tenant(slug: String) -> Result<ServedTenantDetail, AppError> {
    use super::ctx;
    ctx::run(async move {
        let who = portal::principal().await?;
        let state = ctx::state()?;
        crate::server::domain::partner::tenant_detail(&state.db, &state.templates, &who, &slug)
            .await
    })
    .await
}

/// Sets a partner administrator's global roles (`Global roles of <username>` → `Apply`).
/// **Permissions**: a portal session of a partner serving the tenant; the user must be one of
/// that partner's administrators.
#[server(endpoint = "partner/set_roles", input = Json)]
pub async fn set_partner_admin_roles(
    slug: String,
    user: UserId,
    roles: Vec<RoleId>,
    roles_version: i64,
) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let who = portal::principal().await?;
        let state = ctx::state()?;
        let wanted = roles.into_iter().collect();
        crate::server::domain::partner::set_admin_roles(
            &state.db,
            &state.templates,
            &who,
            &slug,
            user,
            &wanted,
            roles_version,
        )
        .await
    })
    .await
}
