use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    audit::{AuditFilter, AuditPage, DeniedPage},
    AppError,
};

/// One page of the tenant's audit log, newest first, filtered.
/// **Permissions**: the template's audit permission (`Audits READ` in `iot`).
#[server(endpoint = "audit/list", input = Json)]
pub async fn list_audit(filter: AuditFilter, page: i64) -> Result<AuditPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::audit::page(&ctx::state()?.db, &actor, &filter, page).await
    })
    .await
}

/// One page of access-denied requests: the tenant's (filtered by `user`) for an administrator,
/// the caller's own for anyone else.
/// **Permissions**: signed in; the whole tenant's needs the audit or the assign permission.
#[server(endpoint = "audit/denied", input = Json)]
pub async fn list_denied(user: String, page: i64) -> Result<DeniedPage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::audit::denied_page(&ctx::state()?.db, &actor, &user, page).await
    })
    .await
}
