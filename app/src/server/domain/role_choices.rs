//! A user's or group's role checklist, a page at a time (a tenant may have thousands of roles):
//! the subject's own roles first, each judged grantable or not by the acting admin, an SSO user's
//! mapped roles not (SPEC rule 6). Apart from `roles`, because it asks `sso` and `assignments`,
//! which ask `roles`.

use sqlx::AnyConnection;

use super::{
    access::Actor,
    reach::{RoleAuthority, UserReach},
    roles::offered_by,
};
use crate::{
    model::{
        users::{RoleChoices, RolesOf},
        AppError, AppResult, Audience, RoleId,
    },
    server::db,
};

/// Roles per page of a role checklist.
pub const CHOICES_PAGE_SIZE: i64 = 100;

/// One page of the role checklist of a user or group: the roles matching `query` (of one
/// audience, if given), the subject's own first, each marked grantable or not by `actor`; an SSO
/// user's mapped roles are not (SPEC rule 6). Only the page's roles are read and judged: a
/// tenant may have thousands.
pub async fn choices(
    conn: &mut AnyConnection,
    actor: &Actor,
    of: RolesOf,
    audience: Option<Audience>,
    query: &str,
    page: i64,
) -> AppResult<RoleChoices> {
    let reach = UserReach::of(actor)?;
    let tenant = actor.tenant();
    let (page, offset) = super::page_offset(page, CHOICES_PAGE_SIZE)?;
    let query = super::checked_query(query)?;
    let (held, managed, authority) = match of {
        RolesOf::User(user) => {
            let row = db::users::get(conn, tenant, user)
                .await?
                .ok_or(AppError::NotFound)?;
            reach.sees(actor, &row)?;
            // A refusal marks every role; a failure to read is the request's.
            let authority = match RoleAuthority::over(conn, actor, &row).await {
                Err(e) if !matches!(e, AppError::Forbidden { .. }) => return Err(e),
                judged => judged,
            };
            let held = db::assignments::user_role_ids(conn, tenant, user).await?;
            let sso = row.origin == crate::model::Origin::Sso
                && super::assignments::ensure_roles_editable(conn, tenant, &row)
                    .await
                    .is_ok();
            let managed = match sso {
                true => super::sso::managed_roles(conn, tenant).await?,
                false => Default::default(),
            };
            (held, managed, authority)
        }
        RolesOf::Group(group) => {
            actor.require_view()?;
            db::groups::get(conn, tenant, group)
                .await?
                .ok_or(AppError::NotFound)?;
            let held = db::groups::role_ids(conn, tenant, group).await?;
            (held, Default::default(), RoleAuthority::tenant(actor))
        }
    };
    let (rows, total) = db::roles::choices(
        conn,
        tenant,
        query,
        audience,
        &held,
        offset,
        CHOICES_PAGE_SIZE,
    )
    .await?;
    let ids: Vec<RoleId> = rows.iter().map(|r| r.id).collect();
    let grants = db::roles::all_grants(conn, tenant, Some(&ids)).await?;
    let apps = db::roles::all_applications(conn, tenant, Some(&ids)).await?;
    let roles = rows
        .into_iter()
        .map(|card| {
            let mut role = offered_by(actor, &authority, card, &grants, &apps);
            if managed.contains(&role.id) {
                role.grantable = false;
                role.reason = Some(super::sso::MANAGED_ROLE_REASON.into());
            }
            role
        })
        .collect();
    Ok(RoleChoices {
        roles,
        total,
        page,
        page_size: CHOICES_PAGE_SIZE,
    })
}
