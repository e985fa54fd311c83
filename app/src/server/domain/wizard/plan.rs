//! A wizard request checked and worked out per principal, and what it changes as the guard
//! computed it.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use crate::{
    model::{
        wizard::{
            change_for, unmet_requirement, Assignment, Mode, SpaceRef, Subject, SubjectInfo,
            SubjectSummary, WizardRequest, TENANT_WIDE,
        },
        AppError, AppResult, RoleId, RoleScope, TenantId, UserId,
    },
    server::{
        db,
        domain::{access::Actor, guard::Report},
    },
};

use super::context::{requirements, spaces, subjects_for, with_required};

/// A role as a request's plan needs it. It is not judged here: each assignment the request
/// changes is judged on its own ([`verdicts`]), and the roles a principal keeps need no verdict.
pub(super) struct PlanRole {
    id: RoleId,
    name: String,
    space_bound: bool,
    requires: Vec<RoleId>,
}

/// What a request is planned against: the principals, every role they hold or the request names
/// (with what those require) by name, the spaces.
pub(super) struct RequestContext {
    subjects: Vec<SubjectInfo>,
    roles: Vec<PlanRole>,
    spaces: Vec<SpaceRef>,
}

impl RequestContext {
    fn role(&self, id: RoleId) -> Option<&PlanRole> {
        self.roles.iter().find(|r| r.id == id)
    }

    fn role_name(&self, id: RoleId) -> String {
        self.role(id).map(|r| r.name.clone()).unwrap_or_default()
    }
}

/// One principal's part of a checked request.
pub(super) struct Planned {
    pub(super) info: SubjectInfo,
    pub(super) added: Vec<Assignment>,
    pub(super) removed: Vec<Assignment>,
    /// The users whose permissions this principal's change reaches: the user, or the group's
    /// members.
    pub(super) users: BTreeSet<i64>,
}

impl Planned {
    async fn new(
        conn: &mut AnyConnection,
        tenant: TenantId,
        info: &SubjectInfo,
        added: Vec<Assignment>,
        removed: Vec<Assignment>,
    ) -> AppResult<Planned> {
        let users = match info.subject {
            Subject::User(user) => BTreeSet::from([user.0]),
            Subject::Group(group) => db::groups::members(conn, tenant, group)
                .await?
                .into_iter()
                .map(|m| m.id.0)
                .collect(),
        };
        Ok(Planned {
            info: info.clone(),
            added,
            removed,
            users,
        })
    }
}

/// Names a role at its scope: "Role (Space)", or "Role" tenant-wide.
fn describe(ctx: &RequestContext, (role, space): Assignment) -> String {
    let name = ctx.role_name(role);
    match ctx.spaces.iter().find(|s| s.id == space) {
        Some(space) if space.id != TENANT_WIDE => format!("{name} ({})", space.name),
        _ => name,
    }
}

/// Per principal: the roles added and removed, and the permissions gained and lost as the
/// guard computed and judged them (one computation for the Summary and for Done).
pub(super) fn summaries(
    ctx: &RequestContext,
    plans: &[Planned],
    report: &Report,
) -> Vec<SubjectSummary> {
    plans
        .iter()
        .map(|plan| {
            let (gained, lost) = report.gained_and_lost(&plan.users);
            SubjectSummary {
                name: plan.info.name.clone(),
                added: plan.added.iter().map(|&a| describe(ctx, a)).collect(),
                removed: plan.removed.iter().map(|&a| describe(ctx, a)).collect(),
                gained,
                lost,
                skipped: plan.info.skip.clone(),
            }
        })
        .collect()
}

/// Whether `actor` may hand out (or take away) each assignment: judged once per role and space,
/// however many principals a request names.
async fn verdicts(
    conn: &mut AnyConnection,
    actor: &Actor,
    ctx: &RequestContext,
    changed: &BTreeSet<Assignment>,
) -> AppResult<BTreeMap<Assignment, AppResult<()>>> {
    let tenant = actor.tenant();
    let roles: Vec<RoleId> = changed
        .iter()
        .map(|&(r, _)| r)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let grants = db::roles::all_grants(conn, tenant, Some(&roles)).await?;
    let apps = db::roles::all_applications(conn, tenant, Some(&roles)).await?;
    let (no_grants, no_apps) = (Default::default(), Default::default());
    Ok(changed
        .iter()
        .map(|&(role, space)| {
            let space_named = (space != TENANT_WIDE).then(|| {
                let name = ctx.spaces.iter().find(|s| s.id == space);
                (space, name.map_or("", |s| s.name.as_str()))
            });
            let verdict = actor.may_hand_out_in(
                grants.get(&role.0).unwrap_or(&no_grants),
                apps.get(&role.0).unwrap_or(&no_apps),
                space_named,
            );
            ((role, space), verdict)
        })
        .collect())
}

/// Checks each principal's change: no escalation, requirements met. Anti-lockout (SPEC rule 9)
/// is judged on the whole write by the guard.
async fn check_changes(
    conn: &mut AnyConnection,
    actor: &Actor,
    ctx: &RequestContext,
    plans: &[Planned],
) -> AppResult<()> {
    let changed: BTreeSet<Assignment> = plans
        .iter()
        .flat_map(|p| p.added.iter().chain(&p.removed))
        .copied()
        .collect();
    let verdicts = verdicts(conn, actor, ctx, &changed).await?;
    let requirements: Vec<(RoleId, RoleId)> = ctx
        .roles
        .iter()
        .flat_map(|r| r.requires.iter().map(move |&q| (r.id, q)))
        .collect();
    // SPEC rule 5: a required role held through a group counts; no write here changes that.
    // Read only when some role involved requires another (most wizard writes: none).
    let users: Vec<UserId> = plans
        .iter()
        .filter(|_| !requirements.is_empty())
        .filter_map(|p| match p.info.subject {
            Subject::User(u) => Some(u),
            Subject::Group(_) => None,
        })
        .collect();
    let through_groups =
        db::assignments::through_groups_of_users(conn, actor.tenant(), &users).await?;
    let name = |id: RoleId| ctx.role_name(id);
    for plan in plans {
        // In the order the principal's change lists them, as one check per principal did.
        let mine: BTreeSet<Assignment> = plan.added.iter().chain(&plan.removed).copied().collect();
        for a in &mine {
            // Every assignment of `mine` was judged; one that was not would be refused.
            verdicts
                .get(a)
                .cloned()
                .unwrap_or(Err(AppError::Internal))?;
        }
        let mut after: BTreeSet<Assignment> = plan.info.current.iter().copied().collect();
        for a in &plan.removed {
            after.remove(a);
        }
        after.extend(plan.added.iter().copied());
        if let Subject::User(u) = plan.info.subject {
            after.extend(through_groups.get(&u).into_iter().flatten().copied());
        }
        if let Some((role, required)) = unmet_requirement(&requirements, &after) {
            return Err(AppError::validation(
                "roles",
                format!(
                    "{} requires {}: {} would be left without it.",
                    name(role),
                    name(required),
                    plan.info.name
                ),
            ));
        }
    }
    Ok(())
}

/// What a request is planned against (its principals checked and read, see `subjects_for`).
async fn request_context(
    conn: &mut AnyConnection,
    actor: &Actor,
    mode: Mode,
    subjects: &[Subject],
    named: impl IntoIterator<Item = RoleId>,
) -> AppResult<RequestContext> {
    let infos = subjects_for(conn, actor, mode, subjects).await?;
    let mut requires = requirements(conn, actor.tenant()).await?;
    // A role that a principal holds matters to the plan when it requires another (SPEC rule 5 is
    // checked on all that each principal holds after the change), and, in Assign, because Assign
    // takes it away unless the request names it. A hundred principals may hold hundreds of roles.
    let mut ids: BTreeSet<RoleId> = named.into_iter().collect();
    ids.extend(
        infos
            .iter()
            .flat_map(|i| i.current.iter().map(|&(r, _)| r))
            .filter(|r| mode == Mode::Assign || requires.contains_key(r)),
    );
    let cards = with_required(conn, actor.tenant(), &ids, &requires).await?;
    let roles = cards
        .into_iter()
        .map(|card| PlanRole {
            requires: requires.remove(&card.id).unwrap_or_default(),
            id: card.id,
            name: card.name,
            space_bound: card.scope == RoleScope::SpaceBound,
        })
        .collect();
    Ok(RequestContext {
        roles,
        spaces: spaces(conn, actor.tenant()).await?,
        subjects: infos,
    })
}

/// Checks a wizard request as a whole and works out each principal's change.
pub(super) async fn plan_request(
    conn: &mut AnyConnection,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<(RequestContext, Vec<Planned>)> {
    crate::server::domain::checked_count("assignments", request.assignments.len())?;
    crate::server::domain::checked_count("versions", request.versions.len())?;
    let wanted: BTreeSet<Assignment> = request.assignments.iter().copied().collect();
    let ctx = request_context(
        conn,
        actor,
        request.mode,
        &request.subjects,
        wanted.iter().map(|&(r, _)| r),
    )
    .await?;
    if request.mode == Mode::Assign {
        // Assign replaces each principal's roles: a set read before someone else changed it
        // would silently drop their change.
        for info in &ctx.subjects {
            let read_at = request.versions.iter().find(|(s, _)| *s == info.subject);
            if read_at.is_none_or(|(_, v)| *v != info.version) {
                return Err(AppError::Conflict);
            }
        }
    }
    for &(role, space) in &wanted {
        let role = ctx.role(role).ok_or(AppError::NotFound)?;
        let space_ok = if role.space_bound {
            ctx.spaces.iter().any(|s| s.id == space)
        } else {
            space == TENANT_WIDE
        };
        if !space_ok {
            return Err(AppError::validation(
                "spaces",
                format!("{} cannot be assigned in that space.", role.name),
            ));
        }
    }
    let mut plans = Vec::new();
    for info in &ctx.subjects {
        let current: BTreeSet<Assignment> = info.current.iter().copied().collect();
        let (added, removed) = if info.skip.is_some() {
            (Vec::new(), Vec::new())
        } else {
            change_for(request.mode, &current, &wanted)
        };
        plans.push(Planned::new(conn, actor.tenant(), info, added, removed).await?);
    }
    check_changes(conn, actor, &ctx, &plans).await?;
    Ok((ctx, plans))
}

/// Plans `Remove roles`: the chosen roles (in every space) from each principal, checked.
pub(super) async fn plan_removal(
    conn: &mut AnyConnection,
    actor: &Actor,
    subjects: &[Subject],
    roles: &BTreeSet<RoleId>,
) -> AppResult<(RequestContext, Vec<Planned>)> {
    crate::server::domain::checked_count("roles", roles.len())?;
    let ctx = request_context(conn, actor, Mode::Append, subjects, roles.iter().copied()).await?;
    let mut plans = Vec::new();
    for info in &ctx.subjects {
        let removed = if info.skip.is_some() {
            Vec::new()
        } else {
            info.current
                .iter()
                .filter(|(r, _)| roles.contains(r))
                .copied()
                .collect()
        };
        plans.push(Planned::new(conn, actor.tenant(), info, Vec::new(), removed).await?);
    }
    check_changes(conn, actor, &ctx, &plans).await?;
    Ok((ctx, plans))
}
