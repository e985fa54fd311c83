//! The device-group tree of the Inventory roles tab: each group with the user's roles there,
//! what it inherits (read-only) and the choice of roles on it.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::{CheckTarget, TabState};
use crate::{
    api::{
        device_groups::{group_children, GroupChildren},
        user_inventory::{inventory_choices, ApplyInventoryRoles},
    },
    components::{feedback::ErrorMessage, loading::Loaded},
    model::{
        device_groups::{ChildrenPage, DeviceGroupNode, CHILDREN_PAGE},
        user_inventory::RoleChoice,
        DeviceGroupId, InventoryRoleId,
    },
};

type Ancestors = Vec<(DeviceGroupId, String)>;

#[component]
pub fn Children(parent: Option<DeviceGroupId>, ancestors: Ancestors) -> AnyView {
    let first = Resource::new(|| (), move |_| group_children(parent, 0));
    let more = ServerAction::<GroupChildren>::new();
    let extra = RwSignal::new(Vec::<ChildrenPage>::new());
    Effect::new(move |_| {
        if let Some(Ok(page)) = more.value().get() {
            extra.update(|pages| pages.push(page));
        }
    });
    let ancestors = StoredValue::new(ancestors);
    let render = move |page: ChildrenPage| {
        view! {
            {page.groups.into_iter().map(|node| view! { <Node node ancestors=ancestors.get_value()/> }).collect_view()}
            {page.devices.into_iter().map(|d| view! { <Device id=d.id.0 name=d.name/> }).collect_view()}
        }
    };
    view! {
        <Loaded resource=first view=move |page: ChildrenPage| {
            let total = page.total_groups + page.total_devices;
            view! {
                <ul class="tree">
                    {render(page)}
                    {move || extra.get().into_iter().map(render).collect_view()}
                </ul>
                {(total == 0 && parent.is_none()).then(|| view! { <p class="muted small">"No device groups yet."</p> })}
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
fn Device(id: i64, name: String) -> impl IntoView {
    let state = expect_context::<TabState>();
    let label = name.clone();
    view! {
        <li class="device">
            <span aria-hidden="true">"▪ "</span>{name.clone()}
            <button type="button" class="link-button" aria-label=format!("Check access on {name}")
                on:click=move |_| state.checking.set(Some(CheckTarget { group: None, device: Some(id), label: label.clone() }))>"Check access"</button>
        </li>
    }
}

#[component]
fn Node(node: DeviceGroupNode, ancestors: Ancestors) -> impl IntoView {
    let state = expect_context::<TabState>();
    let id = node.id;
    let open = RwSignal::new(false);
    let has_children = node.subgroups + node.devices > 0;
    let name = StoredValue::new(node.name.clone());
    let direct = move || {
        state.data.with(|d| {
            d.iter()
                .flat_map(|d| d.assignments.iter())
                .filter(|a| a.group == id)
                .map(|a| a.role_name.clone())
                .collect::<Vec<_>>()
        })
    };
    let above: Vec<DeviceGroupId> = ancestors.iter().map(|(g, _)| *g).collect();
    let inherited = move || {
        state.data.with(|d| {
            d.iter()
                .flat_map(|d| d.assignments.iter())
                .filter(|a| above.contains(&a.group))
                .map(|a| format!("{} (from {})", a.role_name, a.group_name))
                .collect::<Vec<_>>()
        })
    };
    let mut below = ancestors.clone();
    below.push((id, node.name.clone()));
    let below = StoredValue::new(below);
    view! {
        <li class="tree-node">
            <div class="node-row">
                <button type="button" class="toggle" aria-expanded=move || open.get().to_string() disabled=!has_children
                    aria-label=format!("{} {}", if has_children { "Expand or collapse" } else { "No children in" }, node.name)
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if !has_children { "•" } else if open.get() { "▾" } else { "▸" }}
                </button>
                <span class="node-name">{node.name.clone()}</span>
                <span class="role-chips" aria-label=format!("Roles on {}", node.name)>
                    {move || direct().into_iter().map(|r| view! { <span class="chip">{r}</span> }).collect_view()}
                </span>
                {move || {
                    let inherited = inherited();
                    (!inherited.is_empty()).then(|| view! {
                        <span class="muted small inherited" aria-label=format!("Inherited on {}", name.get_value())>{format!("Inherited: {}", inherited.join(", "))}</span>
                    })
                }}
                <span class="node-actions">
                    <button type="button" aria-label=format!("Assign inventory roles on {}", node.name) disabled=!state.can_edit
                        on:click=move |_| state.picking.update(|p| *p = if *p == Some(id) { None } else { Some(id) })>"Roles ›"</button>
                    <button type="button" aria-label=format!("Check access on {}", node.name)
                        on:click=move |_| state.checking.set(Some(CheckTarget { group: Some(id.0), device: None, label: name.get_value() }))>"Check access"</button>
                </span>
            </div>
            <Show when=move || state.picking.get() == Some(id)>
                <RolePicker group=id name=name.get_value()/>
            </Show>
            <Show when=move || open.get()>
                <div class="tree-children"><Children parent=Some(id) ancestors=below.get_value()/></div>
            </Show>
        </li>
    }
}

/// The roles offered on one group: tick and Apply. Roles the admin cannot grant there are
/// disabled with what they lack.
#[component]
fn RolePicker(group: DeviceGroupId, name: String) -> impl IntoView {
    let state = expect_context::<TabState>();
    let user = state.user;
    let offered = Resource::new(|| (), move |_| inventory_choices(user, group));
    let chosen = RwSignal::new(BTreeSet::<InventoryRoleId>::new());
    let apply = ServerAction::<ApplyInventoryRoles>::new();
    let done_name = name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = apply.value().get() {
            state
                .notice
                .set(Some(format!("Inventory roles on {} applied.", done_name)));
            state.picking.set(None);
            state.reload.update(|n| *n += 1);
        }
    });
    view! {
        <div class="node-form role-picker" role="group" aria-label=format!("Inventory roles on {name}")>
            <Loaded resource=offered view={move |roles: Vec<RoleChoice>| {
                chosen.set(roles.iter().filter(|r| r.assigned).map(|r| r.id).collect());
                view! {
                    <ul class="check-list">
                        {roles.into_iter().map(|role| {
                            let rid = role.id;
                            let reason = role.missing.clone().map(|m| format!("You cannot grant this here: you lack {m}."));
                            view! {
                                <li>
                                    <label title=reason.clone().unwrap_or_default()>
                                        <input type="checkbox" disabled=role.missing.is_some() prop:checked=move || chosen.with(|c| c.contains(&rid))
                                            on:change=move |ev| { let on = event_target_checked(&ev); chosen.update(|c| { if on { c.insert(rid); } else { c.remove(&rid); } }); }/>
                                        <span>{role.name.clone()}</span>
                                    </label>
                                    <span class="muted small">{reason.unwrap_or(role.description)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }}/>
            <div class="actions">
                <button type="button" on:click=move |_| state.picking.set(None)>"Cancel"</button>
                <button type="button" class="primary" disabled=move || apply.pending().get()
                    on:click=move |_| { apply.dispatch(ApplyInventoryRoles { user, group, roles: chosen.get_untracked().into_iter().collect(), version: state.data.with_untracked(|d| d.as_ref().map_or(0, |d| d.version)) }); }>"Apply"</button>
            </div>
            {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
        </div>
    }
}
