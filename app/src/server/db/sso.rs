//! A tenant's single sign-on: its provider settings, its access-mapping rules, SSO users'
//! identities at the provider, and sign-ins on their way through the provider (migration 0010).

use sqlx::AnyConnection;

use crate::model::{
    sso::{Condition, MappedInventory, MappedRole, MappingRule},
    AppResult, DeviceGroupId, InventoryRoleId, Operator, RoleId, RoleMode, SpaceId, TenantId,
    UserId,
};

/// The tenant's provider settings, secret included: never sent to the browser.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SsoConfig {
    pub sso_issuer: String,
    pub sso_client_id: String,
    pub sso_client_secret: String,
    pub sso_username_claim: String,
    pub sso_role_mode: RoleMode,
}

impl SsoConfig {
    /// Whether the tenant's users can sign in with SSO.
    pub fn enabled(&self) -> bool {
        !self.sso_issuer.is_empty() && !self.sso_client_id.is_empty()
    }
}

pub async fn config(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Option<SsoConfig>> {
    Ok(sqlx::query_as(
        "SELECT sso_issuer, sso_client_id, sso_client_secret, sso_username_claim, sso_role_mode \
         FROM tenants WHERE id = $1",
    )
    .bind(tenant)
    .fetch_optional(conn)
    .await?)
}

pub async fn set_config(
    conn: &mut AnyConnection,
    tenant: TenantId,
    config: &SsoConfig,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE tenants SET sso_issuer = $2, sso_client_id = $3, sso_client_secret = $4, \
         sso_username_claim = $5, sso_role_mode = $6 WHERE id = $1",
    )
    .bind(tenant)
    .bind(&config.sso_issuer)
    .bind(&config.sso_client_id)
    .bind(&config.sso_client_secret)
    .bind(&config.sso_username_claim)
    .bind(config.sso_role_mode)
    .execute(conn)
    .await?;
    Ok(())
}

/// The tenant's rules, in their order.
pub async fn rules(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<MappingRule>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM access_mapping_rules WHERE tenant_id = $1 ORDER BY position, id",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let conditions: Vec<(i64, String, Operator, String)> = sqlx::query_as(
        "SELECT c.rule_id, c.claim, c.operator, c.value FROM access_mapping_conditions c \
         JOIN access_mapping_rules r ON r.id = c.rule_id WHERE r.tenant_id = $1 \
         ORDER BY c.rule_id, c.position",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let roles: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT m.rule_id, m.role_id, m.space_id FROM access_mapping_roles m \
         JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1 \
         ORDER BY m.rule_id, m.role_id, m.space_id",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let inventory: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT m.rule_id, m.role_id, m.group_id FROM access_mapping_inventory m \
         JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1 \
         ORDER BY m.rule_id, m.role_id, m.group_id",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let applications: Vec<(i64, String)> = sqlx::query_as(
        "SELECT m.rule_id, m.application FROM access_mapping_applications m \
         JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1 \
         ORDER BY m.rule_id, m.application",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let slot = |id: i64| ids.iter().position(|r| *r == id);
    let mut rules = vec![MappingRule::default(); ids.len()];
    for (rule, claim, operator, value) in conditions {
        if let Some(i) = slot(rule) {
            rules[i].conditions.push(Condition {
                claim,
                operator,
                value,
            });
        }
    }
    for (rule, role, space) in roles {
        if let Some(i) = slot(rule) {
            rules[i].roles.push(MappedRole {
                role: RoleId(role),
                space: (space != 0).then_some(SpaceId(space)),
            });
        }
    }
    for (rule, role, group) in inventory {
        if let Some(i) = slot(rule) {
            rules[i].inventory.push(MappedInventory {
                role: InventoryRoleId(role),
                group: DeviceGroupId(group),
            });
        }
    }
    for (rule, application) in applications {
        if let Some(i) = slot(rule) {
            rules[i].applications.push(application);
        }
    }
    Ok(rules)
}

/// Replaces the tenant's rules with `rules`, in that order.
pub async fn replace_rules(
    conn: &mut AnyConnection,
    tenant: TenantId,
    rules: &[MappingRule],
) -> AppResult<()> {
    sqlx::query("DELETE FROM access_mapping_rules WHERE tenant_id = $1")
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    for (position, rule) in rules.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO access_mapping_rules (tenant_id, position) VALUES ($1, $2) RETURNING id",
        )
        .bind(tenant)
        .bind(position as i64)
        .fetch_one(&mut *conn)
        .await?;
        for (i, c) in rule.conditions.iter().enumerate() {
            sqlx::query(
                "INSERT INTO access_mapping_conditions (rule_id, position, claim, operator, value) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(c.claim.trim())
            .bind(c.operator)
            .bind(&c.value)
            .execute(&mut *conn)
            .await?;
        }
        for m in &rule.roles {
            sqlx::query(
                "INSERT INTO access_mapping_roles (rule_id, role_id, space_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(m.role)
            .bind(m.space.map_or(0, |s| s.0))
            .execute(&mut *conn)
            .await?;
        }
        for application in &rule.applications {
            sqlx::query(
                "INSERT INTO access_mapping_applications (rule_id, application) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(application)
            .execute(&mut *conn)
            .await?;
        }
        for m in &rule.inventory {
            sqlx::query(
                "INSERT INTO access_mapping_inventory (rule_id, role_id, group_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(m.role)
            .bind(m.group)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// How long a sign-in may stay at the provider.
pub const LOGIN_TTL_SECS: i64 = 600;
/// The most sign-ins a tenant may have at its provider at once: starting one costs a row, so a
/// flood of starts is refused rather than filling the table.
pub const MAX_PENDING_LOGINS: i64 = 10_000;

pub async fn insert_login(
    conn: &mut AnyConnection,
    state_hash: &str,
    tenant: TenantId,
    nonce: &str,
    pkce_verifier: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("DELETE FROM sso_logins WHERE created_at < $1")
        .bind(now - LOGIN_TTL_SECS)
        .execute(&mut *conn)
        .await?;
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_logins WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_one(&mut *conn)
        .await?;
    if pending >= MAX_PENDING_LOGINS {
        return Err(crate::model::AppError::Busy);
    }
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, tenant_id, nonce, pkce_verifier, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(tenant)
    .bind(nonce)
    .bind(pkce_verifier)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A pending sign-in: its tenant, nonce and PKCE verifier.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingLogin {
    pub tenant_id: TenantId,
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: i64,
}

/// Takes the sign-in with this state out (a state is used once), if it has not expired.
pub async fn take_login(
    conn: &mut AnyConnection,
    state_hash: &str,
    now: i64,
) -> AppResult<Option<PendingLogin>> {
    let pending: Option<PendingLogin> = sqlx::query_as(
        "DELETE FROM sso_logins WHERE state_hash = $1 \
         RETURNING tenant_id, nonce, pkce_verifier, created_at",
    )
    .bind(state_hash)
    .fetch_optional(conn)
    .await?;
    Ok(pending.filter(|p| p.created_at >= now - LOGIN_TTL_SECS))
}

/// The user linked to this identity at the provider.
pub async fn user_by_subject(
    conn: &mut AnyConnection,
    tenant: TenantId,
    issuer: &str,
    subject: &str,
) -> AppResult<Option<UserId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE tenant_id = $1 AND sso_issuer = $2 AND sso_subject = $3",
    )
    .bind(tenant)
    .bind(issuer)
    .bind(subject)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(UserId))
}

/// The user of this username and whether it may be linked: its origin and whether it has a
/// subject already.
pub async fn user_by_username(
    conn: &mut AnyConnection,
    tenant: TenantId,
    username: &str,
) -> AppResult<Option<(UserId, crate::model::Origin, bool)>> {
    let row: Option<(i64, crate::model::Origin, Option<String>)> = sqlx::query_as(
        "SELECT id, origin, sso_subject FROM users WHERE tenant_id = $1 AND lower(username) = lower($2)",
    )
    .bind(tenant)
    .bind(username)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, origin, subject)| (UserId(id), origin, subject.is_some())))
}

/// Links an SSO user to its identity and refreshes what the provider says about them.
pub async fn link(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    issuer: &str,
    subject: &str,
    display_name: &str,
    email: &str,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE users SET sso_issuer = $3, sso_subject = $4, \
         display_name = CASE WHEN $5 = '' THEN display_name ELSE $5 END, \
         email = CASE WHEN $6 = '' THEN email ELSE $6 END \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(user)
    .bind(issuer)
    .bind(subject)
    .bind(display_name)
    .bind(email)
    .execute(conn)
    .await?;
    Ok(())
}

/// The first role, space, inventory role or device group a rule names that is not this tenant's.
pub async fn foreign_reference(
    conn: &mut AnyConnection,
    tenant: TenantId,
    rules: &[MappingRule],
) -> AppResult<Option<String>> {
    async fn owned(
        conn: &mut AnyConnection,
        table: &str,
        id: i64,
        tenant: TenantId,
    ) -> AppResult<bool> {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE id = $1 AND tenant_id = $2"
        ))
        .bind(id)
        .bind(tenant)
        .fetch_one(conn)
        .await?;
        Ok(n == 1)
    }
    for (i, rule) in rules.iter().enumerate() {
        let number = i + 1;
        for m in &rule.roles {
            if !owned(conn, "roles", m.role.0, tenant).await? {
                return Ok(Some(format!(
                    "Rule {number} names a role that does not exist."
                )));
            }
            if let Some(space) = m.space {
                if !owned(conn, "spaces", space.0, tenant).await? {
                    return Ok(Some(format!(
                        "Rule {number} names a space that does not exist."
                    )));
                }
            }
        }
        for m in &rule.inventory {
            if !owned(conn, "inventory_roles", m.role.0, tenant).await? {
                return Ok(Some(format!(
                    "Rule {number} names an inventory role that does not exist."
                )));
            }
            if !owned(conn, "device_groups", m.group.0, tenant).await? {
                return Ok(Some(format!(
                    "Rule {number} names a device group that does not exist."
                )));
            }
        }
    }
    Ok(None)
}

/// The device groups a rule can name, by name (at most 2,000; a larger tree needs the search
/// that issue 13's scale work brings).
pub async fn group_choices(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM device_groups WHERE tenant_id = $1 ORDER BY lower(name), id LIMIT 2000",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}

/// Whether the tenant of this id lets its users sign in with SSO.
pub async fn enabled_for_slug(conn: &mut AnyConnection, slug: &str) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tenants WHERE lower(slug) = lower($1) \
         AND sso_issuer <> '' AND sso_client_id <> ''",
    )
    .bind(slug)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
