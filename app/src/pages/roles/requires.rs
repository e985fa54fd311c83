//! The global role editor's `Requires` (SPEC rule 5): a checkbox per role, named by the role, a
//! page at a time with `Search roles` (a tenant may have thousands), and the chosen roles by name
//! whatever page is shown. The server refuses a cycle and a requirement a holder lacks.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::{
    api::roles::list_roles,
    components::{
        feedback::ErrorMessage,
        pager::{latest_answer, Pager},
    },
    model::{roles::RolePage, AppError, RoleId},
};

#[component]
pub(super) fn RequiresPicker(
    /// The role being edited (not offered: a role cannot require itself); None for a new one.
    role: Option<RoleId>,
    chosen: RwSignal<BTreeMap<RoleId, String>>,
    editable: bool,
) -> impl IntoView {
    let current: RwSignal<Option<RolePage>> = RwSignal::new(None);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let fetch = latest_answer(
        move || list_roles(query.get_untracked(), page.get_untracked()),
        move |found| current.set(Some(found)),
        error,
    );
    Effect::new(move |_| fetch());
    view! {
        <fieldset class="panel requires-panel">
            <legend>"Requires"</legend>
            <p class="muted small">"Assigning this role also assigns the roles it requires, at the same scope."</p>
            <div class="toolbar">
                <input type="search" aria-label="Search roles" placeholder="Search roles" maxlength="100"
                    prop:value=move || query.get()
                    on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); fetch(); }/>
            </div>
            <p class="muted small">{move || chosen.with(|c| if c.is_empty() {
                "Requires no other role.".to_owned()
            } else {
                format!("Requires ({}): {}", c.len(), c.values().cloned().collect::<Vec<_>>().join(", "))
            })}</p>
            {move || error.get().map(|error| view! { <ErrorMessage error/> })}
            {move || match current.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(found) => {
                    let pages = found.pages();
                    let (at, total) = (found.page, found.total);
                    view! {
                        <ul class="check-list">
                            {found.rows.into_iter().filter(|card| Some(card.id) != role).map(|card| {
                                let (id, name) = (card.id, card.name.clone());
                                view! {
                                    <li>
                                        <label>
                                            <input type="checkbox" disabled=!editable prop:checked=move || chosen.with(|c| c.contains_key(&id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|c| { if on { c.insert(id, name.clone()); } else { c.remove(&id); } });
                                                }/>
                                            <span>{card.name.clone()}</span>
                                        </label>
                                        <span class="muted small">{card.scope.label()}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(total == 0).then(|| view! { <p class="empty">"No role matches the search."</p> })}
                        {(pages > 1).then(|| view! {
                            <Pager label="Role pages" at=at has_next={at < pages} summary=format!("Page {at} of {pages} · {total} roles") go=move |p| { page.set(p); fetch(); }/>
                        })}
                    }.into_any()
                }
            }}
        </fieldset>
    }
}
