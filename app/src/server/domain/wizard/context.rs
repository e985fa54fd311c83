//! What the wizard starts from: the chosen principals with their current roles, the roles they
//! hold, the spaces; and the `Select roles` step's pages of the roles the actor may grant. A
//! tenant may have thousands of roles and the wizard a hundred principals: principals are read
//! in a few queries however many there are, and only the roles a request names are judged.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use crate::{
    model::{
        catalogue::Grants,
        wizard::{Mode, SpaceRef, Subject, SubjectInfo, WizardContext, WizardRole, WizardRolePage},
        AppError, AppResult, Origin, RoleId, TenantId,
    },
    server::{
        db,
        domain::{
            access::Actor,
            assignments::{roles_lock, sso_locks_roles},
            roles::offered,
        },
    },
};

/// Roles per page of the `Select roles` step.
pub const ROLES_PAGE_SIZE: i64 = 50;

/// The chosen principals with what each holds directly, in subject order, in at most six queries
/// however many there are. Any that is not in the tenant makes the whole request NotFound.
async fn subject_infos(
    conn: &mut AnyConnection,
    tenant: TenantId,
    subjects: &BTreeSet<Subject>,
) -> AppResult<Vec<SubjectInfo>> {
    let users: Vec<_> = subjects
        .iter()
        .filter_map(|s| match s {
            Subject::User(u) => Some(*u),
            Subject::Group(_) => None,
        })
        .collect();
    let groups: Vec<_> = subjects
        .iter()
        .filter_map(|s| match s {
            Subject::Group(g) => Some(*g),
            Subject::User(_) => None,
        })
        .collect();
    let users = db::users::get_many(conn, tenant, &users).await?;
    let groups = db::groups::get_many(conn, tenant, &groups).await?;
    if users.len() + groups.len() != subjects.len() {
        return Err(AppError::NotFound);
    }
    let sso_locked = match users.iter().any(|u| u.origin == Origin::Sso) {
        true => sso_locks_roles(conn, tenant).await?,
        false => false,
    };
    let listed: Vec<Subject> = subjects.iter().copied().collect();
    let mut current = db::assignments::of_subjects(conn, tenant, &listed).await?;
    let mut held = |subject| current.remove(&subject).unwrap_or_default();
    let mut infos: Vec<SubjectInfo> = users
        .into_iter()
        .map(|row| {
            let subject = Subject::User(row.id);
            SubjectInfo {
                subject,
                current: held(subject),
                version: row.roles_version,
                skip: roles_lock(&row, sso_locked).map(|e| e.to_string()),
                name: row.username,
            }
        })
        .collect();
    infos.extend(groups.into_iter().map(|row| {
        let subject = Subject::Group(row.id);
        SubjectInfo {
            subject,
            current: held(subject),
            version: row.roles_version,
            skip: None,
            name: row.name,
        }
    }));
    infos.sort_by_key(|i| i.subject);
    Ok(infos)
}

/// Each role a role requires directly (SPEC rule 5), for the whole tenant: a small table.
pub(super) async fn requirements(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<BTreeMap<RoleId, Vec<RoleId>>> {
    let mut requires: BTreeMap<RoleId, Vec<RoleId>> = BTreeMap::new();
    for (role, required) in db::roles::requirements(conn, tenant).await? {
        requires
            .entry(RoleId(role))
            .or_default()
            .push(RoleId(required));
    }
    Ok(requires)
}

/// `ids` and every role they require, transitively.
fn closure(ids: &BTreeSet<RoleId>, requires: &BTreeMap<RoleId, Vec<RoleId>>) -> BTreeSet<RoleId> {
    let mut closed = ids.clone();
    let mut todo: Vec<RoleId> = ids.iter().copied().collect();
    while let Some(id) = todo.pop() {
        for &required in requires.get(&id).into_iter().flatten() {
            if closed.insert(required) {
                todo.push(required);
            }
        }
    }
    closed
}

/// A role as the wizard offers it to `actor`: scope, what it requires, grantable or why not.
fn wizard_role(
    actor: &Actor,
    card: db::roles::RoleSummary,
    grants: &BTreeMap<i64, Grants>,
    apps: &BTreeMap<i64, BTreeSet<String>>,
    requires: &BTreeMap<RoleId, Vec<RoleId>>,
) -> WizardRole {
    let r = offered(actor, card, grants, apps);
    WizardRole {
        requires: requires.get(&r.id).cloned().unwrap_or_default(),
        id: r.id,
        name: r.name,
        description: r.description,
        space_bound: r.space_bound,
        grantable: r.grantable,
        reason: r.reason,
    }
}

/// The roles of `ids` and every role they require (transitively, by `requires`), by name: only
/// these are read, however many roles the tenant has. Ids not in the tenant are left out.
pub(super) async fn with_required(
    conn: &mut AnyConnection,
    tenant: TenantId,
    ids: &BTreeSet<RoleId>,
    requires: &BTreeMap<RoleId, Vec<RoleId>>,
) -> AppResult<Vec<db::roles::RoleSummary>> {
    let ids: Vec<RoleId> = closure(ids, requires).into_iter().collect();
    db::roles::list_of(conn, tenant, &ids).await
}

/// The roles of `ids` and every role they require, by name, each judged for `actor`: only these
/// are read, however many roles the tenant has. Ids not in the tenant are left out.
async fn roles_of(
    conn: &mut AnyConnection,
    actor: &Actor,
    ids: &BTreeSet<RoleId>,
) -> AppResult<Vec<WizardRole>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let tenant = actor.tenant();
    let requires = requirements(conn, tenant).await?;
    let cards = with_required(conn, tenant, ids, &requires).await?;
    let ids: Vec<RoleId> = cards.iter().map(|c| c.id).collect();
    let grants = db::roles::all_grants(conn, tenant, Some(&ids)).await?;
    let apps = db::roles::all_applications(conn, tenant, Some(&ids)).await?;
    Ok(cards
        .into_iter()
        .map(|card| wizard_role(actor, card, &grants, &apps, &requires))
        .collect())
}

/// Checks who may open the wizard for which principals, and reads them.
pub(super) async fn subjects_for(
    conn: &mut AnyConnection,
    actor: &Actor,
    mode: Mode,
    subjects: &[Subject],
) -> AppResult<Vec<SubjectInfo>> {
    actor.require_admin()?;
    crate::server::domain::checked_count("subjects", subjects.len())?;
    if subjects.is_empty() {
        return Err(AppError::validation(
            "subjects",
            "Select at least one user or group.",
        ));
    }
    if mode == Mode::Assign && subjects.len() != 1 {
        return Err(AppError::validation(
            "subjects",
            "Assign roles works on one user or group.",
        ));
    }
    let chosen: BTreeSet<Subject> = subjects.iter().copied().collect();
    let infos = subject_infos(conn, actor.tenant(), &chosen).await?;
    if mode == Mode::Assign {
        if let Some(reason) = infos.iter().find_map(|i| i.skip.clone()) {
            return Err(AppError::Locked { reason });
        }
    }
    Ok(infos)
}

/// The tenant's spaces, as the wizard names them.
pub(super) async fn spaces(conn: &mut AnyConnection, tenant: TenantId) -> AppResult<Vec<SpaceRef>> {
    Ok(db::spaces::names(conn, tenant)
        .await?
        .into_iter()
        .map(|(id, name, is_default)| SpaceRef {
            id,
            name,
            is_default,
        })
        .collect())
}

/// What the wizard starts from: the chosen principals with what they hold, those roles (and
/// what they require), the spaces. The roles to choose from come a page at a time
/// ([`roles_page`]).
pub async fn context(
    conn: &mut AnyConnection,
    actor: &Actor,
    mode: Mode,
    subjects: &[Subject],
) -> AppResult<WizardContext> {
    let infos = subjects_for(conn, actor, mode, subjects).await?;
    let held: BTreeSet<RoleId> = infos
        .iter()
        .flat_map(|i| i.current.iter().map(|&(r, _)| r))
        .collect();
    Ok(WizardContext {
        mode,
        roles: roles_of(conn, actor, &held).await?,
        spaces: spaces(conn, actor.tenant()).await?,
        subjects: infos,
    })
}

/// What `actor` cannot hand out of what the tenant's roles grant, as the database's filter on
/// the roles they may grant: each cell judged once, tenant-wide and in each space where they
/// hold more, with the same rule as every grant ([`Actor::may_hand_out_in`]).
pub(super) async fn not_grantable(
    conn: &mut AnyConnection,
    actor: &Actor,
) -> AppResult<db::roles::NotGrantable> {
    let (cells, apps) = db::roles::granted_cells(conn, actor.tenant()).await?;
    let no_apps = BTreeSet::new();
    let refused_in = |space: Option<(crate::model::SpaceId, &str)>| -> Vec<String> {
        cells
            .iter()
            .filter(|(t, l)| {
                let cell: Grants = [(t.clone(), [l.clone()].into())].into();
                actor.may_hand_out_in(&cell, &no_apps, space).is_err()
            })
            .map(|(t, l)| db::roles::cell_key(t, l))
            .collect()
    };
    Ok(db::roles::NotGrantable {
        tenant_wide: refused_in(None),
        in_spaces: actor
            .in_spaces
            .keys()
            .map(|&space| refused_in(Some((space, ""))))
            .collect(),
        applications: apps
            .into_iter()
            .filter(|a| !actor.applications.contains(a))
            .collect(),
    })
}

/// One page of the `Select roles` step: the roles `actor` may grant whose name or description
/// contains `query`, by name, and every role they require that is not on the page. The
/// database chooses the page with what the actor cannot hand out ([`not_grantable`]), however
/// many roles the tenant has; each role sent is then judged in full, as any grant is.
pub async fn roles_page(
    conn: &mut AnyConnection,
    actor: &Actor,
    query: &str,
    page: i64,
) -> AppResult<WizardRolePage> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let (page, offset) = crate::server::domain::page_offset(page, ROLES_PAGE_SIZE)?;
    let query = crate::server::domain::checked_query(query)?;
    let not = not_grantable(conn, actor).await?;
    let (cards, total) =
        db::roles::grantable_page(conn, tenant, query, &not, offset, ROLES_PAGE_SIZE).await?;
    let requires = requirements(conn, tenant).await?;
    let shown: BTreeSet<RoleId> = cards.iter().map(|c| c.id).collect();
    let wanted = closure(&shown, &requires);
    let others: Vec<RoleId> = wanted.difference(&shown).copied().collect();
    let ids: Vec<RoleId> = wanted.iter().copied().collect();
    let grants = db::roles::all_grants(conn, tenant, Some(&ids)).await?;
    let apps = db::roles::all_applications(conn, tenant, Some(&ids)).await?;
    let judged = |card| wizard_role(actor, card, &grants, &apps, &requires);
    let roles = cards
        .into_iter()
        .map(judged)
        .filter(|r| r.grantable)
        .collect();
    let required = db::roles::list_of(conn, tenant, &others)
        .await?
        .into_iter()
        .map(judged)
        .collect();
    Ok(WizardRolePage {
        roles,
        required,
        total,
        page,
        page_size: ROLES_PAGE_SIZE,
    })
}
