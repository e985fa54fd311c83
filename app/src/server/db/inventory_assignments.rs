//! Inventory roles assigned to users on device groups.

use sqlx::AnyConnection;

use crate::model::{AppResult, DeviceGroupId, InventoryRoleId, TenantId, UserId};

/// (group, group name, role, role name) for every inventory role of `user`, by group and role.
pub async fn of_user(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<(i64, String, InventoryRoleId, String)>> {
    Ok(sqlx::query_as(
        "SELECT a.group_id, g.name, a.role_id, r.name FROM user_inventory_roles a \
         JOIN device_groups g ON g.id = a.group_id AND g.tenant_id = a.tenant_id \
         JOIN inventory_roles r ON r.id = a.role_id AND r.tenant_id = a.tenant_id \
         WHERE a.tenant_id = $1 AND a.user_id = $2 ORDER BY lower(g.name), g.id, lower(r.name)",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?)
}

pub async fn add(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    role: InventoryRoleId,
    group: DeviceGroupId,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(user)
    .bind(role)
    .bind(group)
    .execute(conn)
    .await
    .map_err(super::not_found_across_tenants)?;
    Ok(())
}

pub async fn remove(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    role: InventoryRoleId,
    group: DeviceGroupId,
) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM user_inventory_roles \
         WHERE tenant_id = $1 AND user_id = $2 AND role_id = $3 AND group_id = $4",
    )
    .bind(tenant)
    .bind(user)
    .bind(role)
    .bind(group)
    .execute(conn)
    .await?;
    Ok(())
}

/// A device's name and group, when it is in the tenant.
pub async fn device(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: i64,
) -> AppResult<Option<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT name, group_id FROM devices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The group and its ancestors as (id, name), the group first; empty when not in the tenant.
pub async fn lineage(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: i64,
) -> AppResult<Vec<(i64, String)>> {
    let mut chain: Vec<(i64, String)> = Vec::new();
    let mut next = group;
    while next != 0 && !chain.iter().any(|(id, _)| *id == next) {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT name, parent_id FROM device_groups WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(next)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((name, parent)) = row else { break };
        chain.push((next, name));
        next = parent;
    }
    Ok(chain)
}
