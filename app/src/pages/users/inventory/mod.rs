//! The user page's `Inventory roles` tab: the device-group tree with the user's roles on each
//! group and what subgroups inherit, Apply per group, Copy from another user, and Check access.

mod check;
mod copy;
mod tree;

use leptos::prelude::*;

use crate::{
    api::user_inventory::load_user_inventory,
    components::loading::Loaded,
    model::{user_inventory::UserInventory, DeviceGroupId, UserId},
};

/// A device or group the Check access panel explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckTarget {
    pub group: Option<i64>,
    pub device: Option<i64>,
    pub label: String,
}

/// What the tree's nodes share.
#[derive(Clone, Copy)]
struct TabState {
    user: UserId,
    can_edit: bool,
    data: RwSignal<Option<UserInventory>>,
    /// The group whose role choice is open.
    picking: RwSignal<Option<DeviceGroupId>>,
    checking: RwSignal<Option<CheckTarget>>,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
}

#[component]
pub fn InventoryTab(user: UserId, can_edit: bool) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let state = TabState {
        user,
        can_edit,
        data: RwSignal::new(None),
        picking: RwSignal::new(None),
        checking: RwSignal::new(None),
        reload,
        notice: RwSignal::new(None),
    };
    provide_context(state);
    let inventory = Resource::new(move || reload.get(), move |_| load_user_inventory(user));
    let copy_open = RwSignal::new(false);
    view! {
        {move || state.notice.get().map(|text| view! { <p role="status" class="alert alert-success">{text}</p> })}
        <Loaded resource=inventory view=move |inv: UserInventory| {
            state.data.set(Some(inv.clone()));
            let locked = inv.locked.clone();
            let editable = can_edit && locked.is_none();
            view! {
                {(!inv.global_overrides.is_empty()).then(|| view! {
                    <div class="alert alert-info" role="note" aria-label="Global roles grant inventory permissions">
                        <strong>"Global roles already grant inventory permissions on every device."</strong>
                        <p>{format!(
                            "{} holds {}: {} sees or changes that data on every device, whatever inventory roles are set here.",
                            inv.username, inv.global_overrides.join("; "), inv.username)}</p>
                    </div>
                })}
                {locked.map(|reason| view! {
                    <div class="lock-indicator" role="note" aria-label="Roles managed by SSO">
                        <span aria-hidden="true">"🔒"</span> <strong>"Roles managed by SSO"</strong>
                        <p class="muted small">{reason}</p>
                    </div>
                })}
                <div class="actions">
                    <button type="button" disabled=!editable on:click=move |_| copy_open.set(true)>"Copy inventory roles from another user"</button>
                </div>
            }
        }/>
        // Outside the reloaded view: the dialog keeps its result while the tab reloads behind it.
        <Show when=move || copy_open.get()>
            <copy::CopyDialog user open=copy_open/>
        </Show>
        <section class="panel tree-panel" aria-label="Device groups and inventory roles">
            <p class="muted small">"Roles on a group apply to its subgroups and devices; subgroups show what they inherit."</p>
            <tree::Children parent=None ancestors=Vec::new()/>
        </section>
        {move || state.checking.get().map(|target| view! { <check::CheckPanel user target/> })}
    }
}
