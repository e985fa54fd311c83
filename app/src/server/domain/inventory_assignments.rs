//! Inventory roles of a user on the device-group tree: the tab, the choices on one group, Apply,
//! and copying from another user (SPEC rules 2 and 4).

use crate::server::domain::guard::Guard;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::AnyConnection;

use super::{access::Actor, assignments::ensure_roles_editable, roles::json};
use crate::{
    model::{
        inventory::InventoryPermission,
        inventory_access::CHECKED,
        user_inventory::{
            copy_plan, CopyMode, CopyOutcome, InventoryAssignment, RoleChoice, UserInventory,
        },
        AppError, AppResult, DeviceGroupId, InventoryRoleId, TenantId, UserId,
    },
    server::{
        db::{self, audit::AuditEvent, users::UserRow, Db},
        unix_now,
    },
};

async fn user_row(conn: &mut AnyConnection, tenant: TenantId, user: UserId) -> AppResult<UserRow> {
    db::users::get(conn, tenant, user)
        .await?
        .ok_or(AppError::NotFound)
}

/// Every inventory role's rows, by role.
async fn rows_by_role(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<HashMap<InventoryRoleId, Vec<InventoryPermission>>> {
    let mut rows: HashMap<InventoryRoleId, Vec<InventoryPermission>> = HashMap::new();
    for (role, row) in db::inventory_roles::all_permissions(conn, tenant).await? {
        rows.entry(role).or_default().push(row);
    }
    Ok(rows)
}

async fn assignments(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
) -> AppResult<Vec<InventoryAssignment>> {
    Ok(db::inventory_assignments::of_user(conn, tenant, user)
        .await?
        .into_iter()
        .map(|(group, group_name, role, role_name)| InventoryAssignment {
            group: DeviceGroupId(group),
            group_name,
            role,
            role_name,
        })
        .collect())
}

/// Tenant-wide global roles that grant an inventory category on every device, as
/// "admins (Alarms ADMIN, Audits ADMIN)" or "Role via group G (Alarms READ)".
async fn global_overrides(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: UserId,
) -> AppResult<Vec<String>> {
    let mut by_role: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in db::assignments::grant_sources(conn, actor.tenant(), user).await? {
        let counts = source.space_name.is_empty()
            && CHECKED.contains(&source.perm_type.as_str())
            && actor
                .catalogue
                .implied_levels(&source.perm_type, &source.level)
                .iter()
                .any(|l| ["READ", "UPDATE", "ADMIN"].contains(&l.as_str()));
        if counts {
            let label = if source.group_name.is_empty() {
                source.role_name
            } else {
                format!("{} via group {}", source.role_name, source.group_name)
            };
            by_role
                .entry(label)
                .or_default()
                .insert(format!("{} {}", source.perm_type, source.level));
        }
    }
    Ok(by_role
        .into_iter()
        .map(|(role, cells)| format!("{role} ({})", Vec::from_iter(cells).join(", ")))
        .collect())
}

/// **Permissions**: the tenant's view permission.
pub async fn view(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: UserId,
) -> AppResult<UserInventory> {
    actor.require_view()?;
    let tenant = actor.tenant();
    let row = user_row(conn, tenant, user).await?;
    let locked = match ensure_roles_editable(conn, tenant, &row).await {
        Err(AppError::Locked { reason }) => Some(reason),
        other => other.map(|_| None)?,
    };
    Ok(UserInventory {
        version: row.inventory_version,
        username: row.username,
        assignments: assignments(conn, tenant, user).await?,
        global_overrides: global_overrides(conn, actor, user).await?,
        locked,
    })
}

/// The inventory roles offered on `group` for `user`: assigned or not, grantable or not.
pub async fn choices(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: UserId,
    group: DeviceGroupId,
) -> AppResult<Vec<RoleChoice>> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    user_row(conn, tenant, user).await?;
    let group_name = db::device_groups::get(conn, tenant, group)
        .await?
        .ok_or(AppError::NotFound)?
        .name;
    let held: BTreeSet<InventoryRoleId> = assignments(conn, tenant, user)
        .await?
        .into_iter()
        .filter(|a| a.group == group)
        .map(|a| a.role)
        .collect();
    let rows = rows_by_role(conn, tenant).await?;
    Ok(db::inventory_roles::list(conn, tenant)
        .await?
        .into_iter()
        .map(|role| RoleChoice {
            assigned: held.contains(&role.id),
            missing: actor.lacks_on(
                rows.get(&role.id).map_or(&[][..], Vec::as_slice),
                group,
                &group_name,
            ),
            id: role.id,
            name: role.name,
            description: role.description,
        })
        .collect())
}

/// Sets the user's inventory roles on `group` to exactly `wanted`. Every role added or removed
/// must be one the actor holds there (SPEC rule 4); SSO and partner locks apply (rules 6, 7).
pub async fn apply(
    db: &Db,
    actor: &Actor,
    user: UserId,
    group: DeviceGroupId,
    wanted: &BTreeSet<InventoryRoleId>,
    version: i64,
) -> AppResult<()> {
    actor.require_admin()?;
    super::checked_count("roles", wanted.len())?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let row = user_row(&mut *tx, tenant, user).await?;
        if row.inventory_version != version {
            return Err(AppError::Conflict);
        }
        ensure_roles_editable(&mut *tx, tenant, &row).await?;
        let group_name = db::device_groups::get(&mut *tx, tenant, group)
            .await?
            .ok_or(AppError::NotFound)?
            .name;
        let rows = rows_by_role(&mut *tx, tenant).await?;
        let names: HashMap<InventoryRoleId, String> = db::inventory_roles::list(&mut *tx, tenant)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        if let Some(unknown) = wanted.iter().find(|r| !names.contains_key(r)) {
            return Err(AppError::validation(
                "roles",
                format!("Unknown inventory role {unknown}."),
            ));
        }
        let current: BTreeSet<InventoryRoleId> = assignments(&mut *tx, tenant, user)
            .await?
            .into_iter()
            .filter(|a| a.group == group)
            .map(|a| a.role)
            .collect();
        let changed: Vec<InventoryRoleId> = current.symmetric_difference(wanted).copied().collect();
        for role in &changed {
            let role_rows = rows.get(role).map_or(&[][..], Vec::as_slice);
            if let Some(missing) = actor.lacks_on(role_rows, group, &group_name) {
                return Err(AppError::forbidden(missing));
            }
        }
        for role in &changed {
            if current.contains(role) {
                db::inventory_assignments::remove(&mut *tx, tenant, user, *role, group).await?;
            } else {
                db::inventory_assignments::add(&mut *tx, tenant, user, *role, group).await?;
            }
        }
        let label = |set: &BTreeSet<InventoryRoleId>| -> Vec<&str> {
            set.iter()
                .filter_map(|r| names.get(r).map(String::as_str))
                .collect()
        };
        let target = format!("user {} on device group {group_name}", row.username);
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "user.inventory_roles.set",
            target: &target,
            before: json(&label(&current)),
            after: json(&label(wanted)),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// Copies `from`'s inventory roles to `to`: Merge adds, Replace also removes what `from` lacks.
/// Only what the actor may grant on each group is copied or removed; the rest is reported.
pub async fn copy(
    db: &Db,
    actor: &Actor,
    from: UserId,
    to: UserId,
    mode: CopyMode,
) -> AppResult<CopyOutcome> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    if from == to {
        return Err(AppError::validation(
            "user",
            "Choose another user to copy from.",
        ));
    }
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let source_user = user_row(&mut *tx, tenant, from).await?;
        let target_user = user_row(&mut *tx, tenant, to).await?;
        ensure_roles_editable(&mut *tx, tenant, &target_user).await?;
        let rows = rows_by_role(&mut *tx, tenant).await?;
        let source = assignments(&mut *tx, tenant, from).await?;
        let target = assignments(&mut *tx, tenant, to).await?;
        let key = |a: &InventoryAssignment| (a.group, a.role);
        let source_keys: Vec<_> = source.iter().map(key).collect();
        let target_keys: Vec<_> = target.iter().map(key).collect();
        let (add, remove) = copy_plan(&source_keys, &target_keys, mode);
        let describe = |a: &InventoryAssignment| format!("{} on {}", a.role_name, a.group_name);
        let mut outcome = CopyOutcome::default();
        for (pairs, all, adding) in [(&add, &source, true), (&remove, &target, false)] {
            for a in all.iter().filter(|a| pairs.contains(&key(a))) {
                let role_rows = rows.get(&a.role).map_or(&[][..], Vec::as_slice);
                if let Some(missing) = actor.lacks_on(role_rows, a.group, &a.group_name) {
                    let what = if adding { "not copied" } else { "kept" };
                    outcome
                        .left_out
                        .push(format!("{} ({what}: you lack {missing})", describe(a)));
                } else if adding {
                    db::inventory_assignments::add(&mut *tx, tenant, to, a.role, a.group).await?;
                    outcome.copied.push(describe(a));
                } else {
                    db::inventory_assignments::remove(&mut *tx, tenant, to, a.role, a.group)
                        .await?;
                    outcome.removed.push(describe(a));
                }
            }
        }
        let target_label = format!(
            "user {} from user {} ({mode:?})",
            target_user.username, source_user.username
        );
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "user.inventory_roles.copy",
            target: &target_label,
            before: json(&target.iter().map(describe).collect::<Vec<_>>()),
            after: json(&outcome),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(outcome)
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests;
