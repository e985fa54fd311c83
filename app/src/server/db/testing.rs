//! Database tests run the same body on SQLite (a temp file) and, when
//! `CASTELLAN_TEST_POSTGRES_URL` names a server, on a fresh PostgreSQL database of its own.

use super::{Backend, Db};

pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn finish(self) {
        self.db.pool.close().await;
        if let Some((admin_url, name)) = self.postgres {
            let admin = Db::open_admin(&admin_url).await;
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&admin)
                .await
                .expect("drop test database");
            admin.close().await;
        }
    }
}

impl Db {
    async fn open_admin(url: &str) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .expect("connect to the PostgreSQL test server")
    }
}

/// One database per backend under test, each empty and migrated.
pub async fn backends() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let sqlite = Db::open(&url).await.expect("open sqlite test db");
    assert_eq!(sqlite.backend, Backend::Sqlite);
    let mut all = vec![TestDb {
        db: sqlite,
        _dir: Some(dir),
        postgres: None,
    }];
    if let Some((admin_url, name, url)) = empty_postgres().await {
        let db = Db::open(&url).await.expect("open postgres test db");
        mark_postgres_leg();
        all.push(TestDb {
            db,
            _dir: None,
            postgres: Some((admin_url, name)),
        });
    }
    all
}

/// A new, empty PostgreSQL database when `CASTELLAN_TEST_POSTGRES_URL` names a server: the
/// server's URL, the database's name and its URL.
async fn empty_postgres() -> Option<(String, String, String)> {
    let admin_url = std::env::var("CASTELLAN_TEST_POSTGRES_URL").ok()?;
    let prefix =
        std::env::var("CASTELLAN_TEST_DB_PREFIX").unwrap_or_else(|_| "castellan_t_".into());
    let name = format!("{prefix}{:016x}", rand::random::<u64>());
    let admin = Db::open_admin(&admin_url).await;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let url = replace_database(&admin_url, &name);
    Some((admin_url, name, url))
}

/// `scripts/test.sh` checks that the PostgreSQL leg really ran: each test that opens a
/// PostgreSQL database touches the file `CASTELLAN_TEST_POSTGRES_MARKER` names.
pub fn mark_postgres_leg() {
    if let Ok(path) = std::env::var("CASTELLAN_TEST_POSTGRES_MARKER") {
        std::fs::write(path, "ran").expect("write the PostgreSQL marker");
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

/// Runs a test body once per backend, each on a fresh database:
/// `each_backend(some_async_fn).await` in a `#[tokio::test]`.
pub async fn each_backend(body: impl AsyncFn(&Db)) {
    for test_db in backends().await {
        body(&test_db.db).await;
        test_db.finish().await;
    }
}

#[cfg(test)]
mod tests {
    use super::{empty_postgres, mark_postgres_leg, Db, TestDb};

    /// Rows the keys before the tenant-key migrations accepted: each row after the blank line
    /// joins two tenants.
    const BEFORE_THE_KEYS: &str = "\
        INSERT INTO tenants (id, slug, name, template, created_at) VALUES (1, 'acme', 'Acme', 'iot', 0), (2, 'globex', 'Globex', 'iot', 0);
        INSERT INTO users (id, tenant_id, username, created_at) VALUES (10, 1, 'Alice', 0), (11, 1, 'bob', 0), (20, 2, 'carol', 0);
        INSERT INTO user_groups (id, tenant_id, name, created_at) VALUES (100, 1, 'Ops', 0), (200, 2, 'Theirs', 0);
        INSERT INTO roles (id, tenant_id, name, created_at, updated_at) VALUES (1000, 1, 'Reader', 0, 0), (2000, 2, 'Reader', 0, 0);
        INSERT INTO device_groups (id, tenant_id, name, created_at) VALUES (5000, 1, 'North', 0), (6000, 2, 'South', 0);
        INSERT INTO inventory_roles (id, tenant_id, name, created_at) VALUES (7000, 1, 'Manager', 0), (8000, 2, 'Manager', 0);
        INSERT INTO group_members (tenant_id, group_id, user_id) VALUES (1, 100, 10), (1, 100, 11), (2, 200, 20);
        INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES (1, 10, 1000, 0), (2, 20, 2000, 0);
        INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES (1, 100, 1000, 0);
        INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES (1, 10, 7000, 5000);

        INSERT INTO group_members (tenant_id, group_id, user_id) VALUES (1, 100, 20), (2, 200, 10);
        INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES (1, 11, 2000, 0), (2, 20, 1000, 0);
        INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES (1, 100, 2000, 0);
        INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES (1, 11, 7000, 6000), (1, 11, 8000, 5000);";

    /// A database made by the migrations before `*_member_keys.sql` and holding rows that join
    /// two tenants is upgraded by the rest: those rows go, the others stay (memberships with
    /// their usernames), each rebuilt table keeps its triggers, and the keys then refuse the mix.
    #[tokio::test]
    async fn the_tenant_key_migrations_upgrade_a_database_holding_rows_across_tenants() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
        let mut databases = vec![("sqlite", sqlite, None)];
        if let Some((admin_url, name, url)) = empty_postgres().await {
            mark_postgres_leg();
            databases.push(("postgres", url, Some((admin_url, name))));
        }
        for (backend, url, postgres) in databases {
            sqlx::any::install_default_drivers();
            // The migrations before the keys, copied as they are (same checksums).
            let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(backend);
            let old = tempfile::tempdir().unwrap();
            let mut names: Vec<String> = std::fs::read_dir(&source)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            let keys = names
                .iter()
                .position(|n| n.ends_with("_member_keys.sql"))
                .unwrap();
            for name in &names[..keys] {
                std::fs::copy(source.join(name), old.path().join(name)).unwrap();
            }
            let pool = sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .unwrap();
            sqlx::migrate::Migrator::new(old.path())
                .await
                .unwrap()
                .run(&pool)
                .await
                .unwrap();
            sqlx::raw_sql(BEFORE_THE_KEYS).execute(&pool).await.unwrap();
            let triggers = match backend {
                "sqlite" => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN \
                             ('group_members', 'user_roles', 'group_roles', 'user_inventory_roles')",
                _ => "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text IN \
                      ('group_members', 'user_roles', 'group_roles', 'user_inventory_roles')",
            };
            let triggers_before: i64 = sqlx::query_scalar(triggers).fetch_one(&pool).await.unwrap();
            pool.close().await;

            let db = Db::open(&url).await.expect("the upgrade applies");
            let members: Vec<String> = sqlx::query_scalar(
                "SELECT CAST(group_id AS TEXT) || ':' || CAST(user_id AS TEXT) || ':' || username \
                 FROM group_members ORDER BY group_id, user_id",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            assert_eq!(
                members,
                ["100:10:Alice", "100:11:bob", "200:20:carol"],
                "{backend}"
            );
            let counts: (i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM user_roles), (SELECT COUNT(*) FROM group_roles), \
                 (SELECT COUNT(*) FROM user_inventory_roles)",
            )
            .fetch_one(&db.pool)
            .await
            .unwrap();
            assert_eq!(counts, (2, 1, 1), "{backend}");
            let triggers_after: i64 = sqlx::query_scalar(triggers)
                .fetch_one(&db.pool)
                .await
                .unwrap();
            assert_eq!(triggers_after, triggers_before, "{backend}");
            assert!(triggers_after >= 33, "{backend}: {triggers_after}");
            // The keys refuse the mix now; a row within one tenant is still accepted.
            for statement in [
                "INSERT INTO group_members (tenant_id, group_id, user_id, username) VALUES (1, 100, 20, 'carol')",
                "INSERT INTO group_members (tenant_id, group_id, user_id, username) VALUES (1, 100, 11, 'Bob')",
                "INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES (1, 11, 2000, 0)",
                "INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES (1, 100, 2000, 0)",
                "INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) VALUES (1, 11, 7000, 6000)",
            ] {
                let refused = sqlx::query(statement).execute(&db.pool).await;
                assert!(refused.is_err(), "{backend}: {statement}");
            }
            sqlx::query("INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES (1, 11, 1000, 0)")
                .execute(&db.pool)
                .await
                .unwrap();
            let db = TestDb {
                db,
                _dir: None,
                postgres,
            };
            db.finish().await;
        }
    }

    #[test]
    fn replace_database_keeps_host_and_query() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u@h/db?sslmode=disable", "y"),
            "postgres://u@h/y?sslmode=disable"
        );
        assert_eq!(
            super::replace_database("postgres://u@h", "z"),
            "postgres://u@h/z"
        );
    }
}
