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

/// Runs a server function body and gives its error the matching HTTP status.
pub async fn run<T>(body: impl Future<Output = AppResult<T>>) -> AppResult<T> {
    let result = body.await;
    if let Err(error) = &result {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(error.status_code());
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

/// The session token the request carries, if any.
pub fn session_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token::from_cookie_header)
        .map(str::to_owned)
}

/// The signed-in principal, or `Unauthorized`.
pub async fn principal() -> AppResult<Principal> {
    let state = state()?;
    let token = session_token().ok_or(AppError::Unauthorized)?;
    auth::resolve(&state.db, &state.sessions, &token, unix_now())
        .await?
        .ok_or(AppError::Unauthorized)
}

/// The client's address, for throttling.
pub async fn client_address() -> String {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Whether the cookie must be `Secure`: forced by configuration, or the request came over HTTPS
/// through a proxy that says so.
pub fn cookie_secure(state: &AppState) -> bool {
    state.sessions.force_secure_cookie
        || parts().is_ok_and(|p| {
            p.headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
        })
}

pub fn set_cookie(value: &str) -> AppResult<()> {
    let response = use_context::<ResponseOptions>().ok_or(AppError::Internal)?;
    let value = HeaderValue::from_str(value).map_err(|_| AppError::Internal)?;
    response.append_header(header::SET_COOKIE, value);
    Ok(())
}

/// The signed-in administrator with what they hold.
pub async fn actor() -> AppResult<crate::server::domain::access::Actor> {
    let state = state()?;
    let principal = principal().await?;
    crate::server::domain::access::Actor::resolve(&state.db, &state.templates, principal).await
}
