//! The Inventory roles tab's server functions (roles per group, copy, check access) as
//! anonymous, low-privilege, read-only and foreign-tenant callers: refused, nothing changes;
//! and the admin's Apply shows in Check access.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_tab_functions_refuse_anonymous_low_privilege_and_foreign_callers() {
    let server = start().await;
    let admin = server.cookie_for("acme", "admin").await;
    let created = server
        .call(
            "device_groups/create",
            json!({ "parent": null, "name": "Region North" }),
            Some(&admin),
        )
        .await;
    let north: i64 = created.json().await.unwrap();
    let reader: i64 = server
        .count(
            "SELECT r.id FROM inventory_roles r JOIN tenants t ON t.id = r.tenant_id \
             WHERE t.slug = 'acme' AND r.name = 'Reader'",
        )
        .await;
    let alice = server.add_user("acme", "alice", &[]).await.0;
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let carol = server.cookie_for("acme", "carol").await;
    let globex = server.cookie_for("globex", "admin").await;
    let admin_id = server
        .count("SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'acme' AND u.username = 'admin'")
        .await;

    let calls = [
        ("users/inventory", json!({ "user": alice })),
        (
            "users/check_access",
            json!({ "user": alice, "group": north, "device": null, "fragment_type": "*" }),
        ),
        (
            "users/inventory_choices",
            json!({ "user": alice, "group": north }),
        ),
        (
            "users/inventory_apply",
            json!({ "user": alice, "group": north, "roles": [reader], "version": 1 }),
        ),
        (
            "users/inventory_copy",
            json!({ "from": admin_id, "user": alice, "mode": "Merge" }),
        ),
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
        let reads = matches!(endpoint, "users/inventory" | "users/check_access");
        assert_eq!(
            server
                .call(endpoint, body.clone(), Some(&carol))
                .await
                .status(),
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
    assert_eq!(server.fingerprint().await, before, "nothing changed");

    // The admin applies Reader on Region North; Check access explains it.
    let applied = server
        .call(
            "users/inventory_apply",
            json!({ "user": alice, "group": north, "roles": [reader], "version": 1 }),
            Some(&admin),
        )
        .await;
    assert_eq!(applied.status(), StatusCode::OK);
    let report: Value = server
        .call(
            "users/check_access",
            json!({ "user": alice, "group": north, "device": null, "fragment_type": "*" }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    let alarms_read = &report["lines"][0];
    assert_eq!(alarms_read["category"], "Alarms");
    assert_eq!(alarms_read["allowed"], true);
    assert_eq!(
        alarms_read["granted_by"][0],
        "Inventory role Reader on Region North (this group): Full access * Read"
    );
    assert_eq!(report["lines"][1]["allowed"], false, "Reader cannot change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_access_needs_inventory_read_because_it_names_groups_and_devices() {
    let server = start().await;
    let admin = server.cookie_for("acme", "admin").await;
    let created = server
        .call(
            "device_groups/create",
            json!({ "parent": null, "name": "Secret Plant" }),
            Some(&admin),
        )
        .await;
    let plant: i64 = created.json().await.unwrap();
    let alice = server.add_user("acme", "alice", &[]).await.0;
    server
        .add_user("acme", "gum", &["Global User Manager"])
        .await;
    let gum = server.cookie_for("acme", "gum").await;
    let body = json!({ "user": alice, "group": plant, "device": null, "fragment_type": "*" });
    let refused = server
        .call("users/check_access", body.clone(), Some(&gum))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let text = refused.text().await.unwrap();
    assert!(!text.contains("Secret Plant"), "{text}");
    assert!(text.contains("Inventory READ"), "{text}");
    let allowed = server.call("users/check_access", body, Some(&admin)).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(allowed.text().await.unwrap().contains("Secret Plant"));
}
