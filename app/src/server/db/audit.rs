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
    record_many(conn, std::slice::from_ref(event), now).await
}

/// Records every event of `events`, in order, in a few statements however many.
pub async fn record_many(
    conn: &mut AnyConnection,
    events: &[AuditEvent<'_>],
    now: i64,
) -> AppResult<()> {
    for chunk in events.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p: Vec<String> = (1..=8).map(|k| format!("${}", i * 8 + k)).collect();
                format!("({})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO audit_events (tenant_id, actor_id, at, action, target, before_json, \
             after_json, address) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for event in chunk {
            query = query
                .bind(event.tenant)
                .bind(event.actor.map(|u| u.0))
                .bind(now)
                .bind(event.action)
                .bind(event.target)
                .bind(&event.before)
                .bind(&event.after)
                .bind(event.address);
        }
        query.execute(&mut *conn).await?;
    }
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

/// What the audit log page filters by, resolved: each `None` filters nothing.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<UserId>,
    pub action: Option<String>,
    /// A [`super::like_pattern`].
    pub target: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
}

/// One event with its actor's username (empty for the system).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub address: String,
    pub before_json: String,
    pub after_json: String,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// Events matching `query`, newest first: those with an id below `below` (the keyset of the
/// CSV export), skipping `offset`, at most `limit`.
pub async fn select(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &AuditQuery,
    below: Option<i64>,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    let mut binds = vec![Bind::Int(tenant.0)];
    let mut sql = String::from(
        "SELECT e.id, e.at, COALESCE(u.username, '') AS actor, e.action, e.target, e.address, \
         e.before_json, e.after_json FROM audit_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.tenant_id = $1",
    );
    let mut and = |condition: &str, bind: Bind| {
        binds.push(bind);
        sql.push_str(&condition.replace("$?", &format!("${}", binds.len())));
    };
    if let Some(actor) = query.actor {
        and(" AND e.actor_id = $?", Bind::Int(actor.0));
    }
    if let Some(action) = &query.action {
        and(" AND e.action = $?", Bind::Text(action.clone()));
    }
    if let Some(target) = &query.target {
        and(
            " AND lower(e.target) LIKE $? ESCAPE '\\'",
            Bind::Text(target.clone()),
        );
    }
    if let Some(from) = query.from {
        and(" AND e.at >= $?", Bind::Int(from));
    }
    if let Some(to) = query.to {
        and(" AND e.at < $?", Bind::Int(to));
    }
    if let Some(below) = below {
        and(" AND e.id < $?", Bind::Int(below));
    }
    and(" ORDER BY e.id DESC LIMIT $?", Bind::Int(limit));
    and(" OFFSET $?", Bind::Int(offset));
    let mut statement = sqlx::query_as::<_, EventRow>(&sql);
    for bind in binds {
        statement = match bind {
            Bind::Int(v) => statement.bind(v),
            Bind::Text(v) => statement.bind(v),
        };
    }
    Ok(statement.fetch_all(conn).await?)
}

/// The actions the tenant's log holds, alphabetically.
pub async fn actions(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_events WHERE tenant_id = $1 ORDER BY action",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}
