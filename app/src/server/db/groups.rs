use sqlx::AnyConnection;

use crate::model::{ids::GroupId, AppResult, RoleId, TenantId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub version: i64,
    pub members: i64,
    /// The version of the group's roles (bumped by triggers on every change).
    pub roles_version: i64,
}

const ROW: &str = "SELECT g.id, g.name, g.description, g.version, g.roles_version, \
    (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members FROM user_groups g";

const NAME_TAKEN: &str = "A group with this name already exists.";

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    name: &str,
    description: &str,
    now: i64,
) -> AppResult<GroupId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO user_groups (tenant_id, name, description, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("name", NAME_TAKEN))?;
    Ok(GroupId(id))
}

pub async fn get(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
) -> AppResult<Option<GroupRow>> {
    Ok(
        sqlx::query_as(&format!("{ROW} WHERE g.tenant_id = $1 AND g.id = $2"))
            .bind(tenant)
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The groups of `ids` that exist in the tenant, by id (one query, however many).
pub async fn get_many(
    conn: &mut AnyConnection,
    tenant: TenantId,
    ids: &[GroupId],
) -> AppResult<Vec<GroupRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers: listed in the statement, they cannot carry SQL.
    let list: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
    Ok(sqlx::query_as(&format!(
        "{ROW} WHERE g.tenant_id = $1 AND g.id IN ({}) ORDER BY g.id",
        list.join(",")
    ))
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}

/// One page of the tenant's groups whose name or description contains `query`, and the total.
pub async fn search(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<GroupRow>, i64)> {
    let pattern = super::like_pattern(query);
    let filter = "WHERE g.tenant_id = $1 AND (lower(g.name) LIKE $2 ESCAPE '\\' \
                  OR lower(g.description) LIKE $2 ESCAPE '\\')";
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM user_groups g {filter}"))
        .bind(tenant)
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(&format!(
        "{ROW} {filter} ORDER BY lower(g.name) LIMIT $3 OFFSET $4"
    ))
    .bind(tenant)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// False when the group is no longer at `version`.
pub async fn update_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
    version: i64,
    name: &str,
    description: &str,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE user_groups SET name = $4, description = $5, version = version + 1 \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .bind(name)
    .bind(description)
    .execute(conn)
    .await
    .map_err(super::on_unique("name", NAME_TAKEN))?;
    Ok(done.rows_affected() == 1)
}

/// Any change to members or roles moves the group's version on, so a stale page cannot undo it.
pub async fn touch(conn: &mut AnyConnection, tenant: TenantId, id: GroupId) -> AppResult<()> {
    sqlx::query("UPDATE user_groups SET version = version + 1 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
    version: i64,
) -> AppResult<bool> {
    let done =
        sqlx::query("DELETE FROM user_groups WHERE tenant_id = $1 AND id = $2 AND version = $3")
            .bind(tenant)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

pub async fn members(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
) -> AppResult<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.username, u.display_name FROM group_members m \
         JOIN users u ON u.id = m.user_id AND u.tenant_id = m.tenant_id \
         WHERE m.tenant_id = $1 AND m.group_id = $2 ORDER BY lower(u.username)",
    )
    .bind(tenant)
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// One page of a group's members whose username or display name contains `query`, and how
/// many match in all.
pub async fn members_page(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<MemberRow>, i64)> {
    if query.trim().is_empty() {
        let rows = members_in_order(&mut *conn, tenant, id, offset, limit).await?;
        return Ok((rows, member_count(conn, tenant, id).await?));
    }
    let pattern = super::like_pattern(query);
    let filter =
        "(lower(u.username) LIKE $3 ESCAPE '\\' OR lower(u.display_name) LIKE $3 ESCAPE '\\')";
    let from = if super::is_postgres(conn) {
        // PostgreSQL hashes a join with a scan of every user of the tenant (165 ms at 100,000
        // users); members as an array it looks up by key (10,000 lookups: 25 ms).
        format!(
            "FROM users u WHERE u.tenant_id = $1 AND u.id = ANY(ARRAY(SELECT m.user_id \
             FROM group_members m WHERE m.tenant_id = $1 AND m.group_id = $2)) AND {filter}"
        )
    } else {
        format!(
            "FROM group_members m JOIN users u ON u.id = m.user_id AND u.tenant_id = m.tenant_id \
             WHERE m.tenant_id = $1 AND m.group_id = $2 AND {filter}"
        )
    };
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {from}"))
        .bind(tenant)
        .bind(id)
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT u.id, u.username, u.display_name {from} ORDER BY lower(u.username), u.id \
         LIMIT $4 OFFSET $5"
    ))
    .bind(tenant)
    .bind(id)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// A page of a group's members in username order, without a search: the page is cut from
/// `group_members` alone (its username, kept equal to the user's by a foreign key, and the index
/// `group_members_by_username`), and only its rows are looked up in `users`. At 10,000 members
/// the page and the count no longer read 10,000 users.
async fn members_in_order(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.username, u.display_name FROM (SELECT m.user_id, m.username \
         FROM group_members m WHERE m.tenant_id = $1 AND m.group_id = $2 \
         ORDER BY lower(m.username), m.user_id LIMIT $3 OFFSET $4) page \
         JOIN users u ON u.id = page.user_id AND u.tenant_id = $1 \
         ORDER BY lower(page.username), page.user_id",
    )
    .bind(tenant)
    .bind(id)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?)
}

pub async fn member_count(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: GroupId,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_members WHERE tenant_id = $1 AND group_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_one(conn)
    .await?)
}

pub async fn is_member(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
    user: UserId,
) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = $3",
    )
    .bind(tenant)
    .bind(group)
    .bind(user)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn add_member(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
    user: UserId,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO group_members (tenant_id, group_id, user_id, username) \
         SELECT $1, $2, id, username FROM users WHERE tenant_id = $1 AND id = $3 \
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(group)
    .bind(user)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_member(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
    user: UserId,
) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = $3",
    )
    .bind(tenant)
    .bind(group)
    .bind(user)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn role_ids(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
) -> AppResult<Vec<RoleId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT role_id FROM group_roles WHERE tenant_id = $1 AND group_id = $2 ORDER BY role_id",
    )
    .bind(tenant)
    .bind(group)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(RoleId).collect())
}

pub async fn add_role(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
    role: RoleId,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO group_roles (tenant_id, group_id, role_id, space_id) VALUES ($1, $2, $3, 0)",
    )
    .bind(tenant)
    .bind(group)
    .bind(role)
    .execute(conn)
    .await
    .map_err(super::not_found_across_tenants)?;
    Ok(())
}

pub async fn remove_role(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
    role: RoleId,
) -> AppResult<()> {
    sqlx::query("DELETE FROM group_roles WHERE tenant_id = $1 AND group_id = $2 AND role_id = $3")
        .bind(tenant)
        .bind(group)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
}

/// (group id, role id, role name) for the roles held by any of `groups`.
pub async fn roles_of_groups(
    conn: &mut AnyConnection,
    tenant: TenantId,
    groups: &[GroupId],
) -> AppResult<Vec<(i64, i64, String)>> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..groups.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT DISTINCT gr.group_id, r.id, r.name FROM group_roles gr JOIN roles r ON r.id = gr.role_id \
         WHERE gr.tenant_id = $1 AND gr.group_id IN ({}) ORDER BY r.name",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(tenant);
    for group in groups {
        query = query.bind(group);
    }
    Ok(query.fetch_all(conn).await?)
}
