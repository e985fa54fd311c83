use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    wizard::{Mode, Subject, SubjectSummary, WizardContext, WizardRequest, WizardRolePage},
    AppError, RoleId,
};

/// What the wizard starts from: the chosen users or groups with what they hold, those roles
/// (grantable or not, with scope and requirements), and the spaces.
/// **Permissions**: the template's assign permission (User management ADMIN in `iot`).
#[server(endpoint = "wizard/context", input = Json)]
pub async fn load_wizard(mode: Mode, subjects: Vec<Subject>) -> Result<WizardContext, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::wizard::context(&mut conn, &actor, mode, &subjects).await
    })
    .await
}

/// One page of the `Select roles` step: the roles the caller may grant matching `query`, by
/// name, with every role they require.
/// **Permissions**: the template's assign permission.
#[server(endpoint = "wizard/roles", input = Json)]
pub async fn wizard_roles(query: String, page: i64) -> Result<WizardRolePage, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        crate::server::domain::wizard::roles_page(&mut conn, &actor, &query, page).await
    })
    .await
}

/// The Summary step: what `Done` would change; nothing is written.
/// **Permissions**: the assign permission, and every permission of each role added or removed.
#[server(endpoint = "wizard/preview", input = Json)]
pub async fn preview_wizard(request: WizardRequest) -> Result<Vec<SubjectSummary>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::wizard::preview(&ctx::state()?.db, &actor, &request).await
    })
    .await
}

/// `Done`: applies the whole request in one transaction.
/// **Permissions**: as `wizard/preview`.
#[server(endpoint = "wizard/apply", input = Json)]
pub async fn apply_wizard(request: WizardRequest) -> Result<Vec<SubjectSummary>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::wizard::apply(&ctx::state()?.db, &actor, &request).await
    })
    .await
}

/// What `Remove roles` would change (or why it would be refused); nothing is written.
/// **Permissions**: as `wizard/remove`.
#[server(endpoint = "wizard/remove_preview", input = Json)]
pub async fn preview_removal(
    subjects: Vec<Subject>,
    roles: Vec<RoleId>,
) -> Result<Vec<SubjectSummary>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let roles: std::collections::BTreeSet<RoleId> = roles.into_iter().collect();
        let db = &ctx::state()?.db;
        crate::server::domain::wizard::preview_removal(db, &actor, &subjects, &roles).await
    })
    .await
}

/// `Remove roles`: takes the chosen roles from every chosen user or group.
/// **Permissions**: the assign permission, and every permission of each role removed.
#[server(endpoint = "wizard/remove", input = Json)]
pub async fn remove_roles_from(
    subjects: Vec<Subject>,
    roles: Vec<RoleId>,
) -> Result<Vec<SubjectSummary>, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        let roles: std::collections::BTreeSet<RoleId> = roles.into_iter().collect();
        crate::server::domain::wizard::remove_roles(&ctx::state()?.db, &actor, &subjects, &roles)
            .await
    })
    .await
}
