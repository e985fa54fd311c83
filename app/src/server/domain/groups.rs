//! User groups: roles held by a group count for every member (SPEC rule 1). Changing who is in
//! a group that holds roles hands those roles out or takes them away, so it follows the same
//! rules as assigning them: no escalation (rule 4), SSO and partner-administrator locks (6, 7).

use crate::server::domain::guard::Guard;
use std::collections::BTreeSet;

use sqlx::AnyConnection;

use super::{
    access::Actor, assignments::ensure_roles_editable, role_choices::choices, roles::json,
};
use crate::{
    model::{
        groups::{GroupDetail, GroupInput, GroupListRow, GroupPage, Member, MemberPage},
        users::RoleRef,
        AppError, AppResult, GroupId, RoleId, UserId,
    },
    server::{
        db::{self, audit::AuditEvent, Db},
        unix_now,
    },
};

pub const PAGE_SIZE: i64 = 20;

pub async fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    query: &str,
    page: i64,
) -> AppResult<GroupPage> {
    actor.require_view()?;
    let tenant = actor.tenant();
    let (page, offset) = super::page_offset(page, PAGE_SIZE)?;
    let query = super::checked_query(query)?;
    let (rows, total) = db::groups::search(conn, tenant, query, offset, PAGE_SIZE).await?;
    let ids: Vec<GroupId> = rows.iter().map(|r| r.id).collect();
    let held = db::groups::roles_of_groups(conn, tenant, &ids).await?;
    let rows = rows
        .into_iter()
        .map(|r| GroupListRow {
            roles: held
                .iter()
                .filter(|(g, _, _)| *g == r.id.0)
                .map(|(_, id, name)| RoleRef {
                    id: RoleId(*id),
                    name: name.clone(),
                })
                .collect(),
            id: r.id,
            name: r.name,
            description: r.description,
            members: r.members,
        })
        .collect();
    Ok(GroupPage {
        rows,
        total,
        page,
        page_size: PAGE_SIZE,
        can_edit: actor.require_admin().is_ok(),
    })
}

pub async fn detail(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: GroupId,
) -> AppResult<GroupDetail> {
    actor.require_view()?;
    let tenant = actor.tenant();
    let row = db::groups::get(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let members = db::groups::member_count(conn, tenant, id).await?;
    Ok(GroupDetail {
        id,
        name: row.name,
        description: row.description,
        version: row.version,
        roles_version: row.roles_version,
        members,
        role_ids: db::groups::role_ids(conn, tenant, id).await?,
        roles: choices(
            conn,
            actor,
            crate::model::users::RolesOf::Group(id),
            None,
            "",
            1,
        )
        .await?,
        can_edit: actor.require_admin().is_ok(),
    })
}

pub const MEMBERS_PAGE_SIZE: i64 = 50;

/// One page of a group's members whose username or display name contains `query`.
pub async fn members(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: GroupId,
    query: &str,
    page: i64,
) -> AppResult<MemberPage> {
    actor.require_view()?;
    let tenant = actor.tenant();
    db::groups::get(conn, tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (page, offset) = super::page_offset(page, MEMBERS_PAGE_SIZE)?;
    let query = super::checked_query(query)?;
    let (rows, total) =
        db::groups::members_page(conn, tenant, id, query, offset, MEMBERS_PAGE_SIZE).await?;
    Ok(MemberPage {
        rows: rows
            .into_iter()
            .map(|m| Member {
                id: m.id,
                username: m.username,
                display_name: m.display_name,
            })
            .collect(),
        total,
        page,
        page_size: MEMBERS_PAGE_SIZE,
    })
}

fn validate(input: &GroupInput) -> AppResult<(String, String)> {
    Ok((
        super::checked_name(&input.name)?,
        super::checked_description(&input.description)?,
    ))
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

/// Creates (`id` None) or renames a group.
pub async fn save(db: &Db, actor: &Actor, input: &GroupInput) -> AppResult<GroupId> {
    actor.require_admin()?;
    let (name, description) = validate(input)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let (id, before) = match input.id {
            Some(id) => {
                let before = db::groups::get(&mut *tx, tenant, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !db::groups::update_if_version(
                    &mut *tx,
                    tenant,
                    id,
                    input.version,
                    &name,
                    &description,
                )
                .await?
                {
                    return Err(AppError::Conflict);
                }
                (id, json(&(before.name, before.description)))
            }
            None => (
                db::groups::insert(&mut *tx, tenant, &name, &description, unix_now()).await?,
                String::new(),
            ),
        };
        let action = if input.id.is_some() {
            "group.update"
        } else {
            "group.create"
        };
        audit(
            &mut *tx,
            actor,
            action,
            &format!("group {name}"),
            before,
            json(&(&name, &description)),
        )
        .await?;
        Ok(id)
    }
    .await;
    guard.finish(result).await
}

/// Refuses unless the actor could grant every role the group holds: adding or removing a member,
/// or deleting the group, hands those roles out or takes them away (SPEC rule 4).
async fn may_change_holders(
    conn: &mut AnyConnection,
    actor: &Actor,
    group: GroupId,
) -> AppResult<()> {
    let tenant = actor.tenant();
    for role in db::groups::role_ids(conn, tenant, group).await? {
        let grants = db::roles::grants(conn, tenant, role).await?;
        let applications = db::roles::applications(conn, tenant, role).await?;
        actor.may_hand_out(&grants, &applications)?;
    }
    Ok(())
}

/// Deletes a group; its members lose the roles it held.
pub async fn delete(db: &Db, actor: &Actor, id: GroupId, version: i64) -> AppResult<()> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::groups::get(&mut *tx, tenant, id)
            .await?
            .ok_or(AppError::NotFound)?;
        may_change_holders(&mut *tx, actor, id).await?;
        if !db::groups::delete_if_version(&mut *tx, tenant, id, version).await? {
            return Err(AppError::Conflict);
        }
        let target = format!("group {}", before.name);
        audit(
            &mut *tx,
            actor,
            "group.delete",
            &target,
            json(&(before.name, before.members)),
            String::new(),
        )
        .await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// Adds a user, found by username, to a group.
pub async fn add_member_by_name(
    db: &Db,
    actor: &Actor,
    group: GroupId,
    username: &str,
) -> AppResult<()> {
    actor.require_admin()?;
    let mut conn = db.pool.acquire().await?;
    let user = db::users::id_by_username(&mut conn, actor.tenant(), username.trim())
        .await?
        .ok_or_else(|| AppError::validation("username", "No user has this username."))?;
    drop(conn);
    set_member(db, actor, group, user, true).await
}

/// Adds (`member` true) or removes a user; a user of another tenant is simply not found.
pub async fn set_member(
    db: &Db,
    actor: &Actor,
    group: GroupId,
    user: UserId,
    member: bool,
) -> AppResult<()> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let row = db::groups::get(&mut *tx, tenant, group)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = db::users::get(&mut *tx, tenant, user)
            .await?
            .ok_or(AppError::NotFound)?;
        if db::groups::is_member(&mut *tx, tenant, group, user).await? == member {
            return Ok(());
        }
        if !db::groups::role_ids(&mut *tx, tenant, group)
            .await?
            .is_empty()
        {
            member_unlocked(&mut *tx, tenant, &person).await?;
            may_change_holders(&mut *tx, actor, group).await?;
        }
        if member {
            db::groups::add_member(&mut *tx, tenant, group, user).await?;
        } else {
            db::groups::remove_member(&mut *tx, tenant, group, user).await?;
        }
        db::groups::touch(&mut *tx, tenant, group).await?;
        let action = if member {
            "group.member.add"
        } else {
            "group.member.remove"
        };
        let target = format!("group {}", row.name);
        audit(
            &mut *tx,
            actor,
            action,
            &target,
            String::new(),
            json(&person.username),
        )
        .await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// Sets a group's global roles to exactly `wanted` (tenant-wide); each role added or removed
/// must be one the actor could grant.
pub async fn set_roles(
    db: &Db,
    actor: &Actor,
    group: GroupId,
    wanted: &BTreeSet<RoleId>,
    roles_version: i64,
) -> AppResult<()> {
    actor.require_admin()?;
    super::checked_count("roles", wanted.len())?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let row = db::groups::get(&mut *tx, tenant, group)
            .await?
            .ok_or(AppError::NotFound)?;
        if row.roles_version != roles_version {
            return Err(AppError::Conflict);
        }
        let current: BTreeSet<RoleId> = db::groups::role_ids(&mut *tx, tenant, group)
            .await?
            .into_iter()
            .collect();
        let changed: Vec<RoleId> = current.symmetric_difference(wanted).copied().collect();
        if changed.is_empty() {
            return Ok(());
        }
        for person in db::groups::members(&mut *tx, tenant, group).await? {
            if let Some(person) = db::users::get(&mut *tx, tenant, person.id).await? {
                member_unlocked(&mut *tx, tenant, &person).await?;
            }
        }
        // Every check before the first write: a refusal leaves nothing half-written or locked.
        for &role in &changed {
            db::roles::get(&mut *tx, tenant, role).await?;
            let grants = db::roles::grants(&mut *tx, tenant, role).await?;
            let applications = db::roles::applications(&mut *tx, tenant, role).await?;
            actor.may_hand_out(&grants, &applications)?;
        }
        for &role in &changed {
            if current.contains(&role) {
                db::groups::remove_role(&mut *tx, tenant, group, role).await?;
            } else {
                db::groups::add_role(&mut *tx, tenant, group, role).await?;
            }
        }
        let added: Vec<RoleId> = wanted.difference(&current).copied().collect();
        super::assignments::check_direct_change(
            &mut *tx,
            tenant,
            crate::model::wizard::Subject::Group(group),
            &added,
        )
        .await?;
        db::groups::touch(&mut *tx, tenant, group).await?;
        let before: Vec<i64> = current.iter().map(|r| r.0).collect();
        let after: Vec<i64> = wanted.iter().map(|r| r.0).collect();
        let target = format!("group {}", row.name);
        audit(
            &mut *tx,
            actor,
            "group.roles.set",
            &target,
            json(&before),
            json(&after),
        )
        .await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// SPEC rule 4: a locked user's roles never change through a group, and the refusal names them
/// (as the guard's own check does): a group may have many members.
async fn member_unlocked(
    conn: &mut AnyConnection,
    tenant: crate::model::TenantId,
    person: &db::users::UserRow,
) -> AppResult<()> {
    ensure_roles_editable(conn, tenant, person)
        .await
        .map_err(|e| match e {
            AppError::Locked { reason } => AppError::Locked {
                reason: format!("{reason} ({})", person.username),
            },
            other => other,
        })
}

#[cfg(test)]
mod tests;
