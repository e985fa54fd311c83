//! The wizard's `Select roles` step: the roles the administrator may grant, a page at a time
//! (a tenant may have thousands), with `Search roles` and the pager. Every role a page brings,
//! and every role those require, is kept in `known`, so that what was chosen on one page stays
//! chosen, named and complete on the others.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;

use crate::{
    api::wizard::wizard_roles,
    components::{
        feedback::ErrorMessage,
        pager::{latest_answer, Pager},
    },
    model::{
        wizard::{WizardRole, WizardRolePage},
        AppError, RoleId,
    },
};

#[component]
pub(super) fn RolesStep(
    known: RwSignal<BTreeMap<RoleId, WizardRole>>,
    chosen: RwSignal<BTreeSet<RoleId>>,
    #[prop(into)] toggle: Callback<(RoleId, bool)>,
) -> impl IntoView {
    let current: RwSignal<Option<WizardRolePage>> = RwSignal::new(None);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let fetch = latest_answer(
        move || wizard_roles(query.get_untracked(), page.get_untracked()),
        move |found: WizardRolePage| {
            known.update(|k| {
                for role in found.roles.iter().chain(&found.required) {
                    k.insert(role.id, role.clone());
                }
            });
            current.set(Some(found));
        },
        error,
    );
    Effect::new(move |_| fetch());
    let pages =
        |found: &WizardRolePage| (found.total + found.page_size - 1) / found.page_size.max(1);
    let chosen_names = move || {
        known.with(|k| {
            chosen.with(|c| {
                let mut names: Vec<String> = c
                    .iter()
                    .filter_map(|id| k.get(id).map(|r| r.name.clone()))
                    .collect();
                names.sort_by_key(|n| n.to_lowercase());
                names
            })
        })
    };
    view! {
        <div class="toolbar">
            <input type="search" aria-label="Search roles" placeholder="Search roles" maxlength="100"
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); fetch(); }/>
        </div>
        {move || {
            let names = chosen_names();
            (!names.is_empty()).then(|| view! {
                <p class="muted small wizard-chosen">{format!("Chosen ({}): {}", names.len(), names.join(", "))}</p>
            })
        }}
        {move || error.get().map(|error| view! { <ErrorMessage error/> })}
        {move || match current.get() {
            None => view! { <p class="loading">"Loading…"</p> }.into_any(),
            Some(found) if found.roles.is_empty() => view! {
                <p class="empty">{if query.with(String::is_empty) { "There is no role you may grant." } else { "No role you may grant matches the search." }}</p>
            }.into_any(),
            Some(found) => {
                let pages = pages(&found);
                let (at, total) = (found.page, found.total);
                view! {
                    <ul class="check-list wizard-roles">
                        {found.roles.into_iter().map(|role| {
                            let id = role.id;
                            view! {
                                <li>
                                    <label>
                                        <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                                            on:change=move |ev| toggle.run((id, event_target_checked(&ev)))/>
                                        <span>{role.label()}</span>
                                    </label>
                                    <span class="muted small">{role.description.clone()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(pages > 1).then(|| view! {
                        <Pager label="Role pages" at=at has_next={at < pages} summary=format!("Page {at} of {pages} · {total} roles") go=move |p| { page.set(p); fetch(); }/>
                    })}
                }.into_any()
            }
        }}
    }
}
