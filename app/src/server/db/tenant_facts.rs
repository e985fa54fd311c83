//! Everything that decides who may do what in one tenant, read inside a guarded write's
//! transaction (before and after the write), and the per-tenant lock that serializes those writes.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use crate::{
    model::{
        inventory::InventoryPermission, AppResult, Audience, InventoryLevel, Origin, RoleMode,
        RoleScope, TenantId, UserStatus,
    },
    server::index::Epoch,
};

#[derive(Debug, Clone, serde::Deserialize)]
pub struct UserFact {
    pub id: i64,
    pub username: String,
    pub status: UserStatus,
    pub origin: Origin,
    pub is_partner_admin: i64,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct RoleFact {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub scope: RoleScope,
    pub built_in: i64,
}

/// The SSO settings and what the access mapping names: which holdings the SSO lock covers.
#[derive(Debug, Clone, Default)]
pub struct SsoFacts {
    pub manual_changes: bool,
    pub role_mode: RoleMode,
    /// Global roles named by some access-mapping rule.
    pub mapped_roles: Vec<i64>,
    /// (inventory role, device group) named by some access-mapping rule.
    pub mapped_inventory: Vec<(i64, i64)>,
    /// Applications named by some access-mapping rule.
    pub mapped_applications: Vec<String>,
}

/// The rows of one tenant, as stored.
#[derive(Debug, Clone, Default)]
pub struct TenantFacts {
    pub sso: SsoFacts,
    pub users: Vec<UserFact>,
    pub roles: Vec<RoleFact>,
    /// (role, permission type, level) as ticked.
    pub role_grants: Vec<(i64, String, String)>,
    pub role_applications: Vec<(i64, String)>,
    /// (user, application) given directly.
    pub user_applications: Vec<(i64, String)>,
    /// (role, required role).
    pub role_requires: Vec<(i64, i64)>,
    pub spaces: Vec<(i64, String)>,
    /// (user, role, space); space 0 is tenant-wide.
    pub user_roles: Vec<(i64, i64, i64)>,
    pub user_groups: Vec<(i64, String)>,
    /// (user group, role, space).
    pub group_roles: Vec<(i64, i64, i64)>,
    /// (user group, user).
    pub members: Vec<(i64, i64)>,
    /// (device group, parent, name); parent 0 is the top.
    pub device_groups: Vec<(i64, i64, String)>,
    pub inventory_roles: Vec<(i64, String)>,
    /// (inventory role, row), in row order.
    pub inventory_rows: Vec<(i64, InventoryPermission)>,
    /// (user, inventory role, device group).
    pub user_inventory: Vec<(i64, i64, i64)>,
}

/// Takes the tenant's write lock for the rest of the transaction: the row lock on PostgreSQL,
/// the database write lock on SQLite (an UPDATE as the transaction's first statement waits for
/// it like `BEGIN IMMEDIATE`). Permission-changing writes of one tenant therefore never
/// interleave, and what the guard reads before the write is still true when it commits.
///
/// Returns the tenant's `guard_version` and permission epochs (None: no such tenant).
pub async fn lock(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Option<(i64, Epoch)>> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "UPDATE tenants SET perm_epoch = perm_epoch WHERE id = $1 \
         RETURNING guard_version, perm_epoch, tree_epoch",
    )
    .bind(tenant)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(version, perm, tree)| (version, Epoch { perm, tree })))
}

/// `SELECT {columns} FROM {from} ORDER BY {order}` as rows of `T`, read as one JSON row
/// ([`super::json_rows`]): a tenant of dataset L has 500,000 assignments, and every guarded write
/// reads them twice.
async fn rows<T>(
    conn: &mut AnyConnection,
    columns: &str,
    from: &str,
    order: &str,
    tenant: TenantId,
) -> AppResult<Vec<T>>
where
    T: serde::de::DeserializeOwned,
{
    super::json_rows(conn, columns, from, order, tenant).await
}

pub async fn load(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<TenantFacts> {
    let inventory_rows: Vec<(i64, String, String, InventoryLevel)> = rows(
        conn,
        "role_id, category, fragment_type, level",
        "inventory_role_permissions WHERE tenant_id = $1",
        "role_id, position",
        tenant,
    )
    .await?;
    Ok(TenantFacts {
        sso: sso(conn, tenant).await?,
        users: rows(
            conn,
            "id, username, status, origin, is_partner_admin",
            "users WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        roles: rows(
            conn,
            "id, name, description, audience, scope, built_in",
            "roles WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        role_grants: rows(
            conn,
            "role_id, perm_type, level",
            "role_grants WHERE tenant_id = $1",
            "role_id",
            tenant,
        )
        .await?,
        user_applications: rows(
            conn,
            "user_id, application",
            "user_applications WHERE tenant_id = $1",
            "user_id",
            tenant,
        )
        .await?,
        role_applications: rows(
            conn,
            "role_id, application",
            "role_applications WHERE tenant_id = $1",
            "role_id",
            tenant,
        )
        .await?,
        role_requires: rows(
            conn,
            "role_id, required_id",
            "role_requires WHERE tenant_id = $1",
            "role_id",
            tenant,
        )
        .await?,
        spaces: rows(
            conn,
            "id, name",
            "spaces WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        user_roles: rows(
            conn,
            "user_id, role_id, space_id",
            "user_roles WHERE tenant_id = $1",
            "user_id",
            tenant,
        )
        .await?,
        user_groups: rows(
            conn,
            "id, name",
            "user_groups WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        group_roles: rows(
            conn,
            "group_id, role_id, space_id",
            "group_roles WHERE tenant_id = $1",
            "group_id",
            tenant,
        )
        .await?,
        members: rows(
            conn,
            "group_id, user_id",
            "group_members WHERE tenant_id = $1",
            "group_id",
            tenant,
        )
        .await?,
        device_groups: rows(
            conn,
            "id, parent_id, name",
            "device_groups WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        inventory_roles: rows(
            conn,
            "id, name",
            "inventory_roles WHERE tenant_id = $1",
            "id",
            tenant,
        )
        .await?,
        inventory_rows: inventory_rows
            .into_iter()
            .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, l)))
            .collect(),
        user_inventory: rows(
            conn,
            "user_id, role_id, group_id",
            "user_inventory_roles WHERE tenant_id = $1",
            "user_id",
            tenant,
        )
        .await?,
    })
}

async fn sso(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<SsoFacts> {
    let (manual, role_mode): (i64, RoleMode) =
        sqlx::query_as("SELECT sso_manual_changes, sso_role_mode FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or((0, RoleMode::Reassign));
    Ok(SsoFacts {
        manual_changes: manual != 0,
        role_mode,
        mapped_roles: sqlx::query_scalar(
            "SELECT DISTINCT m.role_id FROM access_mapping_roles m \
             JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1",
        )
        .bind(tenant)
        .fetch_all(&mut *conn)
        .await?,
        mapped_inventory: sqlx::query_as(
            "SELECT DISTINCT m.role_id, m.group_id FROM access_mapping_inventory m \
             JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1",
        )
        .bind(tenant)
        .fetch_all(&mut *conn)
        .await?,
        mapped_applications: sqlx::query_scalar(
            "SELECT DISTINCT m.application FROM access_mapping_applications m \
             JOIN access_mapping_rules r ON r.id = m.rule_id WHERE r.tenant_id = $1",
        )
        .bind(tenant)
        .fetch_all(&mut *conn)
        .await?,
    })
}

/// What the journal (migration 0016/0017: triggers on every table the guard reads) says a write
/// touched: rows after `since` for one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// The journal's last row read (its rows up to here are the write's).
    pub upto: i64,
    pub users: BTreeSet<i64>,
    pub groups: BTreeSet<i64>,
    pub roles: BTreeSet<i64>,
    pub inventory_roles: BTreeSet<i64>,
    pub spaces: bool,
    pub tree: bool,
    pub sso: bool,
}

/// The tenant's `guard_version` (None: no such tenant), without its write lock.
pub async fn version(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT guard_version FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(conn)
            .await?,
    )
}

/// The journal's last row for `tenant` (None: it has none).
pub async fn journal_mark(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT MAX(seq) FROM guard_journal WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(conn)
            .await?,
    )
}

/// What the journal holds for `tenant` after row `since`.
pub async fn journal_since(
    conn: &mut AnyConnection,
    tenant: TenantId,
    since: i64,
) -> AppResult<Touched> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT seq, kind, item FROM guard_journal WHERE tenant_id = $1 AND seq > $2",
    )
    .bind(tenant)
    .bind(since)
    .fetch_all(conn)
    .await?;
    let mut touched = Touched {
        upto: since,
        ..Touched::default()
    };
    for (seq, kind, key) in rows {
        touched.upto = touched.upto.max(seq);
        match kind.as_str() {
            "u" => {
                touched.users.insert(key);
            }
            "g" => {
                touched.groups.insert(key);
            }
            "r" => {
                touched.roles.insert(key);
            }
            "i" => {
                touched.inventory_roles.insert(key);
            }
            "s" => touched.spaces = true,
            "t" => touched.tree = true,
            // "m", and anything a later migration adds: the SSO settings and mapping are
            // reloaded, which is never wrong.
            _ => touched.sso = true,
        }
    }
    Ok(touched)
}

/// Ends a guarded write that will commit: its journal rows (and any before them) are read, and
/// the tenant's state is one version on.
pub async fn close_journal(conn: &mut AnyConnection, tenant: TenantId, upto: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM guard_journal WHERE tenant_id = $1 AND seq <= $2")
        .bind(tenant)
        .bind(upto)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tenants SET guard_version = guard_version + 1 WHERE id = $1")
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(())
}

/// Empties a tenant's journal after rows were written outside a guarded write (the seed's
/// million rows), and moves its `guard_version` on: a state a running server keeps for the
/// tenant no longer matches, so its next guarded write, or preview, reads the whole tenant.
pub async fn clear_journal(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<()> {
    sqlx::query("DELETE FROM guard_journal WHERE tenant_id = $1")
        .bind(tenant)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tenants SET guard_version = guard_version + 1 WHERE id = $1")
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(())
}

/// The rows of the users a write touched, as they are now.
#[derive(Debug, Clone, Default)]
pub struct UsersPatch {
    /// Every user reloaded (a user not in `users` was deleted).
    pub ids: Vec<i64>,
    pub users: Vec<UserFact>,
    /// (user, role, space), directly and through groups.
    pub roles: Vec<(i64, i64, i64)>,
    /// (user, inventory role, device group).
    pub inventory: Vec<(i64, i64, i64)>,
    pub applications: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupsPatch {
    pub ids: Vec<i64>,
    pub names: Vec<(i64, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct RolesPatch {
    pub ids: Vec<i64>,
    pub roles: Vec<RoleFact>,
    pub grants: Vec<(i64, String, String)>,
    pub applications: Vec<(i64, String)>,
    pub requires: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Default)]
pub struct InventoryPatch {
    pub ids: Vec<i64>,
    pub roles: Vec<(i64, String)>,
    pub rows: Vec<(i64, InventoryPermission)>,
}

/// Everything a write touched, reloaded.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub users: Option<UsersPatch>,
    pub groups: GroupsPatch,
    pub roles: Option<RolesPatch>,
    pub spaces: Option<Vec<(i64, String)>>,
    pub device_groups: Option<Vec<(i64, i64, String)>>,
    pub inventory_roles: Option<InventoryPatch>,
    pub sso: Option<SsoFacts>,
}

/// The items of kind `kind` the journal holds after row `since`, as a subquery.
fn journaled(since: i64, kind: &str) -> String {
    format!("(SELECT item FROM guard_journal WHERE tenant_id = $1 AND seq > {since} AND kind = '{kind}')")
}

/// The rows of the users a write touched: those journaled and every member of a journaled group
/// (a group's roles reach its members), in one statement. Appending roles to a hundred users
/// reloads them; in six statements that was about a quarter of a preview's time on PostgreSQL,
/// when a preview still wrote.
async fn users_patch(
    conn: &mut AnyConnection,
    tenant: TenantId,
    since: i64,
) -> AppResult<UsersPatch> {
    let affected = format!(
        "SELECT item FROM {} AS u \
         UNION SELECT user_id FROM group_members WHERE tenant_id = $1 AND group_id IN {}",
        journaled(since, "u"),
        journaled(since, "g")
    );
    Ok(user_rows(conn, tenant, &affected).await?.into_patch())
}

/// What some users hold, as a write's patch reloads it, with the group each role held through a
/// group comes from: what a preview changes in memory instead of writing it.
#[derive(Debug, Clone, Default)]
pub struct UserRows {
    pub ids: Vec<i64>,
    pub users: Vec<UserFact>,
    /// (user, role, space), held directly.
    pub direct: Vec<(i64, i64, i64)>,
    /// (user, role, space, user group), held through the group.
    pub through_groups: Vec<(i64, i64, i64, i64)>,
    pub inventory: Vec<(i64, i64, i64)>,
    pub applications: Vec<(i64, String)>,
}

impl UserRows {
    pub fn into_patch(self) -> UsersPatch {
        let through_groups = self
            .through_groups
            .into_iter()
            .map(|(u, r, s, _)| (u, r, s));
        UsersPatch {
            ids: self.ids,
            users: self.users,
            roles: self.direct.into_iter().chain(through_groups).collect(),
            inventory: self.inventory,
            applications: self.applications,
        }
    }
}

/// The rows of `users` of `tenant` (ids of another tenant are left out).
pub async fn rows_of_users(
    conn: &mut AnyConnection,
    tenant: TenantId,
    users: &BTreeSet<i64>,
) -> AppResult<UserRows> {
    if users.is_empty() {
        return Ok(UserRows::default());
    }
    // Integers, written into the statement: they cannot carry SQL.
    let ids: Vec<String> = users.iter().map(i64::to_string).collect();
    let affected = format!(
        "SELECT id FROM users WHERE tenant_id = $1 AND id IN ({})",
        ids.join(", ")
    );
    user_rows(conn, tenant, &affected).await
}

/// The rows of the users `affected` selects (one column, ids of `tenant`'s users), in one
/// statement.
async fn user_rows(
    conn: &mut AnyConnection,
    tenant: TenantId,
    affected: &str,
) -> AppResult<UserRows> {
    let of = |table: &str| {
        format!("{table} WHERE tenant_id = $1 AND user_id IN (SELECT item FROM affected)")
    };
    // The ids are this tenant's users, and a key (tenant_id, user_id) → users keeps their roles
    // in their tenant: without the tenant PostgreSQL reads the roles from the primary key alone,
    // not from the ~600 table pages a hundred users' roles lie on.
    let held = |table: &str| format!("{table} WHERE user_id IN (SELECT item FROM affected)");
    type Rows = (
        Vec<(i64,)>,
        Vec<UserFact>,
        Vec<(i64, i64, i64)>,
        Vec<(i64, i64, i64, i64)>,
        Vec<(i64, i64, i64)>,
        Vec<(i64, String)>,
    );
    let (ids, users, direct, through_groups, inventory, applications): Rows = super::json_row_sets(
        conn,
        &format!("affected (item) AS MATERIALIZED ({affected})"),
        &[
            ("item", "affected", "item"),
            (
                "id, username, status, origin, is_partner_admin",
                "users WHERE tenant_id = $1 AND id IN (SELECT item FROM affected)",
                "id",
            ),
            ("user_id, role_id, space_id", &held("user_roles"), "user_id"),
            (
                "m.user_id, g.role_id, g.space_id, g.group_id",
                "group_members m JOIN group_roles g ON g.group_id = m.group_id \
                     WHERE m.tenant_id = $1 AND m.user_id IN (SELECT item FROM affected)",
                "m.user_id",
            ),
            (
                "user_id, role_id, group_id",
                &held("user_inventory_roles"),
                "user_id",
            ),
            ("user_id, application", &of("user_applications"), "user_id"),
        ],
        tenant,
    )
    .await?;
    Ok(UserRows {
        ids: ids.into_iter().map(|(id,)| id).collect(),
        users,
        direct,
        through_groups,
        inventory,
        applications,
    })
}

/// Reloads what `touched` names. The users reloaded are those journaled and every member of a
/// journaled group (a group's roles reach its members); a member who left or joined is journaled
/// by the membership row.
pub async fn load_patch(
    conn: &mut AnyConnection,
    tenant: TenantId,
    since: i64,
    touched: &Touched,
) -> AppResult<Patch> {
    let journal = |kind: &str| journaled(since, kind);
    let mut patch = Patch::default();
    if !touched.users.is_empty() || !touched.groups.is_empty() {
        patch.users = Some(users_patch(conn, tenant, since).await?);
    }
    if !touched.groups.is_empty() {
        patch.groups = GroupsPatch {
            ids: touched.groups.iter().copied().collect(),
            names: rows(
                conn,
                "id, name",
                &format!(
                    "user_groups WHERE tenant_id = $1 AND id IN {}",
                    journal("g")
                ),
                "id",
                tenant,
            )
            .await?,
        };
    }
    if !touched.roles.is_empty() {
        let of = |table: &str| {
            format!(
                "{table} WHERE tenant_id = $1 AND role_id IN {}",
                journal("r")
            )
        };
        patch.roles = Some(RolesPatch {
            ids: touched.roles.iter().copied().collect(),
            roles: rows(
                conn,
                "id, name, description, audience, scope, built_in",
                &format!("roles WHERE tenant_id = $1 AND id IN {}", journal("r")),
                "id",
                tenant,
            )
            .await?,
            grants: rows(
                conn,
                "role_id, perm_type, level",
                &of("role_grants"),
                "role_id",
                tenant,
            )
            .await?,
            applications: rows(
                conn,
                "role_id, application",
                &of("role_applications"),
                "role_id",
                tenant,
            )
            .await?,
            requires: rows(
                conn,
                "role_id, required_id",
                &of("role_requires"),
                "role_id",
                tenant,
            )
            .await?,
        });
    }
    if touched.spaces {
        patch.spaces = Some(
            rows(
                conn,
                "id, name",
                "spaces WHERE tenant_id = $1",
                "id",
                tenant,
            )
            .await?,
        );
    }
    if touched.tree {
        patch.device_groups = Some(
            rows(
                conn,
                "id, parent_id, name",
                "device_groups WHERE tenant_id = $1",
                "id",
                tenant,
            )
            .await?,
        );
    }
    if !touched.inventory_roles.is_empty() {
        let rows_of: Vec<(i64, String, String, InventoryLevel)> = rows(
            conn,
            "role_id, category, fragment_type, level",
            &format!(
                "inventory_role_permissions WHERE tenant_id = $1 AND role_id IN {}",
                journal("i")
            ),
            "role_id, position",
            tenant,
        )
        .await?;
        patch.inventory_roles = Some(InventoryPatch {
            ids: touched.inventory_roles.iter().copied().collect(),
            roles: rows(
                conn,
                "id, name",
                &format!(
                    "inventory_roles WHERE tenant_id = $1 AND id IN {}",
                    journal("i")
                ),
                "id",
                tenant,
            )
            .await?,
            rows: rows_of
                .into_iter()
                .map(|(role, c, t, l)| (role, InventoryPermission::new(&c, &t, l)))
                .collect(),
        });
    }
    if touched.sso {
        patch.sso = Some(sso(conn, tenant).await?);
    }
    Ok(patch)
}
