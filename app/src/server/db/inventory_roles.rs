use sqlx::AnyConnection;

use crate::model::{inventory::InventoryPermission, AppResult, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InventoryRoleRow {
    pub id: i64,
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
) -> AppResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO inventory_roles (tenant_id, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant.0)
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("name", "An inventory role with this name already exists."))
}

/// Replaces a role's rows, keeping their order.
pub async fn replace_permissions(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: i64,
    rows: &[InventoryPermission],
) -> AppResult<()> {
    sqlx::query("DELETE FROM inventory_role_permissions WHERE tenant_id = $1 AND role_id = $2")
        .bind(tenant.0)
        .bind(role)
        .execute(&mut *conn)
        .await?;
    for (position, row) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO inventory_role_permissions (tenant_id, role_id, position, category, fragment_type, level) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant.0)
        .bind(role)
        .bind(position as i64)
        .bind(&row.category)
        .bind(&row.fragment_type)
        .bind(&row.level)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<InventoryRoleRow>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.name, r.description, r.version, \
         (SELECT COUNT(DISTINCT u.user_id) FROM user_inventory_roles u WHERE u.role_id = r.id) AS users \
         FROM inventory_roles r WHERE r.tenant_id = $1 ORDER BY lower(r.name)",
    )
    .bind(tenant.0)
    .fetch_all(conn)
    .await?)
}

/// Every row of every role of the tenant, as (role id, permission), in order.
pub async fn all_permissions(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<Vec<(i64, InventoryPermission)>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT role_id, category, fragment_type, level FROM inventory_role_permissions \
         WHERE tenant_id = $1 ORDER BY role_id, position",
    )
    .bind(tenant.0)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, &l)))
        .collect())
}

pub async fn count(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM inventory_roles WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_one(conn)
            .await?,
    )
}
