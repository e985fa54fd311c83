//! The partner portal over HTTP: every portal server function as an anonymous caller, with a
//! tenant session, as another partner's administrator and as the serving partner's; and a
//! portal session never opens the tenant console.
#![allow(clippy::unwrap_used)]

mod common;

use common::{partner, portal_cookie, start, PASSWORD};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

fn new_tenant(slug: &str) -> Value {
    json!({ "input": { "slug": slug, "name": "Wayne Enterprises", "template": "mdm",
        "admin_username": "bruce", "admin_password": PASSWORD } })
}

const STATE: &str = "SELECT (SELECT COUNT(*) FROM tenants) * 1000000 \
    + (SELECT COUNT(*) FROM user_roles) * 1000 + (SELECT COUNT(*) FROM audit_events)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_functions_authorize_themselves_and_reach_only_served_tenants() {
    let server = start().await;
    partner(&server, "Northwind", "partner.erin", &["acme"]).await;
    partner(&server, "Southwind", "partner.sam", &["globex"]).await;
    assert!(portal_cookie(&server, "partner.erin", "wrong-password-1")
        .await
        .is_none());
    let erin = portal_cookie(&server, "partner.erin", PASSWORD)
        .await
        .unwrap();
    let me = |cookie: Option<String>| {
        let server = &server;
        async move {
            let response = server
                .call("partner/me", json!({}), cookie.as_deref())
                .await;
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(me(None).await, Value::Null);
    assert_eq!(me(Some(erin.clone())).await["partner"], "Northwind");
    let sam = portal_cookie(&server, "partner.sam", PASSWORD)
        .await
        .unwrap();
    let tenant_admin = server.cookie_for("acme", "admin").await;
    let reader = server.role_id("acme", "Global Reader").await;
    let erin_user = server
        .count("SELECT id FROM users WHERE username = 'partner.erin'")
        .await;
    let set_roles =
        json!({ "slug": "acme", "user": erin_user, "roles": [reader], "roles_version": 0 });
    let calls = [
        ("partner/tenants", json!({ "query": "", "page": 1 })),
        ("partner/tenant", json!({ "slug": "acme" })),
        ("partner/set_roles", set_roles.clone()),
        ("partner/create_tenant", new_tenant("wayne")),
    ];
    let before = server.count(STATE).await;
    for (endpoint, body) in &calls {
        for (who, cookie) in [
            ("anonymous", None),
            ("a tenant session", Some(&tenant_admin)),
        ] {
            let status = server
                .call(endpoint, body.clone(), cookie.map(String::as_str))
                .await
                .status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{who} {endpoint}");
        }
    }
    // Another partner's administrator: acme is not there for her, not even as a name.
    let listed: Value = server
        .call(
            "partner/tenants",
            json!({ "query": "", "page": 1 }),
            Some(&sam),
        )
        .await
        .json()
        .await
        .unwrap();
    let slugs: Vec<&str> = listed["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["globex"]);
    for (endpoint, body) in &calls[1..3] {
        let status = server
            .call(endpoint, body.clone(), Some(&sam))
            .await
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "other partner {endpoint}");
    }
    assert_eq!(server.count(STATE).await, before, "nothing changed");

    // A portal session never opens the tenant console.
    let status = server
        .call("users/list", json!({ "query": "", "page": 1 }), Some(&erin))
        .await
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = server
        .client
        .get(server.url("/users"))
        .header(header::COOKIE, &erin)
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection());

    // The serving partner's administrator.
    let detail: Value = server
        .call("partner/tenant", json!({ "slug": "acme" }), Some(&erin))
        .await
        .json()
        .await
        .unwrap();
    let version = detail["admins"][0]["roles_version"].clone();
    let mut set_roles = set_roles;
    set_roles["roles_version"] = version;
    let status = server
        .call("partner/set_roles", set_roles, Some(&erin))
        .await
        .status();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server
            .count(&format!(
                "SELECT COUNT(*) FROM user_roles WHERE user_id = {erin_user}"
            ))
            .await,
        1
    );
    let created = server
        .call("partner/create_tenant", new_tenant("wayne"), Some(&erin))
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let login = server
        .post(
            "/api/login",
            &[
                ("tenant", "wayne"),
                ("username", "bruce"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    assert!(login.status().is_success() || login.status().is_redirection());
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM audit_events WHERE action = 'tenant.create' AND actor_id IS NOT NULL")
            .await,
        1
    );

    // Signing out ends the portal session on the server, not only in the browser.
    let out = server.post("/api/partner/logout", &[], Some(&erin)).await;
    assert!(out.status().is_success() || out.status().is_redirection());
    assert_eq!(me(Some(erin.clone())).await, Value::Null);
    let status = server
        .call(
            "partner/tenants",
            json!({ "query": "", "page": 1 }),
            Some(&erin),
        )
        .await
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
