use sqlx::AnyConnection;

use crate::model::{Allocation, AppResult, Origin, TenantId, UserId, UserKind, UserStatus};

/// What a new user row holds; the rest takes the column defaults.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub origin: Origin,
    pub is_partner_admin: bool,
}

/// The rest of a new user's row, when it is not the default (local, Professional, human, no owner).
#[derive(Debug, Clone, Default)]
pub struct NewUserExtra {
    pub allocation: Option<Allocation>,
    pub kind: Option<UserKind>,
    pub owner: Option<UserId>,
}

/// What sign-in needs to know about a user; never leaves the server.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: Option<String>,
    pub status: UserStatus,
}

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: &NewUser<'_>,
    now: i64,
) -> AppResult<UserId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (tenant_id, username, display_name, email, password_hash, origin, \
         is_partner_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant)
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.email)
    .bind(user.password_hash)
    .bind(user.origin)
    .bind(i64::from(user.is_partner_admin))
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique(
        "username",
        "A user with this username already exists.",
    ))?;
    Ok(UserId(id))
}

pub async fn credentials(
    conn: &mut AnyConnection,
    tenant: TenantId,
    username: &str,
) -> AppResult<Option<Credentials>> {
    Ok(sqlx::query_as(
        "SELECT id, password_hash, status FROM users \
         WHERE tenant_id = $1 AND lower(username) = lower($2)",
    )
    .bind(tenant)
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

pub async fn id_by_username(
    conn: &mut AnyConnection,
    tenant: TenantId,
    username: &str,
) -> AppResult<Option<UserId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE tenant_id = $1 AND lower(username) = lower($2)",
    )
    .bind(tenant)
    .bind(username)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(UserId))
}

/// A user as lists and pages show them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub status: UserStatus,
    pub origin: Origin,
    pub allocation: Allocation,
    pub kind: UserKind,
    pub owner_id: Option<UserId>,
    pub is_partner_admin: i64,
    pub version: i64,
    /// The version of the user's global roles (bumped by triggers on every change).
    pub roles_version: i64,
    /// The version of the user's inventory roles.
    pub inventory_version: i64,
}

const USER_COLUMNS: &str = "SELECT id, username, display_name, email, status, origin, allocation, \
    kind, owner_id, is_partner_admin, version, roles_version, inventory_version FROM users";

pub async fn get(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Option<UserRow>> {
    Ok(
        sqlx::query_as(&format!("{USER_COLUMNS} WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant)
            .bind(user)
            .fetch_optional(conn)
            .await?,
    )
}

/// One page of the tenant's users whose username, name or email contains `query`, and the total.
pub async fn search(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<UserRow>, i64)> {
    let pattern = super::like_pattern(query);
    let filter = "WHERE tenant_id = $1 AND (lower(username) LIKE $2 ESCAPE '\\' OR lower(display_name) LIKE $2 ESCAPE '\\' OR lower(email) LIKE $2 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users {filter}"))
        .bind(tenant)
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(&format!(
        "{USER_COLUMNS} {filter} ORDER BY lower(username) LIMIT $3 OFFSET $4"
    ))
    .bind(tenant)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// Sets allocation, kind and owner of a just-created user.
pub async fn set_extra(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    extra: &NewUserExtra,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE users SET allocation = $3, kind = $4, owner_id = $5 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(user)
    .bind(extra.allocation.unwrap_or(Allocation::Professional))
    .bind(extra.kind.unwrap_or(UserKind::Human))
    .bind(extra.owner.map(|o| o.0))
    .execute(conn)
    .await?;
    Ok(())
}

/// False when the user is no longer at `version`.
#[allow(clippy::too_many_arguments)]
pub async fn update_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    version: i64,
    display_name: &str,
    email: &str,
    allocation: Allocation,
    status: UserStatus,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE users SET display_name = $4, email = $5, allocation = $6, status = $7, \
         version = version + 1 WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(user)
    .bind(version)
    .bind(display_name)
    .bind(email)
    .bind(allocation)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    version: i64,
) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM users WHERE tenant_id = $1 AND id = $2 AND version = $3")
        .bind(tenant)
        .bind(user)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::tenants;

    #[tokio::test]
    async fn search_pages_matches_and_treats_wildcards_literally() {
        crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
            let mut conn = db.pool.acquire().await.unwrap();
            let tenant = tenants::insert(&mut conn, "acme", "Acme", "iot", 0)
                .await
                .unwrap();
            let other = tenants::insert(&mut conn, "globex", "Globex", "iot", 0)
                .await
                .unwrap();
            for name in ["anna", "ann_b", "annex", "bob", "joanna"] {
                let user = NewUser {
                    username: name,
                    display_name: "",
                    email: "",
                    password_hash: None,
                    origin: Origin::Local,
                    is_partner_admin: false,
                };
                insert(&mut conn, tenant, &user, 0).await.unwrap();
            }
            let foreign = NewUser {
                username: "anneliese",
                display_name: "",
                email: "",
                password_hash: None,
                origin: Origin::Local,
                is_partner_admin: false,
            };
            insert(&mut conn, other, &foreign, 0).await.unwrap();
            let (page, total) = search(&mut conn, tenant, "ANN", 0, 2).await.unwrap();
            assert_eq!(total, 4, "other tenants' users never match");
            let names: Vec<_> = page.iter().map(|u| u.username.as_str()).collect();
            assert_eq!(names, vec!["ann_b", "anna"]);
            let (page, _) = search(&mut conn, tenant, "ann", 2, 2).await.unwrap();
            assert_eq!(
                page.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
                vec!["annex", "joanna"]
            );
            let (page, total) = search(&mut conn, tenant, "n_b", 0, 10).await.unwrap();
            assert_eq!(
                (page.len(), total),
                (1, 1),
                "_ is a literal underscore, not any character"
            );
            assert_eq!(search(&mut conn, tenant, "%", 0, 10).await.unwrap().1, 0);
        })
        .await;
    }
}
