use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::users::SetUserApplications,
    components::feedback::ErrorMessage,
    model::{users::AppAccess, UserId},
};

/// A user's `Application access` tab: every application alphabetically with a checkbox for what
/// is given to them directly. One a role carries is shown ticked and disabled with the role
/// named; one the viewer does not hold is disabled (SPEC rule 4). Saving sends what the page
/// showed, so a stale save is refused (rule 11).
#[component]
pub fn ApplicationsTab(
    user: UserId,
    applications: Vec<AppAccess>,
    sees_all: Option<String>,
    editable: bool,
    locked: Option<String>,
) -> impl IntoView {
    let direct: BTreeSet<String> = applications
        .iter()
        .filter(|a| a.direct)
        .map(|a| a.name.clone())
        .collect();
    let seen = StoredValue::new(direct.clone());
    let chosen = RwSignal::new(direct);
    let save = ServerAction::<SetUserApplications>::new();
    Effect::new(move |_| {
        if let Some(Ok(now)) = save.value().get() {
            seen.set_value(now.into_iter().collect());
        }
    });
    let editable = editable && locked.is_none();
    view! {
        {locked.map(|reason| view! { <p class="muted small">{reason}</p> })}
        {sees_all.map(|note| view! { <p class="alert alert-info" role="note">{note}</p> })}
        <ul class="app-access">
            {applications.into_iter().map(|app| {
                let name = StoredValue::new(app.name.clone());
                let through = (!app.through_roles.is_empty())
                    .then(|| format!("Through {}", app.through_roles.join(", ")));
                let disabled = !editable || !app.grantable || through.is_some();
                let hint = through.clone().or_else(|| (!app.grantable).then(|| {
                    format!("You do not hold {}, so you cannot give or take it.", app.name)
                }));
                let by_role = through.is_some();
                view! {
                    <li>
                        <label class="checkbox-field">
                            <input type="checkbox" disabled=disabled
                                prop:checked=move || by_role || chosen.with(|c| name.with_value(|n| c.contains(n)))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let n = name.get_value();
                                    chosen.update(|c| { if on { c.insert(n); } else { c.remove(&n); } });
                                }/>
                            {format!(" {}", app.name)}
                        </label>
                        <span class="muted small">{app.description}</span>
                        {hint.map(|h| view! { <span class="muted small">{format!(" · {h}")}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || save.value().get().map(|r| match r {
            Ok(_) => view! { <p role="status" class="alert alert-success">"Application access saved."</p> }.into_any(),
            Err(error) => view! { <ErrorMessage error/> }.into_any(),
        })}
        <div class="actions">
            <button type="button" class="primary" disabled=move || !editable || save.pending().get()
                on:click=move |_| {
                    save.dispatch(SetUserApplications {
                        user,
                        seen: seen.get_value().into_iter().collect(),
                        applications: chosen.get_untracked().into_iter().collect(),
                    });
                }>"Save"</button>
        </div>
    }
}
