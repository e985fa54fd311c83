use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::users::{load_user, SetUserRoles},
    components::{
        effective_grid::EffectiveGrid, feedback::ErrorMessage, loading::Loaded,
        role_checklist::RoleChecklist,
    },
    model::{users::UserDetail, AppError, RoleId, UserId},
};

/// `/users/<id>`: the user, the `Global roles` tab and the effective permissions.
#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(UserId)
    };
    let reload = RwSignal::new(0u32);
    let user = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_user(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! { <Loaded resource=user view=move |user| view! { <UserView user reload/> }/> }
}

#[component]
fn UserView(user: UserDetail, reload: RwSignal<u32>) -> impl IntoView {
    let chosen = RwSignal::new(user.role_ids.iter().copied().collect::<BTreeSet<RoleId>>());
    let save = ServerAction::<SetUserRoles>::new();
    let user_id = user.id;
    let can_edit = user.can_edit;
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let title = if user.display_name.is_empty() {
        user.username.clone()
    } else {
        format!("{} ({})", user.display_name, user.username)
    };
    view! {
        <Title text=user.username.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/users">"Users"</a> " / " <span>{user.username.clone()}</span></nav>
        <header class="page-header">
            <h1>{title}</h1>
            <span class=format!("status status-{}", user.status)>{user.status.clone()}</span>
        </header>
        <dl class="facts panel">
            <dt>"Email"</dt><dd>{if user.email.is_empty() { "—".to_owned() } else { user.email.clone() }}</dd>
            <dt>"Origin"</dt><dd>{user.origin.clone()}</dd>
        </dl>
        <div role="tablist" class="tabs" aria-label="User sections">
            <button role="tab" id="tab-global-roles" aria-selected="true" aria-controls="panel-global-roles">"Global roles"</button>
        </div>
        <section role="tabpanel" id="panel-global-roles" aria-labelledby="tab-global-roles" class="panel">
            {(!can_edit).then(|| view! { <p class="alert alert-info" role="status">"Assigning roles needs User management ADMIN."</p> })}
            <RoleChecklist roles=user.roles.clone() chosen editable=can_edit/>
            {move || save.value().get().map(|r| match r {
                Ok(()) => view! { <p role="status" class="alert alert-success">"Saved."</p> }.into_any(),
                Err(error) => view! { <ErrorMessage error/> }.into_any(),
            })}
            <div class="actions">
                <button type="button" class="primary" disabled=move || !can_edit || save.pending().get()
                    on:click=move |_| { save.dispatch(SetUserRoles { user: user_id, roles: chosen.get_untracked().into_iter().collect() }); }>"Save"</button>
            </div>
        </section>
        <section class="panel" aria-labelledby="effective-heading">
            <h2 id="effective-heading">"Effective permissions"</h2>
            <p class="muted">"Everything this user may do, and which role grants it."</p>
            <EffectiveGrid catalogue=user.catalogue.clone() provenance=user.provenance.clone()/>
        </section>
    }
}
