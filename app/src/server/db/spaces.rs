use sqlx::AnyConnection;

use crate::model::{AppResult, SpaceId, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpaceRow {
    pub id: SpaceId,
    pub name: String,
    pub description: String,
    pub is_default: i64,
    pub version: i64,
    pub assignments: i64,
}

const ROW: &str = "SELECT s.id, s.name, s.description, s.is_default, s.version, \
    (SELECT COUNT(*) FROM user_roles ur WHERE ur.tenant_id = s.tenant_id AND ur.space_id = s.id) \
    + (SELECT COUNT(*) FROM group_roles gr WHERE gr.tenant_id = s.tenant_id AND gr.space_id = s.id) \
    AS assignments FROM spaces s";

/// The default space first, then by name.
pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<SpaceRow>> {
    Ok(sqlx::query_as(&format!(
        "{ROW} WHERE s.tenant_id = $1 ORDER BY s.is_default DESC, lower(s.name)"
    ))
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}

/// The tenant's spaces as [`list`] orders them, without counting their assignments (which reads
/// every assignment of a large tenant): id, name, whether it is the default space.
pub async fn names(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<Vec<(SpaceId, String, bool)>> {
    let rows: Vec<(SpaceId, String, i64)> = sqlx::query_as(
        "SELECT s.id, s.name, s.is_default FROM spaces s WHERE s.tenant_id = $1 \
         ORDER BY s.is_default DESC, lower(s.name)",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, is_default)| (id, name, is_default != 0))
        .collect())
}

pub async fn get(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: SpaceId,
) -> AppResult<Option<SpaceRow>> {
    Ok(
        sqlx::query_as(&format!("{ROW} WHERE s.tenant_id = $1 AND s.id = $2"))
            .bind(tenant)
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

const NAME_TAKEN: &str = "A space with this name already exists.";

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    name: &str,
    description: &str,
    is_default: bool,
    now: i64,
) -> AppResult<SpaceId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO spaces (tenant_id, name, description, is_default, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .bind(description)
    .bind(i64::from(is_default))
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("name", NAME_TAKEN))?;
    Ok(SpaceId(id))
}

/// False when the space is no longer at `version` (someone else saved first).
pub async fn update_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: SpaceId,
    version: i64,
    name: &str,
    description: &str,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE spaces SET name = $4, description = $5, version = version + 1 \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .bind(name)
    .bind(description)
    .execute(conn)
    .await
    .map_err(super::on_unique("name", NAME_TAKEN))?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a space that is not the default, with the assignments bound to it.
pub async fn delete_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: SpaceId,
    version: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "DELETE FROM spaces WHERE tenant_id = $1 AND id = $2 AND version = $3 AND is_default = 0",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    for table in ["user_roles", "group_roles"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND space_id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// The roles assigned within a space (to anyone), for the no-escalation check before deleting it.
pub async fn roles_assigned_in(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: SpaceId,
) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT role_id FROM user_roles WHERE tenant_id = $1 AND space_id = $2 \
         UNION SELECT role_id FROM group_roles WHERE tenant_id = $1 AND space_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_all(conn)
    .await?)
}
