//! A wizard request checked and worked out per principal, and what it changes as the guard
//! computed it.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use crate::{
    model::{
        wizard::{
            change_for, unmet_requirement, Assignment, Mode, Subject, SubjectInfo, SubjectSummary,
            WizardContext, WizardRequest, TENANT_WIDE,
        },
        AppError, AppResult, RoleId, TenantId,
    },
    server::{
        db,
        domain::{access::Actor, guard::Report},
    },
};

use super::context::context;

/// One principal's part of a checked request.
pub(super) struct Planned {
    pub(super) info: SubjectInfo,
    pub(super) added: Vec<Assignment>,
    pub(super) removed: Vec<Assignment>,
    /// The users whose permissions this principal's change reaches: the user, or the group's
    /// members.
    users: BTreeSet<i64>,
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
fn describe(ctx: &WizardContext, (role, space): Assignment) -> String {
    let name = ctx
        .roles
        .iter()
        .find(|r| r.id == role)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    match ctx.spaces.iter().find(|s| s.id == space) {
        Some(space) if space.id != TENANT_WIDE => format!("{name} ({})", space.name),
        _ => name,
    }
}

/// Per principal: the roles added and removed, and the permissions gained and lost as the
/// guard computed and judged them (one computation for the Summary and for Done).
pub(super) fn summaries(
    ctx: &WizardContext,
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

/// Checks one principal's change: no escalation, requirements met, last tenant admin kept.
async fn check_change(
    conn: &mut AnyConnection,
    actor: &Actor,
    ctx: &WizardContext,
    plan: &Planned,
) -> AppResult<()> {
    let tenant = actor.tenant();
    let changed: BTreeSet<Assignment> = plan.added.iter().chain(&plan.removed).copied().collect();
    for &(role, space) in &changed {
        let grants = db::roles::grants(conn, tenant, role).await?;
        let applications = db::roles::applications(conn, tenant, role).await?;
        let space = (space != TENANT_WIDE).then(|| {
            let name = ctx.spaces.iter().find(|s| s.id == space);
            (space, name.map_or("", |s| s.name.as_str()))
        });
        actor.may_hand_out_in(&grants, &applications, space)?;
    }
    let mut after: BTreeSet<Assignment> = plan.info.current.iter().copied().collect();
    for a in &plan.removed {
        after.remove(a);
    }
    after.extend(plan.added.iter().copied());
    let requirements: Vec<(RoleId, RoleId)> = ctx
        .roles
        .iter()
        .flat_map(|r| r.requires.iter().map(move |&q| (r.id, q)))
        .collect();
    if let Some((role, required)) = unmet_requirement(&requirements, &after) {
        let name = |id: RoleId| {
            ctx.roles
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        };
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
    // Anti-lockout (SPEC rule 9) is judged on the whole write by the guard.
    Ok(())
}

/// Checks a wizard request as a whole and works out each principal's change.
pub(super) async fn plan_request(
    conn: &mut AnyConnection,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<(WizardContext, Vec<Planned>)> {
    crate::server::domain::checked_count("assignments", request.assignments.len())?;
    crate::server::domain::checked_count("versions", request.versions.len())?;
    let ctx = context(conn, actor, request.mode, &request.subjects).await?;
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
    let wanted: BTreeSet<Assignment> = request.assignments.iter().copied().collect();
    for &(role, space) in &wanted {
        let role = ctx
            .roles
            .iter()
            .find(|r| r.id == role)
            .ok_or(AppError::NotFound)?;
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
        let plan = Planned::new(conn, actor.tenant(), info, added, removed).await?;
        check_change(conn, actor, &ctx, &plan).await?;
        plans.push(plan);
    }
    Ok((ctx, plans))
}

/// Plans `Remove roles`: the chosen roles (in every space) from each principal, checked.
pub(super) async fn plan_removal(
    conn: &mut AnyConnection,
    actor: &Actor,
    subjects: &[Subject],
    roles: &BTreeSet<RoleId>,
) -> AppResult<(WizardContext, Vec<Planned>)> {
    crate::server::domain::checked_count("roles", roles.len())?;
    let ctx = context(conn, actor, Mode::Append, subjects).await?;
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
        let plan = Planned::new(conn, actor.tenant(), info, Vec::new(), removed).await?;
        check_change(conn, actor, &ctx, &plan).await?;
        plans.push(plan);
    }
    Ok((ctx, plans))
}
