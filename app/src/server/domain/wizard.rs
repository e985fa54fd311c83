//! The assignment wizard (Append, Assign) and bulk `Remove roles`, on the server. Every request
//! is checked as a whole before anything is written: roles and spaces of this tenant, no
//! escalation on what is added or removed (SPEC rule 4), requirements met (rule 5), the last
//! tenant admin keeps the role (rule 9). Locked principals (rules 6, 7) are skipped with the
//! reason; everything else is applied in one transaction.

use crate::model::RoleScope;
use crate::server::domain::guard::{Guard, Report};
use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use super::{
    access::Actor,
    assignments::ensure_roles_editable,
    roles::{assignable, json},
};
use crate::{
    model::{
        wizard::{
            change_for, unmet_requirement, Assignment, Mode, SpaceRef, Subject, SubjectInfo,
            SubjectSummary, WizardContext, WizardRequest, WizardRole, TENANT_WIDE,
        },
        AppError, AppResult, RoleId, TenantId,
    },
    server::{
        db::{self, audit::AuditEvent, Db},
        unix_now,
    },
};

async fn subject_info(
    conn: &mut AnyConnection,
    tenant: TenantId,
    subject: Subject,
) -> AppResult<SubjectInfo> {
    let (name, version, skip) = match subject {
        Subject::User(user) => {
            let row = db::users::get(conn, tenant, user)
                .await?
                .ok_or(AppError::NotFound)?;
            let skip = ensure_roles_editable(conn, tenant, &row)
                .await
                .err()
                .map(|e| e.to_string());
            (row.username, row.roles_version, skip)
        }
        Subject::Group(group) => {
            let row = db::groups::get(conn, tenant, group)
                .await?
                .ok_or(AppError::NotFound)?;
            (row.name, row.roles_version, None)
        }
    };
    Ok(SubjectInfo {
        subject,
        name,
        version,
        current: db::assignments::of_subject(conn, tenant, subject).await?,
        skip,
    })
}

/// What the wizard starts from: the grantable roles, the spaces, the chosen principals.
pub async fn context(
    conn: &mut AnyConnection,
    actor: &Actor,
    mode: Mode,
    subjects: &[Subject],
) -> AppResult<WizardContext> {
    actor.require_admin()?;
    super::checked_count("subjects", subjects.len())?;
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
    let tenant = actor.tenant();
    let mut infos = Vec::new();
    for &subject in subjects.iter().collect::<BTreeSet<_>>() {
        let info = subject_info(conn, tenant, subject).await?;
        if let (Mode::Assign, Some(reason)) = (mode, &info.skip) {
            return Err(AppError::Locked {
                reason: reason.clone(),
            });
        }
        infos.push(info);
    }
    let verdicts: BTreeMap<RoleId, _> = assignable(conn, actor)
        .await?
        .into_iter()
        .map(|r| (r.id, (r.grantable, r.reason)))
        .collect();
    let requirements = db::roles::requirements(conn, tenant).await?;
    let roles = db::roles::list(conn, tenant)
        .await?
        .into_iter()
        .map(|r| {
            let id = r.id;
            let (grantable, reason) = verdicts.get(&id).cloned().unwrap_or((false, None));
            WizardRole {
                id,
                name: r.name,
                description: r.description,
                space_bound: r.scope == RoleScope::SpaceBound,
                requires: requirements
                    .iter()
                    .filter(|(role, _)| *role == r.id.0)
                    .map(|(_, required)| RoleId(*required))
                    .collect(),
                grantable,
                reason,
            }
        })
        .collect();
    let spaces = db::spaces::list(conn, tenant)
        .await?
        .into_iter()
        .map(|s| SpaceRef {
            id: s.id,
            name: s.name,
            is_default: s.is_default != 0,
        })
        .collect();
    Ok(WizardContext {
        mode,
        subjects: infos,
        roles,
        spaces,
    })
}

/// One principal's part of a checked request.
struct Planned {
    info: SubjectInfo,
    added: Vec<Assignment>,
    removed: Vec<Assignment>,
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
fn summaries(ctx: &WizardContext, plans: &[Planned], report: &Report) -> Vec<SubjectSummary> {
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
async fn plan_request(
    conn: &mut AnyConnection,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<(WizardContext, Vec<Planned>)> {
    super::checked_count("assignments", request.assignments.len())?;
    super::checked_count("versions", request.versions.len())?;
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

/// The Summary step: what Done would change, nothing written. The write is made and judged by
/// the guard exactly as Done would, then rolled back, so the Summary shows Done's refusal.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<Vec<SubjectSummary>> {
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let (ctx, plans) = plan_request(&mut *tx, actor, request).await?;
        write(&mut *tx, actor, "roles.preview", &plans).await?;
        Ok((ctx, plans))
    }
    .await;
    let ((ctx, plans), report) = guard.preview(result).await?;
    Ok(summaries(&ctx, &plans, &report))
}

async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    plans: &[Planned],
) -> AppResult<()> {
    let tenant = actor.tenant();
    for plan in plans
        .iter()
        .filter(|p| !p.added.is_empty() || !p.removed.is_empty())
    {
        for &a in &plan.removed {
            db::assignments::remove(conn, tenant, plan.info.subject, a).await?;
        }
        for &a in &plan.added {
            db::assignments::add(conn, tenant, plan.info.subject, a).await?;
        }
        if let Subject::Group(group) = plan.info.subject {
            db::groups::touch(conn, tenant, group).await?;
        }
        let kind = match plan.info.subject {
            Subject::User(_) => "user",
            Subject::Group(_) => "group",
        };
        let as_ids = |list: &[Assignment]| list.iter().map(|(r, s)| (r.0, s.0)).collect::<Vec<_>>();
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action,
            target: &format!("{kind} {}", plan.info.name),
            before: json(&as_ids(&plan.removed)),
            after: json(&as_ids(&plan.added)),
        };
        db::audit::record(conn, &event, unix_now()).await?;
    }
    Ok(())
}

/// Done: applies the request in one transaction and returns what changed.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<Vec<SubjectSummary>> {
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let (ctx, plans) = plan_request(&mut *tx, actor, request).await?;
        let action = match request.mode {
            Mode::Append => "roles.append",
            Mode::Assign => "roles.assign",
        };
        write(&mut *tx, actor, action, &plans).await?;
        Ok((ctx, plans))
    }
    .await;
    let ((ctx, plans), report) = guard.finish_reporting(result).await?;
    Ok(summaries(&ctx, &plans, &report))
}

/// Plans `Remove roles`: the chosen roles (in every space) from each principal, checked.
async fn plan_removal(
    conn: &mut AnyConnection,
    actor: &Actor,
    subjects: &[Subject],
    roles: &BTreeSet<RoleId>,
) -> AppResult<(WizardContext, Vec<Planned>)> {
    super::checked_count("roles", roles.len())?;
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

/// What `Remove roles` would change, made and judged by the guard and rolled back: the dialog
/// shows the losses, or the refusal, before the button is pressed.
pub async fn preview_removal(
    db: &Db,
    actor: &Actor,
    subjects: &[Subject],
    roles: &BTreeSet<RoleId>,
) -> AppResult<Vec<SubjectSummary>> {
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let (ctx, plans) = plan_removal(&mut *tx, actor, subjects, roles).await?;
        write(&mut *tx, actor, "roles.preview", &plans).await?;
        Ok((ctx, plans))
    }
    .await;
    let ((ctx, plans), report) = guard.preview(result).await?;
    Ok(summaries(&ctx, &plans, &report))
}

/// `Remove roles` from a list: takes the chosen roles (in every space) from each principal.
pub async fn remove_roles(
    db: &Db,
    actor: &Actor,
    subjects: &[Subject],
    roles: &BTreeSet<RoleId>,
) -> AppResult<Vec<SubjectSummary>> {
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let (ctx, plans) = plan_removal(&mut *tx, actor, subjects, roles).await?;
        write(&mut *tx, actor, "roles.remove", &plans).await?;
        Ok((ctx, plans))
    }
    .await;
    let ((ctx, plans), report) = guard.finish_reporting(result).await?;
    Ok(summaries(&ctx, &plans, &report))
}

#[cfg(test)]
mod tests;
