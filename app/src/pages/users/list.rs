use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::pager::Pager;
use crate::{
    api::users::{list_users, CreateUser},
    components::{
        loading::Loaded,
        on_demand::{AssignWizard, RemoveRolesDialog},
        role_popover::RolePopover,
    },
    model::{
        users::UserPage,
        wizard::{Mode, Subject},
        Origin, UserId, UserKind,
    },
    pages::users::create_form::CreateUserForm,
};

/// `/users`: the tenant's users, searched and paged on the server.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let reload = RwSignal::new(0u32);
    let create = ServerAction::<CreateUser>::new();
    let selected = RwSignal::new(BTreeSet::<UserId>::new());
    let wizard_open = RwSignal::new(false);
    let remove_open = RwSignal::new(false);
    let done = move || {
        reload.update(|n| *n += 1);
    };
    // `User type`, in templates with device users (known once the first page has come).
    let kind = RwSignal::new(None::<UserKind>);
    let device_users = RwSignal::new(false);
    let users = Resource::new(
        move || (query.get(), page.get(), kind.get(), reload.get()),
        |(q, p, k, _)| list_users(q, p, k),
    );
    Effect::new(move |_| {
        if let Some(Ok(data)) = users.get() {
            device_users.set(data.device_users);
        }
    });
    // Only a success reloads the list: a refused form keeps what was typed.
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <Title text="Users"/>
        <header class="page-header"><h1>"Users"</h1></header>
        {move || create.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="alert alert-success">"User created."</p> })}
        <div class="toolbar">
            <label for="user-search" class="visually-hidden">"Search users"</label>
            <input id="user-search" type="search" placeholder="Search by username, name or email"
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); }/>
            <span class="field inline" hidden=move || !device_users.get()>
                <label for="user-kind">"User type"</label>
                <select id="user-kind" on:change=move |ev| {
                    kind.set(event_target_value(&ev).parse().ok());
                    page.set(1);
                }>
                    <option value="" selected=move || kind.get().is_none()>"All users"</option>
                    <option value="human" selected=move || kind.get() == Some(UserKind::Human)>"Human users"</option>
                    <option value="device" selected=move || kind.get() == Some(UserKind::Device)>"Device users"</option>
                </select>
            </span>
        </div>
        <Show when=move || wizard_open.get()>
            <AssignWizard mode=Mode::Append subjects=selected.get_untracked().into_iter().map(Subject::User).collect() open=wizard_open on_done=move |_| done()/>
        </Show>
        <Show when=move || remove_open.get()>
            <RemoveRolesDialog subjects=selected.get_untracked().into_iter().map(Subject::User).collect() open=remove_open on_done=move |_| done()/>
        </Show>
        <Loaded resource=users view=move |data: UserPage| {
            let (current, total) = (data.page, data.total);
            let (summary, has_next) = (data.summary(), data.has_next());
            view! {
                {data.can_create.then(|| view! { <CreateUserForm create device_users=data.device_users/> })}
                {data.can_assign.then(|| view! {
                    <div class="bulk-actions" role="group" aria-label="Selected users">
                        <span class="muted">{move || format!("{} selected", selected.with(|s| s.len()))}</span>
                        <button type="button" disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| wizard_open.set(true)>"Append roles"</button>
                        <button type="button" disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| remove_open.set(true)>"Remove roles"</button>
                    </div>
                })}
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">"Selected"</span></th>
                            <th scope="col">"Username"</th>
                            <th scope="col">"Display name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Global roles"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data.rows.into_iter().map(|user| {
                            let id = user.id;
                            view! {
                            <tr>
                                <td><input type="checkbox" aria-label=format!("Select {}", user.username)
                                    prop:checked=move || selected.with(|s| s.contains(&id))
                                    on:change=move |ev| { let on = event_target_checked(&ev); selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }); }/></td>
                                <td><a href=format!("/users/{}", user.id)>{user.username.clone()}</a>{(user.origin == Origin::Sso).then(|| view! { " " <span class="badge">"SSO"</span> })}{user.device.then(|| view! { " " <span class="badge">"Device"</span> })}</td>
                                <td>{user.display_name.clone()}</td>
                                <td>{user.email.clone()}</td>
                                <td><span class=format!("status status-{}", user.status)>{user.status.as_str()}</span></td>
                                <td><RolePopover user on_applied=move || reload.update(|n| *n += 1)/></td>
                            </tr>
                        }.into_any()}).collect_view()}
                    </tbody>
                </table>
                {(total == 0).then(|| view! { <p class="empty" role="status">"No user matches the search."</p> })}
                <Pager label="Pages" at=current has_next={has_next} summary=summary go=move |p| page.set(p)/>
            }
        }/>
    }
}
