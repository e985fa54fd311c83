//! Partners, their administrators and sessions, and the tenants they serve.

use sqlx::AnyConnection;

use crate::model::{AppResult, TenantId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminCredentials {
    pub id: i64,
    pub partner_id: i64,
    pub password_hash: String,
    pub active: i64,
}

pub async fn credentials(
    conn: &mut AnyConnection,
    username: &str,
) -> AppResult<Option<AdminCredentials>> {
    Ok(sqlx::query_as(
        "SELECT id, partner_id, password_hash, active FROM partner_admins \
         WHERE lower(username) = lower($1)",
    )
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

/// A portal session with its administrator and partner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartnerSessionRow {
    pub admin_id: i64,
    pub partner_id: i64,
    pub username: String,
    pub partner_name: String,
    pub active: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    id_hash: &str,
    admin: i64,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO partner_sessions (id_hash, admin_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $3)",
    )
    .bind(id_hash)
    .bind(admin)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_session(
    conn: &mut AnyConnection,
    id_hash: &str,
) -> AppResult<Option<PartnerSessionRow>> {
    Ok(sqlx::query_as(
        "SELECT s.admin_id, a.partner_id, a.username, p.name AS partner_name, a.active, \
         s.created_at, s.last_seen_at FROM partner_sessions s \
         JOIN partner_admins a ON a.id = s.admin_id JOIN partners p ON p.id = a.partner_id \
         WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch_session(conn: &mut AnyConnection, id_hash: &str, now: i64) -> AppResult<()> {
    sqlx::query("UPDATE partner_sessions SET last_seen_at = $2 WHERE id_hash = $1")
        .bind(id_hash)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, id_hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM partner_sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired_sessions(
    conn: &mut AnyConnection,
    idle_before: i64,
    created_before: i64,
) -> AppResult<()> {
    sqlx::query("DELETE FROM partner_sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before)
        .bind(created_before)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServedRow {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub template: String,
    pub users: i64,
}

const SERVED: &str = "SELECT t.id, t.slug, t.name, t.template, \
    (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id) AS users \
    FROM partner_tenants pt JOIN tenants t ON t.id = pt.tenant_id";

/// One page of the tenants `partner` serves whose id or name contains `pattern`, and the total.
pub async fn served(
    conn: &mut AnyConnection,
    partner: i64,
    pattern: &str,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<ServedRow>, i64)> {
    let filter = "WHERE pt.partner_id = $1 AND (lower(t.slug) LIKE $2 ESCAPE '\\' \
                  OR lower(t.name) LIKE $2 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM partner_tenants pt JOIN tenants t ON t.id = pt.tenant_id {filter}"
    ))
    .bind(partner)
    .bind(pattern)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as(&format!(
        "{SERVED} {filter} ORDER BY t.slug LIMIT $3 OFFSET $4"
    ))
    .bind(partner)
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// The tenant `slug` if `partner` serves it (else None, whether it exists or not).
pub async fn served_tenant(
    conn: &mut AnyConnection,
    partner: i64,
    slug: &str,
) -> AppResult<Option<ServedRow>> {
    Ok(sqlx::query_as(&format!(
        "{SERVED} WHERE pt.partner_id = $1 AND lower(t.slug) = lower($2)"
    ))
    .bind(partner)
    .bind(slug)
    .fetch_optional(conn)
    .await?)
}

pub async fn serve(conn: &mut AnyConnection, partner: i64, tenant: TenantId) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO partner_tenants (partner_id, tenant_id) VALUES ($1, $2) \
         ON CONFLICT (partner_id, tenant_id) DO NOTHING",
    )
    .bind(partner)
    .bind(tenant)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

pub async fn admins_of(conn: &mut AnyConnection, partner: i64) -> AppResult<Vec<AdminRow>> {
    Ok(sqlx::query_as(
        "SELECT id, username, display_name FROM partner_admins WHERE partner_id = $1 ORDER BY username",
    )
    .bind(partner)
    .fetch_all(conn)
    .await?)
}

/// The users of `tenant` that stand for `partner`'s administrators: (user, username, version).
pub async fn linked_users(
    conn: &mut AnyConnection,
    tenant: TenantId,
    partner: i64,
) -> AppResult<Vec<(UserId, String, i64)>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.username, u.roles_version FROM users u \
         JOIN partner_admins a ON a.id = u.partner_admin_id \
         WHERE u.tenant_id = $1 AND a.partner_id = $2 AND u.is_partner_admin = 1 \
         ORDER BY lower(u.username)",
    )
    .bind(tenant)
    .bind(partner)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, v)| (UserId(id), name, v))
        .collect())
}

/// The user of `tenant` that stands for the administrator `admin`, if any.
pub async fn linked_user(
    conn: &mut AnyConnection,
    tenant: TenantId,
    admin: i64,
) -> AppResult<Option<UserId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE tenant_id = $1 AND partner_admin_id = $2 AND is_partner_admin = 1",
    )
    .bind(tenant)
    .bind(admin)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(UserId))
}

pub async fn link(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    admin: i64,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE users SET partner_admin_id = $3, is_partner_admin = 1 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(user)
    .bind(admin)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn partner_by_name(conn: &mut AnyConnection, name: &str) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM partners WHERE name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn insert_partner(conn: &mut AnyConnection, name: &str, now: i64) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("INSERT INTO partners (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(now)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn insert_admin(
    conn: &mut AnyConnection,
    partner: i64,
    username: &str,
    display_name: &str,
    password_hash: &str,
    now: i64,
) -> AppResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO partner_admins (partner_id, username, display_name, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(partner)
    .bind(username)
    .bind(display_name)
    .bind(password_hash)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique(
        "username",
        "A partner administrator with this username exists.",
    ))
}
