//! 50 writers at once over HTTP, on SQLite and on PostgreSQL (SPEC rules 9 and 11): no lost
//! update (every accepted write is in the final state; the others were refused as stale or
//! busy), never an HTTP 500, and the tenant keeps an active admin.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start, start_postgres, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const WRITERS: usize = 50;

async fn json_of(server: &TestServer, endpoint: &str, body: Value, cookie: &str) -> Value {
    let response = server.call(endpoint, body, Some(cookie)).await;
    assert_eq!(response.status(), StatusCode::OK, "{endpoint}");
    response.json().await.unwrap()
}

/// Accepted, or refused in a way a client can act on; never a server error.
fn accepted(status: StatusCode) -> bool {
    assert!(
        matches!(
            status,
            StatusCode::OK | StatusCode::CONFLICT | StatusCode::SERVICE_UNAVAILABLE
        ),
        "unexpected {status}"
    );
    status == StatusCode::OK
}

/// Each writer reads carol's roles with their version, adds one role of its own and saves.
async fn parallel_saves_of_one_users_roles(server: &TestServer) {
    let admin = server.cookie_for("acme", "admin").await;
    let carol = server.add_user("acme", "carol", &[]).await.0;
    let mut mine = Vec::new();
    for i in 0..WRITERS {
        let body = json!({ "input": { "id": null, "name": format!("Writer {i}"), "description": "",
            "grants": {}, "applications": [], "version": 0 } });
        let role = json_of(server, "roles/save", body, &admin).await;
        mine.push(role["id"].as_i64().unwrap());
    }
    let writers = mine.iter().map(|&role| {
        let admin = admin.clone();
        async move {
            let user = json_of(server, "users/load", json!({ "id": carol }), &admin).await;
            let mut roles: Vec<i64> = serde_json::from_value(user["role_ids"].clone()).unwrap();
            roles.push(role);
            let body = json!({ "user": carol, "roles": roles,
                "roles_version": user["roles_version"] });
            let status = server
                .call("users/set_roles", body, Some(&admin))
                .await
                .status();
            (role, accepted(status))
        }
    });
    let outcomes = futures::future::join_all(writers).await;
    let user = json_of(server, "users/load", json!({ "id": carol }), &admin).await;
    let finally: Vec<i64> = serde_json::from_value(user["role_ids"].clone()).unwrap();
    let won: Vec<i64> = outcomes
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(r, _)| *r)
        .collect();
    assert!(!won.is_empty(), "at least one writer gets through");
    for role in &won {
        assert!(
            finally.contains(role),
            "accepted write of role {role} was lost"
        );
    }
    assert_eq!(finally.len(), won.len(), "nothing but accepted writes");
}

/// Each writer reads one role and adds one cell of its own.
async fn parallel_saves_of_one_roles_grants(server: &TestServer) {
    let admin = server.cookie_for("acme", "admin").await;
    let body = json!({ "input": { "id": null, "name": "Contended", "description": "",
        "grants": {}, "applications": [], "version": 0 } });
    let role = json_of(server, "roles/save", body, &admin).await["id"]
        .as_i64()
        .unwrap();
    let editor = json_of(server, "roles/editor", json!({ "id": role }), &admin).await;
    let mut cells = Vec::new();
    for module in editor["catalogue"]["modules"].as_array().unwrap() {
        for permission in module["permissions"].as_array().unwrap() {
            for level in permission["levels"].as_array().unwrap() {
                cells.push((
                    permission["name"].as_str().unwrap().to_owned(),
                    level.as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    let writers = cells.iter().take(WRITERS).map(|(t, l)| {
        let admin = admin.clone();
        async move {
            let detail = json_of(server, "roles/editor", json!({ "id": role }), &admin).await;
            let r = &detail["role"];
            let mut grants = r["grants"].clone();
            let levels = grants
                .as_object_mut()
                .unwrap()
                .entry(t.clone())
                .or_insert(json!([]));
            levels.as_array_mut().unwrap().push(json!(l));
            let body = json!({ "input": { "id": role, "name": r["name"], "description": "",
                "grants": grants, "applications": [], "version": r["version"] } });
            let status = server.call("roles/save", body, Some(&admin)).await.status();
            ((t.clone(), l.clone()), accepted(status))
        }
    });
    let outcomes = futures::future::join_all(writers).await;
    let detail = json_of(server, "roles/editor", json!({ "id": role }), &admin).await;
    let grants = &detail["role"]["grants"];
    let won: Vec<_> = outcomes.iter().filter(|(_, ok)| *ok).collect();
    assert!(!won.is_empty());
    for ((t, l), _) in &won {
        let held = grants[t]
            .as_array()
            .is_some_and(|levels| levels.contains(&json!(l)));
        assert!(held, "accepted write of {t} {l} was lost");
    }
}

/// Two admins, each removing admins from the other, many times at once: one of them keeps it.
async fn parallel_removals_keep_an_admin(server: &TestServer) {
    let second = server.add_user("acme", "second", &["admins"]).await.0;
    let admin = server.cookie_for("acme", "admin").await;
    let other = server.cookie_for("acme", "second").await;
    let first = json_of(
        server,
        "users/list",
        json!({ "query": "admin", "page": 1 }),
        &admin,
    )
    .await;
    let first = first["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "admin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let removals = (0..WRITERS).map(|i| {
        let (cookie, target) = if i % 2 == 0 {
            (admin.clone(), second)
        } else {
            (other.clone(), first)
        };
        async move {
            let response = server
                .call("users/load", json!({ "id": target }), Some(&cookie))
                .await;
            // A writer whose admins were already taken may no longer even read the user.
            if response.status() == StatusCode::FORBIDDEN {
                return;
            }
            assert_eq!(response.status(), StatusCode::OK, "users/load");
            let user: Value = response.json().await.unwrap();
            let body = json!({ "user": target, "roles": [],
                "roles_version": user["roles_version"] });
            let response = server.call("users/set_roles", body, Some(&cookie)).await;
            let status = response.status();
            // The loser of the race is refused: anti-lockout (423), stale (409) or, having
            // lost admins, no longer allowed (403).
            assert!(
                matches!(
                    status,
                    StatusCode::OK
                        | StatusCode::CONFLICT
                        | StatusCode::LOCKED
                        | StatusCode::FORBIDDEN
                        | StatusCode::UNAUTHORIZED
                        | StatusCode::SERVICE_UNAVAILABLE
                ),
                "unexpected {status}"
            );
        }
    });
    futures::future::join_all(removals).await;
    let holders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         JOIN users u ON u.id = ur.user_id JOIN tenants t ON t.id = u.tenant_id \
         WHERE t.slug = 'acme' AND r.name = 'admins' AND u.status = 'active'",
    )
    .fetch_one(&server.db.pool)
    .await
    .unwrap();
    assert!(holders >= 1, "the tenant kept an active admin");
}

async fn on_both_backends(body: impl AsyncFn(&TestServer)) {
    body(&start().await).await;
    match start_postgres().await {
        Some(server) => body(&server).await,
        None => eprintln!("CASTELLAN_TEST_POSTGRES_URL is not set: PostgreSQL leg skipped"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_writers_on_one_users_roles_lose_nothing() {
    on_both_backends(parallel_saves_of_one_users_roles).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_writers_on_one_roles_grants_lose_nothing() {
    on_both_backends(parallel_saves_of_one_roles_grants).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_removals_of_admins_at_once_leave_an_admin() {
    on_both_backends(parallel_removals_keep_an_admin).await;
}
