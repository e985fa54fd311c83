use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::model::{users::AssignableRole, RoleId};

/// One checkbox per role (named by the role); a role the acting admin cannot grant is disabled,
/// its reason shown on hover.
#[component]
pub fn RoleChecklist(
    roles: Vec<AssignableRole>,
    chosen: RwSignal<BTreeSet<RoleId>>,
    editable: bool,
) -> impl IntoView {
    let held_at_start = chosen.get_untracked();
    view! {
        <ul class="check-list roles-list">
            {roles.into_iter().map(|role| {
                let id = role.id;
                // A Space-Specific role needs its spaces: the wizard (Assign roles) asks for them.
                let needs_wizard = role.space_bound && !held_at_start.contains(&id);
                let reason = if needs_wizard {
                    "Space-Specific: use Assign roles to choose its spaces.".to_owned()
                } else {
                    role.reason.clone().unwrap_or_default()
                };
                let disabled = !editable || !role.grantable || needs_wizard;
                view! {
                    <li>
                        <label title=reason>
                            <input type="checkbox" disabled=disabled prop:checked=move || chosen.with(|c| c.contains(&id))
                                on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } }); }/>
                            <span>{role.name.clone()}</span>
                        </label>
                        <span class="muted small">{role.description.clone()}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
