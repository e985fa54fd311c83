//! Sign-in, sessions and the current principal.

pub mod partner;
pub mod password;
pub mod throttle;
pub mod token;

pub use token::SessionPolicy;

use crate::model::UserStatus;
use sqlx::AnyConnection;

use crate::{
    model::{AppError, AppResult, Me, TenantId, UserId},
    server::db::{
        audit::{self, AuditEvent},
        sessions, tenants, users, Db,
    },
};

/// Who is making a request: a signed-in user of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub username: String,
    pub display_name: String,
    pub tenant_slug: String,
    pub tenant_name: String,
    pub tenant_template: String,
    /// The SHA-256 of the session token, to end this session.
    pub session_hash: String,
    /// The client's address for this request (empty outside a request), for the audit log.
    pub address: String,
    /// An administrator set a one-time password: until it is changed, the principal is no
    /// administrator at all ([`crate::server::domain::access::Actor::resolve`] refuses).
    pub must_change_password: bool,
}

impl Principal {
    pub fn me(&self, catalogue: &crate::model::catalogue::Catalogue) -> Me {
        Me {
            features: crate::model::session::Features::of(catalogue),
            user_id: self.user_id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            tenant_id: self.tenant_id,
            tenant_slug: self.tenant_slug.clone(),
            tenant_name: self.tenant_name.clone(),
            must_change_password: self.must_change_password,
        }
    }
}

/// What a sign-in attempt presents.
pub struct SignIn<'a> {
    pub tenant: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub address: &'a str,
}

/// The longest sign-in fields accepted (longer ones are refused before any work is done).
pub const MAX_TENANT_LEN: usize = 64;
pub const MAX_USERNAME_LEN: usize = 100;
pub const MAX_PASSWORD_LEN: usize = 1024;

pub(super) fn check_lengths(attempt: &SignIn<'_>) -> AppResult<()> {
    for (field, value, max) in [
        ("tenant", attempt.tenant, MAX_TENANT_LEN),
        ("username", attempt.username, MAX_USERNAME_LEN),
        ("password", attempt.password, MAX_PASSWORD_LEN),
    ] {
        if value.chars().count() > max {
            return Err(AppError::validation(
                field,
                format!("At most {max} characters."),
            ));
        }
    }
    Ok(())
}

/// Password hashing is CPU-bound: only a few run at once, and an attempt that cannot start one
/// promptly is told to retry (429) instead of queueing until every connection and worker waits.
pub(super) async fn hashing_permit() -> AppResult<tokio::sync::SemaphorePermit<'static>> {
    static HASHING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let semaphore = HASHING.get_or_init(|| {
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
        tokio::sync::Semaphore::new(permits)
    });
    match tokio::time::timeout(std::time::Duration::from_millis(500), semaphore.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(AppError::SignInBusy),
    }
}

/// Checks the credentials and opens a new session; returns the token for the cookie. Every
/// failure is the same `SignInFailed`, whichever part was wrong, and costs the same: a password
/// hash is verified for an unknown user, a disabled one and one without a password alike. No
/// database connection is held while the hash is computed.
pub async fn sign_in(
    db: &Db,
    policy: &SessionPolicy,
    attempt: SignIn<'_>,
    now: i64,
) -> AppResult<String> {
    check_lengths(&attempt)?;
    let keys = throttle::keys(attempt.tenant, attempt.username, attempt.address);
    let permit = hashing_permit().await?;
    let (tenant, found) = {
        let mut conn = db.pool.acquire().await?;
        throttle::reserve(&mut conn, &keys, now).await?;
        match tenants::find_by_slug(&mut conn, attempt.tenant.trim()).await? {
            Some(tenant) => (
                Some(tenant.id),
                users::credentials(&mut conn, tenant.id, attempt.username.trim())
                    .await?
                    .map(|c| (tenant.id, c)),
            ),
            None => (None, None),
        }
    };
    let attempted = found.as_ref().map(|(_, c)| c.id);
    let password = attempt.password.to_owned();
    let verified = tokio::task::spawn_blocking(move || {
        let stored = found.as_ref().and_then(|(_, c)| c.password_hash.as_deref());
        let matches = match stored {
            Some(stored) => password::verify(&password, stored),
            None => {
                password::verify_dummy(&password);
                false
            }
        };
        found.filter(|(_, c)| matches && c.status == UserStatus::Active)
    })
    .await
    .map_err(|_| AppError::Internal)?;
    drop(permit);

    let mut conn = db.pool.acquire().await?;
    let username = attempt.username.trim();
    let Some((tenant, creds)) = verified else {
        tracing::info!(
            tenant = attempt.tenant,
            address = attempt.address,
            "sign-in refused"
        );
        // Refused attempts are bounded by the throttle (a blocked attempt writes nothing).
        if let Some(tenant) = tenant {
            let action = "session.sign-in-failed";
            audit(
                &mut conn,
                tenant,
                attempted,
                action,
                username,
                attempt.address,
            )
            .await?;
        }
        return Err(AppError::SignInFailed);
    };
    throttle::succeeded(&mut conn, &keys).await?;
    crate::server::db::login_throttle::forget_before(&mut conn, now - throttle::WINDOW_SECS)
        .await?;
    let signed_in = SignedIn {
        tenant,
        user: creds.id,
        username,
        address: attempt.address,
        action: "session.sign-in",
    };
    start_session(&mut conn, policy, &signed_in, now).await
}

/// Someone whose identity was proven (by password, or by the tenant's identity provider).
pub struct SignedIn<'a> {
    pub tenant: TenantId,
    pub user: UserId,
    pub username: &'a str,
    pub address: &'a str,
    /// The audit action: `session.sign-in` or `session.sign-in-sso`.
    pub action: &'a str,
}

/// A new session for `who` (expired sessions are swept first), audited; returns its token.
pub async fn start_session(
    conn: &mut AnyConnection,
    policy: &SessionPolicy,
    who: &SignedIn<'_>,
    now: i64,
) -> AppResult<String> {
    sessions::delete_expired(conn, now - policy.idle_secs, now - policy.absolute_secs).await?;
    let (token, hash) = token::new_token();
    sessions::insert(conn, &hash, who.tenant, who.user, now).await?;
    audit(
        conn,
        who.tenant,
        Some(who.user),
        who.action,
        who.username,
        who.address,
    )
    .await?;
    tracing::info!(tenant = who.tenant.0, user = %who.user, action = who.action, "signed in");
    Ok(token)
}

/// The principal behind a session token, if the session is still alive. Expired sessions are
/// deleted on sight; live ones have their idle clock reset (at most once a minute).
pub async fn resolve(
    db: &Db,
    policy: &SessionPolicy,
    token: &str,
    now: i64,
) -> AppResult<Option<Principal>> {
    let hash = token::hash_token(token);
    let mut conn = db.pool.acquire().await?;
    let Some(row) = sessions::find(&mut conn, &hash).await? else {
        return Ok(None);
    };
    let expired =
        now - row.last_seen_at > policy.idle_secs || now - row.created_at > policy.absolute_secs;
    if expired || row.status != UserStatus::Active {
        sessions::delete(&mut conn, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= 60 {
        sessions::touch(&mut conn, &hash, now).await?;
    }
    Ok(Some(Principal {
        user_id: row.user_id,
        tenant_id: row.tenant_id,
        username: row.username,
        display_name: row.display_name,
        tenant_slug: row.tenant_slug,
        tenant_name: row.tenant_name,
        tenant_template: row.tenant_template,
        session_hash: hash,
        address: String::new(),
        must_change_password: row.must_change_password != 0,
    }))
}

/// Ends the session behind a token (a no-op when there is none).
pub async fn sign_out(conn: &mut AnyConnection, token: &str) -> AppResult<()> {
    sessions::delete(conn, &token::hash_token(token)).await
}

/// Sign-in, sign-out and refused sign-ins go to the tenant's audit log with the address.
async fn audit(
    conn: &mut AnyConnection,
    tenant: TenantId,
    actor: Option<UserId>,
    action: &str,
    username: &str,
    address: &str,
) -> AppResult<()> {
    let event = AuditEvent {
        tenant,
        actor,
        action,
        target: &format!("user {username}"),
        before: String::new(),
        after: String::new(),
        address,
    };
    audit::record(conn, &event, crate::server::unix_now()).await
}

pub async fn audit_sign_out(conn: &mut AnyConnection, principal: &Principal) -> AppResult<()> {
    audit(
        conn,
        principal.tenant_id,
        Some(principal.user_id),
        "session.sign-out",
        &principal.username,
        &principal.address,
    )
    .await
}

#[cfg(test)]
mod tests;
