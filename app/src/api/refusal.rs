//! SPEC rule 12: every refused server function leaves an access-denied record. The one place
//! that sees every server function's result, `ctx::run`, calls [`record`] with the request's state
//! and principal; a layer of
//! the router keeps a copy of each server function's arguments ([`Arguments::capture`]) for
//! "on what".

use axum::{body::Body, extract::Request};
use http::{header, request::Parts};
use leptos::prelude::use_context;

use crate::{
    model::AppError,
    server::{auth::Principal, domain::audit, AppState},
};

/// The largest server-function request body the router accepts.
pub const MAX_BODY: usize = 1 << 20;

/// A server function's arguments as sent, with secrets blanked, for the record's target.
#[derive(Debug, Clone)]
pub struct Arguments(pub String);

impl Arguments {
    /// Reads the body, keeps a summary of it in the request's extensions and gives the request
    /// back; a body over [`MAX_BODY`] is refused.
    pub async fn capture(request: Request) -> Result<Request, http::StatusCode> {
        let (mut parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| http::StatusCode::PAYLOAD_TOO_LARGE)?;
        let form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        parts.extensions.insert(Arguments(summarize(&bytes, form)));
        Ok(Request::from_parts(parts, Body::from(bytes)))
    }
}

fn secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("password") || key.contains("secret") || key.contains("token")
}

/// The arguments compactly, secrets replaced by `***`, at most 500 characters.
pub fn summarize(bytes: &[u8], form: bool) -> String {
    let text = if form {
        url_pairs(bytes)
    } else {
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(mut value) => {
                blank_secrets(&mut value);
                value.to_string()
            }
            Err(_) => String::new(),
        }
    };
    text.chars().take(500).collect()
}

fn url_pairs(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if secret(k) => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn blank_secrets(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if secret(k) {
                    *v = serde_json::Value::String("***".into());
                } else {
                    blank_secrets(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_secrets),
        _ => {}
    }
}

/// Whether `error` is a refusal that leaves an access-denied request (SPEC rule 12).
pub fn is_refusal(error: &AppError) -> bool {
    audit::refused_for(error).is_some()
}

/// Records `error` as an access-denied request of `principal` when it is a refusal. Runs after
/// the server function's body has finished, so its transaction has already rolled back; a
/// failure to record is logged and never changes the answer.
pub async fn record(error: &AppError, state: &AppState, principal: &Principal) {
    let Some(missing) = audit::refused_for(error) else {
        return;
    };
    let parts = use_context::<Parts>();
    let attempted = parts
        .as_ref()
        .map(|p| {
            let path = p.uri.path();
            path.strip_prefix("/api/").unwrap_or(path).to_owned()
        })
        .unwrap_or_default();
    let target = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<Arguments>())
        .map(|a| a.0.clone())
        .unwrap_or_default();
    if let Err(e) = audit::record_refusal(&state.db, principal, &attempted, &target, missing).await
    {
        tracing::error!(?e, "could not record an access-denied request");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_record() {
        let json = summarize(
            br#"{"input":{"username":"zoe","password":"hunter2"},"client_secret":"s"}"#,
            false,
        );
        assert!(
            !json.contains("hunter2") && !json.contains("\"s\""),
            "{json}"
        );
        assert!(json.contains("zoe"));
        let form = summarize(b"username=zoe&new_password=hunter2", true);
        assert_eq!(form, "username=zoe&new_password=***");
    }
}
