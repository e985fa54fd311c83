//! Roles and assignment server functions as anonymous, low-privilege, read-only and
//! foreign-tenant callers: refused, and nothing changes.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::StatusCode;
use serde_json::json;

fn new_role(name: &str, grants: serde_json::Value) -> serde_json::Value {
    json!({ "input": { "id": null, "name": name, "description": "", "grants": grants, "applications": [], "version": 0 } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_and_users_server_function_refuses_anonymous_callers() {
    let server = start().await;
    let before = server.fingerprint().await;
    let role = server.role_id("acme", "Global Reader").await;
    let calls = [
        ("roles/list", json!({ "query": "", "page": 1 })),
        ("roles/editor", json!({ "id": role })),
        ("roles/save", new_role("X", json!({}))),
        ("roles/duplicate", json!({ "id": role })),
        ("roles/delete", json!({ "id": role, "version": 1 })),
        ("users/list", json!({ "query": "", "page": 1 })),
        (
            "roles/choices",
            json!({ "of": { "User": 1 }, "audience": null, "query": "", "page": 1 }),
        ),
        (
            "users/set_roles",
            json!({ "user": 1, "roles": [role], "roles_version": 1 }),
        ),
        ("users/load", json!({ "id": 1 })),
    ];
    for (endpoint, body) in calls {
        let response = server.call(endpoint, body, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    assert_eq!(server.fingerprint().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_user_management_can_neither_see_nor_change() {
    let server = start().await;
    server.add_user("acme", "bob", &[]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let before = server.fingerprint().await;
    let list = server
        .call("roles/list", json!({ "query": "", "page": 1 }), Some(&bob))
        .await;
    assert_eq!(list.status(), StatusCode::FORBIDDEN);
    assert!(list.text().await.unwrap().contains("User management"));
    assert_eq!(
        server
            .call("users/list", json!({ "query": "", "page": 1 }), Some(&bob))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server
            .call("roles/save", new_role("Mine", json!({})), Some(&bob))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let choices = json!({ "of": { "User": 1 }, "audience": null, "query": "", "page": 1 });
    assert_eq!(
        server
            .call("roles/choices", choices, Some(&bob))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(server.fingerprint().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_checklist_of_another_tenants_user_or_group_is_not_found() {
    let server = start().await;
    let stranger = server.add_user("globex", "stranger", &[]).await;
    let acme_admin = server.cookie_for("acme", "admin").await;
    for of in [json!({ "User": stranger.0 }), json!({ "Group": 999_999 })] {
        let body = json!({ "of": of, "audience": null, "query": "", "page": 1 });
        let response = server.call("roles/choices", body, Some(&acme_admin)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{of}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_sees_roles_and_users_but_every_change_is_refused() {
    let server = start().await;
    let carol_id = server.add_user("acme", "carol", &["readers"]).await;
    let carol = server.cookie_for("acme", "carol").await;
    assert_eq!(
        server
            .call(
                "roles/list",
                json!({ "query": "", "page": 1 }),
                Some(&carol)
            )
            .await
            .status(),
        StatusCode::OK
    );
    let users = server
        .call(
            "users/list",
            json!({ "query": "", "page": 1 }),
            Some(&carol),
        )
        .await;
    assert_eq!(users.status(), StatusCode::OK);
    let before = server.fingerprint().await;
    let reader = server.role_id("acme", "Global Reader").await;
    let writes = [
        ("roles/save", new_role("Mine", json!({}))),
        ("roles/duplicate", json!({ "id": reader })),
        ("roles/delete", json!({ "id": reader, "version": 1 })),
        (
            "users/set_roles",
            json!({ "user": carol_id.0, "roles": [reader], "roles_version": 1 }),
        ),
    ];
    for (endpoint, body) in writes {
        let response = server.call(endpoint, body, Some(&carol)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{endpoint}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("User management ADMIN"),
            "{endpoint}"
        );
    }
    assert_eq!(server.fingerprint().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_of_another_tenant_reaches_nothing_here() {
    let server = start().await;
    let acme_user = server.add_user("acme", "alice", &[]).await;
    let globex = server.cookie_for("globex", "admin").await;
    let before = server.fingerprint().await;
    let acme_role = server.role_id("acme", "Global Reader").await;
    let editor = server
        .call("roles/editor", json!({ "id": acme_role }), Some(&globex))
        .await;
    assert_eq!(editor.status(), StatusCode::NOT_FOUND);
    let load = server
        .call("users/load", json!({ "id": acme_user.0 }), Some(&globex))
        .await;
    assert_eq!(load.status(), StatusCode::NOT_FOUND);
    let globex_role = server.role_id("globex", "Global Reader").await;
    for (endpoint, body) in [
        (
            "users/set_roles",
            json!({ "user": acme_user.0, "roles": [globex_role], "roles_version": 1 }),
        ),
        ("roles/delete", json!({ "id": acme_role, "version": 1 })),
        ("roles/duplicate", json!({ "id": acme_role })),
    ] {
        let status = server.call(endpoint, body, Some(&globex)).await.status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    let listed: serde_json::Value = server
        .call(
            "users/list",
            json!({ "query": "alice", "page": 1 }),
            Some(&globex),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 0);
    assert_eq!(server.fingerprint().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cannot_hand_out_what_they_do_not_hold() {
    let server = start().await;
    let acme_admin = server.cookie_for("acme", "admin").await;
    let created = server
        .call(
            "roles/save",
            new_role(
                "Limited admin",
                json!({ "User management": ["ADMIN"], "Alarms": ["READ"] }),
            ),
            Some(&acme_admin),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    server.add_user("acme", "dana", &["Limited admin"]).await;
    let erin = server.add_user("acme", "erin", &[]).await;
    let dana = server.cookie_for("acme", "dana").await;
    let before = server.fingerprint().await;

    let escalate = server
        .call(
            "roles/save",
            new_role("Sneaky", json!({ "Alarms": ["ADMIN"] })),
            Some(&dana),
        )
        .await;
    assert_eq!(escalate.status(), StatusCode::FORBIDDEN);
    assert!(escalate.text().await.unwrap().contains("Alarms ADMIN"));
    let admins = server.role_id("acme", "admins").await;
    let assign = server
        .call(
            "users/set_roles",
            json!({ "user": erin.0, "roles": [admins], "roles_version": 1 }),
            Some(&dana),
        )
        .await;
    assert_eq!(assign.status(), StatusCode::FORBIDDEN);
    let choices = json!({ "of": { "User": erin.0 }, "audience": null, "query": "", "page": 1 });
    let assignable: serde_json::Value = server
        .call("roles/choices", choices, Some(&dana))
        .await
        .json()
        .await
        .unwrap();
    let grantable: Vec<&str> = assignable["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["grantable"] == true)
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        grantable,
        vec![
            "Global User Manager",
            "Limited admin",
            "Shared User Manager"
        ],
        "only roles within what dana holds (User management ADMIN, Alarms READ) are offered"
    );
    assert_eq!(server.fingerprint().await, before);
}

/// `iot` has no `Scope`, `Role type` or `Requires`: a request that sets one anyway (or names a
/// role of another tenant as required) is refused, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_kinds_the_template_lacks_and_a_foreign_required_role_are_refused() {
    let server = start().await;
    let globex = server.cookie_for("globex", "admin").await;
    let acme_role = server.role_id("acme", "Global Reader").await;
    let before = server.fingerprint().await;
    for (field, value) in [
        ("scope", json!("space-bound")),
        ("audience", json!("admin")),
        ("requires", json!([acme_role])),
    ] {
        let mut body = new_role("Kinds", json!({}));
        body["input"][field] = value;
        let response = server.call("roles/save", body, Some(&globex)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let error = response.text().await.unwrap();
        assert!(error.contains(field), "{field}: {error}");
    }
    assert_eq!(server.fingerprint().await, before);
}
