//! Reading the audit log, its CSV export, and access-denied requests (SPEC rule 12).

use crate::{
    model::{
        audit::{AuditEntry, AuditFilter, AuditPage, DeniedEntry, DeniedPage, AUDIT_PAGE_SIZE},
        AppError, AppResult,
    },
    server::{
        auth::Principal,
        db::{
            self,
            access_denied::Refusal,
            audit::{AuditQuery, EventRow},
            Db,
        },
        domain::access::Actor,
        unix_now,
    },
};

/// `2026-12-03 06:10:00 UTC`.
pub fn format_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// A filter text, or why it is refused (the field's own message).
fn checked(field: &str, text: &str) -> AppResult<()> {
    if text.chars().count() > super::MAX_QUERY {
        return Err(AppError::validation(
            field,
            format!("At most {} characters.", super::MAX_QUERY),
        ));
    }
    Ok(())
}

/// The start of a `YYYY-MM-DD` day in UTC, or a validation error naming `field`.
fn day_start(text: &str, field: &str) -> AppResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(t.and_utc().timestamp()))
        .ok_or_else(|| AppError::validation(field, "Enter a date as YYYY-MM-DD."))
}

/// The filters as a query; `None` when the actor named does not exist (nothing can match).
async fn resolve(db: &Db, actor: &Actor, filter: &AuditFilter) -> AppResult<Option<AuditQuery>> {
    for (field, text) in [
        ("actor", &filter.actor),
        ("action", &filter.action),
        ("target", &filter.target),
    ] {
        checked(field, text)?;
    }
    let from = day_start(&filter.from, "from")?;
    let to = day_start(&filter.to, "to")?.map(|t| t + 86_400);
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            return Err(AppError::validation("to", "To must not be before From."));
        }
    }
    let mut conn = db.pool.acquire().await?;
    let who = match filter.actor.trim() {
        "" => None,
        name => match db::users::id_by_username(&mut conn, actor.tenant(), name).await? {
            Some(user) => Some(user),
            None => return Ok(None),
        },
    };
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    Ok(Some(AuditQuery {
        actor: who,
        action: text(&filter.action),
        target: text(&filter.target).map(|t| db::like_pattern(&t)),
        from,
        to,
    }))
}

fn entry(row: EventRow) -> AuditEntry {
    AuditEntry {
        id: row.id,
        when: format_time(row.at),
        actor: row.actor,
        action: row.action,
        target: row.target,
        address: row.address,
        before: row.before_json,
        after: row.after_json,
    }
}

/// One page of the tenant's audit log, newest first.
pub async fn page(db: &Db, actor: &Actor, filter: &AuditFilter, page: i64) -> AppResult<AuditPage> {
    actor.require_audit()?;
    let (page, offset) = super::page_offset(page, AUDIT_PAGE_SIZE)?;
    let query = resolve(db, actor, filter).await?;
    let mut conn = db.pool.acquire().await?;
    let mut rows = match &query {
        Some(query) => {
            db::audit::select(
                &mut conn,
                actor.tenant(),
                query,
                None,
                offset,
                AUDIT_PAGE_SIZE + 1,
            )
            .await?
        }
        None => Vec::new(),
    };
    let has_more = rows.len() as i64 > AUDIT_PAGE_SIZE;
    rows.truncate(AUDIT_PAGE_SIZE as usize);
    Ok(AuditPage {
        rows: rows.into_iter().map(entry).collect(),
        page,
        has_more,
        actions: db::audit::actions(&mut conn, actor.tenant()).await?,
    })
}

/// Rows of the CSV export read per query: memory stays at one batch however long the log.
const EXPORT_BATCH: i64 = 500;

/// The filtered log as CSV, newest first, produced batch by batch (keyset on the event id).
pub async fn export_csv(
    db: Db,
    actor: &Actor,
    filter: &AuditFilter,
) -> AppResult<impl futures::Stream<Item = AppResult<String>> + use<>> {
    actor.require_audit()?;
    let query = resolve(&db, actor, filter).await?;
    let tenant = actor.tenant();
    let header = "id,when,actor,action,target,address,before,after\r\n".to_owned();
    // (next keyset, header written); None once done.
    let start = query.map(|q| (q, None::<i64>));
    // Fused: a compressing layer polls once more after the end.
    Ok(futures::StreamExt::fuse(futures::stream::unfold(
        (Some(header), start),
        move |(header, state)| {
            let db = db.clone();
            async move {
                if let Some(header) = header {
                    return Some((Ok(header), (None, state)));
                }
                let (query, below) = state?;
                let rows = match db.pool.acquire().await {
                    Ok(mut conn) => {
                        db::audit::select(&mut conn, tenant, &query, below, 0, EXPORT_BATCH).await
                    }
                    Err(e) => Err(e.into()),
                };
                match rows {
                    Err(e) => Some((Err(e), (None, None))),
                    Ok(rows) if rows.is_empty() => None,
                    Ok(rows) => {
                        let next = rows.last().map(|r| r.id);
                        let done = (rows.len() as i64) < EXPORT_BATCH;
                        let chunk: String = rows.into_iter().map(|r| csv_line(&entry(r))).collect();
                        let state = (!done).then_some((query, next));
                        Some((Ok(chunk), (None, state)))
                    }
                }
            }
        },
    )))
}

fn csv_line(e: &AuditEntry) -> String {
    let fields = [
        e.id.to_string(),
        e.when.clone(),
        e.actor.clone(),
        e.action.clone(),
        e.target.clone(),
        e.address.clone(),
        e.before.clone(),
        e.after.clone(),
    ];
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// RFC 4180 quoting, and a leading `'` on what a spreadsheet would run as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// Whether `actor` reads every refusal of the tenant (an administrator: the audit or the assign
/// permission), else only their own.
fn sees_whole_tenant(actor: &Actor) -> bool {
    actor.require_audit().is_ok() || actor.require_admin().is_ok()
}

/// One page of access-denied requests, newest first: the tenant's (filtered by `username` when
/// given) for an administrator, the reader's own for anyone else.
pub async fn denied_page(
    db: &Db,
    actor: &Actor,
    username: &str,
    page: i64,
) -> AppResult<DeniedPage> {
    checked("user", username)?;
    let (page, offset) = super::page_offset(page, AUDIT_PAGE_SIZE)?;
    let whole_tenant = sees_whole_tenant(actor);
    let mut conn = db.pool.acquire().await?;
    let user = if !whole_tenant {
        Some(actor.principal.user_id)
    } else if username.trim().is_empty() {
        None
    } else {
        match db::users::id_by_username(&mut conn, actor.tenant(), username.trim()).await? {
            Some(user) => Some(user),
            None => {
                return Ok(DeniedPage {
                    rows: Vec::new(),
                    page,
                    has_more: false,
                    whole_tenant,
                })
            }
        }
    };
    let mut rows =
        db::access_denied::page(&mut conn, actor.tenant(), user, offset, AUDIT_PAGE_SIZE + 1)
            .await?;
    let has_more = rows.len() as i64 > AUDIT_PAGE_SIZE;
    rows.truncate(AUDIT_PAGE_SIZE as usize);
    Ok(DeniedPage {
        rows: rows
            .into_iter()
            .map(|r| DeniedEntry {
                when: format_time(r.at),
                user: r.username,
                attempted: r.attempted,
                target: r.target,
                missing: r.missing,
            })
            .collect(),
        page,
        has_more,
        whole_tenant,
    })
}

/// What a refusal was missing: the permission, or why the change is locked.
pub fn refused_for(error: &AppError) -> Option<&str> {
    match error {
        AppError::Forbidden { missing } => Some(missing),
        AppError::Locked { reason } => Some(reason),
        _ => None,
    }
}

/// Records that `principal` was refused `attempted` on `target`. Called after the refused
/// request's own work has ended (its transaction rolled back), on a connection of its own, so
/// nothing the refusal undid can take the record with it. Past the bounds of
/// [`db::access_denied`] it only logs.
pub async fn record_refusal(
    db: &Db,
    principal: &Principal,
    attempted: &str,
    target: &str,
    missing: &str,
) -> AppResult<()> {
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let refusal = Refusal {
        tenant: principal.tenant_id,
        user: Some(principal.user_id),
        username: &principal.username,
        attempted: &clip(attempted, 200),
        target: &clip(target, 500),
        missing: &clip(missing, 500),
        address: &principal.address,
    };
    let mut conn = db.pool.acquire().await?;
    if !db::access_denied::record(&mut conn, &refusal, unix_now()).await? {
        tracing::warn!(
            tenant = principal.tenant_id.0,
            user = principal.username,
            attempted,
            "access-denied record not kept: bound reached"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
