//! Everything that runs only on the server.

pub mod assets;
pub mod audit_routes;
pub mod auth;
pub mod db;
pub mod domain;
#[cfg(test)]
mod fuzz;
pub mod index;
pub mod network;
pub mod oidc;
pub mod security;
pub mod sso_routes;
pub mod state;
pub mod templates;

pub use state::AppState;

/// Seconds since the Unix epoch; every stored time is one of these (both backends agree on it).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
