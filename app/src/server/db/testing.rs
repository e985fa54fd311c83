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
    if let Ok(admin_url) = std::env::var("CASTELLAN_TEST_POSTGRES_URL") {
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
