//! Request guards that sit in front of every route.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use app::server::{auth, auth::token, unix_now, AppState};

/// CSRF: a state-changing request must prove it comes from our own pages. Browsers send
/// `Sec-Fetch-Site` and `Origin` on every POST; a cross-site one is refused before any handler
/// runs. Requests without either header do not come from a browser and cannot ride a cookie.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let cross_site = match (fetch_site, origin) {
        (Some(site), _) if site != "same-origin" && site != "none" => true,
        (_, Some(origin)) => origin_host(origin) != host,
        _ => false,
    };
    if cross_site {
        tracing::warn!(?origin, ?fetch_site, path = %request.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(request).await
}

fn origin_host(origin: &str) -> Option<&str> {
    origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
}

/// Pages other than `/login` need a live session: anonymous page loads go to `/login` before
/// anything renders. Server functions authorize themselves (and answer 401), assets are public.
pub async fn pages_need_session(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let public = path == "/login"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        || path.starts_with("/partner")
        || matches!(
            path,
            "/healthz" | "/readyz" | "/favicon.svg" | "/favicon.ico"
        )
        || !matches!(*request.method(), Method::GET | Method::HEAD);
    if public {
        return next.run(request).await;
    }
    let token = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(token::from_cookie_header)
        .map(str::to_owned);
    let signed_in = match token {
        Some(token) => matches!(
            auth::resolve(&state.db, &state.sessions, &token, unix_now()).await,
            Ok(Some(_))
        ),
        None => false,
    };
    if signed_in {
        next.run(request).await
    } else {
        Redirect::to("/login").into_response()
    }
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
