//! The server over real HTTP: what a browser, a script or an attacker sees.
#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

mod common;

use common::{set_cookie, start, PASSWORD};
use reqwest::{header, StatusCode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_function_called_anonymously_is_refused_with_401() {
    let server = start().await;
    let response = server.current_user(None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let forged = "castellan_session=".to_owned() + &"a".repeat(64);
    assert_eq!(
        server.current_user(Some(&forged)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_user_gets_their_own_tenant_only() {
    let server = start().await;
    let cookie = server.session_cookie("globex").await;
    let response = server.current_user(Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: serde_json::Value = response.json().await.unwrap();
    assert_eq!(me["tenant_slug"], "globex");
    assert_eq!(me["username"], "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_gets_one_generic_401_and_no_cookie() {
    let server = start().await;
    let mut bodies = Vec::new();
    for (tenant, password) in [("acme", "wrong-password"), ("nowhere", PASSWORD)] {
        let response = server.login(tenant, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        bodies.push(response.text().await.unwrap());
    }
    assert_eq!(bodies[0], "\"SignInFailed\"");
    assert_eq!(bodies[0], bodies[1], "no hint which part was wrong");
}

/// The sign-in form as the browser posts it itself, before the page's code has arrived (or
/// without it): it accepts HTML, and each answer is a redirect a browser follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_form_posted_by_the_browser_itself_redirects_back_or_on() {
    let server = start().await;
    let post = |tenant: &str, username: &str, password: &str| {
        server
            .client
            .post(server.url("/api/login"))
            .header(header::ORIGIN, &server.base)
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .header(header::REFERER, server.url("/login"))
            .form(&[
                ("tenant", tenant),
                ("username", username),
                ("password", password),
            ])
            .send()
    };
    let location = |response: &reqwest::Response| {
        response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
    };

    // Wrong: back to the page with the failure as a word and what was typed, never the password.
    let wrong = post("acme", "ad min&x", "wrong-password").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FOUND);
    assert!(wrong.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        location(&wrong).as_deref(),
        Some("/login?error=failed&tenant=acme&username=ad+min%26x")
    );
    // The page it lands on says why and keeps the fields.
    let page_at = |path: &str| {
        let request = server.client.get(server.url(path));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let page = page_at("/login?error=failed&tenant=acme&username=ad+min%26x").await;
    assert!(
        page.contains("The tenant, username or password is not correct."),
        "{page}"
    );
    assert!(page.contains(r#"value="acme""#), "{page}");
    assert!(page.contains(r#"value="ad min&amp;x""#), "{page}");
    // The address names a failure; it cannot put words in the page's mouth.
    let forged = page_at("/login?error=Call%20555-0100").await;
    assert!(!forged.contains("555-0100"), "{forged}");
    assert!(
        forged.contains("Something went wrong on the server."),
        "{forged}"
    );

    // Right: on to the console with the session cookie.
    let right = post("acme", "admin", PASSWORD).await.unwrap();
    assert_eq!(right.status(), StatusCode::FOUND);
    assert_eq!(location(&right).as_deref(), Some("/"));
    assert!(set_cookie(&right).starts_with("castellan_session="));

    // What comes back is cut: a megabyte of username does not become a megabyte of header.
    let long = "x".repeat(5_000);
    let cut = post("acme", &long, "wrong").await.unwrap();
    let back = location(&cut).unwrap();
    assert!(back.len() < 300, "{back}");
    assert!(
        back.ends_with(&format!("username={}", "x".repeat(200))),
        "{back}"
    );

    // A script (or the page's own code) asking for JSON still gets the error itself.
    let script = server.login("acme", "wrong-password").await;
    assert_eq!(script.status(), StatusCode::UNAUTHORIZED);
    assert!(location(&script).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_is_http_only_same_site_and_secure_behind_https() {
    let server = start().await;
    let cookie = set_cookie(&server.login("acme", PASSWORD).await);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cannot carry a Secure cookie: {cookie}"
    );
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert_eq!(token.len(), 64, "256 random bits, hex encoded");

    let behind_proxy = server
        .client
        .post(server.url("/api/login"))
        .header(header::ORIGIN, &server.base)
        .header("x-forwarded-proto", "https")
        .form(&[
            ("tenant", "acme"),
            ("username", "admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let secure = set_cookie(&behind_proxy);
    assert!(secure.contains("; Secure"), "{secure}");
    assert!(secure.starts_with("__Host-castellan_session="), "{secure}");
    // The prefixed cookie opens the session like the plain one.
    let pair = secure.split(';').next().unwrap().to_owned();
    assert_eq!(
        server.current_user(Some(&pair)).await.status(),
        StatusCode::OK
    );
    // Over HTTPS a plain cookie is no session, even with a live token: a sibling site could
    // have planted it (cookie tossing). Neither for server functions nor for pages.
    let https = |path: &str, cookie: String| {
        server
            .client
            .post(server.url(path))
            .header(header::ORIGIN, &server.base)
            .header(header::ACCEPT, "application/json")
            .header("x-forwarded-proto", "https")
            .header(header::COOKIE, cookie)
            .send()
    };
    let live = pair.split_once('=').unwrap().1;
    let tossed = format!("castellan_session={live}");
    assert_eq!(
        https("/api/current_user", pair.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        https("/api/current_user", tossed.clone())
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let page = server
        .client
        .get(server.url("/users"))
        .header("x-forwarded-proto", "https")
        .header(header::COOKIE, tossed)
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    assert!(page.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_rotates_the_session_id() {
    let server = start().await;
    let first = server.session_cookie("acme").await;
    let response = server
        .post(
            "/api/login",
            &[
                ("tenant", "acme"),
                ("username", "admin"),
                ("password", PASSWORD),
            ],
            Some(&first),
        )
        .await;
    let second = set_cookie(&response).split(';').next().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(
        server.current_user(Some(&first)).await.status(),
        StatusCode::UNAUTHORIZED,
        "old id is dead"
    );
    assert_eq!(
        server.current_user(Some(&second)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_post_is_refused_and_changes_nothing() {
    let server = start().await;
    let cookie = server.session_cookie("acme").await;
    for (origin, site) in [
        ("http://evil.example", "cross-site"),
        ("http://evil.example", ""),
        ("null", "same-site"),
    ] {
        let mut request = server
            .client
            .post(server.url("/api/logout"))
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, origin);
        if !site.is_empty() {
            request = request.header("sec-fetch-site", site);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin} {site}");
    }
    let login = server
        .client
        .post(server.url("/api/login"))
        .header(header::ORIGIN, "http://evil.example")
        .form(&[
            ("tenant", "acme"),
            ("username", "admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert!(login.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        server.current_user(Some(&cookie)).await.status(),
        StatusCode::OK,
        "session survived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_changes_nothing() {
    let server = start().await;
    let cookie = server.session_cookie("acme").await;
    let response = server
        .client
        .get(server.url("/api/logout"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert!(
        !response.status().is_success(),
        "GET on a server function: {}",
        response.status()
    );
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        server.current_user(Some(&cookie)).await.status(),
        StatusCode::OK,
        "session survived"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session_on_the_server() {
    let server = start().await;
    let cookie = server.session_cookie("acme").await;
    let response = server.post("/api/logout", &[], Some(&cookie)).await;
    assert!(response.status().is_success() || response.status().is_redirection());
    assert!(set_cookie(&response).contains("Max-Age=0"));
    assert_eq!(
        server.current_user(Some(&cookie)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_session_and_unknown_pages_are_404() {
    let server = start().await;
    let anonymous = server.client.get(server.url("/")).send().await.unwrap();
    assert!(anonymous.status().is_redirection());
    assert_eq!(anonymous.headers()[header::LOCATION], "/login");
    let login_page = server
        .client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(login_page.status(), StatusCode::OK);
    assert!(login_page.text().await.unwrap().contains("Sign in"));

    let cookie = server.session_cookie("acme").await;
    let home = server
        .client
        .get(server.url("/"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let missing = server
        .client
        .get(server.url("/no/such/page"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_endpoints_answer() {
    let server = start().await;
    assert_eq!(
        server
            .client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        server
            .client
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_are_served_compressed_to_browsers_that_accept_it() {
    let server = start().await;
    server.site_file("pkg/app.js", &"console.log('castellan');\n".repeat(400));
    let response = server
        .client
        .get(server.url("/pkg/app.js"))
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    let compressed = response.bytes().await.unwrap().len();
    assert!(compressed < 1000, "{compressed} bytes for 10 KB of text");
}

/// The page names the bundle at its content address; the files there are the ones compressed at
/// build time (not compressed again per request), and may be cached for good. Any other address
/// under `/assets/` is not the bundle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_is_served_precompressed_at_its_content_address_and_cached_for_good() {
    let server = start().await;
    server.site_file("pkg/castellan.js", "export default function(){}\n");
    // Not a real brotli stream: proof that the file written at build time is what is sent.
    server.site_file("pkg/castellan.js.br", "precompressed at build time");
    let page = server
        .client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    let html = page.text().await.unwrap();
    let start = html
        .find("/assets/")
        .expect("the page names the bundle's address");
    let end = start
        + html[start..]
            .find("/pkg/")
            .expect("…/pkg/ after the digest");
    let root = &html[start..end];
    assert_eq!(root.len(), "/assets/".len() + 16, "{root}");
    assert!(
        html.contains(&format!("{root}/pkg/castellan.css")),
        "the stylesheet too"
    );

    let bundle = |path: String, encoding: &'static str| {
        server
            .client
            .get(server.url(&path))
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
    };
    let br = bundle(format!("{root}/pkg/castellan.js"), "gzip, br")
        .await
        .unwrap();
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(
        br.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(br.text().await.unwrap(), "precompressed at build time");

    let plain = bundle(format!("{root}/pkg/castellan.js"), "identity")
        .await
        .unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.text().await.unwrap(), "export default function(){}\n");

    let stale = bundle("/assets/0123456789abcdef/pkg/castellan.js".into(), "br")
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        stale
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable"),
        "a wrong address is never cached for good"
    );
}
