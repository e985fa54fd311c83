//! Inventory roles: the cards of the `Inventory roles` tab with the overridden marker, and the
//! editor's read, save (version check, no escalation) and delete.

use crate::server::domain::guard::Guard;
use sqlx::AnyConnection;

use super::{access::Actor, checked_name};
use crate::{
    model::{
        inventory::{
            overridden, row_problem, same_row, InventoryPermission, InventoryRoleCard,
            InventoryRoleDetail, InventoryRoleInput, InventoryRow,
        },
        inventory_access::missing_globally,
        AppError, AppResult, InventoryRoleId, TenantId,
    },
    server::{
        db::{self, audit::AuditEvent, Db},
        domain::roles::json,
        unix_now,
    },
};

use super::MAX_TEXT;

pub async fn list(conn: &mut AnyConnection, actor: &Actor) -> AppResult<Vec<InventoryRoleCard>> {
    actor.require_view()?;
    let tenant = actor.tenant();
    let all = db::inventory_roles::all_permissions(conn, tenant).await?;
    Ok(db::inventory_roles::list(conn, tenant)
        .await?
        .into_iter()
        .map(|role| {
            let rows: Vec<_> = all
                .iter()
                .filter(|(r, _)| *r == role.id)
                .map(|(_, p)| p.clone())
                .collect();
            let marks = overridden(&rows);
            InventoryRoleCard {
                id: role.id,
                name: role.name,
                description: role.description,
                users: role.users,
                version: role.version,
                rows: rows
                    .into_iter()
                    .zip(marks)
                    .map(|(permission, overridden)| InventoryRow {
                        permission,
                        overridden,
                    })
                    .collect(),
            }
        })
        .collect())
}

pub async fn detail(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: InventoryRoleId,
) -> AppResult<InventoryRoleDetail> {
    let row = db::inventory_roles::get(conn, tenant, id).await?;
    Ok(InventoryRoleDetail {
        id,
        name: row.name,
        description: row.description,
        users: row.users,
        version: row.version,
        rows: db::inventory_roles::permissions(conn, tenant, id).await?,
    })
}

/// The input with its name and types trimmed, or why it is not acceptable.
fn validated(input: &InventoryRoleInput) -> AppResult<(String, String, Vec<InventoryPermission>)> {
    let name = checked_name(&input.name)?;
    let description = super::checked_description(&input.description)?;
    super::checked_count("rows", input.rows.len())?;
    let mut rows = Vec::with_capacity(input.rows.len());
    for (i, row) in input.rows.iter().enumerate() {
        let row = InventoryPermission::new(&row.category, row.fragment_type.trim(), row.level);
        let problem = row_problem(&row).or_else(|| {
            (row.fragment_type.chars().count() > MAX_TEXT)
                .then(|| format!("Type must be at most {MAX_TEXT} characters."))
        });
        if let Some(problem) = problem {
            return Err(AppError::validation(
                "rows",
                format!("Row {}: {problem}", i + 1),
            ));
        }
        rows.push(row);
    }
    Ok((name, description.to_owned(), rows))
}

/// SPEC rule 4: every row the save adds must be within what the actor holds globally; rows the
/// role already had may stay (an admin may still edit a role that carries more).
fn may_add(
    actor: &Actor,
    before: &[InventoryPermission],
    after: &[InventoryPermission],
) -> AppResult<()> {
    after
        .iter()
        .filter(|row| !before.iter().any(|b| same_row(b, row)))
        .find_map(|row| missing_globally(&actor.effective, row))
        .map_or(Ok(()), |missing| Err(AppError::forbidden(missing)))
}

/// Creates (`id` None) or updates an inventory role in one transaction, with an audit record.
/// A stale `version` is a conflict, never an overwrite; a refusal changes nothing.
pub async fn save(
    db: &Db,
    actor: &Actor,
    input: &InventoryRoleInput,
) -> AppResult<InventoryRoleDetail> {
    actor.require_admin()?;
    let (name, description, rows) = validated(input)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = match input.id {
            Some(id) => Some(detail(&mut *tx, tenant, id).await?),
            None => None,
        };
        let before_rows = before
            .as_ref()
            .map(|b| b.rows.as_slice())
            .unwrap_or_default();
        // Checked before the first write, so a refusal holds no write lock.
        may_add(actor, before_rows, &rows)?;
        let id = match input.id {
            Some(id) => {
                if !db::inventory_roles::update_if_version(
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
                id
            }
            None => {
                db::inventory_roles::insert(&mut *tx, tenant, &name, &description, unix_now())
                    .await?
            }
        };
        db::inventory_roles::replace_permissions(&mut *tx, tenant, id, &rows).await?;
        let after = detail(&mut *tx, tenant, id).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: if before.is_some() {
                "inventory_role.update"
            } else {
                "inventory_role.create"
            },
            target: &format!("inventory role {}", after.name),
            before: before.as_ref().map(json).unwrap_or_default(),
            after: json(&after),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(after)
    }
    .await;
    guard.finish(result).await
}

/// Deletes an inventory role; its assignments go with it. Like global roles, deleting a role
/// that carries what the actor could not grant is refused (SPEC rule 4).
pub async fn delete(db: &Db, actor: &Actor, id: InventoryRoleId, version: i64) -> AppResult<()> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = detail(&mut *tx, tenant, id).await?;
        may_add(actor, &[], &before.rows)?;
        if !db::inventory_roles::delete(&mut *tx, tenant, id, version).await? {
            return Err(AppError::Conflict);
        }
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "inventory_role.delete",
            target: &format!("inventory role {}", before.name),
            before: json(&before),
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
