use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::users::{assignable_roles, SetUserRoles},
    components::feedback::ErrorMessage,
    model::{users::UserListRow, RoleId},
};

/// The `Global roles of <username>` cell: lists the user's roles; a click opens checkboxes for
/// every role the admin may grant, and `Apply` sets them.
#[component]
pub fn RolePopover<F>(user: UserListRow, on_applied: F) -> impl IntoView
where
    F: Fn() + Clone + Send + Sync + 'static,
{
    let open = RwSignal::new(false);
    let chosen = RwSignal::new(
        user.roles
            .iter()
            .map(|r| r.id)
            .collect::<BTreeSet<RoleId>>(),
    );
    let roles = Resource::new(
        move || open.get(),
        |open| async move {
            if open {
                assignable_roles().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let apply = ServerAction::<SetUserRoles>::new();
    let label = format!("Global roles of {}", user.username);
    let summary = if user.roles.is_empty() {
        "No roles".to_owned()
    } else {
        user.roles
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let user_id = user.id;
    let roles_version = user.roles_version;
    Effect::new(move |_| {
        if let Some(Ok(())) = apply.value().get() {
            open.set(false);
            on_applied();
        }
    });
    view! {
        <div class="popover-anchor" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button type="button" class="roles-cell" aria-label=label.clone() aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {summary}
            </button>
            <Show when=move || open.get()>
                <div class="popover" role="dialog" aria-label=label.clone()>
                    <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match roles.await {
                                Ok(Some(list)) => view! {
                                    <ul class="check-list">
                                        {list.into_iter().map(|role| {
                                            let id = role.id;
                                            view! {
                                                <li>
                                                    <label title=role.reason.clone().unwrap_or_default()>
                                                        <input type="checkbox" disabled=!role.grantable prop:checked=move || chosen.with(|c| c.contains(&id))
                                                            on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } }); }/>
                                                        <span>{role.name.clone()}</span>
                                                    </label>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                                Ok(None) => ().into_any(),
                                Err(error) => view! { <ErrorMessage error/> }.into_any(),
                            }
                        })}
                    </Transition>
                    {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
                    <div class="actions">
                        <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                        <button type="button" class="primary" disabled=move || apply.pending().get()
                            on:click=move |_| { apply.dispatch(SetUserRoles { user: user_id, roles: chosen.get_untracked().into_iter().collect(), roles_version }); }>"Apply"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
    .into_any()
}
