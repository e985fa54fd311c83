//! Device-group server functions as anonymous, low-privilege, read-only and foreign-tenant
//! callers: refused, and nothing changes.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_group_functions_refuse_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    let admin = server.cookie_for("acme", "admin").await;
    let created = server
        .call(
            "device_groups/create",
            json!({ "parent": null, "name": "Region North" }),
            Some(&admin),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let north: i64 = created.json().await.unwrap();
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let carol = server.cookie_for("acme", "carol").await;
    let globex = server.cookie_for("globex", "admin").await;
    let calls = [
        (
            "device_groups/children",
            json!({ "parent": north, "offset": 0 }),
        ),
        (
            "device_groups/create",
            json!({ "parent": north, "name": "Plant 1" }),
        ),
        (
            "device_groups/add_device",
            json!({ "group": north, "name": "pump-17" }),
        ),
        (
            "device_groups/update",
            json!({ "id": north, "version": 1, "parent": null, "name": "X" }),
        ),
        ("device_groups/delete_impact", json!({ "id": north })),
        ("device_groups/delete", json!({ "id": north, "version": 1 })),
    ];
    let before = server.fingerprint().await;
    for (endpoint, body) in calls.clone() {
        assert_eq!(
            server.call(endpoint, body.clone(), None).await.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous {endpoint}"
        );
        assert_eq!(
            server
                .call(endpoint, body.clone(), Some(&bob))
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "bob {endpoint}"
        );
        let reads = matches!(
            endpoint,
            "device_groups/children" | "device_groups/delete_impact"
        );
        let reader = server
            .call(endpoint, body.clone(), Some(&carol))
            .await
            .status();
        assert_eq!(
            reader,
            if reads {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "reader {endpoint}"
        );
        assert_eq!(
            server.call(endpoint, body, Some(&globex)).await.status(),
            StatusCode::NOT_FOUND,
            "foreign {endpoint}"
        );
    }
    assert_eq!(server.fingerprint().await, before);
}
