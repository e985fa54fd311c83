use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::wizard::{load_wizard, PreviewRemoval, RemoveRolesFrom},
    components::{feedback::ErrorMessage, loading::Loaded, wizard::summary::SummaryList},
    model::{
        wizard::{Mode, Subject, WizardContext},
        RoleId,
    },
};

/// `Remove roles` from a list: choose among the roles the selected principals hold; the dialog
/// shows what each would lose (or why the removal is refused), and its `Remove roles` button
/// takes them from every one of them.
#[component]
pub fn RemoveDialog(
    subjects: Vec<Subject>,
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let context = Resource::new(
        move || (),
        move |_| load_wizard(Mode::Append, subjects.clone()),
    );
    let applied = RwSignal::new(false);
    let close = move || {
        open.set(false);
        if applied.get_untracked() {
            on_done.run(());
        }
    };
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { close() }>
            <div class="modal wizard" role="dialog" aria-modal="true" aria-label="Remove roles">
                <h2>"Remove roles"</h2>
                <Loaded resource=context view=move |ctx: WizardContext| view! { <RemoveForm ctx applied/> }/>
                <div class="wizard-close"><button type="button" on:click=move |_| close()>{move || if applied.get() { "Close" } else { "Cancel" }}</button></div>
            </div>
        </div>
    }
}

#[component]
fn RemoveForm(ctx: WizardContext, applied: RwSignal<bool>) -> impl IntoView {
    let held: BTreeSet<RoleId> = ctx
        .subjects
        .iter()
        .flat_map(|s| s.current.iter().map(|(r, _)| *r))
        .collect();
    let chosen = RwSignal::new(BTreeSet::<RoleId>::new());
    let check = ServerAction::<PreviewRemoval>::new();
    let remove = ServerAction::<RemoveRolesFrom>::new();
    let subjects: Vec<Subject> = ctx.subjects.iter().map(|s| s.subject).collect();
    let names: Vec<String> = ctx.subjects.iter().map(|s| s.name.clone()).collect();
    let count = names.len();
    // The guard's own computation of what the removal would take, before the button is pressed.
    let preview_for = subjects.clone();
    Effect::new(move |_| {
        let roles: Vec<RoleId> = chosen.get().into_iter().collect();
        if !roles.is_empty() && !applied.get_untracked() {
            check.dispatch(PreviewRemoval {
                subjects: preview_for.clone(),
                roles,
            });
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = remove.value().get() {
            applied.set(true);
        }
    });
    let roles: Vec<_> = ctx
        .roles
        .into_iter()
        .filter(|r| held.contains(&r.id))
        .collect();
    let nothing = roles.is_empty();
    let allowed = move || {
        !chosen.with(|c| c.is_empty())
            && !check.pending().get()
            && matches!(check.value().get(), Some(Ok(_)))
    };
    view! {
        <p class="muted small">{format!("From {}", names.join(", "))}</p>
        {nothing.then(|| view! { <p class="empty" role="status">"The selected users and groups hold no roles."</p> })}
        <ul class="check-list">
            {roles.into_iter().map(|role| {
                let id = role.id;
                view! {
                    <li><label title=role.reason.clone().unwrap_or_default()>
                        <input type="checkbox" disabled=move || !role.grantable || applied.get() prop:checked=move || chosen.with(|c| c.contains(&id))
                            on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } }); }/>
                        <span>{role.name.clone()}</span>
                    </label></li>
                }
            }).collect_view()}
        </ul>
        {move || match remove.value().get() {
            Some(Ok(rows)) => {
                let changed = rows.iter().filter(|s| !s.removed.is_empty()).count();
                let skipped: Vec<String> = rows.iter().filter_map(|s| s.skipped.as_ref().map(|r| format!("{}: {r}", s.name))).collect();
                view! {
                    <p role="status" class="alert alert-success">{format!("Roles removed from {changed} of {count}.")}</p>
                    {skipped.into_iter().map(|s| view! { <p class="alert alert-info">{format!("Skipped {s}")}</p> }).collect_view()}
                }.into_any()
            }
            Some(Err(error)) => view! { <ErrorMessage error/> }.into_any(),
            None if chosen.with(|c| c.is_empty()) => ().into_any(),
            None => match check.value().get() {
                Some(Ok(rows)) => view! {
                    <section class="removal-preview" aria-label="What changes">
                        <h3>"What changes"</h3>
                        <SummaryList rows/>
                    </section>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorMessage error/> }.into_any(),
                None => view! { <p class="loading" role="status">"Checking…"</p> }.into_any(),
            },
        }}
        <Show when=move || !applied.get()>
            <div class="actions">
                <button type="button" class="danger" disabled=move || !allowed() || remove.pending().get() on:click={
                    let subjects = subjects.clone();
                    move |_| { remove.dispatch(RemoveRolesFrom { subjects: subjects.clone(), roles: chosen.get_untracked().into_iter().collect() }); }
                }>"Remove roles"</button>
            </div>
        </Show>
    }
}
