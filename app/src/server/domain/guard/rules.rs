//! What a write may do, judged on its effect (SPEC rules 4, 5, 6, 7 and 9): the actor holds every
//! permission gained or lost at its scope; locked users keep their roles; built-in roles change
//! only by someone who holds all they grant; an active tenant admin remains; the device-group
//! tree has no cycle; requirements have no cycle and none is left unmet.

use std::collections::BTreeSet;

use super::{
    effect::{Effect, Permission, Reach},
    state::{Holding, Space, TenantState, TENANT_WIDE},
};
use crate::model::{
    catalogue::{holds, Catalogue, Grants},
    inventory_access::{bit, global_bits, Want, CHECKED},
    AppError, AppResult,
};

/// Whether `actor` (a user of the tenant, whose authority is what they held before the write)
/// may make a write with this effect: Ok, or the refusal naming the rule or what is missing.
///
/// `reach` says which users and roles the write may have changed: nobody else is looked at.
pub fn verdict(
    catalogue: &Catalogue,
    before: &TenantState,
    after: &TenantState,
    reach: &Reach,
    actor: i64,
    effect: &Effect,
) -> AppResult<()> {
    locked_users(before, after, reach)?;
    built_in_roles(catalogue, before, after, reach, actor)?;
    authority(catalogue, before, actor, effect)?;
    invariants(before, after, reach)
}

/// What the access mapping may do at an SSO sign-in (its rules obeyed rule 4 when they were
/// saved): change the signing-in user's roles and nobody else's, and leave every other rule
/// holding. The user's own SSO lock is what the mapping manages, so it does not apply.
pub fn mapping_verdict(
    before: &TenantState,
    after: &TenantState,
    reach: &Reach,
    user: Option<i64>,
    effect: &Effect,
) -> AppResult<()> {
    if let Some(other) = effect.changes.iter().find(|c| Some(c.user) != user) {
        return Err(AppError::forbidden(format!(
            "the access mapping changes only the signing-in user (it would change {})",
            before.username(other.user)
        )));
    }
    locked_users_but(before, after, reach, user)?;
    invariants(before, after, reach)
}

/// What the partner portal may do in a served tenant (SPEC rule 7): change the global roles of
/// partner administrators, with every role of the template as its authority; nobody else's
/// holdings, no role, no user's status; and every invariant (rule 9's active tenant admin
/// first) still holds.
pub fn portal_verdict(before: &TenantState, after: &TenantState, reach: &Reach) -> AppResult<()> {
    // Nobody else's row or holdings can differ.
    for (id, user) in reach
        .reloaded
        .iter()
        .filter_map(|id| before.users.get(id).map(|u| (id, u)))
    {
        let Some(now) = after.users.get(id) else {
            return Err(AppError::forbidden(format!(
                "the partner portal removes no user (it would remove {})",
                user.username
            )));
        };
        let holdings_changed = !before.same_holdings(after, *id);
        if now.active != user.active || (holdings_changed && !user.partner_admin) {
            return Err(AppError::forbidden(format!(
                "the partner portal changes only partner administrators' roles (it would change {})",
                user.username
            )));
        }
    }
    let requires = |s: &TenantState, role: i64| -> Vec<(i64, i64)> {
        s.requires
            .range((role, i64::MIN)..=(role, i64::MAX))
            .copied()
            .collect()
    };
    if reach.roles.iter().any(|role| {
        before.roles.get(role) != after.roles.get(role)
            || requires(before, *role) != requires(after, *role)
    }) {
        return Err(AppError::forbidden(
            "the partner portal changes no role's definition",
        ));
    }
    invariants(before, after, reach)
}

/// SPEC rules 6 and 7: a locked user's roles never change here, by whatever path; a partner
/// administrator is not disabled, enabled or deleted here either.
fn locked_users(before: &TenantState, after: &TenantState, reach: &Reach) -> AppResult<()> {
    locked_users_but(before, after, reach, None)
}

/// As [`locked_users`], except the SSO lock of `signing_in`.
fn locked_users_but(
    before: &TenantState,
    after: &TenantState,
    reach: &Reach,
    signing_in: Option<i64>,
) -> AppResult<()> {
    // Judged by the lock as it was before the write.
    let locked = |state: &TenantState, user: i64| {
        let mut held = state.holdings_of(user);
        held.retain(|h| before.sso_lock.locks(h));
        held
    };
    let locked_apps = |state: &TenantState, user: i64| {
        let mut apps = state.direct_applications_of(user);
        apps.retain(|a| before.sso_lock.locks_application(a));
        apps
    };
    // Only a reloaded user's status or holdings can differ.
    for (id, user) in reach
        .reloaded
        .iter()
        .filter_map(|id| before.users.get(id).map(|u| (id, u)))
    {
        let holdings_changed = !before.same_holdings(after, *id);
        if user.partner_admin {
            let status_changed = after.users.get(id).is_none_or(|u| u.active != user.active);
            if holdings_changed || status_changed {
                return Err(AppError::Locked {
                    reason: format!("{PARTNER_ADMIN_MESSAGE} ({})", user.username),
                });
            }
        } else if user.sso
            && Some(*id) != signing_in
            && after.users.contains_key(id)
            && (locked(before, *id) != locked(after, *id)
                || locked_apps(before, *id) != locked_apps(after, *id))
        {
            return Err(AppError::Locked {
                reason: format!("{}: {SSO_LOCK_REASON}", user.username),
            });
        }
    }
    Ok(())
}

/// Every (type, level) `grants` give, implications applied.
pub(super) fn all_cells(catalogue: &Catalogue, grants: &Grants) -> Vec<(String, String)> {
    catalogue
        .effective(grants)
        .into_iter()
        .flat_map(|(t, levels)| levels.into_iter().map(move |l| (t.clone(), l)))
        .collect()
}

/// SPEC rule 9: built-in roles stay, and their name and grants change only by an actor holding,
/// tenant-wide, every permission the role grants (before and after).
fn built_in_roles(
    catalogue: &Catalogue,
    before: &TenantState,
    after: &TenantState,
    reach: &Reach,
    actor: i64,
) -> AppResult<()> {
    let held = before.global_in(catalogue, actor, TENANT_WIDE);
    let apps = before.applications_of(actor);
    let reached = reach
        .roles
        .iter()
        .filter_map(|id| before.roles.get(id).map(|r| (id, r)));
    for (id, role) in reached.filter(|(_, r)| r.built_in) {
        let Some(now) = after.roles.get(id) else {
            return Err(AppError::Locked {
                reason: format!("{} is built in and cannot be deleted.", role.name),
            });
        };
        if now.name == role.name
            && now.grants == role.grants
            && now.applications == role.applications
        {
            continue;
        }
        let cells = all_cells(catalogue, &role.grants)
            .into_iter()
            .chain(all_cells(catalogue, &now.grants));
        for (t, l) in cells {
            if !holds(&held, &t, &l) {
                return Err(AppError::forbidden(format!(
                    "{t} {l} (changing the built-in role {} needs every permission it grants)",
                    role.name
                )));
            }
        }
        if let Some(app) = role
            .applications
            .union(&now.applications)
            .find(|a| !apps.contains(*a))
        {
            return Err(AppError::forbidden(format!("application {app}")));
        }
    }
    Ok(())
}

/// SPEC rules 1 and 4: every gain and every loss is within the actor's authority at its scope.
fn authority(
    catalogue: &Catalogue,
    before: &TenantState,
    actor: i64,
    effect: &Effect,
) -> AppResult<()> {
    let scoped = before.global_of(catalogue, actor);
    let tenant_wide = scoped.get(&TENANT_WIDE).cloned().unwrap_or_default();
    let apps = before.applications_of(actor);
    let inventory = before.inventory_of(actor);
    let everywhere = global_bits(&tenant_wide);
    let mut checked: BTreeSet<&Permission> = BTreeSet::new();
    for change in &effect.changes {
        if !checked.insert(&change.permission) {
            continue;
        }
        let missing = match &change.permission {
            Permission::Cell {
                space,
                type_name,
                level,
            } => {
                let in_space =
                    |s: Space| scoped.get(&s).is_some_and(|g| holds(g, type_name, level));
                let ok = holds(&tenant_wide, type_name, level)
                    || (*space != TENANT_WIDE && in_space(*space));
                (!ok).then(|| {
                    if *space == TENANT_WIDE {
                        format!("{type_name} {level}")
                    } else {
                        format!("{type_name} {level} in {}", before.space_name(*space))
                    }
                })
            }
            Permission::Application(app) => {
                (!apps.contains(app)).then(|| format!("application {app}"))
            }
            Permission::Inventory {
                group,
                category,
                change,
                fragment_type,
            } => {
                let want = if *change { Want::Change } else { Want::Read };
                let b = bit(*category, want);
                let own = inventory
                    .get(group)
                    .map_or(0, |bits| bits.on(fragment_type));
                ((everywhere | own) & b == 0).then(|| {
                    format!(
                        "{} {} on {}",
                        CHECKED[*category],
                        want.label(),
                        before.group_name(*group)
                    )
                })
            }
        };
        if let Some(missing) = missing {
            return Err(AppError::forbidden(missing));
        }
    }
    Ok(())
}

/// SPEC rule 7, word for word from the `mdm` seed.
pub const PARTNER_ADMIN_MESSAGE: &str =
    "A Partner Administrator must perform this operation on the Service Provider Portal.";

/// SPEC rule 6: why the roles of an SSO user cannot be changed here.
pub const SSO_LOCK_REASON: &str = "Roles managed by SSO: this user's roles come from the \
    tenant's access-mapping rules at sign-in. Allow manual changes for SSO users in the tenant \
    settings to change them here.";

/// Why a write that would leave no active tenant admin is refused (SPEC rule 9).
pub fn anti_lockout(role: &str) -> String {
    format!("At least one active user must keep {role} tenant-wide: this change would leave none.")
}

/// Global-role holdings at the wrong kind of scope: a Space-Specific role tenant-wide, or a
/// Cross-Space role in a space (SPEC section 4, rule 5's scopes).
fn misplaced(state: &TenantState, users: &BTreeSet<i64>) -> BTreeSet<(i64, i64, Space)> {
    let mut out = BTreeSet::new();
    for (user, held) in users
        .iter()
        .filter_map(|u| state.holdings.get(u).map(|h| (u, h)))
    {
        for holding in held {
            if let Holding::Global { role, space } = holding {
                let bound = state.roles.get(role).is_some_and(|r| r.space_bound);
                if bound == (*space == TENANT_WIDE) {
                    out.insert((*user, *role, *space));
                }
            }
        }
    }
    out
}

/// What must hold after every write, if it held before.
fn invariants(before: &TenantState, after: &TenantState, reach: &Reach) -> AppResult<()> {
    // A user whose holdings are unchanged can break a scope or a requirement only through a
    // held role whose scope or requirements changed.
    let reshaped: BTreeSet<i64> = reach
        .roles
        .iter()
        .copied()
        .filter(|role| {
            let bound = |s: &TenantState| s.roles.get(role).map(|r| r.space_bound);
            let requires = |s: &TenantState| -> Vec<(i64, i64)> {
                s.requires
                    .range((*role, i64::MIN)..=(*role, i64::MAX))
                    .copied()
                    .collect()
            };
            bound(before) != bound(after) || requires(before) != requires(after)
        })
        .collect();
    let holds_reshaped = |u: &i64| {
        !reshaped.is_empty()
            && after
                .holdings
                .get(u)
                .into_iter()
                .flatten()
                .any(|h| matches!(h, Holding::Global { role, .. } if reshaped.contains(role)))
    };
    // Only a reloaded user's holdings can differ.
    let users: BTreeSet<i64> = reach
        .users
        .iter()
        .copied()
        .filter(|u| {
            (reach.reloaded.contains(u) && !before.same_holdings(after, *u)) || holds_reshaped(u)
        })
        .collect();
    let misplaced_before = misplaced(before, &users);
    if let Some((_, role, space)) = misplaced(after, &users)
        .into_iter()
        .find(|m| !misplaced_before.contains(m))
    {
        let name = after.role_name(role);
        return Err(AppError::validation(
            "roles",
            if space == TENANT_WIDE {
                format!("{name} is Space-Specific: it is given in a space, never tenant-wide.")
            } else {
                format!("{name} is Cross-Space: it is given tenant-wide, never in one space.")
            },
        ));
    }
    if before.has_active_tenant_admin() && !after.has_active_tenant_admin() {
        let role = before
            .roles
            .values()
            .find(|r| r.tenant_admin)
            .map_or("the tenant-admin role", |r| r.name.as_str());
        return Err(AppError::Locked {
            reason: anti_lockout(role),
        });
    }
    if reach.tree && before.cycle().is_none() && after.cycle().is_some() {
        return Err(AppError::validation(
            "parent",
            "A device group cannot be moved under itself or one of its subgroups.",
        ));
    }
    if !reshaped.is_empty() && before.requirement_cycle().is_none() {
        if let Some(role) = after.requirement_cycle() {
            return Err(AppError::validation(
                "requires",
                format!(
                    "{} would require itself through the roles it requires.",
                    after.role_name(role)
                ),
            ));
        }
    }
    let unmet_before = before.unmet_requirements(&users);
    if let Some((_, role, required, _)) = after
        .unmet_requirements(&users)
        .into_iter()
        .find(|u| !unmet_before.contains(u))
    {
        return Err(AppError::validation(
            "roles",
            format!(
                "{} requires {}.",
                after.role_name(role),
                after.role_name(required)
            ),
        ));
    }
    Ok(())
}
