use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::device_groups::{
        group_children, AddDevice, CreateDeviceGroup, DeleteDeviceGroup, DeviceGroupDeleteImpact,
        GroupChildren, UpdateDeviceGroup,
    },
    components::{confirm::ConfirmDialog, feedback::ErrorMessage, loading::Loaded},
    model::{
        device_groups::{ChildrenPage, DeviceGroupNode, CHILDREN_PAGE},
        AppError, DeviceGroupId,
    },
};

/// What the whole tree shares: expanded nodes, the node being moved, the actions, and one
/// counter that reloads every open node after a change.
#[derive(Clone, Copy)]
struct Tree {
    expanded: RwSignal<BTreeSet<DeviceGroupId>>,
    moving: RwSignal<Option<DeviceGroupNode>>,
    refresh: RwSignal<u32>,
    create: ServerAction<CreateDeviceGroup>,
    add_device: ServerAction<AddDevice>,
    update: ServerAction<UpdateDeviceGroup>,
    impact: ServerAction<DeviceGroupDeleteImpact>,
    remove: ServerAction<DeleteDeviceGroup>,
    deleting: RwSignal<Option<DeviceGroupNode>>,
}

/// `/device-groups`: the device-group tree; children load in pages.
#[component]
pub fn DeviceGroupsPage() -> impl IntoView {
    let tree = Tree {
        expanded: RwSignal::new(BTreeSet::new()),
        moving: RwSignal::new(None),
        refresh: RwSignal::new(0),
        create: ServerAction::new(),
        add_device: ServerAction::new(),
        update: ServerAction::new(),
        impact: ServerAction::new(),
        remove: ServerAction::new(),
        deleting: RwSignal::new(None),
    };
    provide_context(tree);
    let confirm_open = RwSignal::new(false);
    let new_name = RwSignal::new(String::new());
    let bump = move || tree.refresh.update(|n| *n += 1);
    // One effect per action: each reacts to its own result only.
    let done = move || {
        tree.moving.set(None);
        bump();
    };
    Effect::new(move |_| {
        if tree.create.value().get().is_some_and(|r| r.is_ok()) {
            new_name.set(String::new());
            done();
        }
    });
    Effect::new(move |_| {
        if tree.add_device.value().get().is_some_and(|r| r.is_ok()) {
            done();
        }
    });
    Effect::new(move |_| {
        if tree.update.value().get().is_some_and(|r| r.is_ok()) {
            done();
        }
    });
    Effect::new(move |_| {
        if tree.remove.value().get().is_some_and(|r| r.is_ok()) {
            done();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = tree.impact.value().get() {
            confirm_open.set(true);
        }
    });
    let error = move || {
        let errors: [Option<AppError>; 5] = [
            tree.create.value().get().and_then(Result::err),
            tree.add_device.value().get().and_then(Result::err),
            tree.update.value().get().and_then(Result::err),
            tree.impact.value().get().and_then(Result::err),
            tree.remove.value().get().and_then(Result::err),
        ];
        errors.into_iter().flatten().next()
    };
    view! {
        <Title text="Device groups"/>
        <header class="page-header"><h1>"Device groups"</h1></header>
        {move || error().map(|error| view! { <ErrorMessage error/> })}
        {move || tree.remove.value().get().and_then(Result::ok).map(|gone| view! {
            <p role="status" class="alert alert-success">{format!("Deleted {} with {} subgroups and {} devices.", gone.name, gone.subgroups, gone.devices)}</p>
        })}
        <form class="panel inline-form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            tree.create.dispatch(CreateDeviceGroup { parent: None, name: new_name.get_untracked() });
        }>
            <div class="field">
                <label for="new-top-group">"New top-level group"</label>
                <input id="new-top-group" type="text" maxlength="100" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="primary">"Add group"</button>
            {move || tree.moving.get().map(|m| view! {
                <span class="moving-note" role="status">{format!("Moving {}: choose Move here on the new parent, or", m.name)}</span>
                <button type="button" on:click=move |_| { tree.update.dispatch(UpdateDeviceGroup { id: m.id, version: m.version, parent: None, name: m.name.clone() }); }>"Move to top level"</button>
                <button type="button" on:click=move |_| tree.moving.set(None)>"Cancel move"</button>
            })}
        </form>
        <section class="panel tree-panel" aria-label="Device group tree">
            <Children parent=None/>
        </section>
        <ConfirmDialog open=confirm_open
            title=Signal::derive(move || tree.impact.value().get().and_then(Result::ok).map(|i| format!("Delete {}?", i.name)).unwrap_or_default())
            message=Signal::derive(move || tree.impact.value().get().and_then(Result::ok).map(|i| format!(
                "This removes {} with its {} subgroups and {} devices. This cannot be undone.", i.name, i.subgroups, i.devices)).unwrap_or_default())
            confirm_label="Delete group"
            on_confirm=move |_| if let Some(node) = tree.deleting.get_untracked() { tree.remove.dispatch(DeleteDeviceGroup { id: node.id, version: node.version }); }/>
    }
}

/// The children of one node: the first page at once, more on demand.
#[component]
fn Children(parent: Option<DeviceGroupId>) -> AnyView {
    let tree = expect_context::<Tree>();
    let first = Resource::new(
        move || tree.refresh.get(),
        move |_| group_children(parent, 0),
    );
    let more = ServerAction::<GroupChildren>::new();
    let extra = RwSignal::new(Vec::<ChildrenPage>::new());
    Effect::new(move |_| {
        tree.refresh.track();
        extra.set(Vec::new());
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = more.value().get() {
            extra.update(|pages| pages.push(page));
        }
    });
    let render = move |page: ChildrenPage| {
        let can_edit = page.can_edit;
        view! {
            {page.groups.into_iter().map(|node| view! { <Node node parent can_edit/> }).collect_view()}
            {page.devices.into_iter().map(|d| view! { <li class="device"><span aria-hidden="true">"▪ "</span>{d.name}</li> }).collect_view()}
        }
    };
    view! {
        <Loaded resource=first view=move |page: ChildrenPage| {
            let total = page.total_groups + page.total_devices;
            let empty = total == 0;
            view! {
                <ul class="tree">
                    {render(page)}
                    {move || extra.get().into_iter().map(render).collect_view()}
                </ul>
                {empty.then(|| view! { <p class="muted small">{if parent.is_none() { "No device groups yet." } else { "Empty." }}</p> })}
                {move || {
                    let shown = CHILDREN_PAGE * (1 + extra.with(|e| e.len()) as i64);
                    (shown < total).then(|| view! {
                        <button type="button" class="show-more" disabled=move || more.pending().get()
                            on:click=move |_| { more.dispatch(GroupChildren { parent, offset: shown }); }>
                            {format!("Show more ({} of {total} shown)", shown)}
                        </button>
                    })
                }}
            }
        }/>
    }
    .into_any()
}

#[component]
fn Node(node: DeviceGroupNode, parent: Option<DeviceGroupId>, can_edit: bool) -> impl IntoView {
    let tree = expect_context::<Tree>();
    let id = node.id;
    let open = move || tree.expanded.with(|e| e.contains(&id));
    let has_children = node.subgroups + node.devices > 0;
    let form = RwSignal::new(None::<&'static str>);
    let text = RwSignal::new(String::new());
    let name = node.name.clone();
    let counts = format!("{} subgroups · {} devices", node.subgroups, node.devices);
    let version = node.version;
    let submit = move || {
        let value = text.get_untracked();
        match form.get_untracked() {
            Some("subgroup") => {
                tree.create.dispatch(CreateDeviceGroup {
                    parent: Some(id),
                    name: value,
                });
            }
            Some("device") => {
                tree.add_device.dispatch(AddDevice {
                    group: id,
                    name: value,
                });
            }
            Some("rename") => {
                tree.update.dispatch(UpdateDeviceGroup {
                    id,
                    version,
                    parent,
                    name: value,
                });
            }
            _ => {}
        }
        form.set(None);
        text.set(String::new());
        tree.expanded.update(|e| {
            e.insert(id);
        });
    };
    view! {
        <li class="tree-node">
            <div class="node-row">
                <button type="button" class="toggle" aria-expanded=move || open().to_string() disabled=!has_children
                    aria-label=format!("{} {}", if has_children { "Expand or collapse" } else { "No children in" }, name)
                    on:click=move |_| tree.expanded.update(|e| { if !e.insert(id) { e.remove(&id); } })>
                    {move || if !has_children { "•" } else if open() { "▾" } else { "▸" }}
                </button>
                <span class="node-name">{node.name.clone()}</span>
                <span class="muted small">{counts}</span>
                {can_edit.then(|| {
                    let (n1, n2, n3) = (node.clone(), node.clone(), node.clone());
                    view! {
                        <span class="node-actions">
                            <button type="button" aria-label=format!("Add subgroup to {}", n1.name) on:click=move |_| form.set(Some("subgroup"))>"Add subgroup"</button>
                            <button type="button" aria-label=format!("Add device to {}", n1.name) on:click=move |_| form.set(Some("device"))>"Add device"</button>
                            <button type="button" aria-label=format!("Rename {}", n1.name) on:click={ let n = n1.name.clone(); move |_| { text.set(n.clone()); form.set(Some("rename")); } }>"Rename"</button>
                            {let here = n2.name.clone(); move || match tree.moving.get() {
                                Some(m) if m.id != id => view! {
                                    <button type="button" aria-label=format!("Move {} into {}", m.name, here) on:click={ let m = m.clone(); move |_| { tree.update.dispatch(UpdateDeviceGroup { id: m.id, version: m.version, parent: Some(id), name: m.name.clone() }); } }>"Move here"</button>
                                }.into_any(),
                                _ => view! {
                                    <button type="button" aria-label=format!("Move {}", n2.name) on:click={ let n = n2.clone(); move |_| tree.moving.set(Some(n.clone())) }>"Move"</button>
                                }.into_any(),
                            }}
                            <button type="button" class="danger" aria-label=format!("Delete {}", n3.name) on:click={ let n = n3.clone(); move |_| { tree.deleting.set(Some(n.clone())); tree.impact.dispatch(DeviceGroupDeleteImpact { id: n.id }); } }>"Delete"</button>
                        </span>
                    }
                })}
            </div>
            {move || form.get().map(|kind| {
                let label = match kind { "subgroup" => "Name of the new subgroup", "device" => "Name of the new device", _ => "New name" };
                view! {
                    <form class="inline-form node-form" novalidate on:submit=move |ev| { ev.prevent_default(); submit(); }>
                        <div class="field">
                            <label for=format!("node-form-{id}")>{label}</label>
                            <input id=format!("node-form-{id}") type="text" maxlength="100" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        </div>
                        <button type="submit" class="primary">"Save"</button>
                        <button type="button" on:click=move |_| form.set(None)>"Cancel"</button>
                    </form>
                }
            })}
            <Show when=open>
                <div class="tree-children"><Children parent=Some(id)/></div>
            </Show>
        </li>
    }
}
