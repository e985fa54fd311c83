use leptos::prelude::*;

use crate::model::{AppError, Me};

/// Signs in to a tenant and starts a new session (any session the browser had is ended first).
/// The sign-in page's form posts here itself until its code has arrived: then a failure sends
/// the browser back to the page (`ctx::back_to_sign_in_page`), a success on to the console.
/// **Permissions**: none (public).
#[server(endpoint = "login")]
pub async fn login(tenant: String, username: String, password: String) -> Result<(), AppError> {
    use super::ctx;
    use crate::server::{auth, unix_now};
    let typed = (tenant.clone(), username.clone());
    let result = ctx::run(async move {
        let state = ctx::state()?;
        let address = ctx::client_address().await;
        let attempt = auth::SignIn {
            tenant: &tenant,
            username: &username,
            password: &password,
            address: &address,
        };
        let token = auth::sign_in(&state.db, &state.sessions, attempt, unix_now()).await?;
        if let Some(old) = ctx::session_token().await {
            let mut conn = state.db.pool.acquire().await?;
            auth::sign_out(&mut conn, &old).await?;
        }
        let secure = ctx::cookie_secure(&state).await;
        ctx::set_cookie(&auth::token::set_cookie(
            &token,
            state.sessions.absolute_secs,
            secure,
        ))?;
        // A one-time password leads to `Change password` first (a page loaded later is sent
        // there by the session layer).
        let signed_in = auth::resolve(&state.db, &state.sessions, &token, unix_now()).await?;
        let next = match signed_in {
            Some(p) if p.must_change_password => "/password",
            _ => "/",
        };
        leptos_axum::redirect(next);
        Ok(())
    })
    .await;
    if let Err(error) = &result {
        ctx::back_to_sign_in_page(error, &typed.0, &typed.1);
    }
    result
}

/// Ends the current session and clears the cookie.
/// **Permissions**: none (ending no session is not an error).
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::ctx;
    use crate::server::auth;
    ctx::run(async move {
        let state = ctx::state()?;
        if let Some(token) = ctx::session_token().await {
            let signed_in = ctx::principal().await.ok();
            let mut conn = state.db.pool.acquire().await?;
            auth::sign_out(&mut conn, &token).await?;
            if let Some(principal) = signed_in {
                auth::audit_sign_out(&mut conn, &principal).await?;
            }
        }
        let secure = ctx::cookie_secure(&state).await;
        ctx::set_cookie(&auth::token::clear_cookie(secure))?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// The signed-in user and tenant.
/// **Permissions**: a live session.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Me, AppError> {
    use super::ctx;
    ctx::run(async move {
        let principal = ctx::principal().await?;
        let templates = &ctx::state()?.templates;
        let template = templates
            .get(&principal.tenant_template)
            .ok_or(AppError::Internal)?;
        Ok(principal.me(&template.catalogue))
    })
    .await
}

/// `Add new` for the signed-in user, in templates that have it: None elsewhere; otherwise what
/// they may create (empty when the button is hidden).
/// **Permissions**: a live session.
#[server(endpoint = "add_new")]
pub async fn add_new_options() -> Result<Option<Vec<String>>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::user_pages::add_new_options(&ctx::state()?.db, &actor).await
    })
    .await
}
