use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::users::list_role_choices,
    components::{
        feedback::ErrorMessage,
        pager::{latest_answer, Pager},
    },
    model::{
        users::{AssignableRole, RoleChoices, RolesOf},
        AppError, Audience, RoleId,
    },
};

/// One checkbox per role (named by the role), a page at a time: a tenant may have thousands of
/// roles, so the server sends one page, the subject's own roles first, and `Search roles` and
/// the pager (shown only when the roles do not fit on one page) ask it for others. A role the
/// acting admin cannot grant is disabled, its reason shown on hover. What is ticked lives in
/// `chosen`, whatever page is shown.
#[component]
pub fn RoleChecklist(
    of: RolesOf,
    /// The first page, when it came with the page's data; None: asked for when shown.
    initial: Option<RoleChoices>,
    /// Only roles of this audience (the `User` / `Admin` tabs of `Edit roles`).
    #[prop(optional)]
    audience: Option<Audience>,
    chosen: RwSignal<BTreeSet<RoleId>>,
    editable: bool,
) -> impl IntoView {
    let held_at_start = StoredValue::new(chosen.get_untracked());
    let asked = initial.is_none();
    let current: RwSignal<Option<RoleChoices>> = RwSignal::new(initial);
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let fetch = latest_answer(
        move || list_role_choices(of, audience, query.get_untracked(), page.get_untracked()),
        move |choices| current.set(Some(choices)),
        error,
    );
    if asked {
        Effect::new(move |_| fetch());
    }
    let searchable = move || {
        !query.with(String::is_empty) || current.with(|c| c.as_ref().is_some_and(|c| c.pages() > 1))
    };
    view! {
        <div class="role-checklist">
            <Show when=searchable>
                <div class="toolbar">
                    <input type="search" aria-label="Search roles" placeholder="Search roles" maxlength="100"
                        prop:value=move || query.get()
                        on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); fetch(); }/>
                </div>
            </Show>
            {move || error.get().map(|error| view! { <ErrorMessage error/> })}
            {move || match current.get() {
                None => view! { <p role="status">"Loading…"</p> }.into_any(),
                Some(choices) if choices.roles.is_empty() => view! {
                    <p class="empty" role="status">"No role matches the search."</p>
                }.into_any(),
                Some(choices) => {
                    let pages = choices.pages();
                    let (at, total) = (choices.page, choices.total);
                    view! {
                        <ul class="check-list roles-list">
                            {choices.roles.into_iter().map(|role| view! { <RoleRow role chosen editable held_at_start/> }).collect_view()}
                        </ul>
                        {(pages > 1).then(|| view! {
                            <Pager label="Role pages" at=at has_next={at < pages} summary=format!("Page {at} of {pages} · {total} roles") go=move |p| { page.set(p); fetch(); }/>
                        })}
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn RoleRow(
    role: AssignableRole,
    chosen: RwSignal<BTreeSet<RoleId>>,
    editable: bool,
    held_at_start: StoredValue<BTreeSet<RoleId>>,
) -> impl IntoView {
    let id = role.id;
    // A Space-Specific role needs its spaces: the wizard (Assign roles) asks for them.
    let needs_wizard = role.space_bound && !held_at_start.with_value(|h| h.contains(&id));
    let reason = if needs_wizard {
        "Space-Specific: use Assign roles to choose its spaces.".to_owned()
    } else {
        role.reason.clone().unwrap_or_default()
    };
    let disabled = !editable || !role.grantable || needs_wizard;
    // The reason is the checkbox's accessible description too (SPEC rule 4).
    let described = (!reason.is_empty()).then(|| reason.clone());
    view! {
        <li>
            <label title=reason>
                <input type="checkbox" title=described disabled=disabled prop:checked=move || chosen.with(|c| c.contains(&id))
                    on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } }); }/>
                <span>{role.name.clone()}</span>
            </label>
            <span class="muted small">{role.description.clone()}</span>
        </li>
    }
}
