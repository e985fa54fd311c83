//! Every SQL statement, one file per aggregate. One code path for SQLite and PostgreSQL: queries
//! go through sqlx's `Any` driver with `$N` placeholders (both backends accept them), integers are
//! 64-bit and times are Unix seconds, so no statement needs a dialect of its own.

pub mod access_denied;
pub mod assignments;
pub mod audit;
pub mod bulk;
pub mod device_groups;
pub mod groups;
pub mod inventory_assignments;
pub mod inventory_roles;
pub mod login_throttle;
pub mod partners;
pub mod permission_snapshot;
pub mod roles;
pub mod sessions;
pub mod spaces;
pub mod sso;
pub mod tenant_facts;
pub mod tenants;
pub mod users;

use std::str::FromStr;

use crate::model::AppError;

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle, passed explicitly to whoever needs it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The permission index of each tenant, kept exact against this database.
    pub index: std::sync::Arc<crate::server::index::cache::IndexCache>,
    /// The guard's state of each tenant as its last guarded write left it (server::domain::guard).
    pub guard_states: std::sync::Arc<StateCache>,
}

/// One value per tenant, valid for one `tenants.guard_version`: the guard keeps each tenant's
/// state here between writes. Held as `Any` so that the database layer does not depend on the
/// domain type it stores.
///
/// It also queues each tenant's guarded writes in this server, first come first served, before
/// they open a transaction: SQLite's busy handler polls for its write lock, and two requests
/// writing one after another without pause could keep a third waiting past its time-out.
#[derive(Default)]
pub struct StateCache {
    states: std::sync::Mutex<std::collections::HashMap<crate::model::TenantId, Kept>>,
    queues: std::sync::Mutex<
        std::collections::HashMap<crate::model::TenantId, std::sync::Arc<tokio::sync::Mutex<()>>>,
    >,
}

/// A kept value and the `guard_version` it is valid for.
type Kept = (i64, std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl std::fmt::Debug for StateCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateCache")
    }
}

impl StateCache {
    /// The state kept for `tenant` at `version`, if that is what is kept.
    pub fn get<T: std::any::Any + Send + Sync>(
        &self,
        tenant: crate::model::TenantId,
        version: i64,
    ) -> Option<std::sync::Arc<T>> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let (kept, state) = states.get(&tenant)?;
        if *kept != version {
            return None;
        }
        state.clone().downcast::<T>().ok()
    }

    /// Waits for `tenant`'s earlier guarded writes in this server (a fair queue); the write
    /// holds its place until the returned guard is dropped.
    pub async fn queue(&self, tenant: crate::model::TenantId) -> tokio::sync::OwnedMutexGuard<()> {
        let queue = {
            let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
            queues.entry(tenant).or_default().clone()
        };
        queue.lock_owned().await
    }

    pub fn put<T: std::any::Any + Send + Sync>(
        &self,
        tenant: crate::model::TenantId,
        version: i64,
        state: std::sync::Arc<T>,
    ) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.insert(tenant, (version, state));
    }
}

/// Why the database could not be opened, in one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://, got '{0}'")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("cannot apply database migrations: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens the pool (creating a missing SQLite file) and applies the migrations.
    pub async fn open(url: &str) -> Result<Db, DbOpenError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, with_create_mode(url))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(DbOpenError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(&url).map_err(DbOpenError::Connect)?;
        let max = if backend == Backend::Sqlite { 8 } else { 16 };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            // Generous: on a loaded 2-core machine opening a connection can take seconds.
            .acquire_timeout(std::time::Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(DbOpenError::Connect)?;
        let db = Db {
            pool,
            backend,
            index: Default::default(),
            guard_states: Default::default(),
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), DbOpenError> {
        match self.backend {
            Backend::Sqlite => {
                // WAL lets readers go on while one writer writes; the setting lives in the file.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&self.pool)
                    .await
                    .map_err(DbOpenError::Connect)?;
                sqlx::migrate!("./migrations/sqlite").run(&self.pool).await
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await
            }
        }
        .map_err(DbOpenError::Migrate)
    }

    /// True when a trivial query answers: what `/readyz` reports.
    pub async fn is_ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// A unique violation becomes a message on the field that must be unique; any other database
/// error stays internal (logged, never shown).
pub fn on_unique(
    field: &'static str,
    message: &'static str,
) -> impl FnOnce(sqlx::Error) -> AppError {
    move |error| match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => AppError::validation(field, message),
        _ => AppError::from(error),
    }
}

/// A foreign-key violation on an assignment becomes `NotFound`: the database's keys join a
/// principal only to roles (and device groups) of its own tenant (SQLite migrations `0022`, `0023`;
/// PostgreSQL `0023`, `0024`), so a role, user, group or device group of another tenant does not
/// exist here. Any other database error stays internal.
pub fn not_found_across_tenants(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => AppError::NotFound,
        _ => AppError::from(error),
    }
}

/// Every row of `SELECT {columns} FROM {from} ORDER BY {order}` (binding `tenant` as `$1`), read
/// as one JSON array in one result row and decoded as `T` (a tuple of the columns' types).
///
/// For reads of thousands of rows. The SQLite driver hands each result row from its worker
/// thread to the caller through a channel, with a thread wake-up per row: reading 17,000 rows
/// that way took about 300 ms (perf: mostly futex and eventfd). One row of JSON, built by the
/// database, takes a few milliseconds to parse.
pub async fn json_rows<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    columns: &str,
    from: &str,
    order: &str,
    tenant: crate::model::TenantId,
) -> crate::model::AppResult<Vec<T>> {
    let rows = json_aggregate(conn, columns, order);
    let sql = match is_postgres(conn) {
        true => format!("SELECT {rows}::text FROM {from}"),
        false => format!("SELECT {rows} FROM {from}"),
    };
    decode_json(conn, &sql, tenant, from).await
}

/// Several [`json_rows`] reads in one statement, one round trip: `with` is a common table
/// expression the reads may name (`name AS MATERIALIZED (…)`, computed once), and each read is
/// `(columns, from, order)`. The rows come back as one JSON array of the reads' arrays, decoded as
/// `T`, a tuple of `Vec`s. A guarded write reloads what a hundred users hold this way in one
/// statement instead of six.
pub async fn json_row_sets<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    with: &str,
    reads: &[(&str, &str, &str)],
    tenant: crate::model::TenantId,
) -> crate::model::AppResult<T> {
    let postgres = is_postgres(conn);
    let parts: Vec<String> = reads
        .iter()
        .map(|&(columns, from, order)| {
            let rows = format!(
                "(SELECT {} FROM {from})",
                json_aggregate(conn, columns, order)
            );
            // A subquery's JSON reaches SQLite's `json_array` as text: `json()` makes it JSON.
            match postgres {
                true => rows,
                false => format!("json({rows})"),
            }
        })
        .collect();
    let sql = match postgres {
        true => format!(
            "WITH {with} SELECT json_build_array({})::text",
            parts.join(", ")
        ),
        false => format!("WITH {with} SELECT json_array({})", parts.join(", ")),
    };
    decode_json(conn, &sql, tenant, with).await
}

/// The aggregate that makes rows of `columns` one JSON array of arrays, `[]` for none.
fn json_aggregate(conn: &sqlx::AnyConnection, columns: &str, order: &str) -> String {
    match is_postgres(conn) {
        true => format!("COALESCE(json_agg(json_build_array({columns}) ORDER BY {order}), '[]')"),
        false => format!("json_group_array(json_array({columns}) ORDER BY {order})"),
    }
}

async fn decode_json<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    sql: &str,
    tenant: crate::model::TenantId,
    what: &str,
) -> crate::model::AppResult<T> {
    let json: String = sqlx::query_scalar(sql).bind(tenant).fetch_one(conn).await?;
    serde_json::from_str(&json).map_err(|error| {
        tracing::error!(%error, what, "rows read as JSON do not decode");
        crate::model::AppError::Internal
    })
}

/// Whether a connection talks to PostgreSQL (the user search differs).
pub fn is_postgres(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// A `LIKE … ESCAPE '\\'` pattern matching `query` anywhere, case-insensitively (compare with
/// `lower(column)`); `%` and `_` typed by a person are literal.
pub fn like_pattern(query: &str) -> String {
    let escaped: String = query
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

#[cfg(test)]
pub mod testing;
