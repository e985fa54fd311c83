use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::pager::Pager;
use crate::{
    api::groups::{list_groups, DeleteGroup, SaveGroup},
    components::{
        feedback::{field_error, other_error, ErrorMessage},
        loading::Loaded,
        on_demand::{AssignWizard, RemoveRolesDialog},
    },
    model::{
        groups::{GroupInput, GroupPage},
        wizard::{Mode, Subject},
        GroupId,
    },
};

/// `/groups`: the tenant's user groups, searched and paged on the server.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let save = ServerAction::<SaveGroup>::new();
    let remove = ServerAction::<DeleteGroup>::new();
    let selected = RwSignal::new(BTreeSet::<GroupId>::new());
    let wizard_open = RwSignal::new(false);
    let remove_open = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    let groups = Resource::new(
        move || (query.get(), page.get(), reload.get()),
        |(q, p, _)| list_groups(q, p),
    );
    // Only a success reloads the list: a refused form keeps what was typed.
    // One effect per action: each reacts to its own result only.
    Effect::new(move |_| {
        if save.value().get().is_some_and(|r| r.is_ok()) {
            reload.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if remove.value().get().is_some_and(|r| r.is_ok()) {
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <Title text="User groups"/>
        <header class="page-header"><h1>"User groups"</h1></header>
        <p class="muted">"Roles given to a group count for every member."</p>
        {move || remove.value().get().map(|r| match r {
            Ok(()) => view! { <p role="status" class="alert alert-success">"Group deleted."</p> }.into_any(),
            Err(error) => view! { <ErrorMessage error/> }.into_any(),
        })}
        <Show when=move || wizard_open.get()>
            <AssignWizard mode=Mode::Append subjects=selected.get_untracked().into_iter().map(Subject::Group).collect() open=wizard_open on_done=move |_| reload.update(|n| *n += 1)/>
        </Show>
        <Show when=move || remove_open.get()>
            <RemoveRolesDialog subjects=selected.get_untracked().into_iter().map(Subject::Group).collect() open=remove_open on_done=move |_| reload.update(|n| *n += 1)/>
        </Show>
        <Loaded resource=groups view=move |data: GroupPage| {
            let pages = data.pages();
            let (current, total, can_edit) = (data.page, data.total, data.can_edit);
            view! {
                {can_edit.then(|| view! {
                    <NewGroupForm save/>
                    <div class="bulk-actions" role="group" aria-label="Selected groups">
                        <span class="muted">{move || format!("{} selected", selected.with(|s| s.len()))}</span>
                        <button type="button" disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| wizard_open.set(true)>"Append roles"</button>
                        <button type="button" disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| remove_open.set(true)>"Remove roles"</button>
                    </div>
                })}
                <div class="toolbar">
                    <label for="group-search" class="visually-hidden">"Search groups"</label>
                    <input id="group-search" type="search" placeholder="Search by name or description"
                        prop:value=move || query.get_untracked()
                        on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); }/>
                </div>
                <table class="data-table">
                    <thead><tr>
                        <th scope="col"><span class="visually-hidden">"Selected"</span></th>
                        <th scope="col">"Name"</th><th scope="col">"Description"</th>
                        <th scope="col">"Members"</th><th scope="col">"Global roles"</th>
                    </tr></thead>
                    <tbody>
                        {data.rows.into_iter().map(|group| {
                            let id = group.id;
                            view! {
                                <tr>
                                    <td><input type="checkbox" aria-label=format!("Select {}", group.name)
                                        prop:checked=move || selected.with(|s| s.contains(&id))
                                        on:change=move |ev| { let on = event_target_checked(&ev); selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }); }/></td>
                                    <td><a href=format!("/groups/{}", group.id)>{group.name.clone()}</a></td>
                                    <td>{group.description.clone()}</td>
                                    <td>{group.members}</td>
                                    <td>{if group.roles.is_empty() { "—".to_owned() } else { group.roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ") }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {(total == 0).then(|| view! { <p class="empty" role="status">"No group matches the search."</p> })}
                <Pager label="Pages" at=current has_next={current < pages} summary=format!("Page {current} of {pages} · {total} groups") go=move |p| page.set(p)/>
            }
        }/>
    }
}

#[component]
fn NewGroupForm(save: ServerAction<SaveGroup>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let name_error = field_error(save, "name");
    let other_error = other_error(save, &["name"]);
    view! {
        <form class="panel inline-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveGroup { input: GroupInput { id: None, name: name.get_untracked(), description: description.get_untracked(), version: 0 } });
        }>
            <h2>"Add group"</h2>
            <div class="field">
                <label for="new-group-name">"Name"</label>
                <input id="new-group-name" type="text" maxlength="100" required
                    aria-invalid=move || name_error().is_some().to_string() aria-describedby="new-group-name-error"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <p id="new-group-name-error" class="field-error">{name_error}</p>
            </div>
            <div class="field">
                <label for="new-group-description">"Description"</label>
                <input id="new-group-description" type="text" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Add group"</button>
            {move || other_error().map(|error| view! { <ErrorMessage error/> })}
        </form>
    }
}
