//! Check access: for a user and a device or group, every category at Read and Change, allowed
//! or not, every path that grants it and what is overridden (SPEC section 4). The answer comes
//! from the permission index; the paths are read from the database, and a test keeps the two
//! in agreement.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::access::Actor;
use crate::{
    model::{
        inventory::{overridden, ANY_TYPE},
        inventory_access::{bit, row_bits, type_matches, AccessLine, AccessReport, Want, CHECKED},
        AppError, AppResult, DeviceGroupId, DeviceId, InventoryRoleId, UserId,
    },
    server::db,
};

/// What a check is about: a device group or a device (whose access is its group's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Group(DeviceGroupId),
    Device(DeviceId),
}

/// A grant path before it is sorted into granted and overridden.
struct Path {
    label: String,
    bits: u16,
    /// Why the row counts for nothing inside its own role (SPEC rule 3), if so.
    redundant: Option<String>,
}

/// **Permissions**: the tenant's view permission, and Inventory READ (the answer names device
/// groups and devices).
pub async fn report(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: UserId,
    target: Target,
    fragment_type: &str,
) -> AppResult<AccessReport> {
    actor.require_view()?;
    super::device_groups::require_view(actor)?;
    let tenant = actor.tenant();
    let fragment_type = match fragment_type.trim() {
        "" => ANY_TYPE,
        t => t,
    };
    let username = db::users::get(conn, tenant, user)
        .await?
        .ok_or(AppError::NotFound)?
        .username;
    let (group, device_name) = match target {
        Target::Group(g) => (g.0, None),
        Target::Device(DeviceId(d)) => {
            let (name, group) = db::inventory_assignments::device(conn, tenant, d)
                .await?
                .ok_or(AppError::NotFound)?;
            (group, Some(name))
        }
    };
    let lineage = db::inventory_assignments::lineage(conn, tenant, group).await?;
    if lineage.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut names: Vec<&str> = lineage.iter().rev().map(|(_, n)| n.as_str()).collect();
    names.extend(device_name.as_deref());
    let target_path = names.join(" / ");

    let global = global_paths(conn, actor, user).await?;
    let inventory = inventory_paths(conn, actor, user, &lineage, device_name.is_some()).await?;
    let index = &actor.index;
    let mut lines = Vec::new();
    for (c, category) in CHECKED.iter().enumerate() {
        for want in Want::BOTH {
            let wanted = bit(c, want);
            let allowed = index.allows(user, DeviceGroupId(group), c, fragment_type, want);
            let by_global: Vec<&String> = global
                .iter()
                .filter(|p| p.bits & wanted != 0)
                .map(|p| &p.label)
                .collect();
            let mut line = AccessLine {
                category: (*category).into(),
                want,
                allowed,
                granted_by: by_global
                    .iter()
                    .map(|l| format!("Global role {l}"))
                    .collect(),
                overridden: Vec::new(),
                would_grant: None,
            };
            let matching = inventory
                .iter()
                .filter(|(p, t)| p.bits & wanted != 0 && type_matches(t, fragment_type));
            for (path, _) in matching {
                if let Some(global) = by_global.first() {
                    line.overridden.push(format!(
                        "{} — overridden by global role {global}",
                        path.label
                    ));
                } else if let Some(why) = &path.redundant {
                    line.overridden
                        .push(format!("{} — overridden: {why}", path.label));
                } else {
                    line.granted_by.push(path.label.clone());
                }
            }
            if !allowed {
                let at = lineage.first().map_or("", |(_, n)| n.as_str());
                line.would_grant = Some(format!(
                    "An inventory role with {category} {} (or All, or Full access) on type {} \
                     on {at} or a group above it, or a global role with {category} {}.",
                    want.label(),
                    if fragment_type == ANY_TYPE {
                        "*"
                    } else {
                        fragment_type
                    },
                    want.global_level(),
                ));
            }
            lines.push(line);
        }
    }
    Ok(AccessReport {
        username,
        target: target_path,
        fragment_type: fragment_type.into(),
        lines,
    })
}

/// Tenant-wide global roles, labelled "admins (Alarms ADMIN)" or "R via group G (Alarms READ)".
async fn global_paths(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: UserId,
) -> AppResult<Vec<Path>> {
    let mut paths = Vec::new();
    for source in db::assignments::grant_sources(conn, actor.tenant(), user).await? {
        let Some(c) = CHECKED.iter().position(|t| *t == source.perm_type) else {
            continue;
        };
        if !source.space_name.is_empty() {
            continue;
        }
        let levels = actor
            .catalogue
            .implied_levels(&source.perm_type, &source.level);
        let mut bits = 0;
        if levels.contains("READ") {
            bits |= bit(c, Want::Read);
        }
        if levels.contains("UPDATE") || levels.contains("ADMIN") {
            bits |= bit(c, Want::Change);
        }
        let via = if source.group_name.is_empty() {
            String::new()
        } else {
            format!(" via group {}", source.group_name)
        };
        paths.push(Path {
            label: format!(
                "{}{via} ({} {})",
                source.role_name, source.perm_type, source.level
            ),
            bits,
            redundant: None,
        });
    }
    Ok(paths)
}

/// The user's inventory roles on the target's group and its ancestors, one path per row, with
/// the row's fragment type.
async fn inventory_paths(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: UserId,
    lineage: &[(i64, String)],
    on_device: bool,
) -> AppResult<Vec<(Path, String)>> {
    let tenant = actor.tenant();
    let mut rows: HashMap<InventoryRoleId, Vec<_>> = HashMap::new();
    for (role, row) in db::inventory_roles::all_permissions(conn, tenant).await? {
        rows.entry(role).or_default().push(row);
    }
    let mut paths = Vec::new();
    for (group, _, role, role_name) in
        db::inventory_assignments::of_user(conn, tenant, user).await?
    {
        let Some(depth) = lineage.iter().position(|(id, _)| *id == group) else {
            continue;
        };
        let group_name = &lineage[depth].1;
        let whence = match (depth, on_device) {
            (0, false) => format!("on {group_name} (this group)"),
            (0, true) => format!("on {group_name} (the device's group)"),
            _ => format!("inherited from {group_name}"),
        };
        let role_rows = rows.get(&role).map_or(&[][..], Vec::as_slice);
        for (row, redundant) in role_rows.iter().zip(overridden(role_rows)) {
            paths.push((
                Path {
                    label: format!(
                        "Inventory role {role_name} {whence}: {} {} {}",
                        row.category, row.fragment_type, row.level
                    ),
                    bits: row_bits(row),
                    redundant,
                },
                row.fragment_type.clone(),
            ));
        }
    }
    Ok(paths)
}

/// The target of a check from the page's choice: a device group or a device.
pub fn target(group: Option<i64>, device: Option<i64>) -> AppResult<Target> {
    match (group, device) {
        (Some(g), None) => Ok(Target::Group(DeviceGroupId(g))),
        (None, Some(d)) => Ok(Target::Device(DeviceId(d))),
        _ => Err(AppError::validation(
            "target",
            "Choose a device group or a device.",
        )),
    }
}
