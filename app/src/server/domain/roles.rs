//! Global roles: list, read, save (with version check and no escalation), duplicate, delete.

use crate::model::{Audience, RoleScope};
use crate::server::domain::guard::Guard;
use sqlx::AnyConnection;

use super::access::Actor;
use crate::{
    model::{
        roles::{Holders, RoleCard, RoleDetail, RoleInput, RolePage},
        users::AssignableRole,
        AppError, AppResult, RoleId, TenantId,
    },
    server::{
        db::{self, audit::AuditEvent, roles::RoleFields, Db},
        unix_now,
    },
};

pub const MAX_NAME: usize = 100;

pub const PAGE_SIZE: i64 = 24;

/// One page of the global roles whose name or description contains `query`.
pub async fn list(
    conn: &mut AnyConnection,
    tenant: TenantId,
    query: &str,
    page: i64,
) -> AppResult<RolePage> {
    let (page, offset) = super::page_offset(page, PAGE_SIZE)?;
    let query = super::checked_query(query)?;
    let (rows, total) = db::roles::search(conn, tenant, query, offset, PAGE_SIZE).await?;
    let rows = rows
        .into_iter()
        .map(|r| RoleCard {
            id: r.id,
            name: r.name,
            description: r.description,
            audience: r.audience,
            scope: r.scope,
            built_in: r.built_in != 0,
            special: r.special != 0,
            users: r.users,
            groups: r.groups,
        })
        .collect();
    Ok(RolePage {
        rows,
        total,
        page,
        page_size: PAGE_SIZE,
    })
}

/// The role, without counting its holders ([`holders`]).
pub async fn detail(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: RoleId,
) -> AppResult<RoleDetail> {
    let row = db::roles::get(conn, tenant, id).await?;
    Ok(RoleDetail {
        id,
        name: row.name,
        description: row.description,
        built_in: row.built_in != 0,
        special: row.special != 0,
        grants: db::roles::grants(conn, tenant, id).await?,
        applications: db::roles::applications(conn, tenant, id).await?,
        audience: row.audience,
        scope: row.scope,
        requires: db::roles::requirements_named(conn, tenant, id).await?,
        version: row.version,
    })
}

/// How many users and groups hold the role directly.
pub async fn holders(conn: &mut AnyConnection, tenant: TenantId, id: RoleId) -> AppResult<Holders> {
    let (users, groups) = db::roles::holder_counts(conn, tenant, id).await?;
    Ok(Holders { users, groups })
}

/// What the save asks for (a kind it does not name stays as `was`), if the role may have it: a
/// role's `Scope`, `Role type` and `Requires` change only where the template has them, and a
/// built-in role keeps its own. (Whether a change strands a holder, in the wrong scope or without
/// a required role, and whether requirements form a cycle, the guard judges on the write.)
fn wanted_kind(actor: &Actor, was: Kind, built_in: bool, input: &RoleInput) -> AppResult<Kind> {
    let kinds = actor.catalogue.role_kinds;
    let wanted = Kind {
        scope: input.scope.unwrap_or(was.scope),
        audience: input.audience.unwrap_or(was.audience),
        requires: input
            .requires
            .clone()
            .unwrap_or_else(|| was.requires.clone()),
    };
    let refuse = |field: &str, what: &str| {
        Err(AppError::validation(
            field,
            if built_in {
                format!("A built-in role keeps its {what}.")
            } else {
                format!("This tenant's roles have no {what} to choose.")
            },
        ))
    };
    if wanted.scope != was.scope && (built_in || !kinds.scope) {
        return refuse("scope", "Scope");
    }
    if wanted.audience != was.audience && (built_in || !kinds.role_type) {
        return refuse("audience", "Role type");
    }
    if wanted.requires != was.requires && (built_in || !kinds.requires) {
        return refuse("requires", "required roles");
    }
    Ok(wanted)
}

fn validate(actor: &Actor, input: &RoleInput) -> AppResult<()> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "Name is required."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::validation(
            "name",
            format!("Name must be at most {MAX_NAME} characters."),
        ));
    }
    super::checked_description(&input.description)?;
    if let Some((t, l)) = actor.catalogue.unknown_grant(&input.grants) {
        return Err(AppError::validation(
            "grants",
            format!("Unknown permission: {t} {l}."),
        ));
    }
    if let Some(app) = input
        .applications
        .iter()
        .find(|a| !actor.catalogue.applications.iter().any(|x| &x.name == *a))
    {
        return Err(AppError::validation(
            "applications",
            format!("Unknown application: {app}."),
        ));
    }
    Ok(())
}

/// Creates or updates a role. The actor may add only what they hold; a stale `version` is a
/// conflict, never an overwrite.
pub async fn save(db: &Db, actor: &Actor, input: &RoleInput) -> AppResult<RoleDetail> {
    save_like(db, actor, input, None).await
}

/// A role's `Scope`, `Role type` and `Requires`.
struct Kind {
    scope: RoleScope,
    audience: Audience,
    requires: std::collections::BTreeSet<RoleId>,
}

/// `save`; a new role is measured against `new_kind` (a duplicate's source) instead of a
/// cross-space user role without requirements.
async fn save_like(
    db: &Db,
    actor: &Actor,
    input: &RoleInput,
    new_kind: Option<Kind>,
) -> AppResult<RoleDetail> {
    actor.require_admin()?;
    validate(actor, input)?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = match input.id {
            Some(id) => Some(detail(&mut *tx, tenant, id).await?),
            None => None,
        };
        let kind = match &before {
            Some(b) => Kind {
                scope: b.scope,
                audience: b.audience,
                requires: b.requires.keys().copied().collect(),
            },
            None => new_kind.unwrap_or(Kind {
                scope: RoleScope::CrossSpace,
                audience: Audience::User,
                requires: Default::default(),
            }),
        };
        let built_in = before.as_ref().is_some_and(|b| b.built_in);
        let kind = wanted_kind(actor, kind, built_in, input)?;
        if let Some((t, needs)) = actor.catalogue.unmet_prerequisite(&input.grants) {
            return Err(AppError::validation(
                "grants",
                format!("{t} requires {needs}."),
            ));
        }
        if let Some(t) = actor
            .catalogue
            .reserved_in(&input.grants)
            .filter(|_| !built_in)
        {
            return Err(AppError::validation(
                "grants",
                format!("{t} is granted only by a built-in role, never by a custom one."),
            ));
        }
        // Only what the save adds must be held: an admin may still edit a role that carries more.
        let (added_grants, added_apps) = match &before {
            Some(b) => (
                added(
                    &actor.catalogue.effective(&b.grants),
                    &actor.catalogue.effective(&input.grants),
                ),
                input
                    .applications
                    .difference(&b.applications)
                    .cloned()
                    .collect(),
            ),
            None => (input.grants.clone(), input.applications.clone()),
        };
        actor.may_hand_out(&added_grants, &added_apps)?;
        let now = unix_now();
        let fields = RoleFields {
            name: input.name.trim(),
            description: input.description.trim(),
            audience: kind.audience,
            scope: kind.scope,
            built_in: false,
            special: false,
        };
        let id = match input.id {
            Some(id) => {
                if !db::roles::update_if_version(&mut *tx, tenant, id, input.version, &fields, now)
                    .await?
                {
                    return Err(AppError::Conflict);
                }
                id
            }
            None => db::roles::insert(&mut *tx, tenant, &fields, now).await?,
        };
        for required in &kind.requires {
            // A role of another tenant is no role here.
            let row = match db::roles::get(&mut *tx, tenant, *required).await {
                Ok(row) if *required != id => row,
                Ok(_) | Err(AppError::NotFound) => {
                    return Err(AppError::validation(
                        "requires",
                        "A role cannot require itself or a role that does not exist.",
                    ))
                }
                Err(e) => return Err(e),
            };
            // Given tenant-wide, it would need the required role tenant-wide too (SPEC rule 5:
            // at the same scope), which a Space-Specific role never is.
            if kind.scope == RoleScope::CrossSpace && row.scope == RoleScope::SpaceBound {
                return Err(AppError::validation(
                    "requires",
                    format!(
                        "A Cross-Space role cannot require {}, which is Space-Specific.",
                        row.name
                    ),
                ));
            }
        }
        db::roles::replace_requirements(&mut *tx, tenant, id, &kind.requires).await?;
        db::roles::replace_grants(&mut *tx, tenant, id, &input.grants).await?;
        db::roles::replace_applications(&mut *tx, tenant, id, &input.applications).await?;
        // A save changes nobody's roles, so neither it nor its audit entry counts the holders.
        let after = detail(&mut *tx, tenant, id).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: if before.is_some() {
                "role.update"
            } else {
                "role.create"
            },
            target: &format!("role {}", after.name),
            before: before.as_ref().map(json).unwrap_or_default(),
            after: json(&after),
        };
        db::audit::record(&mut *tx, &event, now).await?;
        Ok(after)
    }
    .await;
    guard.finish(result).await
}

/// SPEC rule 9: a built-in role changes only by an admin who holds, tenant-wide, every
/// permission it grants. Why the actor may not, or None. (The guard enforces it on every write;
/// this says it before the click.)
pub fn built_in_lock(actor: &Actor, role: &RoleDetail) -> Option<String> {
    if !role.built_in {
        return None;
    }
    let missing = crate::model::grid::not_held(&actor.catalogue, &actor.effective, &role.grants)
        .into_iter()
        .next()
        .map(|(t, l)| format!("{t} {l}"))
        .or_else(|| {
            role.applications
                .iter()
                .find(|a| !actor.applications.contains(*a))
                .map(|a| format!("application {a}"))
        })?;
    Some(format!(
        "{} is built in: only an administrator who holds every permission it grants may change \
         it. You do not hold {missing}.",
        role.name
    ))
}

/// Every role, marked grantable or not by the actor (with the missing permission as reason).
pub async fn assignable(conn: &mut AnyConnection, actor: &Actor) -> AppResult<Vec<AssignableRole>> {
    let tenant = actor.tenant();
    let grants = db::roles::all_grants(conn, tenant, None).await?;
    let apps = db::roles::all_applications(conn, tenant, None).await?;
    Ok(db::roles::list(conn, tenant)
        .await?
        .into_iter()
        .map(|card| offered(actor, card, &grants, &apps))
        .collect())
}

/// A role as an assignment control offers it to `actor`: grantable, or why not.
pub(super) fn offered(
    actor: &Actor,
    card: db::roles::RoleSummary,
    grants: &std::collections::BTreeMap<i64, crate::model::catalogue::Grants>,
    apps: &std::collections::BTreeMap<i64, std::collections::BTreeSet<String>>,
) -> AssignableRole {
    let authority = super::reach::RoleAuthority::tenant(actor);
    offered_by(actor, &authority, card, grants, apps)
}

/// [`offered`] to one user, whose roles `authority` says the actor may change (SPEC rule 8).
pub(super) fn offered_by(
    actor: &Actor,
    authority: &AppResult<super::reach::RoleAuthority>,
    card: db::roles::RoleSummary,
    grants: &std::collections::BTreeMap<i64, crate::model::catalogue::Grants>,
    apps: &std::collections::BTreeMap<i64, std::collections::BTreeSet<String>>,
) -> AssignableRole {
    let (empty_grants, empty_apps) = (Default::default(), Default::default());
    let (g, a) = (
        grants.get(&card.id.0).unwrap_or(&empty_grants),
        apps.get(&card.id.0).unwrap_or(&empty_apps),
    );
    let verdict = authority.clone().and_then(|authority| {
        authority.admits(card.id, &card.name)?;
        if card.scope == RoleScope::SpaceBound {
            actor.may_hand_out_somewhere(g, a)
        } else {
            actor.may_hand_out(g, a)
        }
    });
    AssignableRole {
        id: card.id,
        name: card.name,
        description: card.description,
        audience: card.audience,
        space_bound: card.scope == RoleScope::SpaceBound,
        grantable: verdict.is_ok(),
        reason: verdict.err().map(|e| e.to_string()),
    }
}

/// A copy named "Copy of <name>" (numbered when taken); the same no-escalation rule applies.
pub async fn duplicate(db: &Db, actor: &Actor, id: RoleId) -> AppResult<RoleDetail> {
    let mut conn = db.pool.acquire().await?;
    let source = detail(&mut conn, actor.tenant(), id).await?;
    let mut name = format!("Copy of {}", source.name);
    let mut n = 2;
    while db::roles::id_by_name(&mut conn, actor.tenant(), &name)
        .await?
        .is_some()
    {
        name = format!("Copy of {} ({n})", source.name);
        n += 1;
    }
    drop(conn);
    let input = RoleInput {
        id: None,
        name,
        description: source.description,
        grants: source.grants,
        applications: source.applications,
        audience: None,
        scope: None,
        requires: None,
        version: 0,
    };
    // A copy is of its source's kind, even where the template offers no choice of kind.
    let kind = Kind {
        scope: source.scope,
        audience: source.audience,
        requires: source.requires.keys().copied().collect(),
    };
    save_like(db, actor, &input, Some(kind)).await
}

/// Deletes a role (never a built-in one); its holders lose it.
pub async fn delete(db: &Db, actor: &Actor, id: RoleId, version: i64) -> AppResult<()> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = detail(&mut *tx, tenant, id).await?;
        let holders = holders(&mut *tx, tenant, id).await?;
        if before.built_in {
            return Err(AppError::Locked {
                reason: "Built-in roles cannot be deleted.".into(),
            });
        }
        // Taking a role away from its holders is handing out less; but deleting what one could not
        // grant is refused like granting it (SPEC rule 4, "you cannot remove what you could not grant").
        actor.may_hand_out(&before.grants, &before.applications)?;
        if !db::roles::delete(&mut *tx, tenant, id, version).await? {
            return Err(AppError::Conflict);
        }
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "role.delete",
            target: &format!("role {}", before.name),
            // Who lost it, as well as what it was.
            before: json(&Deleted {
                role: &before,
                holders,
            }),
            after: String::new(),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

/// A deleted role as its audit entry keeps it: the role's fields and its holders' counts.
#[derive(serde::Serialize)]
struct Deleted<'a> {
    #[serde(flatten)]
    role: &'a RoleDetail,
    #[serde(flatten)]
    holders: Holders,
}

fn added(
    before: &crate::model::catalogue::Grants,
    after: &crate::model::catalogue::Grants,
) -> crate::model::catalogue::Grants {
    let mut out = crate::model::catalogue::Grants::new();
    for (t, levels) in after {
        for l in levels {
            if !before.get(t).is_some_and(|b| b.contains(l)) {
                out.entry(t.clone()).or_default().insert(l.clone());
            }
        }
    }
    out
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod prerequisite_tests;
#[cfg(test)]
mod restriction_tests;
#[cfg(test)]
mod tests;
