//! Assigning global roles to users (tenant-wide).

use crate::model::{Origin, RoleScope};
use crate::server::domain::guard::Guard;
use std::collections::BTreeSet;

use super::{access::Actor, reach::RoleAuthority};
use crate::{
    model::{AppError, AppResult, RoleId, UserId},
    server::{
        db::{self, audit::AuditEvent, Db},
        unix_now,
    },
};

// The locks' messages belong to the guard's rules, which enforce them on every path.
pub use super::guard::rules::{PARTNER_ADMIN_MESSAGE, SSO_LOCK_REASON};

/// Refuses changing the roles of a partner administrator (rule 7) or, unless the tenant allows
/// it, of a user created by SSO whose roles the access mapping reassigns at every sign-in (rule
/// 6).
pub async fn ensure_roles_editable(
    conn: &mut sqlx::AnyConnection,
    tenant: crate::model::TenantId,
    user: &db::users::UserRow,
) -> AppResult<()> {
    let sso_locked = user.origin == Origin::Sso && sso_locks_roles(conn, tenant).await?;
    roles_lock(user, sso_locked).map_or(Ok(()), Err)
}

/// Whether the tenant's settings lock the roles of its SSO users: the access mapping reassigns
/// them at every sign-in and manual changes are not allowed (rule 6). In `Only the listed roles`
/// the guard judges each role (the others stay manual); in `Only when the user is created`
/// nothing is locked.
pub async fn sso_locks_roles(
    conn: &mut sqlx::AnyConnection,
    tenant: crate::model::TenantId,
) -> AppResult<bool> {
    Ok(!db::tenants::sso_manual_changes(conn, tenant).await?
        && db::tenants::sso_role_mode(conn, tenant).await? == crate::model::RoleMode::Reassign)
}

/// Why `user`'s roles cannot be changed by hand, given [`sso_locks_roles`] of their tenant:
/// for many users at once, the tenant's settings read once.
pub fn roles_lock(user: &db::users::UserRow, sso_locked: bool) -> Option<AppError> {
    if user.is_partner_admin != 0 {
        return Some(AppError::Locked {
            reason: PARTNER_ADMIN_MESSAGE.into(),
        });
    }
    (user.origin == Origin::Sso && sso_locked).then(|| AppError::Locked {
        reason: SSO_LOCK_REASON.into(),
    })
}

/// After a direct change (the user page, the popover, the group page): Space-Specific roles
/// added there would have no space (the wizard asks for it), and no requirement may be left
/// unmet (SPEC rule 5).
pub async fn check_direct_change(
    conn: &mut sqlx::AnyConnection,
    tenant: crate::model::TenantId,
    subject: crate::model::wizard::Subject,
    added: &[RoleId],
) -> AppResult<()> {
    for &role in added {
        let row = db::roles::get(conn, tenant, role).await?;
        if row.scope == RoleScope::SpaceBound {
            return Err(AppError::validation(
                "roles",
                format!(
                    "{} is Space-Specific: use Assign roles to choose its spaces.",
                    row.name
                ),
            ));
        }
    }
    let held: BTreeSet<_> = db::assignments::of_subject(conn, tenant, subject)
        .await?
        .into_iter()
        .collect();
    let requirements: Vec<(RoleId, RoleId)> = db::roles::requirements(conn, tenant)
        .await?
        .into_iter()
        .map(|(r, q)| (RoleId(r), RoleId(q)))
        .collect();
    if let Some((role, required)) = crate::model::wizard::unmet_requirement(&requirements, &held) {
        let role = db::roles::get(conn, tenant, role).await?.name;
        let required = db::roles::get(conn, tenant, required).await?.name;
        return Err(AppError::validation(
            "roles",
            format!("{role} requires {required}."),
        ));
    }
    Ok(())
}

/// `{"roles": [names]}`, alphabetically: how an audit record shows a set of global roles.
pub(super) async fn role_names_json(
    conn: &mut sqlx::AnyConnection,
    tenant: crate::model::TenantId,
    ids: &BTreeSet<RoleId>,
) -> AppResult<String> {
    let mut names = Vec::new();
    for &id in ids {
        names.push(db::roles::get(&mut *conn, tenant, id).await?.name);
    }
    names.sort();
    Ok(serde_json::json!({ "roles": names }).to_string())
}

/// Sets a user's global roles to exactly `wanted`. Every role added or removed must be one the
/// actor could grant (SPEC rule 4); the last holder of the tenant-admin role keeps it (rule 9).
pub async fn set_user_roles(
    db: &Db,
    actor: &Actor,
    user: UserId,
    wanted: &BTreeSet<RoleId>,
    roles_version: i64,
) -> AppResult<Vec<RoleId>> {
    RoleAuthority::precheck(actor)?;
    super::checked_count("roles", wanted.len())?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let row = db::users::get(&mut *tx, tenant, user)
            .await?
            .ok_or(AppError::NotFound)?;
        let authority = RoleAuthority::over(&mut *tx, actor, &row).await?;
        if row.roles_version != roles_version {
            return Err(AppError::Conflict);
        }
        ensure_roles_editable(&mut *tx, tenant, &row).await?;
        let current: BTreeSet<RoleId> = db::assignments::user_role_ids(&mut *tx, tenant, user)
            .await?
            .into_iter()
            .collect();
        let changed: Vec<RoleId> = current.symmetric_difference(wanted).copied().collect();
        // Every check before the first write: a refusal leaves nothing half-written or locked.
        for &role in &changed {
            if authority != RoleAuthority::Tenant {
                let name = db::roles::get(&mut *tx, tenant, role).await?.name;
                authority.admits(role, &name)?;
            }
            let grants = db::roles::grants(&mut *tx, tenant, role).await?;
            let apps = db::roles::applications(&mut *tx, tenant, role).await?;
            actor.may_hand_out(&grants, &apps)?;
        }
        for &role in &changed {
            let removing = current.contains(&role);
            if removing {
                db::assignments::remove_user_role(&mut *tx, tenant, user, role).await?;
            } else {
                db::assignments::add_user_role(&mut *tx, tenant, user, role).await?;
            }
        }
        let added: Vec<RoleId> = wanted.difference(&current).copied().collect();
        check_direct_change(
            &mut *tx,
            tenant,
            crate::model::wizard::Subject::User(user),
            &added,
        )
        .await?;
        if !changed.is_empty() {
            let before = role_names_json(&mut *tx, tenant, &current).await?;
            let after = role_names_json(&mut *tx, tenant, wanted).await?;
            let event = AuditEvent {
                tenant,
                actor: Some(actor.principal.user_id),
                address: &actor.principal.address,
                action: "user.roles.set",
                target: &format!("user {}", row.username),
                before,
                after,
            };
            db::audit::record(&mut *tx, &event, unix_now()).await?;
        }
        Ok(changed)
    }
    .await;
    guard.finish(result).await
}
