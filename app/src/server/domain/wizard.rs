//! The assignment wizard (Append, Assign) and bulk `Remove roles`, on the server. Every request
//! is checked as a whole before anything is written: roles and spaces of this tenant, no
//! escalation on what is added or removed (SPEC rule 4), requirements met (rule 5), the last
//! tenant admin keeps the role (rule 9). Locked principals (rules 6, 7) are skipped with the
//! reason; everything else is applied in one transaction.

mod context;
mod plan;

pub use context::{context, roles_page, ROLES_PAGE_SIZE};

use crate::server::domain::guard::{judge_unwritten, Guard, Proposed, Snapshot};
use std::collections::BTreeSet;

use sqlx::AnyConnection;

use super::{access::Actor, roles::json};
use crate::{
    model::{
        wizard::{Assignment, Mode, Subject, SubjectSummary, WizardRequest},
        AppResult, RoleId, TenantId,
    },
    server::{
        db::{self, audit::AuditEvent, Db},
        unix_now,
    },
};
use plan::{plan_removal, plan_request, summaries, Planned, RequestContext};

/// The Summary step: what Done would change, nothing written. The guard judges the planned
/// change as it would judge Done's write, so the Summary shows Done's refusal.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<Vec<SubjectSummary>> {
    let mut snapshot = Snapshot::begin(db).await?;
    let planned = plan_request(snapshot.conn(), actor, request).await;
    judge_plans(db, actor, snapshot, planned).await
}

/// A preview's plan, read in `snapshot`, judged by the guard without writing it, at the same
/// snapshot. No lock and no queue: two previews of a hundred users run side by side instead of
/// one after the other, and hold no write back. Without a state the guard keeps for the
/// tenant (the first write after the start), the plan is written, judged in the tenant's queue
/// and rolled back.
async fn judge_plans(
    db: &Db,
    actor: &Actor,
    mut snapshot: Snapshot,
    planned: AppResult<(RequestContext, Vec<Planned>)>,
) -> AppResult<Vec<SubjectSummary>> {
    let judged = match planned {
        Ok((ctx, plans)) => {
            let proposed: Vec<Proposed> = changed(&plans).into_iter().map(proposed).collect();
            judge_unwritten(&mut snapshot, db, actor, &proposed)
                .await
                .map(|report| (ctx, plans, report))
        }
        Err(error) => Err(error),
    };
    snapshot.close().await?;
    match judged? {
        (ctx, plans, Some(report)) => Ok(summaries(&ctx, &plans, &report)),
        (ctx, plans, None) => write_and_roll_back(db, actor, (ctx, plans)).await,
    }
}

/// A plan as the guard judges it unwritten.
fn proposed(plan: &Planned) -> Proposed<'_> {
    Proposed {
        subject: plan.info.subject,
        users: &plan.users,
        added: &plan.added,
        removed: &plan.removed,
    }
}

/// A preview's write, judged by the guard in the tenant's queue and rolled back: what a preview
/// does when the guard keeps no state to judge its plan unwritten.
async fn write_and_roll_back(
    db: &Db,
    actor: &Actor,
    (ctx, plans): (RequestContext, Vec<Planned>),
) -> AppResult<Vec<SubjectSummary>> {
    let mut guard = Guard::begin(db, actor).await?;
    let written = write(guard.conn(), actor.tenant(), &plans)
        .await
        .map(|_| ());
    let ((), report) = guard.preview(written).await?;
    Ok(summaries(&ctx, &plans, &report))
}

/// The principals whose roles a plan changes.
fn changed(plans: &[Planned]) -> Vec<&Planned> {
    plans
        .iter()
        .filter(|p| !p.added.is_empty() || !p.removed.is_empty())
        .collect()
}

/// Writes the planned assignments (what the guard judges) and returns the plans that changed
/// something. A preview stops here and rolls back.
async fn write<'p>(
    conn: &mut AnyConnection,
    tenant: TenantId,
    plans: &'p [Planned],
) -> AppResult<Vec<&'p Planned>> {
    let changed = changed(plans);
    // A hundred principals' changes in a few statements, not one per assignment.
    let rows = |list: fn(&Planned) -> &[Assignment]| -> Vec<(Subject, Assignment)> {
        changed
            .iter()
            .flat_map(|p| list(p).iter().map(|&a| (p.info.subject, a)))
            .collect()
    };
    db::assignments::remove_many(conn, tenant, &rows(|p| &p.removed)).await?;
    db::assignments::add_many(conn, tenant, &rows(|p| &p.added)).await?;
    for plan in &changed {
        if let Subject::Group(group) = plan.info.subject {
            db::groups::touch(conn, tenant, group).await?;
        }
    }
    Ok(changed)
}

/// Writes the planned assignments and records them in the audit log, one event per principal.
async fn write_and_record(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    plans: &[Planned],
) -> AppResult<()> {
    let tenant = actor.tenant();
    let changed = write(conn, tenant, plans).await?;
    let as_ids = |list: &[Assignment]| list.iter().map(|(r, s)| (r.0, s.0)).collect::<Vec<_>>();
    let targets: Vec<String> = changed
        .iter()
        .map(|plan| match plan.info.subject {
            Subject::User(_) => format!("user {}", plan.info.name),
            Subject::Group(_) => format!("group {}", plan.info.name),
        })
        .collect();
    let events: Vec<AuditEvent> = changed
        .iter()
        .zip(&targets)
        .map(|(plan, target)| AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action,
            target,
            before: json(&as_ids(&plan.removed)),
            after: json(&as_ids(&plan.added)),
        })
        .collect();
    db::audit::record_many(conn, &events, unix_now()).await
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
        write_and_record(&mut *tx, actor, action, &plans).await?;
        Ok((ctx, plans))
    }
    .await;
    let ((ctx, plans), report) = guard.finish_reporting(result).await?;
    Ok(summaries(&ctx, &plans, &report))
}

/// What `Remove roles` would change, made and judged by the guard and rolled back: the dialog
/// shows the losses, or the refusal, before the button is pressed.
pub async fn preview_removal(
    db: &Db,
    actor: &Actor,
    subjects: &[Subject],
    roles: &BTreeSet<RoleId>,
) -> AppResult<Vec<SubjectSummary>> {
    let mut snapshot = Snapshot::begin(db).await?;
    let planned = plan_removal(snapshot.conn(), actor, subjects, roles).await;
    judge_plans(db, actor, snapshot, planned).await
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
        write_and_record(&mut *tx, actor, "roles.remove", &plans).await?;
        Ok((ctx, plans))
    }
    .await;
    let ((ctx, plans), report) = guard.finish_reporting(result).await?;
    Ok(summaries(&ctx, &plans, &report))
}

/// What a test previews: a wizard request, or `Remove roles`.
#[cfg(test)]
pub(crate) enum Previewed<'r> {
    Request(&'r WizardRequest),
    Removal(&'r [Subject], &'r BTreeSet<RoleId>),
}

/// The same preview judged unwritten (None: the guard keeps no state to judge it so) and
/// written and rolled back in the tenant's queue, each planned at its own snapshot.
#[cfg(test)]
pub(crate) async fn preview_both_ways(
    db: &Db,
    actor: &Actor,
    what: Previewed<'_>,
) -> (
    Option<AppResult<Vec<SubjectSummary>>>,
    AppResult<Vec<SubjectSummary>>,
) {
    async fn plan(
        tx: &mut AnyConnection,
        actor: &Actor,
        what: &Previewed<'_>,
    ) -> AppResult<(RequestContext, Vec<Planned>)> {
        match what {
            Previewed::Request(request) => plan_request(tx, actor, request).await,
            Previewed::Removal(subjects, roles) => plan_removal(tx, actor, subjects, roles).await,
        }
    }
    let unwritten = async {
        let mut snapshot = Snapshot::begin(db).await?;
        let (ctx, plans) = plan(snapshot.conn(), actor, &what).await?;
        let proposed: Vec<Proposed> = changed(&plans).into_iter().map(proposed).collect();
        let report = judge_unwritten(&mut snapshot, db, actor, &proposed).await?;
        snapshot.close().await?;
        Ok(report.map(|report| summaries(&ctx, &plans, &report)))
    }
    .await
    .transpose();
    let written = async {
        let planned = plan(Snapshot::begin(db).await?.conn(), actor, &what).await?;
        write_and_roll_back(db, actor, planned).await
    }
    .await;
    (unwritten, written)
}

#[cfg(test)]
mod tests;
