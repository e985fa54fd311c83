use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    api::roles::{inventory_role_editor, DeleteInventoryRole, SaveInventoryRole},
    components::{
        confirm::ConfirmDialog,
        feedback::{field_error, ErrorMessage},
        inventory_rows::{current, edit_rows, InventoryRowsTable},
        loading::Loaded,
    },
    model::{
        inventory::{InventoryEditorData, InventoryRoleInput},
        AppError, InventoryRoleId,
    },
};

/// `/roles/inventory/new` and `/roles/inventory/<id>`.
#[component]
pub fn InventoryRoleEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(InventoryRoleId)
    };
    let data = Resource::new(id, inventory_role_editor);
    view! { <Loaded resource=data view=|data| view! { <EditorForm data/> }/> }
}

#[component]
fn EditorForm(data: InventoryEditorData) -> impl IntoView {
    let role = data.role;
    let is_new = role.is_none();
    let role_id = role.as_ref().map(|r| r.id);
    let users = role.as_ref().map(|r| r.users).unwrap_or_default();
    let field = |f: fn(&crate::model::inventory::InventoryRoleDetail) -> String| {
        RwSignal::new(role.as_ref().map(f).unwrap_or_default())
    };
    let name = field(|r| r.name.clone());
    let description = field(|r| r.description.clone());
    let saved_name = RwSignal::new(
        role.as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_else(|| "New inventory role".into()),
    );
    let saved_rows = RwSignal::new(role.as_ref().map(|r| r.rows.clone()).unwrap_or_default());
    let rows = RwSignal::new(edit_rows(&saved_rows.get_untracked()));
    let version = RwSignal::new(role.as_ref().map(|r| r.version).unwrap_or_default());
    let editable = data.can_edit;
    let actor = Arc::new(data.actor);

    let save = ServerAction::<SaveInventoryRole>::new();
    let remove = ServerAction::<DeleteInventoryRole>::new();
    let confirm_delete = RwSignal::new(false);
    let navigate = use_navigate();

    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if let Some(Ok(saved)) = save.value().get() {
                version.set(saved.version);
                saved_rows.set(saved.rows.clone());
                saved_name.set(saved.name.clone());
                if is_new {
                    navigate(
                        &format!("/roles/inventory/{}", saved.id),
                        Default::default(),
                    );
                }
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
            .or_else(|| remove.value().get().and_then(Result::err))
    };
    let name_error = field_error(save, "name");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = InventoryRoleInput {
            id: role_id,
            name: name.get_untracked(),
            description: description.get_untracked(),
            rows: rows.with_untracked(|rs| current(rs)),
            version: version.get_untracked(),
        };
        save.dispatch(SaveInventoryRole { input });
    };
    let on_delete = Callback::new(move |()| {
        if let Some(id) = role_id {
            remove.dispatch(DeleteInventoryRole {
                id,
                version: version.get_untracked(),
            });
        }
    });

    view! {
        <Title text=move || saved_name.get()/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/roles">"Roles"</a> " / " <span>{move || saved_name.get()}</span></nav>
        <form class="role-editor" on:submit=on_submit novalidate>
            <header class="page-header">
                <h1>{move || saved_name.get()}</h1>
                <div class="actions">
                    {(!is_new).then(|| view! {
                        <button type="button" class="danger" disabled=!editable on:click=move |_| confirm_delete.set(true)>"Delete"</button>
                    })}
                    <button type="submit" class="primary" disabled=move || !editable || save.pending().get()>"Save"</button>
                </div>
            </header>
            {(!editable).then(|| view! { <p class="alert alert-info" role="status">"You can view this role. Changing roles needs User management ADMIN."</p> })}
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
            {move || save.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="alert alert-success">"Saved."</p> })}
            <div class="editor-fields panel">
                <label for="inv-role-name">"Name"</label>
                <input id="inv-role-name" type="text" required maxlength="100" disabled=!editable
                    aria-invalid=move || name_error().is_some().to_string() aria-describedby="inv-role-name-error"
                    value=name.get_untracked()
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <p id="inv-role-name-error" class="field-error" role="alert">{name_error}</p>
                <label for="inv-role-description">"Description"</label>
                <textarea id="inv-role-description" rows="2" disabled=!editable prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </div>
            <section class="panel" aria-labelledby="rows-heading">
                <h2 id="rows-heading">"Permissions"</h2>
                <p class="muted">"Each row grants a permission on devices of a category, for one fragment type or every type (*). A row that a row above already covers is marked overridden."</p>
                <InventoryRowsTable rows saved=saved_rows actor editable/>
            </section>
        </form>
        <ConfirmDialog
            open=confirm_delete
            title=Signal::derive(move || format!("Delete inventory role {}?", saved_name.get()))
            message=Signal::derive(move || format!("{users} users will lose this role on every device group they hold it on. This cannot be undone."))
            confirm_label="Delete role"
            on_confirm=on_delete/>
    }
}
