use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{
        passwords::SetOneTimePassword,
        users::{load_user, DeleteUser, SetUserRoles, UpdateUser},
    },
    components::{
        confirm::ConfirmDialog,
        effective_grid::EffectiveGrid,
        feedback::{field_error, other_error, ErrorMessage},
        loading::Loaded,
        on_demand::AssignWizard,
        role_checklist::RoleChecklist,
    },
    model::{
        users::{RolesOf, UserDetail, UserUpdate},
        wizard::{Mode, Subject},
        Allocation, AppError, Audience, Origin, RoleId, UserId, UserStatus,
    },
    pages::users::{applications::ApplicationsTab, inventory::InventoryTab},
};

/// `/users/<id>`: the user, the `Global roles` tab and the effective permissions.
#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(UserId)
    };
    let reload = RwSignal::new(0u32);
    let user = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_user(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Messages live outside the reloaded view, so a success survives the reload it causes.
    let notice = RwSignal::new(None::<&'static str>);
    view! {
        {move || notice.get().map(|text| view! { <p role="status" class="alert alert-success">{text}</p> })}
        <Loaded resource=user view=move |user| view! { <UserView user reload notice/> }/>
    }
}

#[component]
fn UserView(
    user: UserDetail,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<&'static str>>,
) -> impl IntoView {
    let chosen = RwSignal::new(user.role_ids.iter().copied().collect::<BTreeSet<RoleId>>());
    let save = ServerAction::<SetUserRoles>::new();
    let user_id = user.id;
    let roles_version = user.roles_version;
    let wizard_open = RwSignal::new(false);
    let edit_open = RwSignal::new(false);
    let edit_tab = RwSignal::new(Audience::User);
    let roles_locked = user.roles_locked.clone().filter(|_| !user.is_partner_admin);
    let can_edit = user.can_edit && roles_locked.is_none();
    let tab = RwSignal::new("global");
    // Inventory roles live on the device-group tree, which not every template has.
    let has_inventory = user.sees_inventory;
    let has_applications = !user.applications.is_empty();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            notice.set(Some("Saved."));
            reload.update(|n| *n += 1);
        }
    });
    let title = if user.display_name.is_empty() {
        user.username.clone()
    } else {
        format!("{} ({})", user.display_name, user.username)
    };
    view! {
        <Title text=user.username.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/users">"Users"</a> " / " <span>{user.username.clone()}</span></nav>
        <header class="page-header">
            <h1>{title}</h1>
            <span class=format!("status status-{}", user.status)>{user.status.as_str()}</span>
        </header>
        <UserDetailsForm user=user.clone() reload notice/>
        <Show when=move || wizard_open.get()>
            <AssignWizard mode=Mode::Assign subjects=vec![Subject::User(user_id)] open=wizard_open on_done=move |_| { notice.set(Some("Roles applied.")); reload.update(|n| *n += 1); }/>
        </Show>
        <Show when=move || edit_open.get()>
            <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { edit_open.set(false) }>
                <div class="modal wizard" role="dialog" aria-modal="true" aria-label="Edit roles">
                    <h2>"Edit roles"</h2>
                    <div role="tablist" class="tabs" aria-label="Role types">
                        {[(Audience::User, "User"), (Audience::Admin, "Admin")].into_iter().map(|(key, label)| view! {
                            <button type="button" role="tab" id=format!("edit-tab-{key}") aria-controls="edit-roles-panel"
                                aria-selected=move || (edit_tab.get() == key).to_string() on:click=move |_| edit_tab.set(key)>{label}</button>
                        }).collect_view()}
                    </div>
                    <div role="tabpanel" id="edit-roles-panel" aria-labelledby=move || format!("edit-tab-{}", edit_tab.get())>
                        {move || {
                            let audience = edit_tab.get();
                            view! { <RoleChecklist of=RolesOf::User(user_id) initial=None audience chosen editable=can_edit/> }
                        }}
                    </div>
                    <div class="actions">
                        <button type="button" on:click=move |_| edit_open.set(false)>"Cancel"</button>
                        <button type="button" class="primary" disabled=move || save.pending().get()
                            on:click=move |_| { save.dispatch(SetUserRoles { user: user_id, roles: chosen.get_untracked().into_iter().collect(), roles_version }); }>"Save"</button>
                    </div>
                    {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
                </div>
            </div>
        </Show>
        <div role="tablist" class="tabs" aria-label="User sections">
            <button role="tab" id="tab-global-roles" aria-selected=move || (tab.get() == "global").to_string() aria-controls="panel-global-roles"
                on:click=move |_| tab.set("global")>"Global roles"</button>
            {has_inventory.then(|| view! {
                <button role="tab" id="tab-inventory-roles" aria-selected=move || (tab.get() == "inventory").to_string() aria-controls="panel-inventory-roles"
                    on:click=move |_| tab.set("inventory")>"Inventory roles"</button>
            })}
            {has_applications.then(|| view! {
                <button role="tab" id="tab-applications" aria-selected=move || (tab.get() == "applications").to_string() aria-controls="panel-applications"
                    on:click=move |_| tab.set("applications")>"Application access"</button>
            })}
        </div>
        <Show when=move || tab.get() == "applications">
            <section role="tabpanel" id="panel-applications" aria-labelledby="tab-applications" class="panel">
                <ApplicationsTab user=user_id applications=user.applications.clone() sees_all=user.sees_all_applications.clone()
                    editable=user.can_assign_anywhere locked=user.roles_locked.clone()/>
            </section>
        </Show>
        <Show when=move || tab.get() == "inventory">
            <section role="tabpanel" id="panel-inventory-roles" aria-labelledby="tab-inventory-roles" class="panel">
                <InventoryTab user=user_id can_edit=user.can_assign_anywhere/>
            </section>
        </Show>
        <div hidden=move || tab.get() != "global">
        <section role="tabpanel" id="panel-global-roles" aria-labelledby="tab-global-roles" class="panel">
            {roles_locked.clone().map(|reason| view! {
                <div class="lock-indicator" role="note" aria-label="Roles managed by SSO">
                    <span aria-hidden="true">"🔒"</span> <strong>"Roles managed by SSO"</strong>
                    <p class="muted small">{reason}</p>
                </div>
            })}
            {(!user.can_edit).then(|| view! { <p class="alert alert-info" role="status">"You can view these roles. Assigning roles needs the tenant's assign permission."</p> })}
            {(user.can_edit && !user.can_assign_anywhere).then(|| view! { <p class="alert alert-info" role="status">"Your sub-user: you may give and take only roles you hold yourself."</p> })}
            <RoleChecklist of=RolesOf::User(user_id) initial=Some(user.roles.clone()) chosen editable=can_edit/>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
            <div class="actions">
                <button type="button" disabled=!can_edit on:click=move |_| edit_open.set(true)>"Edit roles"</button>
                <button type="button" disabled=!can_edit || !user.can_assign_anywhere on:click=move |_| wizard_open.set(true)>"Assign roles"</button>
                <button type="button" class="primary" disabled=move || !can_edit || save.pending().get()
                    on:click=move |_| { save.dispatch(SetUserRoles { user: user_id, roles: chosen.get_untracked().into_iter().collect(), roles_version }); }>"Save"</button>
            </div>
        </section>
        <section class="panel" aria-labelledby="effective-heading">
            <h2 id="effective-heading">"Effective permissions"</h2>
            <p class="muted">"Everything this user may do, and which role grants it."</p>
            <EffectiveGrid catalogue=user.catalogue.clone() provenance=user.provenance.clone()/>
        </section>
        </div>
    }
}

/// Details, status and deletion of one user.
#[component]
fn UserDetailsForm(
    user: UserDetail,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<&'static str>>,
) -> impl IntoView {
    let update = ServerAction::<UpdateUser>::new();
    let remove = ServerAction::<DeleteUser>::new();
    let display_name = RwSignal::new(user.display_name.clone());
    let email = RwSignal::new(user.email.clone());
    let allocation = RwSignal::new(user.allocation);
    let active = user.status == UserStatus::Active;
    let (id, version, can_manage) = (user.id, user.version, user.can_manage);
    // Disabling an active user or deleting one is refused before the click when the server
    // would refuse it for a reason the page knows.
    let kept = can_manage.then(|| user.keep_reason.clone()).flatten();
    let may_remove = can_manage && kept.is_none();
    let may_toggle = can_manage && (!active || kept.is_none());
    let confirm_open = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            notice.set(Some("Saved."));
            reload.update(|n| *n += 1);
        }
    });
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/users", Default::default());
        }
    });
    let send = move |active: bool| {
        update.dispatch(UpdateUser {
            input: UserUpdate {
                id,
                display_name: display_name.get_untracked(),
                email: email.get_untracked(),
                allocation: allocation.get_untracked(),
                active,
                version,
            },
        });
    };
    let email_error = field_error(update, "email");
    let update_error = other_error(update, &["email"]);
    let error = move || update_error().or_else(|| remove.value().get().and_then(Result::err));
    view! {
        <form class="panel details-form" novalidate on:submit=move |ev| { ev.prevent_default(); send(active); }>
            <dl class="facts">
                <dt>"Origin"</dt><dd>{user.origin.as_str()}{user.device.then_some(" · device user")}</dd>
                {user.owner.clone().map(|owner| view! { <dt>"Sub-user of"</dt><dd>{owner}</dd> })}
                {user.is_partner_admin.then(|| view! { <dt>"Partner administrator"</dt><dd>"Roles are managed on the Service Provider Portal."</dd> })}
                {user.add_new.clone().map(|a| view! {
                    <dt>"Add new"</dt>
                    <dd>{if a.shown { "Shown" } else { "Hidden" }}" — "<span class="muted">{a.reason}</span></dd>
                })}
            </dl>
            <div class="inline-form">
                <div class="field">
                    <label for="user-display-name">"Display name"</label>
                    <input id="user-display-name" type="text" disabled=!can_manage prop:value=move || display_name.get() on:input=move |ev| display_name.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="user-email">"Email"</label>
                    <input id="user-email" type="email" disabled=!can_manage aria-invalid=move || email_error().is_some().to_string() aria-describedby="user-email-error"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                    <p id="user-email-error" class="field-error">{email_error}</p>
                </div>
                <div class="field">
                    <label for="user-allocation">"Allocation"</label>
                    <select id="user-allocation" disabled=!can_manage on:change=move |ev| if let Ok(a) = event_target_value(&ev).parse() { allocation.set(a) }>
                        {Allocation::ALL.iter().map(|&a| view! { <option value=a.as_str() selected=user.allocation == a>{a.as_str()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" disabled=move || !can_manage || update.pending().get()>"Save details"</button>
                <button type="button" disabled=!may_toggle aria-describedby="user-kept" on:click=move |_| send(!active)>{if active { "Disable user" } else { "Enable user" }}</button>
                <button type="button" class="danger" disabled=!may_remove aria-describedby="user-kept" on:click=move |_| confirm_open.set(true)>"Delete user"</button>
            </div>
            <p id="user-kept" class="muted small">{kept}</p>
            {move || error().map(|error| view! { <ErrorMessage error/> })}
        </form>
        {(can_manage && user.origin == Origin::Local && !user.is_partner_admin).then(|| view! { <OneTimePassword user=id/> })}
        <ConfirmDialog open=confirm_open
            title=format!("Delete user {}?", user.username)
            message="The user, their sessions and their roles are removed. This cannot be undone."
            confirm_label="Delete user"
            on_confirm=move |_| { remove.dispatch(DeleteUser { id, version }); }/>
    }
}

/// `One-time password`: the user must choose a new password at their next sign-in; their
/// sessions end now. Not on one's own page (that is `Change password` in the user menu).
#[component]
fn OneTimePassword(user: UserId) -> impl IntoView {
    let me = crate::components::app_shell::use_me();
    // Not on one's own page; read inside a Transition so that server and browser agree.
    view! {
        <Loaded resource=me view=move |me: crate::model::Me| (me.user_id != user).then(|| view! { <OneTimePasswordForm user/> })/>
    }
}

#[component]
fn OneTimePasswordForm(user: UserId) -> impl IntoView {
    let set = ServerAction::<SetOneTimePassword>::new();
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = set.value().get() {
            password.set(String::new());
        }
    });
    let error = move || {
        set.value().get().and_then(Result::err).map(|e| {
            e.for_field("password")
                .map_or_else(|| e.to_string(), str::to_owned)
        })
    };
    view! {
        <form class="panel inline-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            set.dispatch(SetOneTimePassword { user, password: password.get_untracked() });
        }>
            <div class="field">
                <label for="one-time-password">"One-time password"</label>
                <input id="one-time-password" type="password" autocomplete="new-password" aria-describedby="one-time-password-help one-time-password-error"
                    aria-invalid=move || error().is_some().to_string()
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p id="one-time-password-help" class="muted small">"The user must choose a new password at their next sign-in; their sessions end now."</p>
                <p id="one-time-password-error" class="field-error">{error}</p>
            </div>
            <button type="submit" disabled=move || set.pending().get()>"Set one-time password"</button>
            {move || set.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="alert alert-success">"One-time password set."</p> })}
        </form>
    }
}
