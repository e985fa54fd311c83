//! Spaces: `Default Space` always exists; others are created, renamed and deleted by whoever may
//! assign roles. Deleting a space removes the assignments bound to it.

use crate::server::domain::guard::Guard;
use sqlx::AnyConnection;

use super::{access::Actor, roles::json};
use crate::{
    model::{
        spaces::{Space, SpaceInput, DEFAULT_SPACE},
        AppError, AppResult, RoleId, SpaceId, TenantId,
    },
    server::{
        db::{self, audit::AuditEvent, spaces::SpaceRow, Db},
        unix_now,
    },
};

fn dto(row: SpaceRow) -> Space {
    Space {
        id: row.id,
        name: row.name,
        description: row.description,
        is_default: row.is_default != 0,
        version: row.version,
        assignments: row.assignments,
    }
}

pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<Space>> {
    Ok(db::spaces::list(conn, tenant)
        .await?
        .into_iter()
        .map(dto)
        .collect())
}

/// Creates the tenant's `Default Space` (at tenant creation).
pub async fn create_default(conn: &mut AnyConnection, tenant: TenantId, now: i64) -> AppResult<()> {
    db::spaces::insert(conn, tenant, DEFAULT_SPACE, "", true, now).await?;
    Ok(())
}

fn validate(input: &SpaceInput) -> AppResult<(String, String)> {
    Ok((
        super::checked_name(&input.name)?,
        super::checked_description(&input.description)?,
    ))
}

/// Creates (`id` None) or renames a space; `Default Space` keeps its name.
pub async fn save(db: &Db, actor: &Actor, input: &SpaceInput) -> AppResult<Space> {
    actor.require_admin()?;
    let (name, description) = validate(input)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let (id, before) = match input.id {
            Some(id) => {
                let before = db::spaces::get(&mut *tx, tenant, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if before.is_default != 0 && name != before.name {
                    return Err(AppError::Locked {
                        reason: format!("{DEFAULT_SPACE} cannot be renamed."),
                    });
                }
                if !db::spaces::update_if_version(
                    &mut *tx,
                    tenant,
                    id,
                    input.version,
                    &name,
                    &description,
                )
                .await?
                {
                    return Err(AppError::Conflict);
                }
                (id, json(&dto(before)))
            }
            None => (
                db::spaces::insert(&mut *tx, tenant, &name, &description, false, unix_now())
                    .await?,
                String::new(),
            ),
        };
        let after = dto(db::spaces::get(&mut *tx, tenant, id)
            .await?
            .ok_or(AppError::Internal)?);
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: if input.id.is_some() {
                "space.update"
            } else {
                "space.create"
            },
            target: &format!("space {}", after.name),
            before,
            after: json(&after),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(after)
    }
    .await;
    guard.finish(result).await
}

/// Deletes a space and the assignments bound to it. Never `Default Space`; and, as with every
/// removal, only when the actor could grant each role assigned there (SPEC rule 4).
pub async fn delete(db: &Db, actor: &Actor, id: SpaceId, version: i64) -> AppResult<()> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::spaces::get(&mut *tx, tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if before.is_default != 0 {
            return Err(AppError::Locked {
                reason: format!("{DEFAULT_SPACE} always exists and cannot be deleted."),
            });
        }
        for role in db::spaces::roles_assigned_in(&mut *tx, tenant, id).await? {
            let role = RoleId(role);
            let grants = db::roles::grants(&mut *tx, tenant, role).await?;
            let applications = db::roles::applications(&mut *tx, tenant, role).await?;
            actor.may_hand_out(&grants, &applications)?;
        }
        if !db::spaces::delete_if_version(&mut *tx, tenant, id, version).await? {
            return Err(AppError::Conflict);
        }
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "space.delete",
            target: &format!("space {}", before.name),
            before: json(&dto(before)),
            after: String::new(),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests;
