//! The console at scale, over HTTP (issue 13): seeds a tenant with `server seed`'s data, serves
//! the real router in this process on a free port, signs in as the tenant's administrator and
//! drives every page and server function that a user meets at a fixed concurrency, printing
//! p50/p95/p99 latency and throughput per endpoint. Latency is measured at the client on
//! loopback, from sending the request to the last byte of the body: server time plus well under a
//! millisecond. It also serves the roles page's data from a bare axum handler (the same session
//! check, authorization and query, answered as JSON without Leptos) and compares the two.
//!
//!   cargo bench -p server --bench http
//!
//! Environment: `BENCH_SIZE` S|M|L (default L), `BENCH_CONCURRENCY` (default 2: one request per
//! core of the 2-core machine it was measured on, so latency is server time, not queueing),
//! `BENCH_ONLY` (run only endpoints whose name contains it), `BENCH_REUSE=1` (keep a seeded
//! tenant found at `BENCH_DATABASE_URL`), `BENCH_REQUESTS` per endpoint (default 200, or fewer when `BENCH_SECONDS`, default 20, have
//! passed), `BENCH_WRITES` of each write (default 10), `BENCH_DATABASE_URL` (default a new SQLite file;
//! a `postgres://` URL measures PostgreSQL, in a database that has no tenant `bench` yet).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is a panic

use std::{sync::Arc, time::Instant};

use app::{
    model::AppError,
    server::{
        auth::{self, SessionPolicy},
        db::Db,
        domain::{self, access::Actor, tenants::scale},
        templates::Templates,
        AppState,
    },
};
use axum::{extract::State, http::HeaderMap, routing::get, Json, Router};
use reqwest::{header, Client};
use serde_json::{json, Value};

const TENANT: &str = "bench";

struct Bench {
    base: String,
    client: Client,
    cookie: String,
    concurrency: usize,
    requests: usize,
}

/// One measured endpoint: what was asked, and the latencies in milliseconds.
struct Sample {
    name: String,
    ms: Vec<f64>,
    seconds: f64,
    failed: usize,
}

#[tokio::main]
async fn main() {
    let size: scale::Size = env("BENCH_SIZE", "L").parse().unwrap();
    let concurrency: usize = env("BENCH_CONCURRENCY", "2").parse().unwrap();
    let requests: usize = env("BENCH_REQUESTS", "200").parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let db = Db::open(&url).await.unwrap();
    let templates = Templates::load().unwrap();
    let started = Instant::now();
    // BENCH_REUSE=1 with a BENCH_DATABASE_URL that already holds the tenant (for profiling).
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(TENANT)
        .fetch_optional(&db.pool)
        .await
        .unwrap();
    if exists.is_none() || env("BENCH_REUSE", "") != "1" {
        let written = scale::seed(&db, &templates, TENANT, size).await.unwrap();
        println!(
            "seeded {TENANT} ({size:?}) on {backend} in {:.1} s: {written:?}",
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    db.index.warm_all(&db.pool, &templates).await.unwrap();
    println!(
        "permission index built in {} ms",
        started.elapsed().as_millis()
    );
    // As the server does once it listens (in the background there; awaited here, so the first
    // guarded call below is measured as it is once the start-up is over).
    let started = Instant::now();
    domain::guard::Guard::warm_all(&db, &templates)
        .await
        .unwrap();
    println!(
        "guard state read ahead in {} ms",
        started.elapsed().as_millis()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState {
        db: db.clone(),
        sessions: SessionPolicy::default(),
        templates: Arc::new(templates),
        leptos_options: server::leptos_options(dir.path().to_str().unwrap(), addr),
        network: app::server::network::Network {
            trusted_proxies: vec![],
            public_origin: None,
        },
    };
    let bare = Router::new()
        .route("/bare/roles", get(bare_roles))
        .with_state(state.clone());
    let router = server::router(state).merge(bare);
    tokio::spawn(server::serve::serve(
        listener,
        router,
        server::HEADER_READ_TIMEOUT,
        std::future::pending(),
    ));
    let base = format!("http://{addr}");
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let cookie = sign_in(&client, &base).await;
    let bench = Bench {
        base,
        client,
        cookie,
        concurrency,
        requests,
    };
    let ids = Ids::find(&db).await;
    println!(
        "{requests} requests per endpoint, {concurrency} at a time, {} cores\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| endpoint | p50 ms | p95 ms | p99 ms | requests/s |\n| --- | ---: | ---: | ---: | ---: |"
    );
    // BENCH_ONLY: run only the endpoints whose name contains it.
    let only = env("BENCH_ONLY", "");
    let wanted = |name: &str| name.contains(only.as_str());
    let mut samples = Vec::new();
    // The guard keeps each tenant's state between writes, read ahead at the start. The first
    // guarded call after the start, measured once, before anything else has written.
    if wanted("first guarded") {
        let (_, endpoint, body) = reads(&ids)
            .into_iter()
            .find(|(_, endpoint, _)| *endpoint == "wizard/preview")
            .unwrap();
        let t = Instant::now();
        let good = ok(bench.request(endpoint, body).send().await).await;
        let sample = Sample {
            name: "first guarded call after the start (wizard/preview)".to_owned(),
            ms: vec![t.elapsed().as_secs_f64() * 1000.0],
            seconds: t.elapsed().as_secs_f64(),
            failed: usize::from(!good),
        };
        print_row(&sample);
        samples.push(sample);
    }
    for (name, endpoint, body) in reads(&ids) {
        if !wanted(name) {
            continue;
        }
        let sample = bench.post(name, endpoint, body).await;
        print_row(&sample);
        samples.push(sample);
    }
    for (name, path) in pages(&ids) {
        if !wanted(name) {
            continue;
        }
        let sample = bench.get(name, &path).await;
        print_row(&sample);
        samples.push(sample);
    }
    if wanted("SSR /roles (for the ratio)") {
        let ssr = bench.get("SSR /roles (for the ratio)", "/roles").await;
        let json = bench
            .get("bare axum JSON of the same roles", "/bare/roles")
            .await;
        print_row(&ssr);
        print_row(&json);
        let ratio = throughput(&ssr) / throughput(&json);
        println!(
            "\nSSR /roles: {:.0} requests/s; bare axum JSON: {:.0} requests/s; SSR is {:.0}% of bare (goal ≥ 30%)\n",
            throughput(&ssr),
            throughput(&json),
            ratio * 100.0
        );
    }
    let writes = if wanted("roles/save (held by 50,000), one at a time")
        || wanted("wizard/apply: Append 2 roles to 100 users, one at a time")
    {
        bench.writes(&ids).await
    } else {
        Vec::new()
    };
    for sample in writes {
        if !wanted(&sample.name) {
            continue;
        }
        print_row(&sample);
        samples.push(sample);
    }
    let over: Vec<&Sample> = samples
        .iter()
        .filter(|s| percentile(&s.ms, 95.0) > 50.0)
        .collect();
    if over.is_empty() {
        println!("every endpoint's p95 is within 50 ms");
    } else {
        for s in over {
            println!(
                "over 50 ms at p95: {} ({:.1} ms)",
                s.name,
                percentile(&s.ms, 95.0)
            );
        }
    }
    let failed: usize = samples.iter().map(|s| s.failed).sum();
    assert_eq!(failed, 0, "some requests failed");
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn sign_in(client: &Client, base: &str) -> String {
    let response = client
        .post(format!("{base}/api/login"))
        .header(header::ORIGIN, base)
        .form(&[
            ("tenant", TENANT),
            ("username", scale::ADMIN),
            ("password", scale::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("castellan_session="))
        .expect("signed in")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// The roles page's data without Leptos: the same session, authorization and query.
async fn bare_roles(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<app::model::roles::RolePage>, (axum::http::StatusCode, String)> {
    roles_json(&state, &headers)
        .await
        .map(Json)
        .map_err(|e| (e.status_code(), e.to_string()))
}

async fn roles_json(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<app::model::roles::RolePage, AppError> {
    let token = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| {
            c.split(';')
                .find_map(|p| p.trim().strip_prefix("castellan_session="))
        })
        .ok_or(AppError::Unauthorized)?;
    let principal = auth::resolve(&state.db, &state.sessions, token, app::server::unix_now())
        .await?
        .ok_or(AppError::Unauthorized)?;
    let actor = Actor::resolve(&state.db, &state.templates, principal).await?;
    actor.require_view()?;
    let mut conn = state.db.pool.acquire().await?;
    domain::roles::list(&mut conn, actor.tenant(), "", 1).await
}

/// The ids the requests name, looked up once.
struct Ids {
    power_user: i64,
    plain_user: i64,
    large_group: i64,
    wide_role: i64,
    warehouse: i64,
    deep_group: i64,
    device: i64,
    hundred_users: Vec<i64>,
    roles_to_append: Vec<i64>,
}

impl Ids {
    async fn find(db: &Db) -> Ids {
        let one = |sql: &'static str| async move {
            let id: i64 = sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap();
            id
        };
        let hundred: Vec<i64> = sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id \
             WHERE t.slug = 'bench' AND u.username <> 'admin' ORDER BY u.id LIMIT 100 OFFSET 1000",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let roles: Vec<i64> = sqlx::query_scalar(
            "SELECT r.id FROM roles r JOIN tenants t ON t.id = r.tenant_id \
             WHERE t.slug = 'bench' AND r.description LIKE 'Seeded role %' \
             AND r.scope = 'cross-space' AND r.name <> 'Fleet Operator' ORDER BY r.id DESC LIMIT 2",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        Ids {
            power_user: one("SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'bench' AND u.username = 'power.user01'").await,
            plain_user: one("SELECT u.id FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'bench' AND u.username NOT LIKE 'power%' AND u.username <> 'admin' ORDER BY u.id DESC LIMIT 1").await,
            large_group: one("SELECT g.id FROM user_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'bench' AND g.name = 'All Field Staff'").await,
            wide_role: one("SELECT r.id FROM roles r JOIN tenants t ON t.id = r.tenant_id WHERE t.slug = 'bench' AND r.name = 'Fleet Operator'").await,
            warehouse: one("SELECT d.id FROM device_groups d JOIN tenants t ON t.id = d.tenant_id WHERE t.slug = 'bench' AND d.name = 'Central Warehouse'").await,
            deep_group: one("SELECT MAX(d.id) FROM device_groups d JOIN tenants t ON t.id = d.tenant_id WHERE t.slug = 'bench'").await,
            device: one("SELECT MAX(d.id) FROM devices d JOIN tenants t ON t.id = d.tenant_id WHERE t.slug = 'bench'").await,
            hundred_users: hundred,
            roles_to_append: roles,
        }
    }
}

fn reads(ids: &Ids) -> Vec<(&'static str, &'static str, Value)> {
    let users: Vec<Value> = ids
        .hundred_users
        .iter()
        .map(|u| json!({ "User": u }))
        .collect();
    let appends: Vec<Value> = ids.roles_to_append.iter().map(|r| json!([r, 0])).collect();
    vec![
        (
            "users/list, first page",
            "users/list",
            json!({ "query": "", "page": 1 }),
        ),
        (
            "users/list, a search",
            "users/list",
            json!({ "query": "maya.olsen", "page": 1 }),
        ),
        (
            "users/list, page 4,000",
            "users/list",
            json!({ "query": "", "page": 4000 }),
        ),
        (
            "users/load (power user, 300 roles)",
            "users/load",
            json!({ "id": ids.power_user }),
        ),
        (
            "roles/choices (the power user's first page)",
            "roles/choices",
            json!({ "of": { "User": ids.power_user }, "audience": null, "query": "", "page": 1 }),
        ),
        (
            "roles/choices (a search)",
            "roles/choices",
            json!({ "of": { "User": ids.power_user }, "audience": null, "query": "role 12", "page": 1 }),
        ),
        (
            "users/inventory",
            "users/inventory",
            json!({ "user": ids.plain_user }),
        ),
        (
            "users/check_access (device group)",
            "users/check_access",
            json!({ "user": ids.power_user, "group": ids.deep_group, "device": null, "fragment_type": "*" }),
        ),
        (
            "users/check_access (device)",
            "users/check_access",
            json!({ "user": ids.plain_user, "group": null, "device": ids.device, "fragment_type": "*" }),
        ),
        (
            "groups/list, first page",
            "groups/list",
            json!({ "query": "", "page": 1 }),
        ),
        (
            "groups/list, a search",
            "groups/list",
            json!({ "query": "lyon", "page": 1 }),
        ),
        (
            "groups/load (10,000 members)",
            "groups/load",
            json!({ "id": ids.large_group }),
        ),
        (
            "groups/members, page 100",
            "groups/members",
            json!({ "group": ids.large_group, "query": "", "page": 100 }),
        ),
        (
            "roles/list, first page",
            "roles/list",
            json!({ "query": "", "page": 1 }),
        ),
        (
            "roles/list, a search",
            "roles/list",
            json!({ "query": "lyon", "page": 1 }),
        ),
        (
            "roles/list, page 150",
            "roles/list",
            json!({ "query": "", "page": 150 }),
        ),
        (
            "roles/editor (held by 50,000)",
            "roles/editor",
            json!({ "id": ids.wide_role }),
        ),
        (
            "device_groups/children (top)",
            "device_groups/children",
            json!({ "parent": null, "offset": 0 }),
        ),
        (
            "device_groups/children (10,000 devices)",
            "device_groups/children",
            json!({ "parent": ids.warehouse, "offset": 5000 }),
        ),
        (
            "wizard/context (100 users)",
            "wizard/context",
            json!({ "mode": "Append", "subjects": users }),
        ),
        (
            "wizard/roles (Select roles, first page)",
            "wizard/roles",
            json!({ "query": "", "page": 1 }),
        ),
        (
            "wizard/roles (a search)",
            "wizard/roles",
            json!({ "query": "lyon", "page": 1 }),
        ),
        (
            "wizard/preview (100 users)",
            "wizard/preview",
            json!({ "request": { "mode": "Append", "subjects": users, "assignments": appends } }),
        ),
    ]
}

fn pages(ids: &Ids) -> Vec<(&'static str, String)> {
    vec![
        ("SSR /users", "/users".to_owned()),
        (
            "SSR /users/<power user>",
            format!("/users/{}", ids.power_user),
        ),
        ("SSR /groups", "/groups".to_owned()),
        (
            "SSR /groups/<10,000 members>",
            format!("/groups/{}", ids.large_group),
        ),
        (
            "SSR /roles/global/<held by 50,000>",
            format!("/roles/global/{}", ids.wide_role),
        ),
        ("SSR /device-groups", "/device-groups".to_owned()),
    ]
}

impl Bench {
    async fn run<F, Fut>(&self, name: &str, requests: usize, concurrency: usize, one: F) -> Sample
    where
        F: Fn(usize) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = bool> + Send,
    {
        // One warm-up request, so that a first-use cost does not count.
        one(usize::MAX).await;
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let budget = std::time::Duration::from_secs(env("BENCH_SECONDS", "20").parse().unwrap());
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (next, one) = (next.clone(), one.clone());
            tasks.push(tokio::spawn(async move {
                let mut ms = Vec::new();
                let mut failed = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= requests || started.elapsed() > budget {
                        break;
                    }
                    let t = Instant::now();
                    if !one(i).await {
                        failed += 1;
                    }
                    ms.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                (ms, failed)
            }));
        }
        let mut ms = Vec::new();
        let mut failed = 0;
        for task in tasks {
            let (m, f) = task.await.unwrap();
            ms.extend(m);
            failed += f;
        }
        let seconds = started.elapsed().as_secs_f64();
        ms.sort_by(f64::total_cmp);
        Sample {
            name: name.to_owned(),
            ms,
            seconds,
            failed,
        }
    }

    async fn post(&self, name: &str, endpoint: &str, body: Value) -> Sample {
        let request = Arc::new(self.request(endpoint, body));
        self.run(name, self.requests, self.concurrency, move |_| {
            let request = request.try_clone().unwrap();
            async move { ok(request.send().await).await }
        })
        .await
    }

    async fn get(&self, name: &str, path: &str) -> Sample {
        let request = Arc::new(
            self.client
                .get(format!("{}{path}", self.base))
                .header(header::COOKIE, &self.cookie),
        );
        self.run(name, self.requests, self.concurrency, move |_| {
            let request = request.try_clone().unwrap();
            async move { ok(request.send().await).await }
        })
        .await
    }

    fn request(&self, endpoint: &str, body: Value) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ORIGIN, &self.base)
            .header(header::COOKIE, &self.cookie)
            .header(header::ACCEPT, "application/json")
            .json(&body)
    }

    async fn call(&self, endpoint: &str, body: Value) -> Value {
        let response = self.request(endpoint, body).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{endpoint}: {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// Writes one at a time: each reads the version it saves at, as the page does.
    async fn writes(&self, ids: &Ids) -> Vec<Sample> {
        let saves: usize = env("BENCH_WRITES", "10").parse().unwrap();
        let (mut role_saves, mut saves_failed) = (Vec::new(), 0);
        for i in 0..saves {
            let editor = self
                .call("roles/editor", json!({ "id": ids.wide_role }))
                .await;
            let role = &editor["role"];
            let mut grants = role["grants"].clone();
            let alarms = if i % 2 == 0 {
                json!(["READ"])
            } else {
                json!([])
            };
            grants["Alarms"] = alarms;
            let input = json!({ "input": {
                "id": ids.wide_role, "name": role["name"], "description": role["description"],
                "grants": grants, "applications": role["applications"], "version": role["version"],
                "scope": role["scope"], "audience": role["audience"],
            }});
            let t = Instant::now();
            // A save that fails (the server's 30 s time-out) is counted, not fatal.
            let response = self.request("roles/save", input).send().await;
            saves_failed += usize::from(!ok(response).await);
            role_saves.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let users: Vec<Value> = ids
            .hundred_users
            .iter()
            .map(|u| json!({ "User": u }))
            .collect();
        let (mut appends, mut appends_failed) = (Vec::new(), 0);
        for i in 0..saves {
            // Alternately append the two roles and remove them again, so each append changes 100 users.
            let roles = &ids.roles_to_append;
            let t = Instant::now();
            let response = if i % 2 == 0 {
                let assignments: Vec<Value> = roles.iter().map(|r| json!([r, 0])).collect();
                self.request("wizard/apply", json!({ "request": { "mode": "Append", "subjects": users, "assignments": assignments } }))
                    .send()
                    .await
            } else {
                self.request(
                    "wizard/remove",
                    json!({ "subjects": users, "roles": roles }),
                )
                .send()
                .await
            };
            let good = ok(response).await;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if i % 2 == 0 {
                appends.push(ms);
                appends_failed += usize::from(!good);
            }
        }
        let sample = |name: &str, mut ms: Vec<f64>, failed: usize| {
            ms.sort_by(f64::total_cmp);
            Sample {
                name: name.to_owned(),
                seconds: ms.iter().sum::<f64>() / 1000.0,
                ms,
                failed,
            }
        };
        vec![
            sample(
                "roles/save (held by 50,000), one at a time",
                role_saves,
                saves_failed,
            ),
            sample(
                "wizard/apply: Append 2 roles to 100 users, one at a time",
                appends,
                appends_failed,
            ),
        ]
    }
}

async fn ok(response: reqwest::Result<reqwest::Response>) -> bool {
    match response {
        Ok(r) => {
            let status = r.status();
            let body = r.bytes().await;
            if !status.is_success() {
                // The first words of why, so a failing run says what failed.
                let text = body
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                eprintln!("{status}: {}", text.chars().take(200).collect::<String>());
            }
            status.is_success() && body.is_ok()
        }
        Err(_) => false,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((p / 100.0) * sorted.len() as f64).min(sorted.len() as f64 - 1.0) as usize]
}

fn throughput(s: &Sample) -> f64 {
    s.ms.len() as f64 / s.seconds
}

fn print_row(s: &Sample) {
    println!(
        "| {} | {:.1} | {:.1} | {:.1} | {:.0} |{}",
        s.name,
        percentile(&s.ms, 50.0),
        percentile(&s.ms, 95.0),
        percentile(&s.ms, 99.0),
        throughput(s),
        if s.failed > 0 {
            format!(" {} failed", s.failed)
        } else {
            String::new()
        }
    );
}
