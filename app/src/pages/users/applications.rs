use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::users::SetUserApplications,
    components::feedback::ErrorMessage,
    model::{users::AppAccess, UserId},
};

/// A user's `Application access` tab: a checkbox per application for what is given to them
/// directly; what their roles carry is said beside it. Applications the viewer does not hold are
/// shown disabled (SPEC rule 4).
#[component]
pub fn ApplicationsTab(
    user: UserId,
    applications: Vec<AppAccess>,
    editable: bool,
    locked: Option<String>,
) -> impl IntoView {
    let chosen = RwSignal::new(
        applications
            .iter()
            .filter(|a| a.direct)
            .map(|a| a.name.clone())
            .collect::<BTreeSet<String>>(),
    );
    let save = ServerAction::<SetUserApplications>::new();
    let editable = editable && locked.is_none();
    view! {
        {locked.map(|reason| view! { <p class="muted small">{reason}</p> })}
        <ul class="app-access">
            {applications.into_iter().map(|app| {
                let name = StoredValue::new(app.name.clone());
                let disabled = !editable || !app.grantable;
                let hint = if !app.grantable {
                    Some(format!("You do not hold {}, so you cannot give or take it.", app.name))
                } else if app.through_roles {
                    Some("Held through a role as well.".to_owned())
                } else {
                    None
                };
                view! {
                    <li>
                        <label class="checkbox-field">
                            <input type="checkbox" disabled=disabled
                                prop:checked=move || chosen.with(|c| name.with_value(|n| c.contains(n)))
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
                on:click=move |_| { save.dispatch(SetUserApplications { user, applications: chosen.get_untracked().into_iter().collect() }); }>"Save"</button>
        </div>
    }
}
