//! Password server functions (issue 14) as anonymous, low-privilege and foreign-tenant callers:
//! refused, and nothing changes. Then a one-time password over HTTP: everything but `Change
//! password` is refused until it is changed.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

const STATE: &str = "SELECT (SELECT COUNT(*) FROM audit_events) * 1000000 \
    + (SELECT SUM(password_min_length) FROM tenants) * 1000 \
    + (SELECT SUM(must_change_password) FROM users)";

async fn hashes(server: &common::TestServer) -> Vec<String> {
    sqlx::query_scalar("SELECT COALESCE(password_hash, '') FROM users ORDER BY id")
        .fetch_all(&server.db.pool)
        .await
        .unwrap()
}

fn calls(user: i64) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "users/set_one_time_password",
            json!({ "user": user, "password": "Temporary-pass-9" }),
        ),
        ("settings/password_policy", json!({})),
        (
            "settings/save_password_policy",
            json!({ "policy": { "min_length": 8, "disallow_username": false, "check_common": false } }),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_functions_refuse_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    server.add_user("acme", "bob", &[]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let globex = server.cookie_for("globex", "admin").await;
    let (before, before_hashes) = (server.count(STATE).await, hashes(&server).await);

    for (endpoint, body) in calls(alice) {
        let status = server.call(endpoint, body, None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {endpoint}");
    }
    let change = json!({ "current": PASSWORD, "new": "Another-pass-77" });
    let status = server
        .call("session/change_password", change, None)
        .await
        .status();
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "anonymous change_password"
    );
    for (endpoint, body) in calls(alice) {
        let status = server.call(endpoint, body, Some(&bob)).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "no permissions {endpoint}");
    }
    // Bob's own password needs the current one.
    let wrong = json!({ "current": "not-my-password", "new": "Another-pass-77" });
    let response = server
        .call("session/change_password", wrong, Some(&bob))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // globex's admin: acme's user is not found; globex's own settings are globex's.
    let status = server
        .call(
            "users/set_one_time_password",
            calls(alice)[0].1.clone(),
            Some(&globex),
        )
        .await
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.count(STATE).await, before, "nothing changed");
    assert_eq!(hashes(&server).await, before_hashes);
    let (endpoint, body) = calls(alice).remove(2);
    let status = server.call(endpoint, body, Some(&globex)).await.status();
    assert_eq!(status, StatusCode::OK);
    let acme_policy = server
        .count("SELECT password_min_length FROM tenants WHERE slug = 'acme'")
        .await;
    assert_eq!(acme_policy, 10, "acme's policy is untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_one_time_password_only_change_password_works() {
    let server = start().await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    let admin = server.cookie_for("acme", "admin").await;
    let body = json!({ "user": alice, "password": "Temporary-pass-9" });
    let status = server
        .call("users/set_one_time_password", body, Some(&admin))
        .await
        .status();
    assert_eq!(status, StatusCode::OK);
    let login = server
        .post(
            "/api/login",
            &[
                ("tenant", "acme"),
                ("username", "alice"),
                ("password", "Temporary-pass-9"),
            ],
            None,
        )
        .await;
    let cookie = common::set_cookie(&login)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let me: serde_json::Value = server
        .current_user(Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["must_change_password"], json!(true));
    // Every page leads to Change password first; that page itself opens.
    let page = |path: &'static str| {
        let (server, cookie) = (&server, &cookie);
        async move {
            server
                .client
                .get(server.url(path))
                .header(reqwest::header::COOKIE, cookie.as_str())
                .send()
                .await
                .unwrap()
        }
    };
    let users = page("/users").await;
    assert!(users.status().is_redirection());
    assert_eq!(users.headers()[reqwest::header::LOCATION], "/password");
    assert_eq!(page("/password").await.status(), StatusCode::OK);
    let list = json!({ "query": "", "page": 1 });
    let status = server
        .call("users/list", list.clone(), Some(&cookie))
        .await
        .status();
    assert_eq!(status, StatusCode::LOCKED);
    let change = json!({ "current": "Temporary-pass-9", "new": "Chosen-by-me-42" });
    let status = server
        .call("session/change_password", change, Some(&cookie))
        .await
        .status();
    assert_eq!(status, StatusCode::OK);
    let status = server
        .call("users/list", list, Some(&cookie))
        .await
        .status();
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "now simply a user without permissions"
    );
}
