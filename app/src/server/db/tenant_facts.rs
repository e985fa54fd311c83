//! Everything that decides who may do what in one tenant, read inside a guarded write's
//! transaction (before and after the write), and the per-tenant lock that serializes those writes.

use sqlx::AnyConnection;

use crate::model::{
    inventory::InventoryPermission, AppResult, Audience, InventoryLevel, Origin, RoleMode,
    RoleScope, TenantId, UserStatus,
};

#[derive(Debug, Clone, serde::Deserialize)]
pub struct UserFact {
    pub id: i64,
    pub username: String,
    pub status: UserStatus,
    pub origin: Origin,
    pub is_partner_admin: i64,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct RoleFact {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub scope: RoleScope,
    pub built_in: i64,
}

/// The rows of one tenant, as stored.
#[derive(Debug, Clone, Default)]
pub struct TenantFacts {
    pub sso_manual_changes: bool,
    pub sso_role_mode: RoleMode,
    /// Global roles named by some access-mapping rule.
    pub mapped_roles: Vec<i64>,
    /// (inventory role, device group) named by some access-mapping rule.
    pub mapped_inventory: Vec<(i64, i64)>,
    pub users: Vec<UserFact>,
    pub roles: Vec<RoleFact>,
    /// (role, permission type, level) as ticked.
    pub role_grants: Vec<(i64, String, String)>,
    pub role_applications: Vec<(i64, String)>,
    /// (user, application) given directly.
    pub user_applications: Vec<(i64, String)>,
    /// Applications named by some access-mapping rule.
    pub mapped_applications: Vec<String>,
    /// (role, required role).
    pub role_requires: Vec<(i64, i64)>,
    pub spaces: Vec<(i64, String)>,
    /// (user, role, space); space 0 is tenant-wide.
    pub user_roles: Vec<(i64, i64, i64)>,
    pub user_groups: Vec<(i64, String)>,
    /// (user group, role, space).
    pub group_roles: Vec<(i64, i64, i64)>,
    /// (user group, user).
    pub members: Vec<(i64, i64)>,
    /// (device group, parent, name); parent 0 is the top.
    pub device_groups: Vec<(i64, i64, String)>,
    pub inventory_roles: Vec<(i64, String)>,
    /// (inventory role, row), in row order.
    pub inventory_rows: Vec<(i64, InventoryPermission)>,
    /// (user, inventory role, device group).
    pub user_inventory: Vec<(i64, i64, i64)>,
}

/// Takes the tenant's write lock for the rest of the transaction: the row lock on PostgreSQL,
/// the database write lock on SQLite (an UPDATE as the transaction's first statement waits for
/// it like `BEGIN IMMEDIATE`). Permission-changing writes of one tenant therefore never
/// interleave, and what the guard reads before the write is still true when it commits.
pub async fn lock(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<bool> {
    let done = sqlx::query("UPDATE tenants SET perm_epoch = perm_epoch WHERE id = $1")
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `SELECT {columns} FROM {from} ORDER BY {order}` as rows of `T`, read as one JSON row
/// ([`super::json_rows`]): a tenant of dataset L has 500,000 assignments, and every guarded write
/// reads them twice.
async fn rows<T>(
    conn: &mut AnyConnection,
    columns: &str,
    from: &str,
    order: &str,
    tenant: TenantId,
) -> AppResult<Vec<T>>
where
    T: serde::de::DeserializeOwned,
{
    super::json_rows(conn, columns, from, order, tenant).await
}

pub async fn load(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<TenantFacts> {
    let (sso_manual, sso_role_mode): (i64, RoleMode) =
        sqlx::query_as("SELECT sso_manual_changes, sso_role_mode FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or((0, RoleMode::Reassign));
    let mapped_roles: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT m.role_id FROM access_mapping_roles m \
         JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let inventory_rows: Vec<(i64, String, String, InventoryLevel)> = rows(
        conn,
        "role_id, category, fragment_type, level",
        "inventory_role_permissions WHERE tenant_id = $1",
        "role_id, position",
        tenant,
    )
    .await?;
    Ok(TenantFacts {
        sso_manual_changes: sso_manual != 0,
        sso_role_mode,
        mapped_roles,
        mapped_inventory: sqlx::query_as(
            "SELECT DISTINCT m.role_id, m.group_id FROM access_mapping_inventory m \
             JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1",
        )
        .bind(tenant)
        .fetch_all(&mut *conn)
        .await?,
        users: rows(
            conn,
            "id, username, status, origin, is_partner_admin",
            "users WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        roles: rows(
            conn,
            "id, name, description, audience, scope, built_in",
            "roles WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        role_grants: rows(
            conn,
            "role_id, perm_type, level",
            "role_grants WHERE tenant_id = $1",
            "role_id",
            tenant,
        )
        .await?,
        user_applications: rows(
            conn,
            "user_id, application",
            "user_applications WHERE tenant_id = $1",
            "user_id",
            tenant,
        )
        .await?,
        mapped_applications: sqlx::query_scalar(
            "SELECT DISTINCT m.application FROM access_mapping_applications m \
             JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1",
        )
        .bind(tenant)
        .fetch_all(&mut *conn)
        .await?,
        role_applications: rows(
            conn,
            "role_id, application",
            "role_applications WHERE tenant_id = $1",
            "role_id",
            tenant,
        )
        .await?,
        role_requires: rows(
            conn,
            "role_id, required_id",
            "role_requires WHERE tenant_id = $1",
            "role_id",
            tenant,
        )
        .await?,
        spaces: rows(
            conn,
            "id, name",
            "spaces WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        user_roles: rows(
            conn,
            "user_id, role_id, space_id",
            "user_roles WHERE tenant_id = $1",
            "user_id",
            tenant,
        )
        .await?,
        user_groups: rows(
            conn,
            "id, name",
            "user_groups WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        group_roles: rows(
            conn,
            "group_id, role_id, space_id",
            "group_roles WHERE tenant_id = $1",
            "group_id",
            tenant,
        )
        .await?,
        members: rows(
            conn,
            "group_id, user_id",
            "group_members WHERE tenant_id = $1",
            "group_id",
            tenant,
        )
        .await?,
        device_groups: rows(
            conn,
            "id, parent_id, name",
            "device_groups WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        inventory_roles: rows(
            conn,
            "id, name",
            "inventory_roles WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        inventory_rows: inventory_rows
            .into_iter()
            .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, l)))
            .collect(),
        user_inventory: rows(
            conn,
            "user_id, role_id, group_id",
            "user_inventory_roles WHERE tenant_id = $1",
            "user_id",
            tenant,
        )
        .await?,
    })
}
