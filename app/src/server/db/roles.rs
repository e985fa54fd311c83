use std::collections::BTreeSet;

use crate::model::{Audience, RoleScope};
use sqlx::AnyConnection;

use crate::model::{catalogue::Grants, AppError, AppResult, RoleId, TenantId};

/// The columns of a role that are not grants or applications.
#[derive(Debug, Clone)]
pub struct RoleFields<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub audience: Audience,
    pub scope: RoleScope,
    pub built_in: bool,
    pub special: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub scope: RoleScope,
    pub built_in: i64,
    pub special: i64,
    pub version: i64,
    pub users: i64,
    pub groups: i64,
}

/// A role without its holder counts: what lists of every role need (counting the holders of
/// thousands of roles is what made the roles page slow at scale).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleSummary {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub scope: RoleScope,
    pub built_in: i64,
    pub special: i64,
    pub version: i64,
}

const DUPLICATE: &str = "A role with this name already exists.";

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: &RoleFields<'_>,
    now: i64,
) -> AppResult<RoleId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO roles (tenant_id, name, description, audience, scope, built_in, special, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(tenant)
    .bind(role.name)
    .bind(role.description)
    .bind(role.audience)
    .bind(role.scope)
    .bind(i64::from(role.built_in))
    .bind(i64::from(role.special))
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("name", DUPLICATE))?;
    Ok(RoleId(id))
}

/// Marks the role a new device user gets (seed 001: `iot`'s `devices`).
pub async fn mark_for_devices(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
) -> AppResult<()> {
    sqlx::query("UPDATE roles SET for_devices = 1 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The role a new device user gets, whatever it is called now; None in templates without one.
pub async fn for_devices(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Option<RoleId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM roles WHERE tenant_id = $1 AND for_devices = 1 ORDER BY id LIMIT 1",
    )
    .bind(tenant)
    .fetch_optional(conn)
    .await?;
    Ok(id.map(RoleId))
}

/// Changes a role's name, description, audience and scope if it is still at `version`; false
/// when someone else saved it first (or it is gone).
pub async fn update_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
    version: i64,
    fields: &RoleFields<'_>,
    now: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE roles SET name = $4, description = $5, audience = $6, scope = $7, \
         version = version + 1, updated_at = $8 \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .bind(fields.name)
    .bind(fields.description)
    .bind(fields.audience)
    .bind(fields.scope)
    .bind(now)
    .execute(conn)
    .await
    .map_err(super::on_unique("name", DUPLICATE))?;
    Ok(done.rows_affected() == 1)
}

pub async fn replace_grants(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
    grants: &Grants,
) -> AppResult<()> {
    sqlx::query("DELETE FROM role_grants WHERE tenant_id = $1 AND role_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (perm_type, levels) in grants {
        for level in levels {
            sqlx::query("INSERT INTO role_grants (tenant_id, role_id, perm_type, level) VALUES ($1, $2, $3, $4)")
                .bind(tenant)
                .bind(id)
                .bind(perm_type)
                .bind(level)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn replace_applications(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
    applications: &BTreeSet<String>,
) -> AppResult<()> {
    sqlx::query("DELETE FROM role_applications WHERE tenant_id = $1 AND role_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for application in applications {
        sqlx::query(
            "INSERT INTO role_applications (tenant_id, role_id, application) VALUES ($1, $2, $3)",
        )
        .bind(tenant)
        .bind(id)
        .bind(application)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How many users and how many groups hold role `r` directly: the roles page's and the role
/// editor's `Users` and `Groups`.
macro_rules! holders {
    () => {
        "(SELECT COUNT(DISTINCT ur.user_id) FROM user_roles ur WHERE ur.role_id = r.id) AS users, \
         (SELECT COUNT(DISTINCT gr.group_id) FROM group_roles gr WHERE gr.role_id = r.id) AS groups"
    };
}

const ROW: &str = concat!(
    "SELECT r.id, r.name, r.description, r.audience, r.scope, r.built_in, r.special, r.version, ",
    holders!(),
    " FROM roles r WHERE r.tenant_id = $1"
);

/// Every role of the tenant, by name.
pub async fn list(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<RoleSummary>> {
    summaries(conn, tenant, "roles WHERE tenant_id = $1").await
}

/// The roles `from` selects (a `FROM` clause binding the tenant as `$1`), by name: read as one
/// row of JSON, since a list of roles is often hundreds of rows (see [`super::json_rows`]).
async fn summaries(
    conn: &mut AnyConnection,
    tenant: TenantId,
    from: &str,
) -> AppResult<Vec<RoleSummary>> {
    type Row = (i64, String, String, Audience, RoleScope, i64, i64, i64);
    let rows: Vec<Row> = super::json_rows(
        conn,
        "id, name, description, audience, scope, built_in, special, version",
        from,
        "lower(name), id",
        tenant,
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, description, audience, scope, built_in, special, version)| RoleSummary {
                id: RoleId(id),
                name,
                description,
                audience,
                scope,
                built_in,
                special,
                version,
            },
        )
        .collect())
}

/// The roles of `ids` that exist in the tenant, by name (one query, however many).
pub async fn list_of(
    conn: &mut AnyConnection,
    tenant: TenantId,
    ids: &[RoleId],
) -> AppResult<Vec<RoleSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers: listed in the statement, they cannot carry SQL.
    let list: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
    let from = format!("roles WHERE tenant_id = $1 AND id IN ({})", list.join(","));
    summaries(conn, tenant, &from).await
}

/// A role whose name or description contains the search (`$2`, from `like_pattern`).
const MATCHES: &str =
    "(lower(r.name) LIKE $2 ESCAPE '\\' OR lower(r.description) LIKE $2 ESCAPE '\\')";

/// One page of the roles whose name or description contains `query`, by name, and how many
/// match in all.
pub async fn search(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<RoleRow>, i64)> {
    let pattern = super::like_pattern(query);
    let filter = format!("AND {MATCHES}");
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM roles r WHERE r.tenant_id = $1 {filter}"
    ))
    .bind(tenant)
    .bind(&pattern)
    .fetch_one(&mut *conn)
    .await?;
    // The page's ids first, then the holder counts of those only: PostgreSQL computes a
    // select list's subqueries for every row an OFFSET skips (page 150 took 95 ms).
    let rows = sqlx::query_as(&format!(
        "{ROW} AND r.id IN (SELECT r.id FROM roles r WHERE r.tenant_id = $1 {filter} \
         ORDER BY lower(r.name), r.id LIMIT $3 OFFSET $4) ORDER BY lower(r.name), r.id"
    ))
    .bind(tenant)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// One page of a role checklist: the roles whose name or description contains `query` (of one
/// audience, if given), those in `first` before the others, then by name; and how many match.
pub async fn choices(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    audience: Option<Audience>,
    first: &[RoleId],
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<RoleSummary>, i64)> {
    let pattern = super::like_pattern(query);
    let mut filter = format!("r.tenant_id = $1 AND {MATCHES}");
    if let Some(audience) = audience {
        // Audience is one of a closed set of words (no quoting needed).
        filter.push_str(&format!(" AND r.audience = '{audience}'"));
    }
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM roles r WHERE {filter}"))
        .bind(tenant)
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    // Ids are integers: listed in the statement, they cannot carry SQL.
    let ids: Vec<String> = first.iter().map(|id| id.0.to_string()).collect();
    let order = if ids.is_empty() {
        "lower(r.name), r.id".to_owned()
    } else {
        format!(
            "CASE WHEN r.id IN ({}) THEN 0 ELSE 1 END, lower(r.name), r.id",
            ids.join(",")
        )
    };
    let rows = sqlx::query_as(&format!(
        "SELECT r.id, r.name, r.description, r.audience, r.scope, r.built_in, r.special, \
         r.version FROM roles r WHERE {filter} ORDER BY {order} LIMIT $3 OFFSET $4"
    ))
    .bind(tenant)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// What an administrator cannot hand out, as a filter on the roles they may grant: the cells
/// (`type|level`) not grantable tenant-wide; for each space where they hold more, the cells not
/// grantable there (a Space-Specific role may be granted in any of them); the applications they
/// do not hold. Only cells and applications that some role grants need be named.
#[derive(Debug, Clone, Default)]
pub struct NotGrantable {
    pub tenant_wide: Vec<String>,
    pub in_spaces: Vec<Vec<String>>,
    pub applications: Vec<String>,
}

/// The cell as [`NotGrantable`] names it.
pub fn cell_key(perm_type: &str, level: &str) -> String {
    format!("{perm_type}|{level}")
}

/// Every distinct (type, level) and application that some role of the tenant grants.
pub async fn granted_cells(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<(Vec<(String, String)>, Vec<String>)> {
    let cells = sqlx::query_as(
        "SELECT DISTINCT perm_type, level FROM role_grants WHERE tenant_id = $1 \
         ORDER BY perm_type, level",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    let apps = sqlx::query_scalar(
        "SELECT DISTINCT application FROM role_applications WHERE tenant_id = $1 \
         ORDER BY application",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?;
    Ok((cells, apps))
}

/// Placeholders for `items`, bound after what `binds` holds (the statement's first two
/// parameters are the tenant and the search): only placeholders are written into a statement.
fn placeholders<'a>(items: &'a [String], binds: &mut Vec<&'a str>) -> String {
    let start = binds.len() + 3;
    binds.extend(items.iter().map(String::as_str));
    (start..start + items.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The condition that role `r` grants none of `cells`.
fn grants_none_of<'a>(cells: &'a [String], binds: &mut Vec<&'a str>) -> String {
    if cells.is_empty() {
        return "1 = 1".to_owned();
    }
    format!(
        "NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.tenant_id = r.tenant_id \
         AND g.role_id = r.id AND (g.perm_type || '|' || g.level) IN ({}))",
        placeholders(cells, binds)
    )
}

/// One page of the roles whose name or description contains `query` and that `not` does not
/// exclude, by name, and how many there are: the roles an administrator may grant, chosen by
/// the database however many roles the tenant has.
pub async fn grantable_page(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    not: &NotGrantable,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<RoleSummary>, i64)> {
    let mut binds: Vec<&str> = Vec::new();
    let mut filter = format!("r.tenant_id = $1 AND {MATCHES}");
    if !not.applications.is_empty() {
        let apps = placeholders(&not.applications, &mut binds);
        filter.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM role_applications a WHERE a.role_id = r.id \
             AND a.application IN ({apps}))"
        ));
    }
    let mut grantable = vec![grants_none_of(&not.tenant_wide, &mut binds)];
    if !not.tenant_wide.is_empty() && !not.in_spaces.is_empty() {
        let somewhere: Vec<String> = not
            .in_spaces
            .iter()
            .map(|cells| grants_none_of(cells, &mut binds))
            .collect();
        grantable.push(format!(
            "(r.scope = '{}' AND ({}))",
            RoleScope::SpaceBound,
            somewhere.join(" OR ")
        ));
    }
    filter.push_str(&format!(" AND ({})", grantable.join(" OR ")));
    let pattern = super::like_pattern(query);
    let counting = format!("SELECT COUNT(*) FROM roles r WHERE {filter}");
    let mut count = sqlx::query_scalar(&counting).bind(tenant).bind(&pattern);
    for b in &binds {
        count = count.bind(*b);
    }
    let total: i64 = count.fetch_one(&mut *conn).await?;
    let n = binds.len() + 3;
    let sql = format!(
        "SELECT r.id, r.name, r.description, r.audience, r.scope, r.built_in, r.special, \
         r.version FROM roles r WHERE {filter} ORDER BY lower(r.name), r.id LIMIT ${n} OFFSET ${}",
        n + 1
    );
    let mut page = sqlx::query_as(&sql).bind(tenant).bind(&pattern);
    for b in &binds {
        page = page.bind(*b);
    }
    let rows = page.bind(limit).bind(offset).fetch_all(conn).await?;
    Ok((rows, total))
}

/// One role of the tenant, without its holder counts: most callers want its name or scope, and
/// counting the holders of a role held by 50,000 users takes 10–15 ms on PostgreSQL.
pub async fn get(conn: &mut AnyConnection, tenant: TenantId, id: RoleId) -> AppResult<RoleSummary> {
    sqlx::query_as(
        "SELECT id, name, description, audience, scope, built_in, special, version \
         FROM roles WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// How many users and how many groups hold the role directly (the role editor's `Users` and
/// `Groups`).
pub async fn holder_counts(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
) -> AppResult<(i64, i64)> {
    sqlx::query_as(concat!(
        "SELECT ",
        holders!(),
        " FROM roles r WHERE r.tenant_id = $1 AND r.id = $2"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn grants(conn: &mut AnyConnection, tenant: TenantId, id: RoleId) -> AppResult<Grants> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT perm_type, level FROM role_grants WHERE tenant_id = $1 AND role_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_all(conn)
    .await?;
    let mut grants = Grants::new();
    for (t, l) in rows {
        grants.entry(t).or_default().insert(l);
    }
    Ok(grants)
}

pub async fn applications(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
) -> AppResult<BTreeSet<String>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT application FROM role_applications WHERE tenant_id = $1 AND role_id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

pub async fn id_by_name(
    conn: &mut AnyConnection,
    tenant: TenantId,
    name: &str,
) -> AppResult<Option<RoleId>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM roles WHERE tenant_id = $1 AND lower(name) = lower($2)")
            .bind(tenant)
            .bind(name)
            .fetch_optional(conn)
            .await?;
    Ok(id.map(RoleId))
}

pub async fn delete(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
    version: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "DELETE FROM roles WHERE tenant_id = $1 AND id = $2 AND version = $3 AND built_in = 0",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `AND role_id IN (...)` for the roles `only`, or nothing for every role. Ids are integers:
/// listed in the statement, they cannot carry SQL.
fn only_roles(only: Option<&[RoleId]>) -> String {
    match only {
        None => String::new(),
        Some([]) => " AND 1 = 0".to_owned(),
        Some(ids) => {
            let ids: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
            format!(" AND role_id IN ({})", ids.join(","))
        }
    }
}

/// Grants of every role of a tenant (or of the roles `only`), by role id, in one query.
pub async fn all_grants(
    conn: &mut AnyConnection,
    tenant: TenantId,
    only: Option<&[RoleId]>,
) -> AppResult<std::collections::BTreeMap<i64, Grants>> {
    let rows: Vec<(i64, String, String)> = super::json_rows(
        conn,
        "role_id, perm_type, level",
        &format!("role_grants WHERE tenant_id = $1{}", only_roles(only)),
        "role_id",
        tenant,
    )
    .await?;
    let mut out = std::collections::BTreeMap::<i64, Grants>::new();
    for (role, t, l) in rows {
        out.entry(role).or_default().entry(t).or_default().insert(l);
    }
    Ok(out)
}

/// Applications of every role of a tenant (or of the roles `only`), by role id.
pub async fn all_applications(
    conn: &mut AnyConnection,
    tenant: TenantId,
    only: Option<&[RoleId]>,
) -> AppResult<std::collections::BTreeMap<i64, BTreeSet<String>>> {
    let rows: Vec<(i64, String)> = super::json_rows(
        conn,
        "role_id, application",
        &format!("role_applications WHERE tenant_id = $1{}", only_roles(only)),
        "role_id",
        tenant,
    )
    .await?;
    let mut out = std::collections::BTreeMap::<i64, BTreeSet<String>>::new();
    for (role, app) in rows {
        out.entry(role).or_default().insert(app);
    }
    Ok(out)
}

/// (role, required role) pairs of the tenant (SPEC rule 5).
pub async fn requirements(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT role_id, required_id FROM role_requires WHERE tenant_id = $1 ORDER BY role_id, required_id",
    )
    .bind(tenant)
    .fetch_all(conn)
    .await?)
}

pub async fn add_requirement(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: RoleId,
    required: RoleId,
) -> AppResult<()> {
    sqlx::query("INSERT INTO role_requires (tenant_id, role_id, required_id) VALUES ($1, $2, $3)")
        .bind(tenant)
        .bind(role)
        .bind(required)
        .execute(conn)
        .await?;
    Ok(())
}

/// The roles `role` requires.
pub async fn requirements_of(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: RoleId,
) -> AppResult<BTreeSet<RoleId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT required_id FROM role_requires WHERE tenant_id = $1 AND role_id = $2",
    )
    .bind(tenant)
    .bind(role)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| RoleId(id)).collect())
}

/// The roles `role` requires, with their names.
pub async fn requirements_named(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: RoleId,
) -> AppResult<std::collections::BTreeMap<RoleId, String>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT q.required_id, r.name FROM role_requires q \
         JOIN roles r ON r.id = q.required_id AND r.tenant_id = q.tenant_id \
         WHERE q.tenant_id = $1 AND q.role_id = $2",
    )
    .bind(tenant)
    .bind(role)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| (RoleId(id), name))
        .collect())
}

/// Makes `role` require exactly `required` (every id a role of `tenant`: checked by the caller).
pub async fn replace_requirements(
    conn: &mut AnyConnection,
    tenant: TenantId,
    role: RoleId,
    required: &BTreeSet<RoleId>,
) -> AppResult<()> {
    let now = requirements_of(&mut *conn, tenant, role).await?;
    for gone in now.difference(required) {
        sqlx::query(
            "DELETE FROM role_requires WHERE tenant_id = $1 AND role_id = $2 AND required_id = $3",
        )
        .bind(tenant)
        .bind(role)
        .bind(*gone)
        .execute(&mut *conn)
        .await?;
    }
    for new in required.difference(&now) {
        add_requirement(&mut *conn, tenant, role, *new).await?;
    }
    Ok(())
}
