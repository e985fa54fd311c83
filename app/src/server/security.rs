//! What every response says about how a browser may use it (SPEC section 5). Pages get a
//! Content-Security-Policy with this request's nonce, so that only Leptos' own hydration and
//! resource scripts run inline; every other response gets a policy that allows nothing.

use http::{header, HeaderValue};

/// The policy of an HTML page: scripts only from this site or carrying the nonce, WASM compiled,
/// no framing, no plugins, forms and fetches to this site only.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of anything else (JSON, assets, errors): nothing runs, nothing frames it.
pub const STRICT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Sets the page's policy on the response being rendered (called while the page renders, when
/// leptos_axum has made this request's nonce).
pub fn set_page_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(nonce.as_inner())) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_runs_only_its_own_and_nonced_scripts_and_cannot_be_framed() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(STRICT_POLICY.starts_with("default-src 'none'"));
    }
}
