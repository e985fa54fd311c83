//! A Castellan server on a free port with two tenants, and a client that speaks to it as a browser would.
#![allow(clippy::unwrap_used, dead_code)] // test helpers: a failed unwrap is a failed test

use std::sync::Arc;

use app::server::{
    auth::SessionPolicy,
    db::Db,
    domain::tenants::{self, NewTenant},
    templates::Templates,
    AppState,
};
use reqwest::{header, redirect::Policy, Client, Response};

pub const PASSWORD: &str = "Correct-horse-1";

pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub db: Db,
    _dir: tempfile::TempDir,
}

pub async fn start() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    start_on(dir, &url).await
}

/// The same server on a fresh PostgreSQL database, when `CASTELLAN_TEST_POSTGRES_URL` names a
/// server (`scripts/test.sh` drops the databases of its run at the end).
pub async fn start_postgres() -> Option<TestServer> {
    let admin_url = std::env::var("CASTELLAN_TEST_POSTGRES_URL").ok()?;
    let prefix =
        std::env::var("CASTELLAN_TEST_DB_PREFIX").unwrap_or_else(|_| "castellan_t_".into());
    let name = format!("{prefix}http_{:016x}", rand_suffix());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&admin_url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let (base, query) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
    let host_end = base.find("://").map_or(0, |i| i + 3);
    let host = match base[host_end..].find('/') {
        Some(i) => &base[..host_end + i],
        None => base,
    };
    let url = if query.is_empty() {
        format!("{host}/{name}")
    } else {
        format!("{host}/{name}?{query}")
    };
    if let Ok(marker) = std::env::var("CASTELLAN_TEST_POSTGRES_MARKER") {
        std::fs::write(marker, "ran").unwrap();
    }
    Some(start_on(tempfile::tempdir().unwrap(), &url).await)
}

// Every test here runs on a multi-threaded runtime (`#[tokio::test(flavor = "multi_thread",
// worker_threads = 2)]`), as the server does in production (`#[tokio::main]`, one worker per core).
// On tokio's default single-threaded test runtime a server-rendered page's body sometimes stopped
// midway and never finished (the headers had come): CI ran out of its 90 minutes in one such test,
// and the 60 s request limit below caught another (`/partner` signed in, 2026-12-06). Leptos
// reports the same on one worker thread (leptos-rs/leptos#4647: a resource's future never resumes).

/// Shorter than production's, so that the slow-client test finishes quickly.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

fn rand_suffix() -> u64 {
    rand::random()
}

async fn start_on(dir: tempfile::TempDir, url: &str) -> TestServer {
    let db = Db::open(url).await.unwrap();
    let templates = Templates::load().unwrap();
    for slug in ["acme", "globex"] {
        let new = NewTenant {
            slug,
            name: slug,
            template: "iot",
            admin_username: "admin",
            admin_password: PASSWORD,
        };
        tenants::create(&db, &templates, &new).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        db: db.clone(),
        sessions: SessionPolicy::default(),
        templates: Arc::new(templates),
        leptos_options: server::leptos_options(dir.path().to_str().unwrap(), addr),
        // The tests play the reverse proxy: they may say which client and scheme a request has.
        network: app::server::network::Network {
            trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into()],
            public_origin: None,
        },
    };
    let app = server::router(state);
    tokio::spawn(server::serve::serve(
        listener,
        app,
        HEADER_READ_TIMEOUT,
        std::future::pending(),
    ));
    // A request that never gets an answer fails its test within a minute, naming it, instead of
    // holding the whole test run until CI's time is up.
    let client = Client::builder()
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    TestServer {
        base: format!("http://{addr}"),
        client,
        db,
        _dir: dir,
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A same-origin POST of a form, as the browser sends it from our own page.
    pub async fn post(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header(header::ORIGIN, &self.base)
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    pub async fn login(&self, tenant: &str, password: &str) -> Response {
        self.post(
            "/api/login",
            &[
                ("tenant", tenant),
                ("username", "admin"),
                ("password", password),
            ],
            None,
        )
        .await
    }

    /// Signs in and returns the `name=value` pair of the session cookie.
    pub async fn session_cookie(&self, tenant: &str) -> String {
        let response = self.login(tenant, PASSWORD).await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{}",
            response.status()
        );
        set_cookie(&response).split(';').next().unwrap().to_owned()
    }

    pub async fn current_user(&self, cookie: Option<&str>) -> Response {
        self.post("/api/current_user", &[], cookie).await
    }
}

pub fn set_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("castellan_session=") || c.starts_with("__Host-castellan_session="))
        .expect("a session cookie is set")
}

impl TestServer {
    /// A local user of `tenant` with password `PASSWORD`, holding the named roles directly.
    pub async fn add_user(
        &self,
        tenant: &str,
        username: &str,
        roles: &[&str],
    ) -> app::model::UserId {
        use app::server::{auth::password, db};
        let mut conn = self.db.pool.acquire().await.unwrap();
        let tenant = db::tenants::find_by_slug(&mut conn, tenant)
            .await
            .unwrap()
            .unwrap();
        let tenant = tenant.id;
        let hash = password::hash(PASSWORD).unwrap();
        let new = db::users::NewUser {
            username,
            display_name: username,
            email: "",
            password_hash: Some(&hash),
            origin: app::model::Origin::Local,
            is_partner_admin: false,
        };
        let user = db::users::insert(&mut conn, tenant, &new, 0).await.unwrap();
        for role in roles {
            let role = db::roles::id_by_name(&mut conn, tenant, role)
                .await
                .unwrap()
                .unwrap();
            db::assignments::add_user_role(&mut conn, tenant, user, role)
                .await
                .unwrap();
        }
        user
    }

    /// Signs in as any user of a tenant; returns the cookie pair.
    pub async fn cookie_for(&self, tenant: &str, username: &str) -> String {
        let response = self
            .post(
                "/api/login",
                &[
                    ("tenant", tenant),
                    ("username", username),
                    ("password", PASSWORD),
                ],
                None,
            )
            .await;
        set_cookie(&response).split(';').next().unwrap().to_owned()
    }

    /// A same-origin JSON call of a server function.
    pub async fn call(
        &self,
        endpoint: &str,
        body: serde_json::Value,
        cookie: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(header::ORIGIN, &self.base)
            .header(header::ACCEPT, "application/json")
            .json(&body);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    /// Puts a file into the served site folder.
    pub fn site_file(&self, path: &str, content: &str) {
        let full = self._dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    /// Everything that decides who may do what, in every tenant, with every version: equal before
    /// and after a refused call, or the call changed something.
    pub async fn fingerprint(&self) -> String {
        const TABLES: [&str; 15] = [
            "SELECT CAST(id AS TEXT) || ':' || CAST(sso_manual_changes AS TEXT) FROM tenants",
            "SELECT CAST(id AS TEXT) || ':' || username || ':' || display_name || ':' || email || ':' || status || ':' || CAST(version AS TEXT) || ':' || CAST(roles_version AS TEXT) || ':' || CAST(inventory_version AS TEXT) FROM users",
            "SELECT CAST(id AS TEXT) || ':' || name || ':' || description || ':' || scope || ':' || CAST(version AS TEXT) FROM roles",
            "SELECT CAST(role_id AS TEXT) || ':' || perm_type || ':' || level FROM role_grants",
            "SELECT CAST(role_id AS TEXT) || ':' || application FROM role_applications",
            "SELECT CAST(user_id AS TEXT) || ':' || CAST(role_id AS TEXT) || ':' || CAST(space_id AS TEXT) FROM user_roles",
            "SELECT CAST(id AS TEXT) || ':' || name || ':' || CAST(version AS TEXT) || ':' || CAST(roles_version AS TEXT) FROM user_groups",
            "SELECT CAST(group_id AS TEXT) || ':' || CAST(role_id AS TEXT) || ':' || CAST(space_id AS TEXT) FROM group_roles",
            "SELECT CAST(group_id AS TEXT) || ':' || CAST(user_id AS TEXT) FROM group_members",
            "SELECT CAST(id AS TEXT) || ':' || name || ':' || CAST(version AS TEXT) FROM spaces",
            "SELECT CAST(id AS TEXT) || ':' || CAST(parent_id AS TEXT) || ':' || name || ':' || CAST(version AS TEXT) FROM device_groups",
            "SELECT CAST(id AS TEXT) || ':' || CAST(group_id AS TEXT) || ':' || name FROM devices",
            "SELECT CAST(id AS TEXT) || ':' || name || ':' || CAST(version AS TEXT) FROM inventory_roles",
            "SELECT CAST(role_id AS TEXT) || ':' || CAST(position AS TEXT) || ':' || category || ':' || fragment_type || ':' || level FROM inventory_role_permissions",
            "SELECT CAST(user_id AS TEXT) || ':' || CAST(role_id AS TEXT) || ':' || CAST(group_id AS TEXT) FROM user_inventory_roles",
        ];
        let mut out = String::new();
        for sql in TABLES {
            let rows: Vec<String> = sqlx::query_scalar(&format!("{sql} ORDER BY 1"))
                .fetch_all(&self.db.pool)
                .await
                .unwrap();
            out.push_str(&rows.join("\n"));
            out.push_str("\n--\n");
        }
        out
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    pub async fn role_id(&self, tenant: &str, name: &str) -> i64 {
        use app::server::db;
        let mut conn = self.db.pool.acquire().await.unwrap();
        let tenant = db::tenants::find_by_slug(&mut conn, tenant)
            .await
            .unwrap()
            .unwrap();
        db::roles::id_by_name(&mut conn, tenant.id, name)
            .await
            .unwrap()
            .unwrap()
            .0
    }
}

/// A partner serving `tenants`, its administrator `admin` with a user in each tenant.
pub async fn partner(server: &TestServer, name: &str, admin: &str, tenants: &[&str]) {
    use app::server::{auth::password, db};
    let mut conn = server.db.pool.acquire().await.unwrap();
    let partner = db::partners::insert_partner(&mut conn, name, 0)
        .await
        .unwrap();
    let hash = password::hash(PASSWORD).unwrap();
    let admin_id = db::partners::insert_admin(&mut conn, partner, admin, admin, &hash, 0)
        .await
        .unwrap();
    for slug in tenants {
        let tenant = db::tenants::find_by_slug(&mut conn, slug)
            .await
            .unwrap()
            .unwrap()
            .id;
        db::partners::serve(&mut conn, partner, tenant)
            .await
            .unwrap();
        let new = db::users::NewUser {
            username: admin,
            display_name: admin,
            email: "",
            password_hash: None,
            origin: app::model::Origin::Local,
            is_partner_admin: true,
        };
        let user = db::users::insert(&mut conn, tenant, &new, 0).await.unwrap();
        db::partners::link(&mut conn, tenant, user, admin_id)
            .await
            .unwrap();
    }
}

pub async fn portal_cookie(server: &TestServer, username: &str, password: &str) -> Option<String> {
    let response = server
        .post(
            "/api/partner/login",
            &[("username", username), ("password", password)],
            None,
        )
        .await;
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("castellan_partner=") && !c.starts_with("castellan_partner=;"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}
