//! What the permission index is built from: every assignment, grant and tree edge of a tenant,
//! and the tenant's permission epoch (bumped by triggers on every such write, migration 0006).

use sqlx::AnyConnection;

use crate::{
    model::{inventory::InventoryPermission, AppResult, InventoryLevel, TenantId, UserStatus},
    server::index::Snapshot,
};

pub async fn epoch(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT perm_epoch FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(conn)
            .await?
            .unwrap_or_default(),
    )
}

async fn pairs(
    conn: &mut AnyConnection,
    sql: &str,
    tenant: TenantId,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(sql).bind(tenant).fetch_all(conn).await?)
}

async fn triples(
    conn: &mut AnyConnection,
    sql: &str,
    tenant: TenantId,
) -> AppResult<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query_as(sql).bind(tenant).fetch_all(conn).await?)
}

/// Every row the index needs. A write landing between these reads leaves the copy labelled with
/// the epoch read before them, so the next check sees a newer epoch and rebuilds.
pub async fn load(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Snapshot> {
    let role_grants: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT role_id, perm_type, level FROM role_grants WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_all(&mut *conn)
            .await?;
    let inventory_rows: Vec<(i64, String, String, InventoryLevel)> = sqlx::query_as(
        "SELECT role_id, category, fragment_type, level FROM inventory_role_permissions \
         WHERE tenant_id = $1 ORDER BY role_id, position",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Snapshot {
        // A disabled user holds nothing (their roles stay, for when they are enabled again).
        users: sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND status = $2")
            .bind(tenant)
            .bind(UserStatus::Active)
            .fetch_all(&mut *conn)
            .await?,
        role_grants,
        user_roles: triples(
            conn,
            "SELECT user_id, role_id, space_id FROM user_roles WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        group_roles: triples(
            conn,
            "SELECT group_id, role_id, space_id FROM group_roles WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        members: pairs(
            conn,
            "SELECT group_id, user_id FROM group_members WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        device_groups: pairs(
            conn,
            "SELECT id, parent_id FROM device_groups WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        devices: pairs(
            conn,
            "SELECT id, group_id FROM devices WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        inventory_rows: inventory_rows
            .into_iter()
            .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, l)))
            .collect(),
        user_inventory: triples(
            conn,
            "SELECT user_id, role_id, group_id FROM user_inventory_roles WHERE tenant_id = $1",
            tenant,
        )
        .await?,
    })
}
