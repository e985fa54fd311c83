//! Access-denied requests (SPEC rule 12): append-only, bounded at write time.

use sqlx::AnyConnection;

use crate::model::{AppResult, TenantId, UserId};

/// Records one user may leave in an hour, and a tenant in a day: past these, refusals are only
/// logged by the server, so a flood of refusals cannot fill the disk.
pub const PER_USER_PER_HOUR: i64 = 60;
pub const PER_TENANT_PER_DAY: i64 = 10_000;

pub struct Refusal<'a> {
    pub tenant: TenantId,
    pub user: Option<UserId>,
    pub username: &'a str,
    pub attempted: &'a str,
    pub target: &'a str,
    pub missing: &'a str,
    pub address: &'a str,
}

/// Writes the record unless one of the bounds is reached; returns whether it was written.
pub async fn record(conn: &mut AnyConnection, refusal: &Refusal<'_>, now: i64) -> AppResult<bool> {
    let written = sqlx::query(
        "INSERT INTO access_denied (tenant_id, user_id, username, at, attempted, target, missing, \
         address) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
         WHERE (SELECT COUNT(*) FROM access_denied WHERE tenant_id = $1 AND user_id = $2 \
                AND at > $4 - 3600) < $9 \
           AND (SELECT COUNT(*) FROM access_denied WHERE tenant_id = $1 AND at > $4 - 86400) < $10",
    )
    .bind(refusal.tenant)
    .bind(refusal.user.map(|u| u.0))
    .bind(refusal.username)
    .bind(now)
    .bind(refusal.attempted)
    .bind(refusal.target)
    .bind(refusal.missing)
    .bind(refusal.address)
    .bind(PER_USER_PER_HOUR)
    .bind(PER_TENANT_PER_DAY)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(written > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeniedRow {
    pub at: i64,
    pub username: String,
    pub attempted: String,
    pub target: String,
    pub missing: String,
}

/// One page of the tenant's records, newest first; only `user`'s when given.
pub async fn page(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: Option<UserId>,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<DeniedRow>> {
    let columns = "SELECT at, username, attempted, target, missing FROM access_denied";
    let rows = match user {
        Some(user) => {
            sqlx::query_as(&format!(
            "{columns} WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4"
        ))
            .bind(tenant)
            .bind(user)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "{columns} WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(tenant)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await?
        }
    };
    Ok(rows)
}
