use sqlx::AnyConnection;

use crate::model::{AppResult, TenantId, UserId};

/// One audit record; written in the transaction of the change it describes.
pub struct AuditEvent<'a> {
    pub tenant: TenantId,
    pub actor: Option<UserId>,
    pub action: &'a str,
    pub target: &'a str,
    pub before: String,
    pub after: String,
    /// Where the request came from (the client's address, SPEC: "from where").
    pub address: &'a str,
}

pub async fn record(conn: &mut AnyConnection, event: &AuditEvent<'_>, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, actor_id, at, action, target, before_json, after_json, \
         address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event.tenant)
    .bind(event.actor.map(|u| u.0))
    .bind(now)
    .bind(event.action)
    .bind(event.target)
    .bind(&event.before)
    .bind(&event.after)
    .bind(event.address)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target: String,
    pub before_json: String,
    pub after_json: String,
}

pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<AuditRow>> {
    Ok(sqlx::query_as(
        "SELECT actor_id, action, target, before_json, after_json FROM audit_events \
         WHERE tenant_id = $1 ORDER BY id",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}
