use sqlx::AnyConnection;

use crate::model::{
    ids::GroupId,
    wizard::{Assignment, Subject},
    AppResult, Audience, RoleId, SpaceId, TenantId, UserId, UserStatus,
};

/// One granted cell and where it comes from: a role held directly (`group` empty) or through a group.
#[derive(Debug, Clone)]
pub struct GrantSource {
    pub role_name: String,
    pub group_name: String,
    pub space_name: String,
    pub perm_type: String,
    pub level: String,
}

pub async fn user_role_ids(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<RoleId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT role_id FROM user_roles WHERE tenant_id = $1 AND user_id = $2 ORDER BY role_id",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(RoleId).collect())
}

pub async fn add_user_role(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    role: RoleId,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES ($1, $2, $3, 0)",
    )
    .bind(tenant)
    .bind(user)
    .bind(role)
    .execute(conn)
    .await
    .map_err(super::not_found_across_tenants)?;
    Ok(())
}

pub async fn remove_user_role(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    role: RoleId,
) -> AppResult<()> {
    sqlx::query("DELETE FROM user_roles WHERE tenant_id = $1 AND user_id = $2 AND role_id = $3")
        .bind(tenant)
        .bind(user)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every granted cell of a user, directly and through groups, with the space of a space-bound
/// assignment (empty when tenant-wide).
pub async fn grant_sources(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<GrantSource>> {
    // A user with hundreds of roles has about a thousand of these: one row of JSON
    // (`json_rows`). The user id is an integer: in the statement, it cannot carry SQL.
    let user = user.0;
    let from = format!(
        "(SELECT r.name AS role_name, '' AS group_name, COALESCE(s.name, '') AS space_name, \
         g.perm_type AS perm_type, g.level AS level \
         FROM user_roles ur \
         JOIN roles r ON r.id = ur.role_id AND r.tenant_id = ur.tenant_id \
         JOIN role_grants g ON g.role_id = r.id \
         LEFT JOIN spaces s ON s.id = ur.space_id AND s.tenant_id = ur.tenant_id \
         WHERE ur.tenant_id = $1 AND ur.user_id = {user} \
         UNION ALL \
         SELECT r.name, ug.name, COALESCE(s.name, ''), g.perm_type, g.level \
         FROM group_members gm \
         JOIN user_groups ug ON ug.id = gm.group_id AND ug.tenant_id = gm.tenant_id \
         JOIN group_roles gr ON gr.group_id = gm.group_id AND gr.tenant_id = gm.tenant_id \
         JOIN roles r ON r.id = gr.role_id AND r.tenant_id = gr.tenant_id \
         JOIN role_grants g ON g.role_id = r.id \
         LEFT JOIN spaces s ON s.id = gr.space_id AND s.tenant_id = gr.tenant_id \
         WHERE gm.tenant_id = $1 AND gm.user_id = {user}) AS sources"
    );
    let rows: Vec<(String, String, String, String, String)> = super::json_rows(
        conn,
        "role_name, group_name, space_name, perm_type, level",
        &from,
        "role_name, group_name, space_name, perm_type, level",
        tenant,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(role_name, group_name, space_name, perm_type, level)| GrantSource {
                role_name,
                group_name,
                space_name,
                perm_type,
                level,
            },
        )
        .collect())
}

/// (space, permission type, level) ticked in every space-bound assignment a user holds, directly
/// or through groups.
pub async fn space_grants_of_user(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT ur.space_id, g.perm_type, g.level FROM user_roles ur \
         JOIN role_grants g ON g.role_id = ur.role_id \
         WHERE ur.tenant_id = $1 AND ur.user_id = $2 AND ur.space_id <> 0 \
         UNION \
         SELECT gr.space_id, g.perm_type, g.level FROM group_members gm \
         JOIN group_roles gr ON gr.group_id = gm.group_id \
         JOIN role_grants g ON g.role_id = gr.role_id \
         WHERE gm.tenant_id = $1 AND gm.user_id = $2 AND gr.space_id <> 0",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?)
}

/// The applications a user holds: given to them directly, or carried by a role they hold
/// directly or through groups.
pub async fn applications_of_user(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT ra.application FROM user_roles ur JOIN role_applications ra ON ra.role_id = ur.role_id \
         WHERE ur.tenant_id = $1 AND ur.user_id = $2 \
         UNION \
         SELECT ra.application FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id \
         JOIN role_applications ra ON ra.role_id = gr.role_id WHERE gm.tenant_id = $1 AND gm.user_id = $2 \
         UNION \
         SELECT application FROM user_applications WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?)
}

/// (application, role name) for every role a user holds, directly or through groups, that
/// carries an application.
pub async fn application_sources(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT ra.application, r.name FROM user_roles ur \
         JOIN role_applications ra ON ra.role_id = ur.role_id JOIN roles r ON r.id = ur.role_id \
         WHERE ur.tenant_id = $1 AND ur.user_id = $2 \
         UNION \
         SELECT ra.application, r.name FROM group_members gm \
         JOIN group_roles gr ON gr.group_id = gm.group_id \
         JOIN role_applications ra ON ra.role_id = gr.role_id JOIN roles r ON r.id = gr.role_id \
         WHERE gm.tenant_id = $1 AND gm.user_id = $2",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?)
}

/// The applications given to a user directly (the `Application access` tab), by name.
pub async fn direct_applications(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT application FROM user_applications WHERE tenant_id = $1 AND user_id = $2 \
         ORDER BY application",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?)
}

pub async fn add_direct_application(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    application: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO user_applications (tenant_id, user_id, application) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(user)
    .bind(application)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_direct_application(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    application: &str,
) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM user_applications WHERE tenant_id = $1 AND user_id = $2 AND application = $3",
    )
    .bind(tenant)
    .bind(user)
    .bind(application)
    .execute(conn)
    .await?;
    Ok(())
}

/// (user id, role id, role name) for the roles held directly by any of `users`.
pub async fn roles_of_users(
    conn: &mut AnyConnection,
    tenant: TenantId,
    users: &[UserId],
) -> AppResult<Vec<(i64, i64, String)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..users.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT DISTINCT ur.user_id, r.id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
         WHERE ur.tenant_id = $1 AND ur.user_id IN ({}) ORDER BY r.name",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(tenant);
    for user in users {
        query = query.bind(user);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The table and column holding a subject's assignments.
fn table_of(subject: Subject) -> (&'static str, &'static str, i64) {
    match subject {
        Subject::User(u) => ("user_roles", "user_id", u.0),
        Subject::Group(g) => ("group_roles", "group_id", g.0),
    }
}

/// Every (role, space) a user or group holds directly; space 0 is tenant-wide.
pub async fn of_subject(
    conn: &mut AnyConnection,
    tenant: TenantId,
    subject: Subject,
) -> AppResult<Vec<Assignment>> {
    let (table, column, id) = table_of(subject);
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT role_id, space_id FROM {table} WHERE tenant_id = $1 AND {column} = $2 \
         ORDER BY role_id, space_id"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(r, s)| (RoleId(r), SpaceId(s)))
        .collect())
}

/// Every (role, space) each of `subjects` holds directly, in two queries (users, groups)
/// however many subjects; a subject holding nothing is absent.
pub async fn of_subjects(
    conn: &mut AnyConnection,
    tenant: TenantId,
    subjects: &[Subject],
) -> AppResult<std::collections::BTreeMap<Subject, Vec<Assignment>>> {
    let mut out = std::collections::BTreeMap::<Subject, Vec<Assignment>>::new();
    for (table, column, wrap) in [
        (
            "user_roles",
            "user_id",
            (|id| Subject::User(UserId(id))) as fn(i64) -> Subject,
        ),
        ("group_roles", "group_id", |id| Subject::Group(GroupId(id))),
    ] {
        // Ids are integers: listed in the statement, they cannot carry SQL.
        let ids: Vec<String> = subjects
            .iter()
            .map(|&s| table_of(s))
            .filter(|(t, _, _)| *t == table)
            .map(|(_, _, id)| id.to_string())
            .collect();
        if ids.is_empty() {
            continue;
        }
        // A hundred principals hold hundreds of assignments: one row of JSON (`json_rows`).
        let rows: Vec<(i64, i64, i64)> = super::json_rows(
            &mut *conn,
            &format!("{column}, role_id, space_id"),
            &format!(
                "{table} WHERE tenant_id = $1 AND {column} IN ({})",
                ids.join(",")
            ),
            &format!("{column}, role_id, space_id"),
            tenant,
        )
        .await?;
        for (id, role, space) in rows {
            out.entry(wrap(id))
                .or_default()
                .push((RoleId(role), SpaceId(space)));
        }
    }
    Ok(out)
}

/// Every (role, space) each of `users` holds through their groups, in one query however many
/// users; a user holding nothing that way is absent.
pub async fn through_groups_of_users(
    conn: &mut AnyConnection,
    tenant: TenantId,
    users: &[UserId],
) -> AppResult<std::collections::BTreeMap<UserId, Vec<Assignment>>> {
    let mut out = std::collections::BTreeMap::<UserId, Vec<Assignment>>::new();
    if users.is_empty() {
        return Ok(out);
    }
    // Ids are integers: listed in the statement, they cannot carry SQL.
    let ids: Vec<String> = users.iter().map(|u| u.0.to_string()).collect();
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT DISTINCT gm.user_id, gr.role_id, gr.space_id FROM group_members gm \
         JOIN group_roles gr ON gr.group_id = gm.group_id \
         WHERE gm.tenant_id = $1 AND gm.user_id IN ({}) ORDER BY gm.user_id, gr.role_id, gr.space_id",
        ids.join(",")
    ))
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    for (user, role, space) in rows {
        out.entry(UserId(user))
            .or_default()
            .push((RoleId(role), SpaceId(space)));
    }
    Ok(out)
}

/// The (subject id, role, space) of `rows` whose subject's assignments are in `table`.
fn rows_of<'a>(
    rows: &'a [(Subject, Assignment)],
    table: &'a str,
) -> impl Iterator<Item = (i64, RoleId, SpaceId)> + 'a {
    rows.iter()
        .map(|&(s, (role, space))| (table_of(s), role, space))
        .filter(move |((t, _, _), _, _)| *t == table)
        .map(|((_, _, id), role, space)| (id, role, space))
}

/// Rows per statement of a bulk write.
const BULK_ROWS: usize = 500;

/// Adds every (subject, assignment) of `rows`, in a few statements however many (those already
/// held are left as they are). All values are integers, written into the statement.
pub async fn add_many(
    conn: &mut AnyConnection,
    tenant: TenantId,
    rows: &[(Subject, Assignment)],
) -> AppResult<()> {
    for (table, column) in [("user_roles", "user_id"), ("group_roles", "group_id")] {
        let values: Vec<String> = rows_of(rows, table)
            .map(|(id, role, space)| format!("({}, {id}, {}, {})", tenant.0, role.0, space.0))
            .collect();
        for chunk in values.chunks(BULK_ROWS) {
            sqlx::query(&format!(
                "INSERT INTO {table} (tenant_id, {column}, role_id, space_id) VALUES {} \
                 ON CONFLICT DO NOTHING",
                chunk.join(", ")
            ))
            .execute(&mut *conn)
            .await
            .map_err(super::not_found_across_tenants)?;
        }
    }
    Ok(())
}

/// Removes every (subject, assignment) of `rows`, in a few statements however many.
pub async fn remove_many(
    conn: &mut AnyConnection,
    tenant: TenantId,
    rows: &[(Subject, Assignment)],
) -> AppResult<()> {
    for (table, column) in [("user_roles", "user_id"), ("group_roles", "group_id")] {
        let values: Vec<String> = rows_of(rows, table)
            .map(|(id, role, space)| format!("({id}, {}, {})", role.0, space.0))
            .collect();
        for chunk in values.chunks(BULK_ROWS) {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND ({column}, role_id, space_id) \
                 IN (VALUES {})",
                chunk.join(", ")
            ))
            .bind(tenant)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

pub async fn add(
    conn: &mut AnyConnection,
    tenant: TenantId,
    subject: Subject,
    (role, space): Assignment,
) -> AppResult<()> {
    let (table, column, id) = table_of(subject);
    sqlx::query(&format!(
        "INSERT INTO {table} (tenant_id, {column}, role_id, space_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING"
    ))
    .bind(tenant)
    .bind(id)
    .bind(role)
    .bind(space)
    .execute(conn)
    .await
    .map_err(super::not_found_across_tenants)?;
    Ok(())
}

pub async fn remove(
    conn: &mut AnyConnection,
    tenant: TenantId,
    subject: Subject,
    (role, space): Assignment,
) -> AppResult<()> {
    let (table, column, id) = table_of(subject);
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE tenant_id = $1 AND {column} = $2 AND role_id = $3 AND space_id = $4"
    ))
    .bind(tenant)
    .bind(id)
    .bind(role)
    .bind(space)
    .execute(conn)
    .await?;
    Ok(())
}

/// The roles a user holds tenant-wide, directly or through a group (a space-bound assignment
/// is not one).
pub async fn tenant_wide_role_ids_of_user(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<RoleId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT role_id FROM user_roles WHERE tenant_id = $1 AND user_id = $2 AND space_id = 0 \
         UNION SELECT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id \
         WHERE gm.tenant_id = $1 AND gm.user_id = $2 AND gr.space_id = 0",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(RoleId).collect())
}

/// Role ids held through the groups a user is in.
pub async fn group_role_ids_of_user(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<RoleId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT gr.role_id FROM group_members gm JOIN group_roles gr ON gr.group_id = gm.group_id \
         WHERE gm.tenant_id = $1 AND gm.user_id = $2",
    )
    .bind(tenant)
    .bind(user)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(RoleId).collect())
}

/// The tenant-admin role's name and the active users who hold it tenant-wide, directly or
/// through a group (SPEC rule 9).
pub async fn active_tenant_admins(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<Option<(String, Vec<UserId>)>> {
    let role: Option<(RoleId, String)> = sqlx::query_as(
        "SELECT id, name FROM roles WHERE tenant_id = $1 AND built_in = 1 AND audience = $2 \
         ORDER BY id LIMIT 1",
    )
    .bind(tenant)
    .bind(Audience::Admin)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((role, name)) = role else {
        return Ok(None);
    };
    let holders: Vec<UserId> = sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.status = $3 AND u.id IN ( \
           SELECT user_id FROM user_roles WHERE tenant_id = $1 AND role_id = $2 AND space_id = 0 \
           UNION SELECT gm.user_id FROM group_members gm \
           JOIN group_roles gr ON gr.group_id = gm.group_id \
           WHERE gm.tenant_id = $1 AND gr.role_id = $2 AND gr.space_id = 0) ORDER BY u.id",
    )
    .bind(tenant)
    .bind(role)
    .bind(UserStatus::Active)
    .fetch_all(conn)
    .await?;
    Ok(Some((name, holders)))
}
