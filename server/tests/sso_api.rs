//! Single sign-on over HTTP: its server functions as anonymous, low-privilege, read-only and
//! foreign-tenant callers (refused, nothing changes), the secret never sent back, and the
//! sign-in endpoints refusing requests that did not start in this browser.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::{header, StatusCode};
use serde_json::json;

const STATE: &str = "SELECT (SELECT COUNT(*) FROM access_mapping_rules) * 1000000 \
    + (SELECT COUNT(*) FROM tenants WHERE sso_issuer <> '') * 1000 \
    + (SELECT COUNT(*) FROM audit_events)";

fn settings(issuer: &str) -> serde_json::Value {
    json!({ "input": { "issuer": issuer, "client_id": "castellan-acme", "client_secret": "s3cret-value",
        "username_claim": "preferred_username", "role_mode": "reassign", "manual_changes": false } })
}

fn rules(role: i64) -> serde_json::Value {
    json!({ "rules": [{ "conditions": [{ "claim": "groups", "operator": "contains", "value": "operators" }],
        "roles": [{ "role": role, "space": null }], "inventory": [] }] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_functions_refuse_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let role = server.role_id("acme", "Global Reader").await;
    let bob = server.cookie_for("acme", "bob").await;
    let carol = server.cookie_for("acme", "carol").await;
    let globex = server.cookie_for("globex", "admin").await;
    let writes = [
        ("sso/save_settings", settings("https://idp.example.com")),
        ("sso/save_mapping", rules(role)),
    ];
    let preview =
        json!({ "rules": rules(role)["rules"], "claims": "{\"groups\": [\"operators\"]}" });
    let reads = [
        ("sso/settings", json!({})),
        ("sso/mapping", json!({})),
        ("sso/preview_mapping", preview),
    ];
    let before = server.count(STATE).await;

    for (endpoint, body) in writes.iter().chain(reads.iter()) {
        let status = server.call(endpoint, body.clone(), None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {endpoint}");
        let status = server
            .call(endpoint, body.clone(), Some(&bob))
            .await
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "no permissions {endpoint}");
    }
    for (endpoint, body) in &writes {
        let status = server
            .call(endpoint, body.clone(), Some(&carol))
            .await
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "reader {endpoint}");
    }
    for (endpoint, body) in &reads {
        let status = server
            .call(endpoint, body.clone(), Some(&carol))
            .await
            .status();
        assert_eq!(status, StatusCode::OK, "reader {endpoint}");
    }
    // globex's admin cannot name acme's role in globex's rules.
    let foreign = server
        .call("sso/save_mapping", rules(role), Some(&globex))
        .await;
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.text().await.unwrap().contains("does not exist"));
    assert_eq!(server.count(STATE).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_secret_is_never_sent_back_and_sign_in_with_sso_appears_once_configured() {
    let server = start().await;
    let admin = server.cookie_for("acme", "admin").await;
    let available = |tenant: &'static str| {
        let server = &server;
        async move {
            let response = server
                .call("sso/available", json!({ "tenant": tenant }), None)
                .await;
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<bool>().await.unwrap()
        }
    };
    assert!(!available("acme").await);
    let saved = server
        .call(
            "sso/save_settings",
            settings("https://idp.example.com/"),
            Some(&admin),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(available("acme").await);
    assert!(!available("globex").await);
    assert!(!available("no-such-tenant").await);
    let shown = server.call("sso/settings", json!({}), Some(&admin)).await;
    let text = shown.text().await.unwrap();
    assert!(!text.contains("s3cret-value"), "{text}");
    let shown: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(shown["has_client_secret"], json!(true));
    assert_eq!(shown["issuer"], json!("https://idp.example.com"));
    assert_eq!(
        shown["redirect_uri"],
        json!(format!("{}/sso/callback", server.base))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sso_endpoints_refuse_requests_that_did_not_start_in_this_browser() {
    let server = start().await;
    // A cross-site call to start a sign-in is refused like every cross-site POST.
    let forged = server
        .client
        .post(server.url("/api/sso/start"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&json!({ "tenant": "acme" }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Without SSO set up, starting says so and sets no cookie.
    let not_set_up = server
        .call("sso/start", json!({ "tenant": "acme" }), None)
        .await;
    assert_eq!(not_set_up.status(), StatusCode::LOCKED);
    assert!(not_set_up.headers().get(header::SET_COOKIE).is_none());
    assert!(not_set_up.text().await.unwrap().contains("not set up"));
    assert_eq!(server.count("SELECT COUNT(*) FROM sso_logins").await, 0);
    // A callback whose state is not this browser's is refused before anything else.
    let callback_over = |https: bool, query: &'static str, cookie: Option<&'static str>| {
        let server = &server;
        async move {
            let mut request = server
                .client
                .get(server.url(&format!("/sso/callback?{query}")));
            if let Some(cookie) = cookie {
                request = request.header(header::COOKIE, cookie);
            }
            if https {
                request = request.header("x-forwarded-proto", "https");
            }
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let callback =
        |query: &'static str, cookie: Option<&'static str>| callback_over(false, query, cookie);
    let (status, page) = callback("code=x&state=abc", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let policy = server
        .client
        .get(server.url("/sso/callback?code=x&state=abc"))
        .send()
        .await
        .unwrap()
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.starts_with("default-src 'none'") && !policy.contains("script-src"),
        "{policy}"
    );
    assert!(
        page.contains("state does not match") && page.contains("role=\"alert\""),
        "{page}"
    );
    let (status, page) = callback("code=x&state=abc", Some("castellan_sso_state=other")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("state does not match"), "{page}");
    // The right cookie but a state the server never issued (or already used): refused.
    let (status, page) = callback("code=x&state=abc", Some("castellan_sso_state=abc")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired or was already used"), "{page}");
    // Over HTTPS only the `__Host-` cookie counts (SPEC section 5): a plain one may have been
    // planted by a sibling site to slip its own sign-in into this browser.
    let (status, page) =
        callback_over(true, "code=x&state=abc", Some("castellan_sso_state=abc")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("state does not match"), "{page}");
    let (status, page) = callback_over(
        true,
        "code=x&state=abc",
        Some("__Host-castellan_sso_state=abc"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("expired or was already used"), "{page}");
    let (status, page) = callback("error=access_denied&error_description=%3Cscript%3E", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("&lt;script&gt;") && !page.contains("<script>"),
        "{page}"
    );
    assert_eq!(server.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_access_refuses_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let carol = server.cookie_for("acme", "carol").await;
    let globex = server.cookie_for("globex", "admin").await;
    let admin = server.cookie_for("acme", "admin").await;
    let app: String = {
        let page: serde_json::Value = server
            .call("users/load", json!({ "id": alice }), Some(&admin))
            .await
            .json()
            .await
            .unwrap();
        page["applications"][0]["name"].as_str().unwrap().to_owned()
    };
    let body = json!({ "user": alice, "seen": [], "applications": [app] });
    let before = server.count("SELECT COUNT(*) FROM user_applications").await;
    let anonymous = server
        .call("users/set_applications", body.clone(), None)
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    for (who, cookie) in [("no permissions", &bob), ("reader", &carol)] {
        let status = server
            .call("users/set_applications", body.clone(), Some(cookie))
            .await
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let foreign = server
        .call("users/set_applications", body.clone(), Some(&globex))
        .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM user_applications").await,
        before,
        "nothing changed"
    );
    let ok = server
        .call("users/set_applications", body, Some(&admin))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM user_applications").await,
        before + 1
    );
}
