//! `GET /audit/export.csv?actor&action&target&from&to`: the filtered audit log as a CSV download,
//! streamed batch by batch (a plain axum route, because a download is a navigation, not a call).
//! Reading changes nothing, so GET is right; the session cookie and the audit permission decide.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::{ConnectInfo, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use futures::StreamExt;

use super::{
    auth::{self, token},
    domain::{access::Actor, audit},
    unix_now, AppState,
};
use crate::model::{audit::AuditFilter, AppError};

pub const EXPORT_PATH: &str = "/audit/export.csv";

pub fn routes() -> Router<AppState> {
    Router::new().route(EXPORT_PATH, get(export))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    actor: String,
    action: String,
    target: String,
    from: String,
    to: String,
}

fn refused(error: &AppError) -> Response {
    (error.status_code(), error.to_string()).into_response()
}

async fn export(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Response {
    let token = state.session_token(token::Kind::Tenant, peer.ip(), &headers);
    let principal = match token {
        Some(token) => auth::resolve(&state.db, &state.sessions, token, unix_now()).await,
        None => Ok(None),
    };
    let mut principal = match principal {
        Ok(Some(p)) => p,
        Ok(None) => return refused(&AppError::Unauthorized),
        Err(e) => return refused(&e),
    };
    principal.address = state
        .network
        .client_address(peer.ip(), &headers)
        .to_string();
    let actor = match Actor::resolve(&state.db, &state.templates, principal).await {
        Ok(actor) => actor,
        Err(e) => return refused(&e),
    };
    let filter = AuditFilter {
        actor: query.actor,
        action: query.action,
        target: query.target,
        from: query.from,
        to: query.to,
    };
    match audit::export_csv(state.db.clone(), &actor, &filter).await {
        Ok(rows) => {
            let body = Body::from_stream(rows.map(|chunk| chunk.map_err(std::io::Error::other)));
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"audit-log.csv\"",
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(error) => {
            if let Some(missing) = audit::refused_for(&error) {
                let target = format!("{filter:?}");
                if let Err(e) = audit::record_refusal(
                    &state.db,
                    &actor.principal,
                    EXPORT_PATH,
                    &target,
                    missing,
                )
                .await
                {
                    tracing::error!(?e, "could not record an access-denied request");
                }
            }
            refused(&error)
        }
    }
}
