//! What every server function needs from its request: the state, the principal, the client.

use std::{future::Future, net::SocketAddr};

use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::{
    model::{AppError, AppResult},
    server::{
        auth::{self, token, Principal},
        unix_now, AppState,
    },
};

/// Runs a server function body, gives its error the matching HTTP status, and records a
/// refusal as an access-denied request (SPEC rule 12) once the body's work has ended.
pub async fn run<T>(body: impl Future<Output = AppResult<T>>) -> AppResult<T> {
    let result = body.await;
    if let Err(error) = &result {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(error.status_code());
        }
        if super::refusal::is_refusal(error) {
            // Who was refused: a refusal before sign-in (no principal) is not recorded.
            if let (Ok(state), Ok(principal)) = (state(), principal().await) {
                super::refusal::record(error, &state, &principal).await;
            }
        }
    }
    result
}

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

fn parts() -> AppResult<Parts> {
    use_context::<Parts>().ok_or(AppError::Internal)
}

/// The token of a `kind` of session the request carries, if any (`AppState::session_token`).
pub async fn session_token_of(kind: token::Kind) -> Option<String> {
    let (state, peer, parts) = (state().ok()?, peer().await?, parts().ok()?);
    state
        .session_token(kind, peer, &parts.headers)
        .map(str::to_owned)
}

/// The tenant session token the request carries, if any.
pub async fn session_token() -> Option<String> {
    session_token_of(token::Kind::Tenant).await
}

/// The signed-in principal, or `Unauthorized`.
pub async fn principal() -> AppResult<Principal> {
    let state = state()?;
    let token = session_token().await.ok_or(AppError::Unauthorized)?;
    let mut principal = auth::resolve(&state.db, &state.sessions, &token, unix_now())
        .await?
        .ok_or(AppError::Unauthorized)?;
    principal.address = client_address().await;
    Ok(principal)
}

async fn peer() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The client's address, for throttling and the audit log (through a trusted proxy, the address
/// it forwarded).
pub async fn client_address() -> String {
    let (Ok(state), Some(peer), Ok(parts)) = (state(), peer().await, parts()) else {
        return "unknown".to_owned();
    };
    state
        .network
        .client_address(peer, &parts.headers)
        .to_string()
}

/// Whether the cookie must be `Secure`: forced by configuration, or the request came over HTTPS
/// through a trusted proxy that says so.
pub async fn cookie_secure(state: &AppState) -> bool {
    match (peer().await, parts()) {
        (Some(peer), Ok(parts)) => state.https(peer, &parts.headers),
        _ => state.sessions.force_secure_cookie,
    }
}

pub fn set_cookie(value: &str) -> AppResult<()> {
    let response = use_context::<ResponseOptions>().ok_or(AppError::Internal)?;
    let value = HeaderValue::from_str(value).map_err(|_| AppError::Internal)?;
    response.append_header(header::SET_COOKIE, value);
    Ok(())
}

/// Sends a browser that posted the sign-in form itself (before the page's code arrived, or
/// without it) back to the sign-in page with the failure and what was typed but the password.
/// Such a post accepts HTML, where the page's own calls ask for JSON (as scripts do): those get
/// the error as it was. Call after `run`, which sets the error's status.
pub fn back_to_sign_in_page(error: &AppError, tenant: &str, username: &str) {
    let Ok(parts) = parts() else { return };
    let accepts_html = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if accepts_html {
        // No tenant id or username is this long; a longer one is cut, not sent back whole.
        let kept = |typed: &str| typed.chars().take(200).collect::<String>();
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("error", error.sign_in_code())
            .append_pair("tenant", &kept(tenant))
            .append_pair("username", &kept(username))
            .finish();
        leptos_axum::redirect(&format!("/login?{query}"));
    }
}

/// Our origin with its scheme, as the browser sees it (`https://castellan.example.com`).
pub async fn our_origin() -> AppResult<String> {
    let state = state()?;
    let secure = cookie_secure(&state).await;
    let (Some(peer), Ok(parts)) = (peer().await, parts()) else {
        return Err(AppError::Internal);
    };
    state
        .network
        .our_origin(peer, &parts.headers, secure)
        .ok_or(AppError::Internal)
}

/// The signed-in administrator with what they hold.
pub async fn actor() -> AppResult<crate::server::domain::access::Actor> {
    let state = state()?;
    let principal = principal().await?;
    crate::server::domain::access::Actor::resolve(&state.db, &state.templates, principal).await
}
