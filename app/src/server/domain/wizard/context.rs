//! What the wizard starts from: the chosen principals with their current roles, the roles the
//! actor may grant, the spaces.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use crate::{
    model::{
        wizard::{Mode, SpaceRef, Subject, SubjectInfo, WizardContext, WizardRole},
        AppError, AppResult, RoleId, TenantId,
    },
    server::{
        db,
        domain::{access::Actor, assignments::ensure_roles_editable, roles::assignable},
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
    let mut requires: BTreeMap<i64, Vec<RoleId>> = BTreeMap::new();
    for (role, required) in db::roles::requirements(conn, tenant).await? {
        requires.entry(role).or_default().push(RoleId(required));
    }
    // One read of every role, with its verdict (a tenant may have thousands).
    let roles = assignable(conn, actor)
        .await?
        .into_iter()
        .map(|r| WizardRole {
            id: r.id,
            requires: requires.remove(&r.id.0).unwrap_or_default(),
            name: r.name,
            description: r.description,
            space_bound: r.space_bound,
            grantable: r.grantable,
            reason: r.reason,
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
