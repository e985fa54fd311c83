//! The audit log and access-denied requests over HTTP (SPEC rule 12): their server functions and
//! the CSV export as anonymous, low-privilege and foreign-tenant callers, and every refusal of a
//! server function recorded, even one whose transaction rolled back.
#![allow(clippy::unwrap_used)]

mod common;

use common::start;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

fn filter(target: &str) -> Value {
    json!({ "filter": { "actor": "", "action": "", "target": target, "from": "", "to": "" }, "page": 1 })
}

async fn partner_admin(server: &common::TestServer, tenant: &str) -> i64 {
    use app::server::db;
    let mut conn = server.db.pool.acquire().await.unwrap();
    let tenant = db::tenants::find_by_slug(&mut conn, tenant)
        .await
        .unwrap()
        .unwrap()
        .id;
    let new = db::users::NewUser {
        username: "partner.erin",
        display_name: "Erin",
        email: "",
        password_hash: None,
        origin: app::model::Origin::Local,
        is_partner_admin: true,
    };
    db::users::insert(&mut conn, tenant, &new, 0)
        .await
        .unwrap()
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_functions_refuse_anonymous_and_low_privilege_callers_and_keep_tenants_apart() {
    let server = start().await;
    server.add_user("acme", "bob", &[]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let admin = server.cookie_for("acme", "admin").await;
    let globex = server.cookie_for("globex", "admin").await;

    let status = server.call("audit/list", filter(""), None).await.status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let status = server
        .call("audit/denied", json!({ "user": "", "page": 1 }), None)
        .await
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let response = server.call("audit/list", filter(""), Some(&bob)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Bob's refusal is his access-denied request: he sees it, and only his own.
    let own: Value = server
        .call("audit/denied", json!({ "user": "", "page": 1 }), Some(&bob))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["whole_tenant"], false);
    let rows = own["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{own}");
    assert_eq!(rows[0]["user"], "bob");
    assert_eq!(rows[0]["attempted"], "audit/list");
    assert_eq!(rows[0]["missing"], "Audits READ");

    // The administrator of acme sees acme's sign-ins, and globex's administrator none of them.
    let acme: Value = server
        .call("audit/list", filter("bob"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert!(acme["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "session.sign-in" && r["actor"] == "bob"));
    let foreign: Value = server
        .call("audit/list", filter("bob"), Some(&globex))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(foreign["rows"].as_array().unwrap().len(), 0, "{foreign}");
    let foreign: Value = server
        .call(
            "audit/denied",
            json!({ "user": "bob", "page": 1 }),
            Some(&globex),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(foreign["rows"].as_array().unwrap().len(), 0, "{foreign}");
    let tenant: Value = server
        .call(
            "audit/denied",
            json!({ "user": "bob", "page": 1 }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tenant["whole_tenant"], true);
    assert_eq!(tenant["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_inside_a_rolled_back_transaction_still_leaves_its_record() {
    let server = start().await;
    let erin = partner_admin(&server, "acme").await;
    let admin = server.cookie_for("acme", "admin").await;
    let role = server.role_id("acme", "Global Reader").await;
    let before = server.count("SELECT COUNT(*) FROM user_roles").await;
    let detail: Value = server
        .call("users/load", json!({ "id": erin }), Some(&admin))
        .await
        .json()
        .await
        .unwrap();

    // The guard opens a transaction, applies the change, finds the partner lock and rolls back.
    let response = server
        .call(
            "users/set_roles",
            json!({ "user": erin, "roles": [role], "roles_version": detail["roles_version"] }),
            Some(&admin),
        )
        .await;
    assert_eq!(response.status(), StatusCode::LOCKED);
    assert_eq!(
        server.count("SELECT COUNT(*) FROM user_roles").await,
        before
    );
    let page: Value = server
        .call(
            "audit/denied",
            json!({ "user": "admin", "page": 1 }),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{page}");
    assert_eq!(rows[0]["attempted"], "users/set_roles");
    assert!(rows[0]["target"]
        .as_str()
        .unwrap()
        .contains(&format!("\"user\":{erin}")));
    assert!(rows[0]["missing"].as_str().unwrap().contains(
        "A Partner Administrator must perform this operation on the Service Provider Portal."
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_never_reaches_the_record() {
    let server = start().await;
    server.add_user("acme", "bob", &[]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let body = json!({ "input": { "username": "zoe", "display_name": "", "email": "",
        "password": "Hunter-2-secret", "allocation": "Professional", "device": false } });
    let status = server.call("users/create", body, Some(&bob)).await.status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let targets: Vec<(String, String)> =
        sqlx::query_as("SELECT attempted, target FROM access_denied")
            .fetch_all(&server.db.pool)
            .await
            .unwrap();
    eprintln!("{targets:?}");
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM access_denied WHERE target LIKE '%Hunter%'")
            .await,
        0
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM access_denied WHERE target LIKE '%zoe%'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_needs_a_session_and_the_audit_permission() {
    let server = start().await;
    server.add_user("acme", "bob", &[]).await;
    let bob = server.cookie_for("acme", "bob").await;
    let admin = server.cookie_for("acme", "admin").await;
    let get = |cookie: Option<String>| {
        let mut request = server
            .client
            .get(server.url("/audit/export.csv?action=session.sign-in"));
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send()
    };
    let anonymous = get(None).await.unwrap();
    assert!(
        anonymous.status().is_redirection(),
        "{}",
        anonymous.status()
    );
    assert_eq!(
        get(Some(bob.clone())).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Compressed, as browsers ask for it: the stream ends cleanly under the compression layer.
    let compressed = server
        .client
        .get(server.url("/audit/export.csv"))
        .header(header::COOKIE, &admin)
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), StatusCode::OK);
    assert_eq!(compressed.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(!compressed.bytes().await.unwrap().is_empty());
    let response = get(Some(admin)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,when,actor,action,target,address,before,after")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|r| r.contains(",session.sign-in,")));
    assert!(rows[0].contains(",admin,") && rows[1].contains(",bob,"));
}
