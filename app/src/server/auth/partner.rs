//! Partner administrators' sign-in and sessions (`/partner`): principals of their own, with a
//! session table and cookie of their own, so that a portal session never opens the tenant
//! console and a tenant session never opens the portal.

use super::{password, throttle, token, token::SessionPolicy, SignIn};
use crate::{
    model::{AppError, AppResult},
    server::db::{partners, Db},
};

/// A signed-in partner administrator. Only [`resolve`] makes one.
#[derive(Debug, Clone)]
pub struct PartnerPrincipal {
    pub admin_id: i64,
    pub partner_id: i64,
    pub username: String,
    pub partner_name: String,
    pub address: String,
}

/// What the throttle counts portal attempts under (no tenant can be named `#partner`).
const THROTTLE_SCOPE: &str = "#partner";

/// Checks a partner administrator's credentials and opens a portal session; returns the token.
/// Fails as the tenant sign-in does: the same error and cost whatever was wrong, throttled.
pub async fn sign_in(
    db: &Db,
    policy: &SessionPolicy,
    username: &str,
    password_text: &str,
    address: &str,
    now: i64,
) -> AppResult<String> {
    let attempt = SignIn {
        tenant: THROTTLE_SCOPE,
        username,
        password: password_text,
        address,
    };
    super::check_lengths(&attempt)?;
    let keys = throttle::keys(THROTTLE_SCOPE, username, address);
    let permit = super::hashing_permit().await?;
    let found = {
        let mut conn = db.pool.acquire().await?;
        throttle::reserve(&mut conn, &keys, now).await?;
        partners::credentials(&mut conn, username.trim()).await?
    };
    let password_text = password_text.to_owned();
    let verified = tokio::task::spawn_blocking(move || {
        let matches = match &found {
            Some(c) => password::verify(&password_text, &c.password_hash),
            None => {
                password::verify_dummy(&password_text);
                false
            }
        };
        found.filter(|c| matches && c.active == 1)
    })
    .await
    .map_err(|_| AppError::Internal)?;
    drop(permit);
    let mut conn = db.pool.acquire().await?;
    let Some(admin) = verified else {
        tracing::info!(address, "partner sign-in refused");
        return Err(AppError::SignInFailed);
    };
    throttle::succeeded(&mut conn, &keys).await?;
    partners::delete_expired_sessions(
        &mut conn,
        now - policy.idle_secs,
        now - policy.absolute_secs,
    )
    .await?;
    let (token, hash) = token::new_token();
    partners::insert_session(&mut conn, &hash, admin.id, now).await?;
    tracing::info!(
        admin = admin.id,
        partner = admin.partner_id,
        "partner signed in"
    );
    Ok(token)
}

/// The partner administrator behind a portal token, if the session is alive.
pub async fn resolve(
    db: &Db,
    policy: &SessionPolicy,
    token_text: &str,
    now: i64,
) -> AppResult<Option<PartnerPrincipal>> {
    let hash = token::hash_token(token_text);
    let mut conn = db.pool.acquire().await?;
    let Some(row) = partners::find_session(&mut conn, &hash).await? else {
        return Ok(None);
    };
    let expired =
        now - row.last_seen_at > policy.idle_secs || now - row.created_at > policy.absolute_secs;
    if expired || row.active != 1 {
        partners::delete_session(&mut conn, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= 60 {
        partners::touch_session(&mut conn, &hash, now).await?;
    }
    Ok(Some(PartnerPrincipal {
        admin_id: row.admin_id,
        partner_id: row.partner_id,
        username: row.username,
        partner_name: row.partner_name,
        address: String::new(),
    }))
}

pub async fn sign_out(db: &Db, token_text: &str) -> AppResult<()> {
    let mut conn = db.pool.acquire().await?;
    partners::delete_session(&mut conn, &token::hash_token(token_text)).await
}
