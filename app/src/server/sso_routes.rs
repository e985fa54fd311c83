//! An SSO sign-in over HTTP:
//! - [`begin`] (behind the `sso/start` server function, same-origin like every POST): remembers
//!   a new `state`, `nonce` and PKCE verifier, binds the `state` to this browser with a cookie,
//!   and says where the tenant's provider is.
//! - `GET /sso/callback?code&state`, a plain axum handler because the provider sends the browser
//!   there: the `state` must be the one this browser started with and unused for at most ten
//!   minutes; the code is exchanged, the ID token verified, the user signed in by the domain
//!   (linking, creating, access mapping), and a session started.
//!
//! Every failure is a short page that says what went wrong, with a way back to `/login`.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde::Deserialize;

use super::{
    auth::{self, token},
    db,
    domain::sso::CALLBACK_PATH,
    oidc::{self, ProviderConfig},
    unix_now, AppState,
};
use crate::model::AppError;

const STATE_COOKIE: &str = "castellan_sso_state";
/// The state cookie's name over HTTPS (SPEC section 5): the `__Host-` prefix makes the browser
/// refuse it unless it is `Secure`, for this host only and for every path, so a sibling site
/// cannot plant a state of its own sign-in in this browser (a sign-in forged into it).
const SECURE_STATE_COOKIE: &str = "__Host-castellan_sso_state";
const PROBLEM_POLICY: &str =
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub fn routes() -> Router<AppState> {
    Router::new().route(CALLBACK_PATH, get(callback))
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page saying why single sign-on did not work. It has no control that needs code, so it is
/// marked hydrated (SPEC section 6) as it is.
fn problem(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Single sign-on \
         failed</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/castellan.css\"></head>\
         <body data-hydrated=\"true\"><main class=\"login-page\"><section class=\"login-card\">\
         <h1>Single sign-on failed</h1><p role=\"alert\" class=\"alert alert-error\">{}</p>\
         <p><a href=\"/login\">Back to sign-in</a></p></section></main></body></html>",
        escape(message)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Nothing runs; only our stylesheet loads.
            (header::CONTENT_SECURITY_POLICY, PROBLEM_POLICY),
        ],
        body,
    )
        .into_response()
}

fn state_cookie(value: &str, max_age: i64, secure: bool) -> String {
    if secure {
        // `__Host-` requires `Path=/`.
        format!(
            "{SECURE_STATE_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}; Secure"
        )
    } else {
        format!("{STATE_COOKIE}={value}; Path=/sso; HttpOnly; SameSite=Lax; Max-Age={max_age}")
    }
}

/// The state this browser was sent off with. Over HTTPS only the `__Host-` cookie counts: a
/// plain one may have been planted by a sibling site.
fn sent_state(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie_value(
        headers,
        if secure {
            SECURE_STATE_COOKIE
        } else {
            STATE_COOKIE
        },
    )
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

fn redirect_to(location: &str, cookies: &[String]) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn provider(
    state: &AppState,
    tenant: crate::model::TenantId,
    redirect_uri: String,
) -> Result<ProviderConfig, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let config = db::sso::config(&mut conn, tenant)
        .await?
        .filter(|c| c.enabled())
        .ok_or_else(|| AppError::Locked {
            reason: "Single sign-on is not set up for this tenant.".into(),
        })?;
    Ok(ProviderConfig {
        issuer: config.sso_issuer,
        client_id: config.sso_client_id,
        client_secret: config.sso_client_secret,
        redirect_uri,
    })
}

fn redirect_uri(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Option<String> {
    let https = state.https(peer.ip(), headers);
    state
        .network
        .our_origin(peer.ip(), headers, https)
        .map(|origin| format!("{origin}{CALLBACK_PATH}"))
}

/// Starts a sign-in at the tenant's provider: returns where to send the browser and the cookie
/// that binds the new `state` to it. Called by the `sso/start` server function (a form post to
/// the provider's origin would be stopped by the page's `form-action 'self'`, so the page
/// navigates there itself).
pub async fn begin(
    state: &AppState,
    slug: &str,
    origin: &str,
    secure: bool,
) -> Result<(String, String), AppError> {
    let not_set_up = || AppError::Locked {
        reason: "Single sign-on is not set up for this tenant.".into(),
    };
    let slug = slug.trim();
    if slug.is_empty() || slug.len() > 64 {
        return Err(AppError::validation("tenant", "Enter your tenant first."));
    }
    let tenant = {
        let mut conn = state.db.pool.acquire().await?;
        db::tenants::find_by_slug(&mut conn, slug)
            .await?
            .ok_or_else(not_set_up)?
            .id
    };
    let config = provider(state, tenant, format!("{origin}{CALLBACK_PATH}")).await?;
    let started = oidc::start(&config)
        .await
        .map_err(|failure| AppError::Locked { reason: failure.0 })?;
    let mut conn = state.db.pool.acquire().await?;
    db::sso::insert_login(
        &mut conn,
        &token::hash_token(&started.state),
        tenant,
        &started.nonce,
        &started.pkce_verifier,
        unix_now(),
    )
    .await?;
    let cookie = state_cookie(&started.state, db::sso::LOGIN_TTL_SECS, secure);
    Ok((started.url, cookie))
}

async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    if let Some(error) = query.error {
        let detail = query.error_description.unwrap_or(error);
        return problem(
            StatusCode::BAD_REQUEST,
            &format!("The identity provider did not sign you in: {detail}"),
        );
    }
    let (Some(code), Some(returned)) = (query.code, query.state) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "The identity provider sent no code. Start again from the sign-in page.",
        );
    };
    // The state must be the one this browser was sent off with: a sign-in started elsewhere
    // (someone else's, slipped into this browser) is refused.
    if sent_state(&headers, state.https(peer.ip(), &headers)) != Some(returned.as_str()) {
        return problem(
            StatusCode::BAD_REQUEST,
            "This sign-in was not started in this browser (its state does not match). Start again \
             from the sign-in page.",
        );
    }
    let now = unix_now();
    let pending = async {
        let mut conn = state.db.pool.acquire().await?;
        db::sso::take_login(&mut conn, &token::hash_token(&returned), now).await
    }
    .await;
    let pending =
        match pending {
            Ok(Some(pending)) => pending,
            Ok(None) => return problem(
                StatusCode::BAD_REQUEST,
                "This sign-in has expired or was already used. Start again from the sign-in page.",
            ),
            Err(_) => return problem(StatusCode::SERVICE_UNAVAILABLE, "The server is busy."),
        };
    let Some(redirect_uri) = redirect_uri(&state, peer, &headers) else {
        return problem(StatusCode::BAD_REQUEST, "The request has no Host header.");
    };
    let config = match provider(&state, pending.tenant_id, redirect_uri).await {
        Ok(config) => config,
        Err(error) => return problem(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let claims = match oidc::finish(&config, &code, &pending.pkce_verifier, &pending.nonce).await {
        Ok(claims) => claims,
        Err(failure) => return problem(StatusCode::FORBIDDEN, &failure.0),
    };
    let address = state
        .network
        .client_address(peer.ip(), &headers)
        .to_string();
    let signed_in = match crate::server::domain::sso::sign_in(
        &state.db,
        &state.templates,
        pending.tenant_id,
        &claims,
        &address,
        now,
    )
    .await
    {
        Ok(signed_in) => signed_in,
        Err(error) => return problem(StatusCode::FORBIDDEN, &error.to_string()),
    };
    let session = async {
        let mut conn = state.db.pool.acquire().await?;
        if let Some(old) = state.session_token(token::Kind::Tenant, peer.ip(), &headers) {
            auth::sign_out(&mut conn, old).await?;
        }
        let who = auth::SignedIn {
            tenant: pending.tenant_id,
            user: signed_in.user,
            username: &signed_in.username,
            address: &address,
            action: "session.sign-in-sso",
        };
        auth::start_session(&mut conn, &state.sessions, &who, now).await
    }
    .await;
    let Ok(session) = session else {
        return problem(StatusCode::SERVICE_UNAVAILABLE, "The server is busy.");
    };
    let secure = state.https(peer.ip(), &headers);
    let cookies = [
        token::set_cookie(&session, state.sessions.absolute_secs, secure),
        state_cookie("", 0, secure),
    ];
    redirect_to("/", &cookies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_cookie_is_host_prefixed_over_https_and_plain_on_loopback() {
        let secure = state_cookie("s", 600, true);
        assert!(
            secure.starts_with("__Host-castellan_sso_state=s; Path=/;"),
            "{secure}"
        );
        assert!(secure.contains("; Secure") && secure.contains("HttpOnly"));
        assert!(!secure.contains("Domain"));
        let plain = state_cookie("s", 600, false);
        assert!(plain.starts_with("castellan_sso_state=s;") && !plain.contains("Secure"));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("castellan_sso_state=planted"),
        );
        assert_eq!(sent_state(&headers, false), Some("planted"));
        assert_eq!(
            sent_state(&headers, true),
            None,
            "over HTTPS only __Host- counts"
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static(
                "castellan_sso_state=planted; __Host-castellan_sso_state=ours",
            ),
        );
        assert_eq!(sent_state(&headers, true), Some("ours"));
    }
}
