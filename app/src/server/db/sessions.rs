use sqlx::AnyConnection;

use crate::model::{AppResult, TenantId, UserId, UserStatus};

/// A session joined with the user and tenant it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub username: String,
    pub display_name: String,
    pub status: UserStatus,
    pub tenant_slug: String,
    pub tenant_name: String,
    pub tenant_template: String,
    /// A one-time password is in force: nothing but changing it is allowed.
    pub must_change_password: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    id_hash: &str,
    tenant: TenantId,
    user: UserId,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, tenant_id, user_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id_hash)
    .bind(tenant)
    .bind(user)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, id_hash: &str) -> AppResult<Option<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT s.user_id, s.tenant_id, s.created_at, s.last_seen_at, u.username, \
         u.display_name, u.status, t.slug AS tenant_slug, t.name AS tenant_name, t.template AS tenant_template, \
         u.must_change_password \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id \
         JOIN tenants t ON t.id = s.tenant_id \
         WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch(conn: &mut AnyConnection, id_hash: &str, now: i64) -> AppResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &mut AnyConnection, id_hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes sessions idle since before `idle_before` or created before `created_before`.
pub async fn delete_expired(
    conn: &mut AnyConnection,
    idle_before: i64,
    created_before: i64,
) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before)
        .bind(created_before)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (when they are disabled or deleted).
pub async fn delete_for_user(
    conn: &mut AnyConnection,
    tenant: crate::model::TenantId,
    user: crate::model::UserId,
) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user but one (theirs, after they changed their password).
pub async fn delete_for_user_except(
    conn: &mut AnyConnection,
    tenant: crate::model::TenantId,
    user: crate::model::UserId,
    keep: &str,
) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id_hash <> $3")
        .bind(tenant)
        .bind(user)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(())
}
