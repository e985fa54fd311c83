//! Group and space server functions as anonymous, low-privilege, read-only and foreign-tenant
//! callers: refused, and nothing changes. Then the admin's happy path over HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::StatusCode;
use serde_json::json;

const STATE: &str = "SELECT (SELECT COUNT(*) FROM user_groups) * 1000000 \
    + (SELECT COUNT(*) FROM group_members) * 10000 + (SELECT COUNT(*) FROM group_roles) * 100 \
    + (SELECT COUNT(*) FROM spaces)";

fn group_input(id: Option<i64>, name: &str, version: i64) -> serde_json::Value {
    json!({ "input": { "id": id, "name": name, "description": "", "version": version } })
}

async fn acme_group(server: &common::TestServer, name: &str) -> i64 {
    let admin = server.cookie_for("acme", "admin").await;
    let response = server
        .call("groups/save", group_input(None, name, 0), Some(&admin))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<i64>().await.unwrap()
}

fn calls(group: i64, user: i64, role: i64, space: i64) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("groups/list", json!({ "query": "", "page": 1 })),
        ("groups/load", json!({ "id": group })),
        (
            "groups/members",
            json!({ "group": group, "query": "", "page": 1 }),
        ),
        ("groups/save", group_input(Some(group), "Renamed", 1)),
        ("groups/delete", json!({ "id": group, "version": 1 })),
        (
            "groups/set_member",
            json!({ "group": group, "user": user, "member": true }),
        ),
        (
            "groups/add_member_by_name",
            json!({ "group": group, "username": "alice" }),
        ),
        (
            "groups/set_roles",
            json!({ "group": group, "roles": [role], "roles_version": 1 }),
        ),
        ("spaces/list", json!({})),
        (
            "spaces/save",
            json!({ "input": { "id": null, "name": "EMEA", "description": "", "version": 0 } }),
        ),
        ("spaces/delete", json!({ "id": space, "version": 1 })),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_and_space_functions_refuse_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    let group = acme_group(&server, "Helpdesk").await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let role = server.role_id("acme", "Global Reader").await;
    let space: i64 = server.count("SELECT MIN(id) FROM spaces").await;
    let before = server.count(STATE).await;

    for (endpoint, body) in calls(group, alice, role, space) {
        let status = server.call(endpoint, body, None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {endpoint}");
    }
    let bob = server.cookie_for("acme", "bob").await;
    for (endpoint, body) in calls(group, alice, role, space) {
        let status = server.call(endpoint, body, Some(&bob)).await.status();
        assert_eq!(status, StatusCode::FORBIDDEN, "no permissions {endpoint}");
    }
    // `readers` holds User management READ: it sees, and changes nothing.
    let carol = server.cookie_for("acme", "carol").await;
    for (endpoint, body) in calls(group, alice, role, space) {
        let status = server.call(endpoint, body, Some(&carol)).await.status();
        let reads = matches!(
            endpoint,
            "groups/list" | "groups/load" | "groups/members" | "spaces/list"
        );
        let expected = if reads {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(status, expected, "reader {endpoint}");
    }
    // An admin of another tenant finds nothing of acme's.
    let globex = server.cookie_for("globex", "admin").await;
    for (endpoint, body) in calls(group, alice, role, space) {
        let response = server.call(endpoint, body, Some(&globex)).await;
        let status = response.status();
        match endpoint {
            "groups/list" => assert!(!response.text().await.unwrap().contains("Helpdesk")),
            "spaces/list" => assert!(status.is_success()),
            "spaces/save" => assert_eq!(status, StatusCode::OK, "globex may create its own space"),
            "groups/add_member_by_name" => {
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "no alice in globex"
                )
            }
            _ => assert_eq!(status, StatusCode::NOT_FOUND, "foreign {endpoint}"),
        }
    }
    // Only globex's own new space was added.
    assert_eq!(server.count(STATE).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_manages_a_group_over_http() {
    let server = start().await;
    let group = acme_group(&server, "Helpdesk").await;
    server.add_user("acme", "alice", &[]).await;
    let admin = server.cookie_for("acme", "admin").await;
    let role = server.role_id("acme", "Global Reader").await;
    let add = server
        .call(
            "groups/add_member_by_name",
            json!({ "group": group, "username": "ALICE" }),
            Some(&admin),
        )
        .await;
    assert_eq!(add.status(), StatusCode::OK);
    let unknown = server
        .call(
            "groups/add_member_by_name",
            json!({ "group": group, "username": "nobody" }),
            Some(&admin),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown
        .text()
        .await
        .unwrap()
        .contains("No user has this username."));
    let roles = server
        .call(
            "groups/set_roles",
            json!({ "group": group, "roles": [role], "roles_version": 1 }),
            Some(&admin),
        )
        .await;
    assert_eq!(roles.status(), StatusCode::OK);
    let detail: serde_json::Value = server
        .call("groups/load", json!({ "id": group }), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["members"], 1);
    let members: serde_json::Value = server
        .call(
            "groups/members",
            json!({ "group": group, "query": "ALI", "page": 1 }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(members["rows"][0]["username"], "alice");
    assert_eq!(members["total"], 1);
    let none: serde_json::Value = server
        .call(
            "groups/members",
            json!({ "group": group, "query": "bob", "page": 1 }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["total"], 0, "bob is not a member");
    assert_eq!(detail["role_ids"], json!([role]));
    let stale = server
        .call(
            "groups/save",
            group_input(Some(group), "Service desk", 1),
            Some(&admin),
        )
        .await;
    assert_eq!(
        stale.status(),
        StatusCode::CONFLICT,
        "members and roles moved the version on"
    );
}
