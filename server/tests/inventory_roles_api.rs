//! Inventory-role server functions as anonymous, low-privilege, read-only, foreign-tenant and
//! limited-admin callers: refused, and nothing changes.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn row(category: &str, fragment_type: &str, level: &str) -> Value {
    json!({ "category": category, "fragment_type": fragment_type, "level": level })
}

fn save(id: Option<i64>, version: i64, name: &str, rows: Vec<Value>) -> Value {
    json!({ "input": { "id": id, "name": name, "description": "", "rows": rows, "version": version } })
}

async fn inventory_role(server: &TestServer, tenant: &str, name: &str) -> i64 {
    server
        .count(&format!(
            "SELECT r.id FROM inventory_roles r JOIN tenants t ON t.id = r.tenant_id \
             WHERE t.slug = '{tenant}' AND r.name = '{name}'"
        ))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_and_unprivileged_callers_are_refused_and_nothing_changes() {
    let server = start().await;
    let reader = inventory_role(&server, "acme", "Reader").await;
    server.add_user("acme", "bob", &[]).await;
    server.add_user("acme", "carol", &["readers"]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let carol = server.cookie_for("acme", "carol").await;
    let calls = [
        ("roles/inventory_detail", json!({ "id": reader })),
        (
            "roles/inventory_save",
            save(None, 0, "Mine", vec![row("Alarms", "*", "Read")]),
        ),
        (
            "roles/inventory_save",
            save(Some(reader), 1, "Reader", vec![]),
        ),
        (
            "roles/inventory_delete",
            json!({ "id": reader, "version": 1 }),
        ),
    ];
    let before = server.fingerprint().await;
    for (endpoint, body) in calls.clone() {
        let anonymous = server.call(endpoint, body.clone(), None).await;
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous {endpoint}"
        );
        let low = server.call(endpoint, body, Some(&bob)).await;
        assert_eq!(low.status(), StatusCode::FORBIDDEN, "bob {endpoint}");
        assert!(
            low.text().await.unwrap().contains("User management"),
            "{endpoint}"
        );
    }
    // A reader sees the role but changes nothing.
    let seen = server
        .call(
            "roles/inventory_detail",
            json!({ "id": reader }),
            Some(&carol),
        )
        .await;
    assert_eq!(seen.status(), StatusCode::OK);
    let seen: Value = seen.json().await.unwrap();
    assert_eq!(seen["can_edit"], false);
    assert_eq!(seen["role"]["name"], "Reader");
    for (endpoint, body) in calls.into_iter().skip(1) {
        let response = server.call(endpoint, body, Some(&carol)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "carol {endpoint}");
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
async fn an_admin_of_another_tenant_reaches_no_inventory_role_here() {
    let server = start().await;
    let globex = server.cookie_for("globex", "admin").await;
    let reader = inventory_role(&server, "acme", "Reader").await;
    let before = server.fingerprint().await;
    let calls = [
        ("roles/inventory_detail", json!({ "id": reader })),
        (
            "roles/inventory_save",
            save(Some(reader), 1, "Taken over", vec![]),
        ),
        (
            "roles/inventory_delete",
            json!({ "id": reader, "version": 1 }),
        ),
    ];
    for (endpoint, body) in calls {
        let status = server.call(endpoint, body, Some(&globex)).await.status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}");
    }
    assert_eq!(server.fingerprint().await, before);
    let name: i64 = server
        .count(&format!(
            "SELECT COUNT(*) FROM inventory_roles WHERE id = {reader} AND name = 'Reader'"
        ))
        .await;
    assert_eq!(name, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cannot_add_an_inventory_row_beyond_what_they_hold() {
    let server = start().await;
    let admin = server.cookie_for("acme", "admin").await;
    let limited = server
        .call(
            "roles/save",
            json!({ "input": { "id": null, "name": "Limited admin", "description": "",
                "grants": { "User management": ["ADMIN"], "Alarms": ["READ"] }, "applications": [], "version": 0 } }),
            Some(&admin),
        )
        .await;
    assert_eq!(limited.status(), StatusCode::OK);
    let desk = server
        .call(
            "roles/inventory_save",
            save(None, 0, "Alarm desk", vec![row("Alarms", "*", "Read")]),
            Some(&admin),
        )
        .await;
    assert_eq!(desk.status(), StatusCode::OK);
    let desk: Value = desk.json().await.unwrap();
    let desk_id = desk["id"].as_i64().unwrap();
    server.add_user("acme", "dana", &["Limited admin"]).await;
    let dana = server.cookie_for("acme", "dana").await;
    let before = server.fingerprint().await;

    let grow = server
        .call(
            "roles/inventory_save",
            save(
                Some(desk_id),
                1,
                "Alarm desk",
                vec![row("Full access", "*", "All"), row("Alarms", "*", "Read")],
            ),
            Some(&dana),
        )
        .await;
    assert_eq!(grow.status(), StatusCode::FORBIDDEN);
    assert!(grow.text().await.unwrap().contains("Alarms ADMIN"));
    let create = server
        .call(
            "roles/inventory_save",
            save(None, 0, "Everything", vec![row("Full access", "*", "Read")]),
            Some(&dana),
        )
        .await;
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
    assert!(create.text().await.unwrap().contains("Audits READ"));
    assert_eq!(server.fingerprint().await, before);

    // Within what dana holds, the save goes through.
    let within = server
        .call(
            "roles/inventory_save",
            save(
                Some(desk_id),
                1,
                "Alarm desk",
                vec![
                    row("Alarms", "*", "Read"),
                    row("Alarms", "c8y_Temp", "Read"),
                ],
            ),
            Some(&dana),
        )
        .await;
    assert_eq!(within.status(), StatusCode::OK);
    let saved: Value = within.json().await.unwrap();
    assert_eq!(saved["version"], 2);
    // A stale version is a conflict.
    let stale = server
        .call(
            "roles/inventory_save",
            save(Some(desk_id), 1, "Alarm desk", vec![]),
            Some(&admin),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
}

/// The editor's HTML as the server renders it before hydration (Playwright covers the browser).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_page_renders_rows_with_their_names_and_the_overridden_marker() {
    let server = start().await;
    let admin = server.cookie_for("acme", "admin").await;
    let created = server
        .call(
            "roles/inventory_save",
            save(
                None,
                0,
                "Field service",
                vec![row("Full access", "*", "All"), row("Alarms", "*", "Read")],
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(created.status(), StatusCode::OK);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = |path: String| {
        let request = server
            .client
            .get(server.url(&path))
            .header(reqwest::header::COOKIE, &admin);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.text().await.unwrap()
        }
    };
    let html = page(format!("/roles/inventory/{id}")).await;
    for expected in [
        r#"aria-label="Category""#,
        r#"value="*""#,
        r#"aria-label="Permission""#,
        r#"aria-label="Remove row 2""#,
        ">overridden<",
        "Full access (All) above already grants this.",
        "Add permission",
        r#"value="Field service""#,
    ] {
        assert!(html.contains(expected), "{expected} missing");
    }
    assert_eq!(html.matches(">overridden<").count(), 1, "only row 2");
    let new = page("/roles/inventory/new".into()).await;
    assert!(new.contains("New inventory role"));
    let roles = page("/roles".into()).await;
    assert!(roles.contains("Add inventory role"));
    // The `Inventory roles` tab reads its cards when it is first opened, not with the page (at L,
    // 200 roles rendered for a hidden tab were most of the page's time): `roles/inventory_list`.
    let card = format!(r#"href="/roles/inventory/{id}""#);
    assert!(!roles.contains(&card), "the hidden tab is not rendered");
    let cards: Value = server
        .call("roles/inventory_list", json!({}), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let listed = cards.as_array().unwrap().iter().find(|c| c["id"] == id);
    assert_eq!(listed.unwrap()["name"], "Field service");
}
