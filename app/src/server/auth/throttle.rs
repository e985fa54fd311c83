//! Repeated sign-in failures slow an attacker down: per user and per client address. Counts live
//! in the database so that several server instances share them.

use sqlx::AnyConnection;

use crate::{
    model::{AppError, AppResult},
    server::db::login_failures,
};

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_USER: i64 = 5;
pub const MAX_PER_ADDRESS: i64 = 30;

/// The keys one attempt counts against. The user key does not depend on whether the user
/// exists, so throttling tells nothing about which usernames are real.
pub fn keys(tenant: &str, username: &str, address: &str) -> (String, String) {
    (
        format!(
            "user:{}/{}",
            tenant.trim().to_lowercase(),
            username.trim().to_lowercase()
        ),
        format!("addr:{address}"),
    )
}

pub async fn check(
    conn: &mut AnyConnection,
    user_key: &str,
    addr_key: &str,
    now: i64,
) -> AppResult<()> {
    let since = now - WINDOW_SECS;
    if login_failures::count_since(conn, user_key, since).await? >= MAX_PER_USER
        || login_failures::count_since(conn, addr_key, since).await? >= MAX_PER_ADDRESS
    {
        return Err(AppError::TooManyAttempts);
    }
    Ok(())
}

pub async fn record_failure(
    conn: &mut AnyConnection,
    user_key: &str,
    addr_key: &str,
    now: i64,
) -> AppResult<()> {
    login_failures::forget_before(conn, now - WINDOW_SECS).await?;
    login_failures::record(conn, user_key, now).await?;
    login_failures::record(conn, addr_key, now).await
}
