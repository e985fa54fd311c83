use leptos::{prelude::*, server_fn::codec::Json};

use crate::model::{
    spaces::{Space, SpaceInput, SpacesView},
    AppError, SpaceId,
};

/// The tenant's spaces, `Default Space` first.
/// **Permissions**: the template's view permission (User management READ in `iot`).
#[server(endpoint = "spaces/list", input = Json)]
pub async fn list_spaces() -> Result<SpacesView, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        actor.require_view()?;
        let mut conn = ctx::state()?.db.pool.acquire().await?;
        Ok(SpacesView {
            spaces: crate::server::domain::spaces::list(&mut conn, actor.tenant()).await?,
            can_edit: actor.require_admin().is_ok(),
        })
    })
    .await
}

/// Creates or renames a space.
/// **Permissions**: the template's assign permission (User management ADMIN in `iot`).
#[server(endpoint = "spaces/save", input = Json)]
pub async fn save_space(input: SpaceInput) -> Result<Space, AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::spaces::save(&ctx::state()?.db, &actor, &input).await
    })
    .await
}

/// Deletes a space (never `Default Space`) and the assignments bound to it.
/// **Permissions**: the assign permission, and every permission of each role assigned there.
#[server(endpoint = "spaces/delete", input = Json)]
pub async fn delete_space(id: SpaceId, version: i64) -> Result<(), AppError> {
    use super::ctx;
    ctx::run(async move {
        let actor = ctx::actor().await?;
        crate::server::domain::spaces::delete(&ctx::state()?.db, &actor, id, version).await
    })
    .await
}
