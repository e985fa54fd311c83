//! The partner portal's rules (SPEC rule 7): a partner administrator manages only the tenants
//! their partner serves; there they create tenants and change partner administrators' global
//! roles, with every role of the template as their authority, through the guard (rule 9,
//! versions and the audit log hold as everywhere).

use std::collections::BTreeSet;

use super::{
    guard::{Guard, ServedTenant},
    tenants::{self, NewTenant},
};
use crate::{
    model::{
        partner::{
            NewTenantInput, PartnerAdminEntry, PortalRole, ServedPage, ServedTenant as Served,
            ServedTenantDetail, PARTNER_PAGE_SIZE,
        },
        AppError, AppResult, RoleId, UserId,
    },
    server::{
        auth::partner::PartnerPrincipal,
        db::{self, audit::AuditEvent, partners::ServedRow, Db},
        templates::Templates,
        unix_now,
    },
};

fn dto(row: ServedRow) -> Served {
    Served {
        slug: row.slug,
        name: row.name,
        template: row.template,
        users: row.users,
    }
}

/// The tenants the partner serves, searched by id or name, one page.
pub async fn served_page(
    db: &Db,
    templates: &Templates,
    who: &PartnerPrincipal,
    query: &str,
    page: i64,
) -> AppResult<ServedPage> {
    let query = super::checked_query(query)?;
    let (page, offset) = super::page_offset(page, PARTNER_PAGE_SIZE)?;
    let mut conn = db.pool.acquire().await?;
    let (rows, total) = db::partners::served(
        &mut conn,
        who.partner_id,
        &db::like_pattern(query),
        offset,
        PARTNER_PAGE_SIZE,
    )
    .await?;
    Ok(ServedPage {
        rows: rows.into_iter().map(dto).collect(),
        page,
        total,
        templates: templates.names().map(str::to_owned).collect(),
    })
}

/// The tenant `slug` with the proof that `who`'s partner serves it; NotFound otherwise (a
/// tenant another partner serves is not revealed to exist).
async fn served(
    db: &Db,
    templates: &Templates,
    who: &PartnerPrincipal,
    slug: &str,
) -> AppResult<(ServedRow, ServedTenant)> {
    let mut conn = db.pool.acquire().await?;
    let row = db::partners::served_tenant(&mut conn, who.partner_id, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let catalogue = templates
        .get(&row.template)
        .ok_or(AppError::Internal)?
        .catalogue
        .clone();
    let proof = ServedTenant {
        tenant: row.id,
        catalogue,
    };
    Ok((row, proof))
}

/// `Create tenant`: the CLI's checks, then the tenant served by the partner.
pub async fn create_tenant(
    db: &Db,
    templates: &Templates,
    who: &PartnerPrincipal,
    input: &NewTenantInput,
) -> AppResult<String> {
    let new = NewTenant {
        slug: input.slug.trim(),
        name: &input.name,
        template: &input.template,
        admin_username: &input.admin_username,
        admin_password: &input.admin_password,
    };
    tenants::create_for_partner(
        db,
        templates,
        &new,
        who.partner_id,
        who.admin_id,
        &who.address,
    )
    .await?;
    Ok(new.slug.to_owned())
}

/// `/partner/tenants/<id>`: the partner's administrators there with their global roles.
pub async fn tenant_detail(
    db: &Db,
    templates: &Templates,
    who: &PartnerPrincipal,
    slug: &str,
) -> AppResult<ServedTenantDetail> {
    let (row, proof) = served(db, templates, who, slug).await?;
    let mut conn = db.pool.acquire().await?;
    let roles = db::roles::list(&mut conn, proof.tenant).await?;
    let mut admins = Vec::new();
    for (user, username, roles_version) in
        db::partners::linked_users(&mut conn, proof.tenant, who.partner_id).await?
    {
        let held: BTreeSet<RoleId> = db::assignments::user_role_ids(&mut conn, proof.tenant, user)
            .await?
            .into_iter()
            .collect();
        admins.push(PartnerAdminEntry {
            user,
            username,
            roles_version,
            roles: roles
                .iter()
                .map(|r| PortalRole {
                    id: r.id,
                    name: r.name.clone(),
                    held: held.contains(&r.id),
                })
                .collect(),
        });
    }
    Ok(ServedTenantDetail {
        tenant: dto(row),
        admins,
    })
}

/// Sets a partner administrator's global roles in a served tenant to exactly `wanted`, if they
/// are still at `roles_version`; audited with the acting administrator's user as actor.
pub async fn set_admin_roles(
    db: &Db,
    templates: &Templates,
    who: &PartnerPrincipal,
    slug: &str,
    user: UserId,
    wanted: &BTreeSet<RoleId>,
    roles_version: i64,
) -> AppResult<()> {
    super::checked_count("roles", wanted.len())?;
    let (_, proof) = served(db, templates, who, slug).await?;
    let tenant = proof.tenant;
    let mut guard = Guard::begin_portal(db, &proof).await?;
    let result: AppResult<()> = async {
        let tx = guard.conn();
        let linked = db::partners::linked_users(&mut *tx, tenant, who.partner_id).await?;
        let Some((_, username, version)) = linked.into_iter().find(|(id, _, _)| *id == user) else {
            return Err(AppError::NotFound);
        };
        if version != roles_version {
            return Err(AppError::Conflict);
        }
        let current: BTreeSet<RoleId> = db::assignments::user_role_ids(&mut *tx, tenant, user)
            .await?
            .into_iter()
            .collect();
        if &current == wanted {
            return Ok(());
        }
        for role in wanted {
            let row = db::roles::get(&mut *tx, tenant, *role).await?;
            if row.scope == crate::model::RoleScope::SpaceBound {
                return Err(AppError::validation(
                    "roles",
                    format!(
                        "{} is Space-Specific: it is given in a space, not tenant-wide.",
                        row.name
                    ),
                ));
            }
        }
        for role in current.difference(wanted) {
            db::assignments::remove_user_role(&mut *tx, tenant, user, *role).await?;
        }
        for role in wanted.difference(&current) {
            db::assignments::add_user_role(&mut *tx, tenant, user, *role).await?;
        }
        let before = super::assignments::role_names_json(&mut *tx, tenant, &current).await?;
        let after = super::assignments::role_names_json(&mut *tx, tenant, wanted).await?;
        let actor = db::partners::linked_user(&mut *tx, tenant, who.admin_id).await?;
        let event = AuditEvent {
            tenant,
            actor,
            action: "user.roles.set",
            target: &format!("user {username}"),
            before,
            after,
            address: &who.address,
        };
        db::audit::record(&mut *tx, &event, unix_now()).await
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests;
