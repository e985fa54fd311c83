use std::{collections::BTreeSet, sync::Arc};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api::roles::{role_editor, DeleteRole, DuplicateRole, SaveRole},
    components::{
        feedback::{field_error, ErrorMessage},
        loading::Loaded,
        module_editor::ModuleEditor,
        permission_grid::PermissionGrid,
    },
    model::{
        grid::{describe_changes, diff},
        roles::{RoleEditorData, RoleInput},
        AppError, Audience, RoleId, RoleScope,
    },
    pages::roles::requires::RequiresPicker,
};

/// `/roles/global/new` and `/roles/global/<id>`.
#[component]
pub fn GlobalRoleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(RoleId)
    };
    let data = Resource::new(id, role_editor);
    view! { <Loaded resource=data view=|data| view! { <EditorForm data/> }/> }
}

#[component]
fn EditorForm(data: RoleEditorData) -> impl IntoView {
    let role = data.role.clone();
    let is_new = role.is_none();
    let role_id = role.as_ref().map(|r| r.id);
    let built_in = role.as_ref().is_some_and(|r| r.built_in);
    let holders = data.holders;
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        role.as_ref()
            .map(|r| r.description.clone())
            .unwrap_or_default(),
    );
    let grants = RwSignal::new(role.as_ref().map(|r| r.grants.clone()).unwrap_or_default());
    let saved_grants = RwSignal::new(grants.get_untracked());
    let unsaved =
        Memo::new(move |_| saved_grants.with(|before| grants.with(|after| diff(before, after))));
    let apps = RwSignal::new(
        role.as_ref()
            .map(|r| r.applications.clone())
            .unwrap_or_default(),
    );
    let version = RwSignal::new(role.as_ref().map(|r| r.version).unwrap_or_default());
    let scope = RwSignal::new(role.as_ref().map_or(RoleScope::CrossSpace, |r| r.scope));
    let audience = RwSignal::new(role.as_ref().map_or(Audience::User, |r| r.audience));
    let requires = RwSignal::new(
        role.as_ref()
            .map(|r| r.requires.clone())
            .unwrap_or_default(),
    );
    let saved_name = RwSignal::new(
        role.as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "New global role".into()),
    );
    let kinds = data.catalogue.role_kinds;
    let locked = data.locked.clone();
    let editable = data.can_edit && locked.is_none();
    let catalogue = Arc::new(data.catalogue);
    let actor = Arc::new(data.actor);
    let actor_apps = data.actor_applications;

    let save = ServerAction::<SaveRole>::new();
    let duplicate = ServerAction::<DuplicateRole>::new();
    let remove = ServerAction::<DeleteRole>::new();
    let confirm_delete = RwSignal::new(false);
    let navigate = use_navigate();

    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(saved)) = save.value().get() {
                version.set(saved.version);
                saved_grants.set(saved.grants.clone());
                saved_name.set(saved.name.clone());
                if is_new {
                    navigate(&format!("/roles/global/{}", saved.id), Default::default());
                }
            }
        }
    });
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(copy)) = duplicate.value().get() {
                navigate(&format!("/roles/global/{}", copy.id), Default::default());
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            navigate("/roles", Default::default());
        }
    });

    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| duplicate.value().get().and_then(Result::err))
            .or_else(|| remove.value().get().and_then(Result::err))
    };
    let name_error = field_error(save, "name");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = RoleInput {
            id: role_id,
            name: name.get_untracked(),
            description: description.get_untracked(),
            grants: grants.get_untracked(),
            applications: apps.get_untracked(),
            audience: Some(audience.get_untracked()),
            scope: Some(scope.get_untracked()),
            requires: Some(requires.with_untracked(|r| r.keys().copied().collect())),
            version: version.get_untracked(),
        };
        save.dispatch(SaveRole { input });
    };

    view! {
        <Title text=move || saved_name.get()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/roles">"Roles"</a> " / " <span>{move || saved_name.get()}</span></nav>
        <form class="role-editor" on:submit=on_submit novalidate>
            <header class="page-header">
                <h1>{move || saved_name.get()}</h1>
                <div class="actions">
                    {(!is_new).then(|| view! {
                        <button type="button" disabled=!editable on:click=move |_| { if let Some(id) = role_id { duplicate.dispatch(DuplicateRole { id }); } }>"Duplicate"</button>
                        <button type="button" class="danger" disabled=!editable || built_in title=if built_in { "Built-in roles cannot be deleted." } else { "" } on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                    })}
                    {move || unsaved.with(|c| (!c.is_empty()).then(|| view! {
                        <span class="unsaved" title=describe_changes(c, usize::MAX)>{format!("Unsaved: {}", describe_changes(c, 3))}</span>
                    }))}
                    <button type="submit" class="primary" disabled=move || !editable || save.pending().get()>"Save"</button>
                </div>
            </header>
            {match (&locked, editable) {
                (Some(reason), _) => Some(view! { <p class="alert alert-info" role="status">{reason.clone()}</p> }.into_any()),
                (None, false) => Some(view! { <p class="alert alert-info" role="status">{format!("You can view this role. Changing roles needs {}.", catalogue.access.assign)}</p> }.into_any()),
                (None, true) => None,
            }}
            {move || error().and_then(|e| match e {
                AppError::Conflict => Some(view! {
                    <div role="alert" class="alert alert-error">
                        "This role was changed by someone else. Your changes were not saved. "
                        <button type="button" on:click=move |_| { let _ = window().location().reload(); }>"Reload"</button>
                    </div>
                }.into_any()),
                AppError::Validation { ref field, .. } if field == "name" => None,
                e => Some(view! { <ErrorMessage error=e/> }.into_any()),
            })}
            {move || save.value().get().and_then(|r| r.ok()).map(|_| view! { <p role="status" class="alert alert-success">"Saved."</p> })}
            <div class="editor-fields panel">
                <label for="role-name">"Name"</label>
                <input id="role-name" type="text" required maxlength="100" disabled=!editable
                    aria-invalid=move || name_error().is_some().to_string() aria-describedby="role-name-error"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <p id="role-name-error" class="field-error" role="alert">{name_error}</p>
                <label for="role-description">"Description"</label>
                <textarea id="role-description" rows="2" disabled=!editable prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                {kinds.scope.then(|| view! {
                    <label for="role-scope">"Scope"</label>
                    <select id="role-scope" disabled=!editable || built_in title=if built_in { "A built-in role keeps its scope." } else { "" }
                        on:change=move |ev| { if let Ok(s) = event_target_value(&ev).parse::<RoleScope>() { scope.set(s) } }>
                        {RoleScope::ALL.iter().map(|s| {
                            let s = *s;
                            view! { <option value=s.as_str() selected=move || scope.get() == s>{s.label()}</option> }
                        }).collect_view()}
                    </select>
                })}
                {kinds.role_type.then(|| view! {
                    <label for="role-type">"Role type"</label>
                    <select id="role-type" disabled=!editable || built_in title=if built_in { "A built-in role keeps its type." } else { "" }
                        on:change=move |ev| { if let Ok(a) = event_target_value(&ev).parse::<Audience>() { audience.set(a) } }>
                        {Audience::ALL.iter().map(|a| {
                            let a = *a;
                            view! { <option value=a.as_str() selected=move || audience.get() == a>{a.label()}</option> }
                        }).collect_view()}
                    </select>
                })}
            </div>
            <div class="editor-columns">
                <section class="panel grid-panel" aria-labelledby="perm-heading">
                    <h2 id="perm-heading">"Permissions"</h2>
                    {if catalogue.has_module_access() {
                        view! { <ModuleEditor catalogue=catalogue.clone() grants actor editable/> }.into_any()
                    } else {
                        view! { <PermissionGrid catalogue=catalogue.clone() grants actor editable built_in/> }.into_any()
                    }}
                </section>
                <section class="panel apps-panel" aria-labelledby="apps-heading">
                    <h2 id="apps-heading">"Applications"</h2>
                    <ul class="check-list">
                        {catalogue.applications.iter().map(|app| {
                            let (name1, name2) = (app.name.clone(), app.name.clone());
                            let held = actor_apps.contains(&app.name);
                            let checked = move || apps.with(|a| a.contains(&name1));
                            view! {
                                <li>
                                    <label title=if held { String::new() } else { format!("You do not have {}, so you cannot grant it.", app.name) }>
                                        <input type="checkbox" prop:checked=checked.clone() disabled=!editable || !held
                                            on:change=move |ev| { let on = event_target_checked(&ev); apps.update(|a: &mut BTreeSet<String>| { if on { a.insert(name2.clone()); } else { a.remove(&name2); } }); }/>
                                        <span>{app.name.clone()}</span>
                                    </label>
                                    <span class="muted small">{app.description.clone()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            </div>
            {kinds.requires.then(|| view! { <RequiresPicker role=role_id chosen=requires editable={editable && !built_in}/> })}
        </form>
        <Show when=move || confirm_delete.get()>
            <div class="modal-backdrop">
                <div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="delete-title" aria-describedby="delete-desc">
                    <h2 id="delete-title">{format!("Delete role {}?", saved_name.get_untracked())}</h2>
                    <p id="delete-desc">{format!("{} users and {} groups will lose this role. This cannot be undone.", holders.users, holders.groups)}</p>
                    <div class="actions">
                        <button type="button" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                        <button type="button" class="danger" on:click=move |_| {
                            confirm_delete.set(false);
                            if let Some(id) = role_id { remove.dispatch(DeleteRole { id, version: version.get_untracked() }); }
                        }>"Delete role"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
