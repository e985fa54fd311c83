//! The assignment wizard (Append, Assign) and bulk `Remove roles`, on the server. Every request
//! is checked as a whole before anything is written: roles and spaces of this tenant, no
//! escalation on what is added or removed (SPEC rule 4), requirements met (rule 5), the last
//! tenant admin keeps the role (rule 9). Locked principals (rules 6, 7) are skipped with the
//! reason; everything else is applied in one transaction.

mod context;
mod plan;

pub use context::{context, roles_page, ROLES_PAGE_SIZE};

use crate::server::domain::guard::Guard;
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

/// The Summary step: what Done would change, nothing written. The write is made and judged by
/// the guard exactly as Done would, then rolled back, so the Summary shows Done's refusal.
pub async fn preview(
    db: &Db,
    actor: &Actor,
    request: &WizardRequest,
) -> AppResult<Vec<SubjectSummary>> {
    let planned = {
        let mut conn = db.pool.acquire().await?;
        plan_request(&mut conn, actor, request).await?
    };
    write_and_roll_back(db, actor, planned).await
}

/// A preview's write, judged by the guard and rolled back. Its plan was read before it joined
/// the tenant's queue of guarded writes: a preview keeps nothing, so it need not hold the
/// tenant's other writes back while it reads (two previews of a hundred users at once each
/// waited for the other's plan). A write committed between the read and the queue is in the
/// state the guard judges; Done plans in the queue, and every check of the plan is made again.
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
    let planned = {
        let mut conn = db.pool.acquire().await?;
        plan_removal(&mut conn, actor, subjects, roles).await?
    };
    write_and_roll_back(db, actor, planned).await
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

#[cfg(test)]
mod tests;
