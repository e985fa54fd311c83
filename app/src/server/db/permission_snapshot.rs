//! What the permission index is built from: every assignment, grant and tree edge of a tenant,
//! and the tenant's epochs (bumped by triggers on every such write, migrations 0006 and 0009).

use sqlx::AnyConnection;

use crate::{
    model::{inventory::InventoryPermission, AppResult, InventoryLevel, TenantId, UserStatus},
    server::index::{Epoch, Snapshot, TreeRows},
};

pub async fn epoch(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Epoch> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT perm_epoch, tree_epoch FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(conn)
            .await?;
    let (perm, tree) = row.unwrap_or_default();
    Ok(Epoch { perm, tree })
}

/// Rows read as one JSON row ([`super::json_rows`]): dataset L has 500,000 assignments.
async fn rows<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    columns: &str,
    from: &str,
    tenant: TenantId,
) -> AppResult<Vec<T>> {
    let order = columns.split(',').next().unwrap_or(columns);
    super::json_rows(conn, columns, from, order, tenant).await
}

/// Every row the index needs. A write landing between these reads leaves the copy labelled with
/// the epoch read before them, so the next check sees a newer epoch and rebuilds.
pub async fn load(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Snapshot> {
    let active = format!(
        "users WHERE tenant_id = $1 AND status = '{}'",
        UserStatus::Active
    );
    Ok(Snapshot {
        // A disabled user holds nothing (their roles stay, for when they are enabled again).
        users: rows::<(i64,)>(conn, "id", &active, tenant)
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect(),
        role_grants: rows(
            conn,
            "role_id, perm_type, level",
            "role_grants WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        user_roles: rows(
            conn,
            "user_id, role_id, space_id",
            "user_roles WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        group_roles: rows(
            conn,
            "group_id, role_id, space_id",
            "group_roles WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        members: rows(
            conn,
            "group_id, user_id",
            "group_members WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        tree: load_tree(conn, tenant).await?,
    })
}

/// The rows of the index's tree part only: what a write to the tree or to inventory roles needs.
pub async fn load_tree(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<TreeRows> {
    let inventory_rows: Vec<(i64, String, String, InventoryLevel)> = sqlx::query_as(
        "SELECT role_id, category, fragment_type, level FROM inventory_role_permissions \
         WHERE tenant_id = $1 ORDER BY role_id, position",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    Ok(TreeRows {
        device_groups: rows(
            conn,
            "id, parent_id",
            "device_groups WHERE tenant_id = $1",
            tenant,
        )
        .await?,
        inventory_rows: inventory_rows
            .into_iter()
            .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, l)))
            .collect(),
        // A disabled user holds nothing; a user's status change moves perm_epoch, which
        // rebuilds this part too.
        user_inventory: rows(
            conn,
            "a.user_id, a.role_id, a.group_id",
            &format!(
                "user_inventory_roles a JOIN users u ON u.id = a.user_id \
                 WHERE a.tenant_id = $1 AND u.status = '{}'",
                UserStatus::Active
            ),
            tenant,
        )
        .await?,
    })
}
