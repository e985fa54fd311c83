//! User and wizard server functions as anonymous, low-privilege, read-only and foreign-tenant
//! callers: refused, and nothing changes. Then a tampered wizard request as a whole.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::StatusCode;
use serde_json::json;

const STATE: &str = "SELECT (SELECT COUNT(*) FROM users) * 1000000 \
    + (SELECT COUNT(*) FROM user_roles) * 1000 + (SELECT COUNT(*) FROM audit_events)";

fn calls(user: i64, role: i64) -> Vec<(&'static str, serde_json::Value)> {
    let subjects = json!([{ "User": user }]);
    let request = json!({ "mode": "Append", "subjects": subjects, "assignments": [[role, 0]] });
    vec![
        (
            "users/create",
            json!({ "input": { "username": "mallory", "display_name": "", "email": "", "password": "", "allocation": "Professional", "device": false } }),
        ),
        (
            "users/update",
            json!({ "input": { "id": user, "display_name": "x", "email": "", "allocation": "Analyzer", "active": false, "version": 1 } }),
        ),
        ("users/delete", json!({ "id": user, "version": 1 })),
        (
            "wizard/context",
            json!({ "mode": "Append", "subjects": subjects }),
        ),
        ("wizard/roles", json!({ "query": "", "page": 1 })),
        ("wizard/preview", json!({ "request": request })),
        ("wizard/apply", json!({ "request": request })),
        (
            "wizard/remove",
            json!({ "subjects": subjects, "roles": [role] }),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_and_wizard_functions_refuse_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let role = server.role_id("acme", "Global Reader").await;
    let bob = server.cookie_for("acme", "bob").await;
    let carol = server.cookie_for("acme", "carol").await;
    let globex = server.cookie_for("globex", "admin").await;
    let before = server.count(STATE).await;

    for (endpoint, body) in calls(alice, role) {
        let status = server.call(endpoint, body, None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {endpoint}");
    }
    for (who, cookie) in [("no permissions", &bob), ("reader", &carol)] {
        for (endpoint, body) in calls(alice, role) {
            let status = server.call(endpoint, body, Some(cookie)).await.status();
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {endpoint}");
        }
    }
    for (endpoint, body) in calls(alice, role) {
        let response = server.call(endpoint, body, Some(&globex)).await;
        let status = response.status();
        match endpoint {
            // globex's admin may create a user in globex; nothing of acme's is touched.
            "users/create" => assert_eq!(status, StatusCode::OK),
            // globex's admin sees globex's roles, never one of acme's.
            "wizard/roles" => {
                assert_eq!(status, StatusCode::OK);
                let page: serde_json::Value = response.json().await.unwrap();
                let ids: Vec<i64> = page["roles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_i64().unwrap())
                    .collect();
                assert!(!ids.is_empty() && !ids.contains(&role), "{ids:?}");
            }
            _ => assert_eq!(status, StatusCode::NOT_FOUND, "foreign {endpoint}"),
        }
    }
    let globex_user = 1_000_000 + 1; // one user and its audit record, in globex
    assert_eq!(server.count(STATE).await, before + globex_user);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_wizard_request_is_refused_as_a_whole() {
    let server = start().await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    let bob = server.add_user("acme", "bob", &[]).await.0;
    // A user manager holding User management ADMIN but not what Global Reader carries.
    server
        .add_user("acme", "manager", &["Global User Manager"])
        .await;
    let manager = server.cookie_for("acme", "manager").await;
    let reader = server.role_id("acme", "Global Reader").await;
    let before = server.fingerprint().await;
    let request = json!({ "request": { "mode": "Append",
        "subjects": [{ "User": alice }, { "User": bob }], "assignments": [[reader, 0]] } });
    let response = server.call("wizard/apply", request, Some(&manager)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Forbidden") && body.contains("READ"),
        "{body}"
    );
    assert_eq!(server.fingerprint().await, before, "nobody changed");

    let admin = server.cookie_for("acme", "admin").await;
    let request = json!({ "request": { "mode": "Append",
        "subjects": [{ "User": alice }, { "User": bob }], "assignments": [[reader, 0]] } });
    let response = server.call("wizard/apply", request, Some(&admin)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let summary: serde_json::Value = response.json().await.unwrap();
    assert_eq!(summary[1]["added"], json!(["Global Reader"]));
    assert_eq!(server.count("SELECT COUNT(*) FROM user_roles WHERE role_id = 0 + (SELECT id FROM roles WHERE name = 'Global Reader' AND tenant_id = 1)").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_assigner_changes_the_sso_setting() {
    let server = start().await;
    server.add_user("acme", "carol", &["readers"]).await;
    let carol = server.cookie_for("acme", "carol").await;
    let admin = server.cookie_for("acme", "admin").await;
    let allow = json!({ "allowed": true });
    let anonymous = server
        .call("settings/sso_manual_changes", allow.clone(), None)
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let reader = server
        .call("settings/sso_manual_changes", allow.clone(), Some(&carol))
        .await;
    assert_eq!(reader.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        server
            .count("SELECT SUM(sso_manual_changes) FROM tenants")
            .await,
        0
    );
    let ok = server
        .call("settings/sso_manual_changes", allow, Some(&admin))
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let loaded: serde_json::Value = server
        .call("settings/load", json!({}), Some(&carol))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        loaded,
        json!({ "sso_manual_changes": true, "can_edit": false })
    );
    assert_eq!(
        server
            .count("SELECT sso_manual_changes FROM tenants WHERE slug = 'globex'")
            .await,
        0,
        "only acme's setting changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_user_manager_reaches_only_her_own_sub_users_with_roles_she_holds() {
    let server = start().await;
    server
        .add_user("acme", "manager", &["Shared User Manager", "Global Reader"])
        .await;
    let bob = server.add_user("acme", "bob", &[]).await.0;
    let (reader, cep) = (
        server.role_id("acme", "Global Reader").await,
        server.role_id("acme", "CEP Manager").await,
    );
    let manager = server.cookie_for("acme", "manager").await;
    let new_user = json!({ "input": { "username": "sub.zoe", "display_name": "", "email": "", "password": "Long-enough-1", "allocation": "Professional", "device": false } });
    let response = server.call("users/create", new_user, Some(&manager)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let zoe: i64 = response.json().await.unwrap();
    let listed = |query: &'static str| {
        let (server, manager) = (&server, &manager);
        async move {
            let body = json!({ "query": query, "page": 1 });
            let page: serde_json::Value = server
                .call("users/list", body, Some(manager))
                .await
                .json()
                .await
                .unwrap();
            page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["username"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("").await, ["sub.zoe"]);
    assert!(listed("bob").await.is_empty());

    let before = server.fingerprint().await;
    let version = |user: i64| {
        let server = &server;
        async move {
            server
                .count(&format!(
                    "SELECT roles_version FROM users WHERE id = {user}"
                ))
                .await
        }
    };
    let refused = [
        ("users/load", json!({ "id": bob })),
        (
            "roles/choices",
            json!({ "of": { "User": bob }, "audience": null, "query": "", "page": 1 }),
        ),
        (
            "users/set_roles",
            json!({ "user": bob, "roles": [reader], "roles_version": version(bob).await }),
        ),
        (
            "users/update",
            json!({ "input": { "id": bob, "display_name": "x", "email": "", "allocation": "Analyzer", "active": false, "version": 1 } }),
        ),
        (
            "users/set_roles",
            json!({ "user": zoe, "roles": [cep], "roles_version": version(zoe).await }),
        ),
        (
            "users/set_applications",
            json!({ "user": zoe, "seen": [], "applications": [] }),
        ),
    ];
    for (endpoint, body) in refused {
        let status = server.call(endpoint, body, Some(&manager)).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}");
    }
    assert_eq!(
        server.fingerprint().await,
        before,
        "a refusal changes nothing"
    );

    let body = json!({ "user": zoe, "roles": [reader], "roles_version": version(zoe).await });
    let status = server
        .call("users/set_roles", body, Some(&manager))
        .await
        .status();
    assert_eq!(status, StatusCode::OK);
    let held = server
        .count(&format!(
            "SELECT COUNT(*) FROM user_roles WHERE user_id = {zoe} AND role_id = {reader}"
        ))
        .await;
    assert_eq!(held, 1);
}
