use sqlx::AnyConnection;

use crate::model::{AppResult, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub template: String,
}

pub async fn insert(
    conn: &mut AnyConnection,
    slug: &str,
    name: &str,
    template: &str,
    now: i64,
) -> AppResult<TenantId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tenants (slug, name, template, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(slug)
    .bind(name)
    .bind(template)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("slug", "A tenant with this id already exists."))?;
    Ok(TenantId(id))
}

pub async fn find_by_slug(conn: &mut AnyConnection, slug: &str) -> AppResult<Option<TenantRow>> {
    Ok(
        sqlx::query_as(
            "SELECT id, slug, name, template FROM tenants WHERE lower(slug) = lower($1)",
        )
        .bind(slug)
        .fetch_optional(conn)
        .await?,
    )
}

/// Whether administrators may change the roles of SSO users by hand (SPEC rule 6).
pub async fn sso_manual_changes(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<bool> {
    let allowed: i64 = sqlx::query_scalar("SELECT sso_manual_changes FROM tenants WHERE id = $1")
        .bind(tenant)
        .fetch_one(conn)
        .await?;
    Ok(allowed != 0)
}

pub async fn set_sso_manual_changes(
    conn: &mut AnyConnection,
    tenant: TenantId,
    allowed: bool,
) -> AppResult<()> {
    sqlx::query("UPDATE tenants SET sso_manual_changes = $2 WHERE id = $1")
        .bind(tenant)
        .bind(i64::from(allowed))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every tenant (for start-up maintenance).
pub async fn all(conn: &mut AnyConnection) -> AppResult<Vec<TenantRow>> {
    Ok(
        sqlx::query_as("SELECT id, slug, name, template FROM tenants ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}

/// The template a tenant was made from.
pub async fn template_of(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT template FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(conn)
            .await?,
    )
}

/// Which roles of SSO users the access mapping manages (SPEC rule 6).
pub async fn sso_role_mode(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<crate::model::RoleMode> {
    Ok(
        sqlx::query_scalar("SELECT sso_role_mode FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(conn)
            .await?
            .unwrap_or_default(),
    )
}

/// The tenant's password policy (issue 14).
pub async fn password_policy(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<crate::model::passwords::PasswordPolicy> {
    let (min_length, disallow_username, check_common): (i64, i64, i64) = sqlx::query_as(
        "SELECT password_min_length, password_disallow_username, password_check_common \
         FROM tenants WHERE id = $1",
    )
    .bind(tenant)
    .fetch_one(conn)
    .await?;
    Ok(crate::model::passwords::PasswordPolicy {
        min_length,
        disallow_username: disallow_username != 0,
        check_common: check_common != 0,
    })
}

pub async fn set_password_policy(
    conn: &mut AnyConnection,
    tenant: TenantId,
    policy: &crate::model::passwords::PasswordPolicy,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE tenants SET password_min_length = $2, password_disallow_username = $3, \
         password_check_common = $4 WHERE id = $1",
    )
    .bind(tenant)
    .bind(policy.min_length)
    .bind(i64::from(policy.disallow_username))
    .bind(i64::from(policy.check_common))
    .execute(conn)
    .await?;
    Ok(())
}
