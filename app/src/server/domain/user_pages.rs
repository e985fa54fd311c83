//! What the users pages read: one page of the list, a user's page, the `Add new` button.

use crate::model::{Allocation, UserKind, UserStatus};
use crate::{
    model::{
        users::{RoleRef, UserDetail, UserListRow, UserPage},
        AppError, AppResult, RoleId, UserId,
    },
    server::{
        db::{self, Db},
        domain::{
            self,
            access::Actor,
            reach::{RoleAuthority, UserReach},
        },
    },
};

/// Users on one page of the list.
pub const PAGE_SIZE: i64 = 20;

/// One page of the tenant's users matching `query`, with their global roles.
pub async fn list_page(
    db: &Db,
    actor: &Actor,
    query: &str,
    page: i64,
    kind: Option<UserKind>,
) -> AppResult<UserPage> {
    let reach = UserReach::of(actor)?;
    let (page, offset) = domain::page_offset(page, PAGE_SIZE)?;
    let query = domain::checked_query(query)?;
    let mut conn = db.pool.acquire().await?;
    let filter = db::users::UserFilter {
        owner: match reach {
            UserReach::Tenant => None,
            UserReach::SubUsersOf(owner) => Some(owner),
        },
        kind: kind.filter(|_| actor.catalogue.device_users),
    };
    let db::users::UserSearch { rows, total, more } = if filter == Default::default() {
        db::users::search(&mut conn, actor.tenant(), query, offset, PAGE_SIZE).await?
    } else {
        db::users::search_filtered(&mut conn, actor.tenant(), filter, query, offset, PAGE_SIZE)
            .await?
    };
    let ids: Vec<UserId> = rows.iter().map(|r| r.id).collect();
    let held = db::assignments::roles_of_users(&mut conn, actor.tenant(), &ids).await?;
    let rows = rows
        .into_iter()
        .map(|r| UserListRow {
            roles: held
                .iter()
                .filter(|(u, _, _)| *u == r.id.0)
                .map(|(_, id, name)| RoleRef {
                    id: RoleId(*id),
                    name: name.clone(),
                })
                .collect(),
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            email: r.email,
            status: r.status,
            origin: r.origin,
            device: r.kind == UserKind::Device,
            roles_version: r.roles_version,
        })
        .collect();
    Ok(UserPage {
        rows,
        total,
        more,
        page,
        page_size: PAGE_SIZE,
        can_create: actor.require_create_users().is_ok(),
        can_assign: actor.require_admin().is_ok(),
        device_users: actor.catalogue.device_users,
    })
}

/// A user's page: details, global roles, effective permissions with provenance.
pub async fn detail(db: &Db, actor: &Actor, id: UserId) -> AppResult<UserDetail> {
    let reach = UserReach::of(actor)?;
    let mut conn = db.pool.acquire().await?;
    let user = db::users::get(&mut conn, actor.tenant(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    reach.sees(actor, &user)?;
    let can_edit = match RoleAuthority::over(&mut conn, actor, &user).await {
        Err(e) if !matches!(e, AppError::Forbidden { .. }) => return Err(e),
        judged => judged.is_ok(),
    };
    let role_ids = db::assignments::user_role_ids(&mut conn, actor.tenant(), id).await?;
    let roles_locked = domain::assignments::ensure_roles_editable(&mut conn, actor.tenant(), &user)
        .await
        .err()
        .map(|e| e.to_string());
    let owner = match user.owner_id {
        Some(owner) => db::users::get(&mut conn, actor.tenant(), owner)
            .await?
            .map(|o| o.username),
        None => None,
    };
    let can_manage = domain::reach::may_manage(actor, &user).is_ok();
    let keep_reason = if id == actor.principal.user_id {
        Some(domain::users::OWN_ACCOUNT.to_owned())
    } else if user.status != UserStatus::Active {
        None
    } else {
        match db::assignments::active_tenant_admins(&mut conn, actor.tenant()).await? {
            Some((role, holders)) if holders == [id] => {
                Some(domain::guard::rules::anti_lockout(&role))
            }
            _ => None,
        }
    };
    let roles = domain::role_choices::choices(
        &mut conn,
        actor,
        crate::model::users::RolesOf::User(id),
        None,
        "",
        1,
    )
    .await?;
    let (effective, provenance) =
        domain::access::effective(&mut conn, &actor.catalogue, actor.tenant(), id).await?;
    let direct: std::collections::BTreeSet<String> =
        db::assignments::direct_applications(&mut conn, actor.tenant(), id)
            .await?
            .into_iter()
            .collect();
    let sources = db::assignments::application_sources(&mut conn, actor.tenant(), id).await?;
    let mut applications: Vec<crate::model::users::AppAccess> = actor
        .catalogue
        .applications
        .iter()
        .map(|a| {
            let mut through_roles: Vec<String> = sources
                .iter()
                .filter(|(app, _)| *app == a.name)
                .map(|(_, role)| role.clone())
                .collect();
            through_roles.sort();
            through_roles.dedup();
            crate::model::users::AppAccess {
                name: a.name.clone(),
                description: a.description.clone(),
                direct: direct.contains(&a.name),
                through_roles,
                grantable: actor.applications.contains(&a.name),
            }
        })
        .collect();
    applications.sort_by_key(|a| a.name.to_lowercase());
    // iot: Application management READ lets a user see every application (seed 001).
    let sees_all_applications =
        crate::model::catalogue::holds(&effective, "Application management", "READ").then(|| {
            "Application management READ lets this user see every application anyway.".to_owned()
        });
    let add_new = actor
        .catalogue
        .access
        .add_new_prefix
        .as_deref()
        .map(|prefix| {
            let shown = crate::model::users::sees_add_new(user.allocation, &effective, prefix);
            let reason = match (shown, user.allocation) {
                (true, Allocation::Professional) => "Professional users create content.".to_owned(),
                (true, _) => "An Analyzer, but a role grants creating.".to_owned(),
                (false, _) => {
                    "Analyzer users only consume content; no role grants creating.".to_owned()
                }
            };
            crate::model::users::AddNew { shown, reason }
        });
    Ok(UserDetail {
        id,
        username: user.username,
        display_name: user.display_name,
        email: user.email,
        status: user.status,
        origin: user.origin,
        allocation: user.allocation,
        device: user.kind == UserKind::Device,
        owner,
        is_partner_admin: user.is_partner_admin != 0,
        version: user.version,
        roles_version: user.roles_version,
        roles_locked,
        add_new,
        can_manage,
        keep_reason,
        role_ids,
        roles,
        can_edit,
        can_assign_anywhere: actor.require_admin().is_ok(),
        sees_inventory: actor.catalogue.has_device_groups() && actor.require_view().is_ok(),
        applications,
        sees_all_applications,
        catalogue: actor.catalogue.clone(),
        provenance,
    })
}

/// `Add new` for the signed-in user, in templates that have it: None elsewhere; otherwise what
/// they may create (empty when the button is hidden).
pub async fn add_new_options(db: &Db, actor: &Actor) -> AppResult<Option<Vec<String>>> {
    let Some(prefix) = actor.catalogue.access.add_new_prefix.clone() else {
        return Ok(None);
    };
    let mut conn = db.pool.acquire().await?;
    let me = crate::server::db::users::get(&mut conn, actor.tenant(), actor.principal.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !crate::model::users::sees_add_new(me.allocation, &actor.effective, &prefix) {
        return Ok(Some(Vec::new()));
    }
    let mut options: Vec<String> = if me.allocation == Allocation::Professional {
        vec!["App".into(), "Personal space".into()]
    } else {
        Vec::new()
    };
    options.extend(
        actor
            .effective
            .keys()
            .filter_map(|t| t.strip_prefix(&prefix))
            .map(|rest| {
                let mut chars = rest.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }),
    );
    Ok(Some(options))
}
