//! Users: create, edit, disable, delete. Whoever holds the template's assign permission manages
//! every user; whoever may only create users (User management CREATE in `iot`) creates sub-users
//! and manages those alone (SPEC rule 8, seed 001).

use super::{access::Actor, assignments::PARTNER_ADMIN_MESSAGE, reach::may_manage, roles::json};
use crate::server::domain::guard::Guard;
use crate::{
    model::{
        users::{display_name_problem, email_problem, username_problem, NewUserInput, UserUpdate},
        AppError, AppResult, Origin, UserId, UserKind, UserStatus,
    },
    server::{
        db::{
            self,
            audit::AuditEvent,
            users::{NewUser, NewUserExtra},
            Db,
        },
        unix_now,
    },
};

/// Why the actor's own account is neither disabled nor deleted by them.
pub const OWN_ACCOUNT: &str = "You cannot disable or delete your own account.";

async fn audit(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    action: &str,
    username: &str,
    before: String,
    after: String,
) -> AppResult<()> {
    let event = AuditEvent {
        tenant: actor.tenant(),
        actor: Some(actor.principal.user_id),
        address: &actor.principal.address,
        action,
        target: &format!("user {username}"),
        before,
        after,
    };
    db::audit::record(conn, &event, unix_now()).await
}

/// Creates a local user without roles; one created by an admin who cannot assign roles is that
/// admin's sub-user.
pub async fn create(db: &Db, actor: &Actor, input: &NewUserInput) -> AppResult<UserId> {
    actor.require_create_users()?;
    let username = input.username.trim();
    if let Some(problem) = username_problem(username) {
        return Err(AppError::validation("username", problem));
    }
    if let Some(problem) = email_problem(&input.email) {
        return Err(AppError::validation("email", problem));
    }
    if let Some(problem) = display_name_problem(&input.display_name) {
        return Err(AppError::validation("display_name", problem));
    }
    if input.device && !actor.catalogue.device_users {
        return Err(AppError::validation(
            "device",
            "This tenant's template has no device users.",
        ));
    }
    // An empty password makes an account that cannot sign in (a device, or one to be invited).
    let hash = if input.password.is_empty() {
        None
    } else {
        let mut conn = db.pool.acquire().await?;
        let tenant = actor.tenant();
        let password = &input.password;
        Some(
            super::passwords::checked_hash(&mut conn, tenant, username, password, "password")
                .await?,
        )
    };
    let owner = actor
        .require_admin()
        .is_err()
        .then_some(actor.principal.user_id);
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let new = NewUser {
            username,
            display_name: input.display_name.trim(),
            email: input.email.trim(),
            password_hash: hash.as_deref(),
            origin: Origin::Local,
            is_partner_admin: false,
        };
        let id = db::users::insert(&mut *tx, tenant, &new, unix_now()).await?;
        let extra = NewUserExtra {
            allocation: Some(input.allocation),
            kind: Some(if input.device {
                UserKind::Device
            } else {
                UserKind::Human
            }),
            owner,
        };
        db::users::set_extra(&mut *tx, tenant, id, &extra).await?;
        // Seed 001: "After registration, a device automatically has this role" (rule 4 applies:
        // whoever creates a device user must be able to give it).
        let device_role = match input.device {
            true => db::roles::for_devices(&mut *tx, tenant).await?,
            false => None,
        };
        if let Some(role) = device_role {
            let grants = db::roles::grants(&mut *tx, tenant, role).await?;
            let applications = db::roles::applications(&mut *tx, tenant, role).await?;
            actor.may_hand_out(&grants, &applications)?;
            db::assignments::add_user_role(&mut *tx, tenant, id, role).await?;
        }
        let after = json(&(
            username,
            &input.email,
            &input.allocation,
            input.device,
            owner,
            device_role,
        ));
        audit(
            &mut *tx,
            actor,
            "user.create",
            username,
            String::new(),
            after,
        )
        .await?;
        Ok(id)
    }
    .await;
    guard.finish(result).await
}

/// Changes a user's details and status; disabling ends their sessions.
pub async fn update(db: &Db, actor: &Actor, input: &UserUpdate) -> AppResult<()> {
    if let Some(problem) = email_problem(&input.email) {
        return Err(AppError::validation("email", problem));
    }
    if let Some(problem) = display_name_problem(&input.display_name) {
        return Err(AppError::validation("display_name", problem));
    }
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::users::get(&mut *tx, tenant, input.id)
            .await?
            .ok_or(AppError::NotFound)?;
        may_manage(actor, &before)?;
        if !input.active && input.id == actor.principal.user_id {
            return Err(AppError::Locked {
                reason: OWN_ACCOUNT.into(),
            });
        }
        let status = if input.active {
            UserStatus::Active
        } else {
            UserStatus::Disabled
        };
        if !db::users::update_if_version(
            &mut *tx,
            tenant,
            input.id,
            input.version,
            input.display_name.trim(),
            input.email.trim(),
            input.allocation,
            status,
        )
        .await?
        {
            return Err(AppError::Conflict);
        }
        if !input.active {
            db::sessions::delete_for_user(&mut *tx, tenant, input.id).await?;
        }
        let before_json = json(&(
            &before.display_name,
            &before.email,
            &before.allocation,
            &before.status,
        ));
        let after = json(&(&input.display_name, &input.email, &input.allocation, status));
        audit(
            &mut *tx,
            actor,
            "user.update",
            &before.username,
            before_json,
            after,
        )
        .await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// Deletes a user. Never oneself, never a partner administrator (rule 7), never the last holder
/// of the tenant-admin role (rule 9); and their roles go with them, so the actor must be able to
/// grant each one (rule 4: you cannot remove what you could not grant).
pub async fn delete(db: &Db, actor: &Actor, id: UserId, version: i64) -> AppResult<()> {
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::users::get(&mut *tx, tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        may_manage(actor, &before)?;
        if id == actor.principal.user_id {
            return Err(AppError::Locked {
                reason: OWN_ACCOUNT.into(),
            });
        }
        if before.is_partner_admin != 0 {
            return Err(AppError::Locked {
                reason: PARTNER_ADMIN_MESSAGE.into(),
            });
        }
        for role in db::assignments::user_role_ids(&mut *tx, tenant, id).await? {
            let grants = db::roles::grants(&mut *tx, tenant, role).await?;
            let applications = db::roles::applications(&mut *tx, tenant, role).await?;
            actor.may_hand_out(&grants, &applications)?;
        }
        if !db::users::delete_if_version(&mut *tx, tenant, id, version).await? {
            return Err(AppError::Conflict);
        }
        let before_json = json(&(&before.username, &before.email, &before.status));
        audit(
            &mut *tx,
            actor,
            "user.delete",
            &before.username,
            before_json,
            String::new(),
        )
        .await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests;
