use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use std::sync::Arc;

use super::{auth::SessionPolicy, db::Db, templates::Templates};

/// What every request handler and server function may reach: given to them through context.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub sessions: SessionPolicy,
    pub templates: Arc<Templates>,
    pub leptos_options: LeptosOptions,
    /// Trusted proxies and the public origin.
    pub network: super::network::Network,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
