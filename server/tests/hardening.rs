//! The edges an attacker reaches first (issue 10): response headers, sign-in under load,
//! over-long input, slow clients.
#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

mod common;

use std::time::{Duration, Instant};

use common::{start, HEADER_READ_TIMEOUT, PASSWORD};
use reqwest::{header, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn assert_common_headers(response: &reqwest::Response, what: &str) {
    let h = response.headers();
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{what}");
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers_and_pages_only_run_their_nonced_scripts() {
    let server = start().await;
    let login = server
        .client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert_common_headers(&login, "/login");
    assert_eq!(login.headers()[header::CACHE_CONTROL], "no-store");
    let csp = login.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy names a nonce")
        .to_owned();
    let html = login.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "the page hydrates with a script");
    assert_eq!(
        html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
            .count()
            + html.matches(&format!("<script nonce=\"{nonce}\"")).count(),
        scripts,
        "every inline script carries this response's nonce"
    );
    // A second load gets another nonce.
    let again = server
        .client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    assert!(!again.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains(&nonce));

    let cookie = server.session_cookie("acme").await;
    for path in ["/users", "/roles", "/partner", "/no/such/page"] {
        let page = server
            .client
            .get(server.url(path))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .unwrap();
        assert_common_headers(&page, path);
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store", "{path}");
    }
    let api = server.current_user(Some(&cookie)).await;
    assert_common_headers(&api, "a server function");
    assert!(api.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    let health = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_common_headers(&health, "/healthz");
    // HSTS only when the site is reached over HTTPS (here: through a proxy that says so).
    assert!(health
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());
    let https = server
        .client
        .get(server.url("/healthz"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(https.headers()[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_long_sign_in_field_gets_a_clear_4xx_and_no_session() {
    let server = start().await;
    let long = "p".repeat(app::server::auth::MAX_PASSWORD_LEN + 1);
    let response = server
        .post(
            "/api/login",
            &[
                ("tenant", "acme"),
                ("username", "admin"),
                ("password", &long),
            ],
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    let body = response.text().await.unwrap();
    assert!(body.contains("At most 1024 characters."), "{body}");
    // It was not counted as a failed attempt: the right password works at once.
    assert!(server.login("acme", PASSWORD).await.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_ins_is_answered_fast_while_the_rest_keeps_answering() {
    let server = start().await;
    let cookie = server.session_cookie("acme").await;
    let flood = (0..50).map(|i| {
        let username = format!("nobody-{i}-{}", rand::random::<u32>());
        let server = &server;
        async move {
            let started = Instant::now();
            let response = server
                .post(
                    "/api/login",
                    &[
                        ("tenant", "acme"),
                        ("username", &username),
                        ("password", "x"),
                    ],
                    None,
                )
                .await;
            (response.status(), started.elapsed())
        }
    });
    let others = async {
        // While the flood runs, readiness and a signed-in page answer.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let ready = server
            .client
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap();
        let me = server.current_user(Some(&cookie)).await;
        (ready.status(), me.status())
    };
    let (outcomes, (ready, me)) = tokio::join!(futures::future::join_all(flood), others);
    assert_eq!((ready, me), (StatusCode::OK, StatusCode::OK));
    let refused_fast = outcomes
        .iter()
        .filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    for (status, took) in &outcomes {
        assert!(
            matches!(
                *status,
                StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS
            ),
            "{status}"
        );
        if *status == StatusCode::TOO_MANY_REQUESTS {
            assert!(*took < Duration::from_secs(5), "a 429 took {took:?}");
        }
    }
    assert!(
        refused_fast > 0,
        "hashing is bounded: some attempts are told to retry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_its_headers_slowly_is_cut_off() {
    let server = start().await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: castellan\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buffer = Vec::new();
    // The header block never ends: the server must close the connection on its own.
    let read = tokio::time::timeout(HEADER_READ_TIMEOUT * 3, stream.read_to_end(&mut buffer)).await;
    assert!(
        read.is_ok(),
        "the connection was still open after {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() >= HEADER_READ_TIMEOUT / 2);
    assert!(
        !String::from_utf8_lossy(&buffer).contains("200 OK"),
        "no answer to an unfinished request"
    );
}

/// A sign-in as a browser behind our reverse proxy sends it, from client `address`.
async fn login_from(
    server: &common::TestServer,
    address: &str,
    password: &str,
) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/login"))
        .header(header::ORIGIN, &server.base)
        .header("x-forwarded-for", format!("198.51.100.250, {address}"))
        .form(&[
            ("tenant", "acme"),
            ("username", "admin"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_failed_sign_ins_do_not_keep_the_real_admin_out() {
    let server = start().await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(login_from(&server, "203.0.113.9", "wrong").await.status());
    }
    assert!(
        statuses[..6].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[6..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The stranger is held off; the administrator at another address is not (no wait at all).
    let stranger = login_from(&server, "203.0.113.9", PASSWORD).await;
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);
    let admin = login_from(&server, "192.0.2.1", PASSWORD).await;
    assert!(admin.status().is_success() || admin.status().is_redirection());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_sign_outs_and_refusals_are_audited_with_the_clients_address() {
    let server = start().await;
    assert_eq!(
        login_from(&server, "203.0.113.9", "wrong").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let signed_in = login_from(&server, "192.0.2.1", PASSWORD).await;
    let cookie = common::set_cookie(&signed_in)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let out = server
        .client
        .post(server.url("/api/logout"))
        .header(header::ORIGIN, &server.base)
        .header(header::COOKIE, &cookie)
        .header("x-forwarded-for", "192.0.2.1")
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success() || out.status().is_redirection());
    // A change made in the console carries the address too.
    let admin = server.cookie_for("acme", "admin").await;
    let created = server
        .client
        .post(server.url("/api/device_groups/create"))
        .header(header::ORIGIN, &server.base)
        .header(header::COOKIE, &admin)
        .header("x-forwarded-for", "192.0.2.44")
        .json(&serde_json::json!({ "parent": null, "name": "Audited Plant" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let change: String =
        sqlx::query_scalar("SELECT address FROM audit_events WHERE target LIKE '%Audited Plant%'")
            .fetch_one(&server.db.pool)
            .await
            .unwrap();
    assert_eq!(change, "192.0.2.44");
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.action, a.target, a.address FROM audit_events a \
         JOIN tenants t ON t.id = a.tenant_id \
         WHERE t.slug = 'acme' AND a.action LIKE 'session.%' ORDER BY a.id",
    )
    .fetch_all(&server.db.pool)
    .await
    .unwrap();
    let expected = [
        ("session.sign-in-failed", "user admin", "203.0.113.9"),
        ("session.sign-in", "user admin", "192.0.2.1"),
        ("session.sign-out", "user admin", "192.0.2.1"),
        // `cookie_for` signs in without a forwarded address: the socket peer.
        ("session.sign-in", "user admin", "127.0.0.1"),
    ];
    assert_eq!(
        rows.iter()
            .map(|(a, t, ad)| (a.as_str(), t.as_str(), ad.as_str()))
            .collect::<Vec<_>>(),
        expected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_from_anyone_but_a_trusted_proxy_are_ignored() {
    use app::server::network::Network;
    let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
    let net = Network {
        trusted_proxies: vec![proxy],
        public_origin: None,
    };
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    let direct: std::net::IpAddr = "192.0.2.77".parse().unwrap();
    assert_eq!(net.client_address(direct, &headers), direct);
    assert_eq!(
        net.client_address(proxy, &headers).to_string(),
        "203.0.113.9"
    );
}

/// `Set-Cookie` of a portal sign-in, whichever its name.
fn portal_set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.contains("castellan_partner=") && !c.contains("castellan_partner=;"))
}

/// A portal sign-in of partner.erin as a browser behind our reverse proxy sends it.
async fn portal_login_from(
    server: &common::TestServer,
    address: &str,
    password: &str,
    https: bool,
) -> reqwest::Response {
    let mut request = server
        .client
        .post(server.url("/api/partner/login"))
        .header(header::ORIGIN, &server.base)
        .header("x-forwarded-for", address);
    if https {
        request = request.header("x-forwarded-proto", "https");
    }
    request
        .form(&[("username", "partner.erin"), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_portal_pages_carry_the_security_headers_signed_in_or_not() {
    let server = start().await;
    common::partner(&server, "Northwind", "partner.erin", &["acme"]).await;
    let anonymous = server
        .client
        .get(server.url("/partner"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_common_headers(&anonymous, "/partner, signed out");
    assert_eq!(anonymous.headers()[header::CACHE_CONTROL], "no-store");
    assert!(anonymous
        .text()
        .await
        .unwrap()
        .contains("Sign in to partner portal"));

    let erin = common::portal_cookie(&server, "partner.erin", PASSWORD)
        .await
        .expect("partner.erin signs in to the portal");
    for path in ["/partner", "/partner/tenants/acme"] {
        let page = server
            .client
            .get(server.url(path))
            .header(header::COOKIE, &erin)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_common_headers(&page, path);
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store", "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("partner.erin"), "{path}: the signed-in page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_cookie_is_host_prefixed_and_secure_over_https_and_plain_on_loopback() {
    let server = start().await;
    common::partner(&server, "Northwind", "partner.erin", &["acme"]).await;
    let plain = portal_set_cookie(&portal_login_from(&server, "192.0.2.1", PASSWORD, false).await)
        .expect("a portal cookie over plain HTTP");
    assert!(plain.starts_with("castellan_partner="), "{plain}");
    assert!(!plain.contains("Secure"), "{plain}");

    let secure = portal_set_cookie(&portal_login_from(&server, "192.0.2.1", PASSWORD, true).await)
        .expect("a portal cookie over HTTPS");
    assert!(
        secure.starts_with("__Host-castellan_partner=") && secure.contains("; Path=/;"),
        "{secure}"
    );
    assert!(
        secure.contains("; Secure") && secure.contains("HttpOnly"),
        "{secure}"
    );
    assert!(!secure.contains("Domain"), "{secure}");
    // The prefixed cookie opens the portal as the plain one does.
    let pair = secure.split(';').next().unwrap().to_owned();
    let tenants = server
        .client
        .post(server.url("/api/partner/tenants"))
        .header(header::ORIGIN, &server.base)
        .header(header::COOKIE, &pair)
        .json(&serde_json::json!({ "query": "", "page": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(tenants.status(), StatusCode::OK);
    // A portal cookie is never a tenant session, whatever its name.
    assert_eq!(
        server.current_user(Some(&pair)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_failed_portal_sign_ins_do_not_keep_the_partner_out() {
    let server = start().await;
    common::partner(&server, "Northwind", "partner.erin", &["acme"]).await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let response = portal_login_from(&server, "203.0.113.9", "wrong-password-1", false).await;
        assert!(portal_set_cookie(&response).is_none());
        statuses.push(response.status());
    }
    assert!(
        statuses[..6].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[6..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The stranger is held off, even with the right password; partner.erin elsewhere is not.
    let stranger = portal_login_from(&server, "203.0.113.9", PASSWORD, false).await;
    assert_eq!(stranger.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(portal_set_cookie(&stranger).is_none());
    let started = Instant::now();
    let erin = portal_login_from(&server, "192.0.2.1", PASSWORD, false).await;
    assert!(
        erin.status().is_success() || erin.status().is_redirection(),
        "{}",
        erin.status()
    );
    assert!(portal_set_cookie(&erin).is_some());
    assert!(started.elapsed() < Duration::from_secs(60));
}
