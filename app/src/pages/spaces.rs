use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::spaces::{list_spaces, DeleteSpace, SaveSpace},
    components::{
        confirm::ConfirmDialog,
        feedback::{field_error, ErrorMessage},
        loading::Loaded,
    },
    model::{
        spaces::{Space, SpaceInput, SpacesView},
        AppError,
    },
};

/// `/spaces`: `Default Space` and the tenant's other spaces; create, rename, delete.
#[component]
pub fn SpacesPage() -> impl IntoView {
    let save = ServerAction::<SaveSpace>::new();
    let remove = ServerAction::<DeleteSpace>::new();
    // Only a success reloads the list: a refused form keeps what was typed.
    let changed = RwSignal::new(0u32);
    // One effect per action: each reacts to its own result only.
    Effect::new(move |_| {
        if save.value().get().is_some_and(|r| r.is_ok()) {
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if remove.value().get().is_some_and(|r| r.is_ok()) {
            changed.update(|n| *n += 1);
        }
    });
    let spaces = Resource::new(move || changed.get(), |_| list_spaces());
    let filter = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Space>);
    let deleting = RwSignal::new(None::<Space>);
    let confirm_open = RwSignal::new(false);
    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
        }
    });
    view! {
        <Title text="Spaces"/>
        <header class="page-header"><h1>"Spaces"</h1></header>
        <p class="muted">"Space-Specific roles are assigned per space. Every tenant has Default Space."</p>
        {move || error().map(|e| match e {
            AppError::Conflict => view! {
                <p role="alert" class="alert alert-error">"This space was changed by someone else. The list now shows the latest version; try again."</p>
            }.into_any(),
            e => view! { <ErrorMessage error=e/> }.into_any(),
        })}
        {move || remove.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="alert alert-success">"Space deleted."</p> })}
        <Loaded resource=spaces view=move |data: SpacesView| view! {
            {data.can_edit.then(|| view! { <NewSpaceForm save/> })}
            <div class="toolbar">
                <label for="space-filter" class="visually-hidden">"Filter spaces"</label>
                <input id="space-filter" type="search" placeholder="Filter by name"
                    prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            </div>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Description"</th>
                    <th scope="col">"Role assignments"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {data.spaces.into_iter().map(|space| {
                        let shown = {
                            let name = space.name.to_lowercase();
                            move || name.contains(&filter.get().trim().to_lowercase())
                        };
                        let can_edit = data.can_edit;
                        view! {
                            <Show when=shown.clone()>
                                <SpaceRow space=space.clone() can_edit editing save on_delete=move |s: Space| { deleting.set(Some(s)); confirm_open.set(true); }/>
                            </Show>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }/>
        <ConfirmDialog open=confirm_open
            title=Signal::derive(move || deleting.with(|d| d.as_ref().map(|s| format!("Delete space {}?", s.name)).unwrap_or_default()))
            message=Signal::derive(move || deleting.with(|d| d.as_ref().map(|s| format!(
                "{} role assignments bound to this space will be removed. This cannot be undone.", s.assignments)).unwrap_or_default()))
            confirm_label="Delete space"
            on_confirm=move |_| if let Some(s) = deleting.get_untracked() { remove.dispatch(DeleteSpace { id: s.id, version: s.version }); }/>
    }
}

#[component]
fn NewSpaceForm(save: ServerAction<SaveSpace>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let name_error = field_error(save, "name");
    view! {
        <form class="panel inline-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveSpace { input: SpaceInput { id: None, name: name.get_untracked(), description: description.get_untracked(), version: 0 } });
        }>
            <h2>"Add space"</h2>
            <div class="field">
                <label for="new-space-name">"Name"</label>
                <input id="new-space-name" type="text" maxlength="100" required
                    aria-invalid=move || name_error().is_some().to_string() aria-describedby="new-space-name-error"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <p id="new-space-name-error" class="field-error">{name_error}</p>
            </div>
            <div class="field">
                <label for="new-space-description">"Description"</label>
                <input id="new-space-description" type="text" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Add space"</button>
        </form>
    }
}

#[component]
fn SpaceRow(
    space: Space,
    can_edit: bool,
    editing: RwSignal<Option<Space>>,
    save: ServerAction<SaveSpace>,
    #[prop(into)] on_delete: Callback<Space>,
) -> impl IntoView {
    let id = space.id;
    let is_editing = move || editing.with(|e| e.as_ref().is_some_and(|s| s.id == id));
    let name = RwSignal::new(space.name.clone());
    let description = RwSignal::new(space.description.clone());
    let label = space.name.clone();
    let s = space.clone();
    view! {
        <tr>
            <Show when=is_editing fallback={
                let space = space.clone();
                move || {
                    let (edit, del) = (space.clone(), space.clone());
                    view! {
                        <th scope="row">{space.name.clone()}{space.is_default.then(|| view! { " " <span class="badge">"Default"</span> })}</th>
                        <td>{space.description.clone()}</td>
                        <td>{space.assignments}</td>
                        <td class="row-actions">
                            {can_edit.then(|| view! {
                                <button type="button" aria-label=format!("Rename {}", space.name) on:click=move |_| editing.set(Some(edit.clone()))>"Rename"</button>
                                <button type="button" class="danger" aria-label=format!("Delete {}", space.name)
                                    disabled=space.is_default title=if space.is_default { "Default Space always exists and cannot be deleted." } else { "" }
                                    on:click=move |_| on_delete.run(del.clone())>"Delete"</button>
                            })}
                        </td>
                    }
                }
            }>
                <th scope="row">
                    <label class="visually-hidden" for=format!("space-name-{id}")>{format!("Name of {label}")}</label>
                    <input id=format!("space-name-{id}") type="text" maxlength="100" disabled=s.is_default
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </th>
                <td>
                    <label class="visually-hidden" for=format!("space-description-{id}")>{format!("Description of {label}")}</label>
                    <input id=format!("space-description-{id}") type="text"
                        prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))/>
                </td>
                <td>{s.assignments}</td>
                <td class="row-actions">
                    <button type="button" class="primary" disabled=move || save.pending().get() on:click={
                        let version = s.version;
                        move |_| { save.dispatch(SaveSpace { input: SpaceInput { id: Some(id), name: name.get_untracked(), description: description.get_untracked(), version } }); }
                    }>"Save"</button>
                    <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                </td>
            </Show>
        </tr>
    }
}
