use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::users::SetUserRoles,
    components::on_demand::{open_checklist, OpenChecklist},
    model::{users::UserListRow, RoleId},
};

/// The `Global roles of <username>` cell: lists the user's roles; a click opens the role
/// checklist (a page at a time, the user's own roles first), and `Apply` sets them.
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
                {open_checklist(OpenChecklist { user: user_id, roles_version, label: label.clone(), chosen, apply, open })}
            </Show>
        </div>
    }
    .into_any()
}
