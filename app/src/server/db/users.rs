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

/// The users of `ids` that exist in the tenant, by id (one query, however many).
pub async fn get_many(
    conn: &mut AnyConnection,
    tenant: TenantId,
    ids: &[UserId],
) -> AppResult<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers: listed in the statement, they cannot carry SQL.
    let list: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
    Ok(sqlx::query_as(&format!(
        "{USER_COLUMNS} WHERE tenant_id = $1 AND id IN ({}) ORDER BY id",
        list.join(",")
    ))
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}

/// A search counts its matches up to this many; past it the list says "more than".
pub const SEARCH_COUNT_LIMIT: i64 = 10_000;

/// One page of a user search: the rows, how many match (at most [`SEARCH_COUNT_LIMIT`] for a
/// search), and whether more than that match.
#[derive(Debug, Clone)]
pub struct UserSearch {
    pub rows: Vec<UserRow>,
    pub total: i64,
    pub more: bool,
}

/// One page of the tenant's users whose username, name or email contains `query`, by username.
///
/// Built to stay fast at 100,000 users (issue 13; the plans are in the README's Performance
/// section). Without a query the count comes from the username index and the page is read from
/// the nearer end of it. A search of three or more characters finds its rows through the
/// trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL) and counts at most
/// [`SEARCH_COUNT_LIMIT`] + 1 of them: when few match, the page is sorted from those; when many
/// match, walking the username index finds a page's rows after a few steps.
pub async fn search(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<UserSearch> {
    search_counting_to(conn, tenant, query, offset, limit, SEARCH_COUNT_LIMIT).await
}

/// [`search`] with the count's limit as a parameter, so that tests reach both ways of reading
/// a page without 10,000 users.
async fn search_counting_to(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    offset: i64,
    limit: i64,
    count_limit: i64,
) -> AppResult<UserSearch> {
    let query = query.trim();
    if query.is_empty() {
        return all_users_page(conn, tenant, offset, limit).await;
    }
    let postgres = super::is_postgres(conn);
    let pattern = super::like_pattern(query);
    // FTS5's trigram tokenizer needs three characters; a phrase in quotes is taken literally.
    let trigram = query.chars().count() >= 3;
    let phrase = format!("\"{}\"", query.replace('"', "\"\""));
    let (count_sql, needle) = if postgres {
        (
            "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE tenant_id = $1 \
             AND search_text LIKE $2 ESCAPE '\\' LIMIT $3) m",
            &pattern,
        )
    } else if trigram {
        (
            "SELECT COUNT(*) FROM (SELECT 1 FROM users_search s JOIN users u ON u.id = s.rowid \
             WHERE users_search MATCH $2 AND u.tenant_id = $1 LIMIT $3) m",
            &phrase,
        )
    } else {
        (
            "SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE tenant_id = $1 \
             AND (lower(username) LIKE $2 ESCAPE '\\' OR lower(display_name) LIKE $2 ESCAPE '\\' \
             OR lower(email) LIKE $2 ESCAPE '\\') LIMIT $3) m",
            &pattern,
        )
    };
    let matched: i64 = sqlx::query_scalar(count_sql)
        .bind(tenant)
        .bind(needle)
        .bind(count_limit + 1)
        .fetch_one(&mut *conn)
        .await?;
    let more = matched > count_limit;
    let total = matched.min(count_limit);
    if !more && offset >= total {
        return Ok(UserSearch {
            rows: Vec::new(),
            total,
            more,
        });
    }
    // Few matches: take them from the trigram index and sort them. Many: walk by username.
    let few = !more && (postgres || trigram);
    let page_sql = match (few, postgres) {
        (true, true) => format!(
            "WITH m AS MATERIALIZED (SELECT id, lower(username) AS k FROM users \
             WHERE tenant_id = $1 AND search_text LIKE $2 ESCAPE '\\'), \
             p AS MATERIALIZED (SELECT id FROM m ORDER BY k LIMIT $3 OFFSET $4) \
             {USER_COLUMNS} WHERE id IN (SELECT id FROM p) ORDER BY lower(username)"
        ),
        (true, false) => format!(
            "WITH m AS MATERIALIZED (SELECT u.id, lower(u.username) AS k FROM users_search s \
             JOIN users u ON u.id = s.rowid WHERE users_search MATCH $2 AND u.tenant_id = $1), \
             p AS MATERIALIZED (SELECT id FROM m ORDER BY k LIMIT $3 OFFSET $4) \
             {USER_COLUMNS} WHERE id IN (SELECT id FROM p) ORDER BY lower(username)"
        ),
        (false, true) => format!(
            "{USER_COLUMNS} WHERE tenant_id = $1 AND search_text LIKE $2 ESCAPE '\\' \
             ORDER BY lower(username) LIMIT $3 OFFSET $4"
        ),
        (false, false) => format!(
            "{USER_COLUMNS} WHERE tenant_id = $1 AND (lower(username) LIKE $2 ESCAPE '\\' \
             OR lower(display_name) LIKE $2 ESCAPE '\\' OR lower(email) LIKE $2 ESCAPE '\\') \
             ORDER BY lower(username) LIMIT $3 OFFSET $4"
        ),
    };
    let needle = if few && !postgres { &phrase } else { &pattern };
    let rows = sqlx::query_as(&page_sql)
        .bind(tenant)
        .bind(needle)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?;
    Ok(UserSearch { rows, total, more })
}

/// What narrows the users list besides its search (SPEC rule 8, the `User type` filter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only this administrator's sub-users.
    pub owner: Option<UserId>,
    /// Only human or only device users.
    pub kind: Option<UserKind>,
}

/// One page of the users that pass `filter` and whose username, name or email contains `query`,
/// by username. The owner index narrows to an administrator's sub-users, few next to the tenant;
/// the kind index is walked in username order.
pub async fn search_filtered(
    conn: &mut AnyConnection,
    tenant: TenantId,
    filter: UserFilter,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<UserSearch> {
    // Only the conditions asked for are in the statement, numbered after $1 and the pattern.
    let mut conditions = String::new();
    let mut next = 3;
    if filter.owner.is_some() {
        conditions.push_str(&format!(" AND owner_id = ${next}"));
        next += 1;
    }
    if filter.kind.is_some() {
        conditions.push_str(&format!(" AND kind = ${next}"));
        next += 1;
    }
    let matches = format!(
        "FROM users WHERE tenant_id = $1{conditions} AND (lower(username) LIKE $2 ESCAPE '\\' \
         OR lower(display_name) LIKE $2 ESCAPE '\\' OR lower(email) LIKE $2 ESCAPE '\\')"
    );
    let pattern = super::like_pattern(query);
    let count_sql = format!("SELECT COUNT(*) {matches}");
    let mut count = sqlx::query_scalar(&count_sql).bind(tenant).bind(&pattern);
    if let Some(owner) = filter.owner {
        count = count.bind(owner);
    }
    if let Some(kind) = filter.kind {
        count = count.bind(kind);
    }
    let total: i64 = count.fetch_one(&mut *conn).await?;
    let columns = USER_COLUMNS.trim_end_matches(" FROM users");
    let page_sql = format!(
        "{columns} {matches} ORDER BY lower(username) LIMIT ${next} OFFSET ${}",
        next + 1
    );
    let mut page = sqlx::query_as(&page_sql).bind(tenant).bind(&pattern);
    if let Some(owner) = filter.owner {
        page = page.bind(owner);
    }
    if let Some(kind) = filter.kind {
        page = page.bind(kind);
    }
    let rows = page.bind(limit).bind(offset).fetch_all(conn).await?;
    Ok(UserSearch {
        rows,
        total,
        more: false,
    })
}

/// A page of all the tenant's users: counted from the username index, and read from whichever
/// end of it is nearer, so that the last page costs what the first does.
async fn all_users_page(
    conn: &mut AnyConnection,
    tenant: TenantId,
    offset: i64,
    limit: i64,
) -> AppResult<UserSearch> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_one(&mut *conn)
        .await?;
    if offset >= total {
        return Ok(UserSearch {
            rows: Vec::new(),
            total,
            more: false,
        });
    }
    let end = (offset + limit).min(total);
    let (direction, skip) = if offset > total - end {
        ("DESC", total - end)
    } else {
        ("ASC", offset)
    };
    let rows = sqlx::query_as(&format!(
        "WITH p AS MATERIALIZED (SELECT id FROM users WHERE tenant_id = $1 \
         ORDER BY lower(username) {direction} LIMIT $2 OFFSET $3) \
         {USER_COLUMNS} WHERE id IN (SELECT id FROM p) ORDER BY lower(username)"
    ))
    .bind(tenant)
    .bind(end - offset)
    .bind(skip)
    .fetch_all(conn)
    .await?;
    Ok(UserSearch {
        rows,
        total,
        more: false,
    })
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
mod tests;

/// A user's password hash, if they have a password.
pub async fn password_hash(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Option<String>> {
    let hash: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(user)
            .fetch_optional(conn)
            .await?;
    Ok(hash.flatten())
}

/// Sets a user's password; `must_change` makes it a one-time password.
pub async fn set_password(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    hash: &str,
    must_change: bool,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $3, must_change_password = $4 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(user)
    .bind(hash)
    .bind(i64::from(must_change))
    .execute(conn)
    .await?;
    Ok(())
}
