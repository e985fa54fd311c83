//! The Castellan server: configuration, database, router, layers, shutdown.
#![recursion_limit = "512"]

pub mod config;
pub mod layers;
pub mod serve;

use axum::{extract::State, http::StatusCode, middleware, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{CompressionLayer, CompressionLevel},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// How long one request may take before it is answered 408.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a client may take to send its request headers before the connection is closed.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

use app::{server::AppState, shell, App};

/// Every route: pages, server functions under `/api`, health checks, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let api_state = state.clone();
    let page_state = state.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(app::server::sso_routes::routes())
        .merge(app::server::audit_routes::routes())
        .route(
            "/api/{*fn_name}",
            axum::routing::post(move |request: axum::extract::Request| {
                let state = api_state.clone();
                async move {
                    handle_server_fns_with_context(move || provide_context(state.clone()), request)
                        .await
                }
            }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(page_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .merge(layers::bundle(&state.leptos_options.site_root))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(layers::keep_arguments))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::pages_need_session,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::same_origin_only,
        ))
        // A request that takes longer than this is cut off with 408 (the work is abandoned).
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // A middle quality: the WASM bundle compresses to a third at a few milliseconds' cost.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            layers::security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.is_ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Leptos options built from our configuration, not from Cargo.toml, so the release binary runs
/// from the workspace root without cargo-leptos.
pub fn leptos_options(site_root: &str, site_addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("castellan")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(site_addr)
        .build()
}
