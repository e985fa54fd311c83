//! `Copy inventory roles from another user`: choose the user, Merge (default) or Replace, Copy;
//! the result says what was copied, removed and left out.

use leptos::prelude::*;

use super::TabState;
use crate::{
    api::{user_inventory::CopyInventoryRoles, users::list_users},
    components::{feedback::ErrorMessage, loading::Loaded},
    model::{
        user_inventory::{CopyMode, CopyOutcome},
        users::UserPage,
        UserId,
    },
};

#[component]
pub fn CopyDialog(user: UserId, open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<TabState>();
    let query = RwSignal::new(String::new());
    let from = RwSignal::new(None::<UserId>);
    let mode = RwSignal::new(CopyMode::Merge);
    let found = Resource::new(move || query.get(), |q| list_users(q, 1, None));
    let copy = ServerAction::<CopyInventoryRoles>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = copy.value().get() {
            state.reload.update(|n| *n += 1);
        }
    });
    let outcome = move || copy.value().get().and_then(Result::ok);
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby="copy-title">
                <h2 id="copy-title">"Copy inventory roles from another user"</h2>
                <fieldset class="choice-row">
                    <legend>"How"</legend>
                    <label><input type="radio" name="copy-mode" prop:checked=move || mode.get() == CopyMode::Merge on:change=move |_| mode.set(CopyMode::Merge)/>"Merge"</label>
                    <span class="muted small">"adds the other user's roles to this user's"</span>
                    <label><input type="radio" name="copy-mode" prop:checked=move || mode.get() == CopyMode::Replace on:change=move |_| mode.set(CopyMode::Replace)/>"Replace"</label>
                    <span class="muted small">"this user ends with the other user's roles only"</span>
                </fieldset>
                <div class="field">
                    <label for="copy-search">"Search users"</label>
                    <input id="copy-search" type="search" autofocus prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
                </div>
                <fieldset class="copy-users">
                    <legend>"Copy from"</legend>
                    <Loaded resource=found view=move |page: UserPage| view! {
                        <ul class="check-list">
                            {page.rows.into_iter().filter(|r| r.id != user).map(|r| {
                                let id = r.id;
                                view! {
                                    <li><label>
                                        <input type="radio" name="copy-from" prop:checked=move || from.get() == Some(id) on:change=move |_| from.set(Some(id))/>
                                        {r.username.clone()}
                                    </label></li>
                                }
                            }).collect_view()}
                        </ul>
                        {(page.total > page.page_size).then(|| view! { <p class="muted small">{format!("{} users match: search to narrow.", page.total)}</p> })}
                    }/>
                </fieldset>
                {move || outcome().map(|o: CopyOutcome| view! {
                    <div role="status" class="alert alert-success">
                        <p>{if o.copied.is_empty() && o.removed.is_empty() { "Nothing to copy.".to_owned() } else { format!("Copied: {}.", list(&o.copied)) }}</p>
                        {(!o.removed.is_empty()).then(|| view! { <p>{format!("Removed: {}.", list(&o.removed))}</p> })}
                        {(!o.left_out.is_empty()).then(|| view! {
                            <p>"Left out, because you cannot grant them:"</p>
                            <ul>{o.left_out.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
                        })}
                    </div>
                })}
                {move || copy.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
                <div class="actions">
                    <button type="button" on:click=move |_| open.set(false)>"Close"</button>
                    <button type="button" class="primary" disabled=move || from.get().is_none() || copy.pending().get()
                        on:click=move |_| if let Some(from) = from.get_untracked() { copy.dispatch(CopyInventoryRoles { from, user, mode: mode.get_untracked() }); }>"Copy"</button>
                </div>
            </div>
        </div>
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".into()
    } else {
        items.join(", ")
    }
}
