use sqlx::AnyConnection;

use crate::model::{
    inventory::InventoryPermission, AppError, AppResult, InventoryLevel, InventoryRoleId, TenantId,
};

const DUPLICATE: &str = "An inventory role with this name already exists.";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InventoryRoleRow {
    pub id: InventoryRoleId,
    pub name: String,
    pub description: String,
    pub version: i64,
    pub users: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    name: &str,
    description: &str,
    now: i64,
) -> AppResult<InventoryRoleId> {
    sqlx::query_scalar(
        "INSERT INTO inventory_roles (tenant_id, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("name", DUPLICATE))
}

/// Replaces a role's rows, keeping their order.
pub async fn replace_permissions(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: InventoryRoleId,
    rows: &[InventoryPermission],
) -> AppResult<()> {
    sqlx::query("DELETE FROM inventory_role_permissions WHERE tenant_id = $1 AND role_id = $2")
        .bind(tenant)
        .bind(role)
        .execute(&mut *conn)
        .await?;
    for (position, row) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO inventory_role_permissions (tenant_id, role_id, position, category, fragment_type, level) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant)
        .bind(role)
        .bind(position as i64)
        .bind(&row.category)
        .bind(&row.fragment_type)
        .bind(row.level)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Renames and re-describes a role if it is still at `version`; false when someone else saved
/// it first (or it is gone).
pub async fn update_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: InventoryRoleId,
    version: i64,
    name: &str,
    description: &str,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE inventory_roles SET name = $4, description = $5, version = version + 1 \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .bind(name)
    .bind(description)
    .execute(conn)
    .await
    .map_err(super::on_unique("name", DUPLICATE))?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a role still at `version` (its rows and assignments go by cascade); false otherwise.
pub async fn delete(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: InventoryRoleId,
    version: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "DELETE FROM inventory_roles WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

const ROW: &str = "SELECT r.id, r.name, r.description, r.version, \
     (SELECT COUNT(DISTINCT u.user_id) FROM user_inventory_roles u WHERE u.role_id = r.id) AS users \
     FROM inventory_roles r WHERE r.tenant_id = $1";

/// One role of the tenant, or `NotFound` (also for another tenant's role).
pub async fn get(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: InventoryRoleId,
) -> AppResult<InventoryRoleRow> {
    sqlx::query_as(&format!("{ROW} AND r.id = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// One role's rows, in order.
pub async fn permissions(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: InventoryRoleId,
) -> AppResult<Vec<InventoryPermission>> {
    let rows: Vec<(String, String, InventoryLevel)> = sqlx::query_as(
        "SELECT category, fragment_type, level FROM inventory_role_permissions \
         WHERE tenant_id = $1 AND role_id = $2 ORDER BY position",
    )
    .bind(tenant)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(c, t, l)| InventoryPermission::new(&c, &t, l))
        .collect())
}

pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<InventoryRoleRow>> {
    Ok(sqlx::query_as(&format!("{ROW} ORDER BY lower(r.name)"))
        .bind(tenant)
        .fetch_all(conn)
        .await?)
}

/// Every row of every role of the tenant, as (role id, permission), in order.
pub async fn all_permissions(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<Vec<(InventoryRoleId, InventoryPermission)>> {
    let rows: Vec<(InventoryRoleId, String, String, InventoryLevel)> = sqlx::query_as(
        "SELECT role_id, category, fragment_type, level FROM inventory_role_permissions \
         WHERE tenant_id = $1 ORDER BY role_id, position",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, l)))
        .collect())
}

pub async fn count(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM inventory_roles WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(conn)
            .await?,
    )
}
