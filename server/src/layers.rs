//! Request guards that sit in front of every route.

use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use app::server::{auth, auth::token, security, unix_now, AppState};

/// CSRF: a state-changing request must prove it comes from our own pages. Browsers send
/// `Sec-Fetch-Site` and `Origin` on every POST; a cross-site one is refused before any handler
/// runs. Requests without either header do not come from a browser and cannot ride a cookie.
/// Our origin is the configured public one, else the host the request was addressed to (as a
/// trusted proxy forwarded it).
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let ours = state.network.our_host(peer(&request), headers);
    let cross_site = match (fetch_site, origin) {
        (Some(site), _) if site != "same-origin" && site != "none" => true,
        (_, Some(origin)) => ours.is_none() || origin_host(origin) != ours,
        _ => false,
    };
    if cross_site {
        tracing::warn!(?origin, ?fetch_site, path = %request.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(request).await
}

/// The socket peer of a request (unspecified if the server runs without connection info).
fn peer(request: &Request) -> std::net::IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |ConnectInfo(a)| {
            a.ip()
        })
}

fn origin_host(origin: &str) -> Option<&str> {
    origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
}

/// Server functions' arguments are kept with the request, so that a refusal's access-denied
/// record can say on what (SPEC rule 12); a body over the limit is refused here.
pub async fn keep_arguments(request: Request<Body>, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") || request.method() != Method::POST {
        return next.run(request).await;
    }
    match app::api::refusal::Arguments::capture(request).await {
        Ok(request) => next.run(request).await,
        Err(status) => status.into_response(),
    }
}

/// Pages other than `/login` need a live session: anonymous page loads go to `/login` before
/// anything renders, and a user with a one-time password to `/password`. Server functions authorize themselves (and answer 401), assets are public.
pub async fn pages_need_session(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let public = path == "/login"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || path.starts_with("/partner")
        || path.starts_with("/sso/")
        || matches!(
            path,
            "/healthz" | "/readyz" | "/favicon.svg" | "/favicon.ico"
        )
        || !matches!(*request.method(), Method::GET | Method::HEAD);
    if public {
        return next.run(request).await;
    }
    let token = state
        .session_token(token::Kind::Tenant, peer(&request), request.headers())
        .map(str::to_owned);
    let principal = match token {
        Some(token) => auth::resolve(&state.db, &state.sessions, &token, unix_now())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    match principal {
        // A one-time password is in force: every page leads to `Change password` first.
        Some(p) if p.must_change_password && path != "/password" => {
            Redirect::to("/password").into_response()
        }
        Some(_) => next.run(request).await,
        None => Redirect::to("/login").into_response(),
    }
}

/// The built bundle at its content address (`app::server::assets::root`): the `.br` and `.gz`
/// files written at build time (`cargo leptos build -P`, brotli quality 11) are sent to browsers
/// that accept them, and every file may be cached for a year without asking again.
pub fn bundle<S: Clone + Send + Sync + 'static>(site_root: &str) -> axum::Router<S> {
    use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};
    let path = format!("{}/pkg", app::server::assets::root(site_root));
    let files = ServeDir::new(std::path::Path::new(site_root).join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    let service = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(files);
    axum::Router::new().nest_service(&path, service)
}

/// Headers on every response, HTML pages, `/login`, `/partner` and errors included (SPEC section
/// 5): no MIME sniffing, no framing, no referrer to other sites, a Content-Security-Policy (pages
/// set their own with the request's nonce; anything else allows nothing), nothing but the static
/// bundle kept in a cache, and HSTS once the site is served over HTTPS.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let asset = request.uri().path().starts_with("/pkg/")
        || request.uri().path().starts_with("/assets/")
        || matches!(request.uri().path(), "/favicon.svg" | "/favicon.ico");
    let https = state.sessions.force_secure_cookie
        || state
            .network
            .forwarded_https(peer(&request), request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set =
        |name: header::HeaderName, value: &'static str| (name, HeaderValue::from_static(value));
    for (name, value) in [
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(header::X_FRAME_OPTIONS, "DENY"),
        set(header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ] {
        headers.insert(name, value);
    }
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(security::STRICT_POLICY));
    if !asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn origin_host_strips_scheme_and_slash() {
        assert_eq!(
            super::origin_host("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000")
        );
        assert_eq!(
            super::origin_host("https://evil.example/"),
            Some("evil.example")
        );
        assert_eq!(super::origin_host("null"), None);
    }
}
