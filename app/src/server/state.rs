use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use std::{net::IpAddr, sync::Arc};

use http::{header, HeaderMap};

use super::{
    auth::{token, SessionPolicy},
    db::Db,
    templates::Templates,
};

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

impl AppState {
    /// Whether a request came over HTTPS, so its cookies are `Secure` with the `__Host-` prefix
    /// (SPEC section 5): forced by configuration, or a trusted proxy says so.
    pub fn https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.sessions.force_secure_cookie || self.network.forwarded_https(peer, headers)
    }

    /// The token of a `kind` of session a request carries. Over HTTPS only the `__Host-` cookie
    /// counts: a plain one may have been planted by a sibling site to slip its own session into
    /// this browser.
    pub fn session_token<'a>(
        &self,
        kind: token::Kind,
        peer: IpAddr,
        headers: &'a HeaderMap,
    ) -> Option<&'a str> {
        let https = self.https(peer, headers);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| token::of_kind_from_cookie_header(kind, h, https))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
