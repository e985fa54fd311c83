//! The device-group tree: children in pages, create, rename, move (never under itself), delete
//! with everything below. Viewing needs Inventory READ, changing Inventory ADMIN (`iot`).

use crate::server::domain::guard::Guard;
use sqlx::AnyConnection;

use super::{access::Actor, roles::json};
use crate::{
    model::{
        device_groups::{ChildrenPage, DeleteImpact, Device, DeviceGroupNode, CHILDREN_PAGE},
        AppError, AppResult, DeviceGroupId, DeviceId, TenantId,
    },
    server::{
        db::{self, audit::AuditEvent, device_groups::GroupRow, Db},
        unix_now,
    },
};

use crate::model::catalogue::INVENTORY;

/// Seeing device groups and devices (their names included) needs Inventory READ.
pub fn require_view(actor: &Actor) -> AppResult<()> {
    actor.require(INVENTORY, "READ")
}

fn require_edit(actor: &Actor) -> AppResult<()> {
    actor.require(INVENTORY, "ADMIN")
}

fn node(row: GroupRow) -> DeviceGroupNode {
    DeviceGroupNode {
        id: row.id,
        name: row.name,
        version: row.version,
        subgroups: row.subgroups,
        devices: row.devices,
    }
}

/// One page of a node's children: `parent` None is the top level.
pub async fn children(
    conn: &mut AnyConnection,
    actor: &Actor,
    parent: Option<DeviceGroupId>,
    offset: i64,
) -> AppResult<ChildrenPage> {
    require_view(actor)?;
    let tenant = actor.tenant();
    let parent = match parent {
        Some(id) => {
            db::device_groups::get(conn, tenant, id)
                .await?
                .ok_or(AppError::NotFound)?;
            id.0
        }
        None => 0,
    };
    let offset = offset.max(0);
    let (groups, total_groups) =
        db::device_groups::children(conn, tenant, parent, offset, CHILDREN_PAGE).await?;
    // Devices follow the subgroups in the same paging.
    let device_offset = (offset - total_groups).max(0);
    let device_limit = (CHILDREN_PAGE - groups.len() as i64).max(0);
    let (devices, total_devices) = if parent == 0 {
        (Vec::new(), 0)
    } else {
        db::device_groups::devices(conn, tenant, parent, device_offset, device_limit).await?
    };
    Ok(ChildrenPage {
        groups: groups.into_iter().map(node).collect(),
        total_groups,
        devices: devices
            .into_iter()
            .map(|(id, name)| Device {
                id: DeviceId(id),
                name,
            })
            .collect(),
        total_devices,
        offset,
        can_edit: require_edit(actor).is_ok(),
    })
}

async fn audit(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    target: &str,
    before: String,
    after: String,
) -> AppResult<()> {
    let event = AuditEvent {
        tenant: actor.tenant(),
        actor: Some(actor.principal.user_id),
        address: &actor.principal.address,
        action,
        target,
        before,
        after,
    };
    db::audit::record(conn, &event, unix_now()).await
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    parent: Option<DeviceGroupId>,
    name: &str,
) -> AppResult<DeviceGroupId> {
    require_edit(actor)?;
    let name = super::checked_name(name)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        if let Some(parent) = parent {
            db::device_groups::get(&mut *tx, tenant, parent)
                .await?
                .ok_or(AppError::NotFound)?;
        }
        let id = db::device_groups::insert(
            &mut *tx,
            tenant,
            parent.map_or(0, |p| p.0),
            &name,
            unix_now(),
        )
        .await?;
        audit(
            &mut *tx,
            actor,
            "device_group.create",
            &format!("device group {name}"),
            String::new(),
            json(&parent.map(|p| p.0)),
        )
        .await?;
        Ok(id)
    }
    .await;
    guard.finish(result).await
}

/// Adds a device to a group.
pub async fn add_device(
    db: &Db,
    actor: &Actor,
    group: DeviceGroupId,
    name: &str,
) -> AppResult<DeviceId> {
    require_edit(actor)?;
    let name = super::checked_name(name)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        db::device_groups::get(&mut *tx, tenant, group)
            .await?
            .ok_or(AppError::NotFound)?;
        let id =
            db::device_groups::insert_device(&mut *tx, tenant, group, &name, unix_now()).await?;
        audit(
            &mut *tx,
            actor,
            "device.create",
            &format!("device {name}"),
            String::new(),
            json(&group.0),
        )
        .await?;
        Ok(DeviceId(id))
    }
    .await;
    guard.finish(result).await
}

/// Whether `candidate` is `group` itself or below it (walking up from the candidate).
async fn is_self_or_below(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: i64,
    candidate: i64,
) -> AppResult<bool> {
    let mut at = candidate;
    // The tree has no cycles, so the walk ends at the top; the bound guards a corrupt one.
    for _ in 0..10_000 {
        if at == group {
            return Ok(true);
        }
        match db::device_groups::parent_of(conn, tenant, at).await? {
            Some(0) | None => return Ok(false),
            Some(parent) => at = parent,
        }
    }
    Err(AppError::Internal)
}

/// Renames a group and/or moves it under `parent` (None: top level); never under itself or a
/// group below it.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: DeviceGroupId,
    version: i64,
    parent: Option<DeviceGroupId>,
    name: &str,
) -> AppResult<()> {
    require_edit(actor)?;
    let name = super::checked_name(name)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::device_groups::get(&mut *tx, tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let new_parent = match parent {
            Some(p) => {
                db::device_groups::get(&mut *tx, tenant, p)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if is_self_or_below(&mut *tx, tenant, id.0, p.0).await? {
                    return Err(AppError::validation(
                        "parent",
                        "A group cannot move into itself or into one of its subgroups.",
                    ));
                }
                p.0
            }
            None => 0,
        };
        if !db::device_groups::update_if_version(&mut *tx, tenant, id, version, new_parent, &name)
            .await?
        {
            return Err(AppError::Conflict);
        }
        let target = format!("device group {}", before.name);
        audit(
            &mut *tx,
            actor,
            "device_group.update",
            &target,
            json(&(before.parent_id, &before.name)),
            json(&(new_parent, &name)),
        )
        .await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// Every group below `id`, breadth first.
async fn subtree(conn: &mut AnyConnection, tenant: TenantId, id: i64) -> AppResult<Vec<i64>> {
    // Each group is visited once: a cyclic tree (which the guard never lets a write create) ends
    // the walk instead of looping forever.
    let mut all = vec![id];
    let mut seen = std::collections::HashSet::from([id]);
    let mut at = 0;
    while at < all.len() {
        let children = db::device_groups::child_ids(conn, tenant, all[at]).await?;
        all.extend(children.into_iter().filter(|c| seen.insert(*c)));
        at += 1;
    }
    Ok(all)
}

/// What deleting a group would remove, for the confirmation.
pub async fn delete_impact(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: DeviceGroupId,
) -> AppResult<DeleteImpact> {
    require_view(actor)?;
    let tenant = actor.tenant();
    let row = db::device_groups::get(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let groups = subtree(conn, tenant, id.0).await?;
    Ok(DeleteImpact {
        name: row.name,
        subgroups: groups.len() as i64 - 1,
        devices: db::device_groups::count_devices_in(conn, tenant, &groups).await?,
    })
}

/// Deletes a group with its subgroups and devices.
pub async fn delete(
    db: &Db,
    actor: &Actor,
    id: DeviceGroupId,
    version: i64,
) -> AppResult<DeleteImpact> {
    require_edit(actor)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let row = db::device_groups::get(&mut *tx, tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if row.version != version {
            return Err(AppError::Conflict);
        }
        let groups = subtree(&mut *tx, tenant, id.0).await?;
        let impact = DeleteImpact {
            name: row.name.clone(),
            subgroups: groups.len() as i64 - 1,
            devices: db::device_groups::count_devices_in(&mut *tx, tenant, &groups).await?,
        };
        db::device_groups::delete_all(&mut *tx, tenant, &groups).await?;
        audit(
            &mut *tx,
            actor,
            "device_group.delete",
            &format!("device group {}", row.name),
            json(&impact),
            String::new(),
        )
        .await?;
        Ok(impact)
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests;
