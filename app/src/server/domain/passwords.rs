//! Passwords (issue 14): the tenant's policy wherever a password is set, one's own password, and
//! the one-time password an administrator sets for a user they manage.

use std::{collections::HashSet, sync::LazyLock};

use super::{access::Actor, assignments::PARTNER_ADMIN_MESSAGE, reach::UserReach, roles::json};
use crate::{
    model::{
        passwords::{PasswordPolicy, PasswordSettings},
        AppError, AppResult, Origin, TenantId, UserId,
    },
    server::{
        auth::{password, Principal},
        db::{self, audit::AuditEvent, Db},
        domain::guard::Guard,
        unix_now,
    },
};

/// The common passwords a policy may refuse, shipped in the repository.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("passwords/common.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `lower` (a password in lowercase) is on the shipped list.
pub fn is_common(lower: &str) -> bool {
    COMMON.contains(lower)
}

/// Refuses, on `field`, a password `policy` does not admit for `username`.
pub fn admit(
    policy: &PasswordPolicy,
    username: &str,
    password: &str,
    field: &str,
) -> AppResult<()> {
    match policy.problem(username, password, is_common) {
        Some(problem) => Err(AppError::validation(field, problem)),
        None => Ok(()),
    }
}

/// The hash of a password the tenant's policy admits for `username`.
pub async fn checked_hash(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    username: &str,
    password: &str,
    field: &str,
) -> AppResult<String> {
    let policy = db::tenants::password_policy(conn, tenant).await?;
    admit(&policy, username, password, field)?;
    password::hash_blocking(password.to_owned()).await
}

/// The policy, for whoever may view users (`Minimum password length` on the settings page).
pub async fn settings(db: &Db, actor: &Actor) -> AppResult<PasswordSettings> {
    UserReach::of(actor)?;
    let mut conn = db.pool.acquire().await?;
    Ok(PasswordSettings {
        policy: db::tenants::password_policy(&mut conn, actor.tenant()).await?,
        can_edit: actor.require_admin().is_ok(),
    })
}

/// Changes the policy; passwords already set stay until they are next changed.
pub async fn save_policy(db: &Db, actor: &Actor, policy: &PasswordPolicy) -> AppResult<()> {
    actor.require_admin()?;
    if let Some(problem) = policy.invalid() {
        return Err(AppError::validation("min_length", problem));
    }
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::tenants::password_policy(&mut *tx, tenant).await?;
        db::tenants::set_password_policy(&mut *tx, tenant, policy).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "tenant.password-policy",
            target: "setting password policy",
            before: json(&before),
            after: json(policy),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await
    }
    .await;
    guard.finish(result).await
}

/// The signed-in user changes their own password (`Change password`): the current one must be
/// right, the new one must meet the policy. Their other sessions end; a one-time password is
/// over. Needs no permission, and works while a one-time password is in force.
pub async fn change_own(db: &Db, principal: &Principal, current: &str, new: &str) -> AppResult<()> {
    let (tenant, user) = (principal.tenant_id, principal.user_id);
    if current.chars().count() > crate::model::passwords::MAX_LENGTH {
        return Err(wrong_current());
    }
    let mut conn = db.pool.acquire().await?;
    // Guessing the current password from a session left open is throttled like a sign-in.
    let keys = [(
        format!("change:{}/{}", tenant.0, user.0),
        crate::server::auth::throttle::PAIR,
    )];
    crate::server::auth::throttle::reserve(&mut conn, &keys, unix_now()).await?;
    let stored = db::users::password_hash(&mut conn, tenant, user)
        .await?
        .ok_or_else(|| AppError::Locked {
            reason:
                "You sign in without a password here (single sign-on): there is none to change."
                    .into(),
        })?;
    let policy = db::tenants::password_policy(&mut conn, tenant).await?;
    drop(conn);
    let candidate = current.to_owned();
    let right = tokio::task::spawn_blocking(move || password::verify(&candidate, &stored))
        .await
        .map_err(|_| AppError::Internal)?;
    if !right {
        return Err(wrong_current());
    }
    let mut conn = db.pool.acquire().await?;
    crate::server::auth::throttle::succeeded(&mut conn, &keys).await?;
    drop(conn);
    if new == current {
        return Err(AppError::validation(
            "new_password",
            "The new password must differ from the current one.",
        ));
    }
    admit(&policy, &principal.username, new, "new_password")?;
    let hash = password::hash_blocking(new.to_owned()).await?;
    let mut tx = db.pool.begin().await?;
    db::users::set_password(&mut tx, tenant, user, &hash, false).await?;
    db::sessions::delete_for_user_except(&mut tx, tenant, user, &principal.session_hash).await?;
    let event = AuditEvent {
        tenant,
        actor: Some(user),
        address: &principal.address,
        action: "user.password.change",
        target: &format!("user {}", principal.username),
        before: String::new(),
        after: String::new(),
    };
    db::audit::record(&mut tx, &event, unix_now()).await?;
    tx.commit().await?;
    Ok(())
}

fn wrong_current() -> AppError {
    AppError::validation("current_password", "The current password is not correct.")
}

/// An administrator who manages `user` (rule 8) sets a one-time password: the user must choose
/// a new one at their next sign-in, and their sessions end now. Never one's own (that is `Change
/// password`), an SSO user's or a partner administrator's.
pub async fn set_one_time(db: &Db, actor: &Actor, user: UserId, password: &str) -> AppResult<()> {
    let tenant = actor.tenant();
    let mut conn = db.pool.acquire().await?;
    let row = db::users::get(&mut conn, tenant, user)
        .await?
        .ok_or(AppError::NotFound)?;
    super::reach::may_manage(actor, &row)?;
    let hash = checked_hash(&mut conn, tenant, &row.username, password, "password").await?;
    drop(conn);
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let row = db::users::get(&mut *tx, tenant, user)
            .await?
            .ok_or(AppError::NotFound)?;
        super::reach::may_manage(actor, &row)?;
        let refusal = if user == actor.principal.user_id {
            Some("Use Change password in the user menu for your own password.")
        } else if row.origin == Origin::Sso {
            Some("This user signs in with single sign-on: their password is the identity provider's.")
        } else if row.is_partner_admin != 0 {
            Some(PARTNER_ADMIN_MESSAGE)
        } else {
            None
        };
        if let Some(reason) = refusal {
            return Err(AppError::Locked {
                reason: reason.into(),
            });
        }
        db::users::set_password(&mut *tx, tenant, user, &hash, true).await?;
        db::sessions::delete_for_user(&mut *tx, tenant, user).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "user.password.one-time",
            target: &format!("user {}", row.username),
            before: String::new(),
            after: String::new(),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests;
