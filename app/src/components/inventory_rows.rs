//! The rows of an inventory role as an editable table: Category, Type, Permission, with the
//! overridden marker computed live (SPEC rule 3) and rows the actor may not add flagged (rule 4).

use std::sync::Arc;

use leptos::{html, prelude::*};

use crate::model::{
    catalogue::Grants,
    inventory::{overridden, same_row, InventoryPermission, ANY_TYPE, CATEGORIES},
    inventory_access::missing_globally,
    InventoryLevel,
};

/// One row being edited; `key` keeps a row's controls in place when rows above it go.
#[derive(Debug, Clone, Copy)]
pub struct EditRow {
    pub key: u64,
    pub permission: RwSignal<InventoryPermission>,
}

pub fn edit_rows(rows: &[InventoryPermission]) -> Vec<EditRow> {
    (0u64..)
        .zip(rows)
        .map(|(key, row)| EditRow {
            key,
            permission: RwSignal::new(row.clone()),
        })
        .collect()
}

/// The rows as they stand now (untracked: for a save).
pub fn current(rows: &[EditRow]) -> Vec<InventoryPermission> {
    rows.iter().map(|r| r.permission.get_untracked()).collect()
}

/// The row `Add permission` appends: Alarms, every type, Read.
pub fn new_row() -> InventoryPermission {
    InventoryPermission::new(CATEGORIES[0], ANY_TYPE, InventoryLevel::Read)
}

#[component]
pub fn InventoryRowsTable(
    rows: RwSignal<Vec<EditRow>>,
    /// The rows as last saved: only rows beyond them must be within what the actor holds.
    saved: RwSignal<Vec<InventoryPermission>>,
    actor: Arc<Grants>,
    editable: bool,
) -> impl IntoView {
    let marks = Memo::new(move |_| {
        let now: Vec<InventoryPermission> =
            rows.with(|rs| rs.iter().map(|r| r.permission.get()).collect());
        overridden(&now)
    });
    // Focus goes to `Add permission` when a row's Remove button goes with its row.
    let add_ref = NodeRef::<html::Button>::new();
    let add = move |_| {
        rows.update(|rs| {
            let key = rs.iter().map(|r| r.key + 1).max().unwrap_or_default();
            rs.push(EditRow {
                key,
                permission: RwSignal::new(new_row()),
            });
        });
    };
    view! {
        <table class="data-table inventory-rows" aria-labelledby="rows-heading">
            <thead>
                <tr>
                    <th scope="col">"#"</th>
                    <th scope="col">"Category"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Permission"</th>
                    <th scope="col">"Notes"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                <For each=move || rows.get() key=|row| row.key children=move |row| {
                    let actor = actor.clone();
                    view! { <RowView row rows marks saved actor editable add_ref/> }
                }/>
            </tbody>
        </table>
        {move || rows.with(Vec::is_empty).then(|| view! { <p class="empty">"No permissions yet. This role grants nothing until you add one."</p> })}
        <button type="button" node_ref=add_ref disabled=!editable on:click=add>"Add permission"</button>
    }
}

#[component]
fn RowView(
    row: EditRow,
    rows: RwSignal<Vec<EditRow>>,
    marks: Memo<Vec<Option<String>>>,
    saved: RwSignal<Vec<InventoryPermission>>,
    actor: Arc<Grants>,
    editable: bool,
    add_ref: NodeRef<html::Button>,
) -> impl IntoView {
    let EditRow { key, permission } = row;
    let index = Memo::new(move |_| {
        rows.with(|rs| rs.iter().position(|r| r.key == key))
            .unwrap_or_default()
    });
    let mark = move || marks.with(|m| m.get(index.get()).cloned().flatten());
    // SPEC rule 4 shown where it applies; the server decides.
    let beyond_actor = move || {
        let row = permission.get();
        let known = saved.with(|s| s.iter().any(|b| same_row(b, &row)));
        (!known).then(|| missing_globally(&actor, &row)).flatten()
    };
    let options = move |choices: &[&'static str], field: fn(&InventoryPermission) -> &str| {
        choices
            .iter()
            .map(|&c| {
                let selected = move || permission.with(|p| field(p) == c);
                view! { <option value=c selected=selected>{c}</option> }
            })
            .collect_view()
    };
    view! {
        <tr class:overridden-row=move || mark().is_some()>
            <td>{move || index.get() + 1}</td>
            <td>
                <select aria-label="Category" disabled=!editable
                    on:change=move |ev| permission.update(|p| p.category = event_target_value(&ev))>
                    {options(&CATEGORIES, |p| &p.category)}
                </select>
            </td>
            <td>
                <input type="text" aria-label="Type" disabled=!editable maxlength="1000"
                    value=permission.with_untracked(|p| p.fragment_type.clone())
                    prop:value=move || permission.with(|p| p.fragment_type.clone())
                    on:input=move |ev| permission.update(|p| p.fragment_type = event_target_value(&ev))/>
            </td>
            <td>
                <select aria-label="Permission" disabled=!editable
                    on:change=move |ev| {
                        if let Ok(level) = event_target_value(&ev).parse() {
                            permission.update(|p| p.level = level);
                        }
                    }>
                    {options(&InventoryLevel::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>(), |p| p.level.as_str())}
                </select>
            </td>
            <td class="row-notes">
                {move || mark().map(|why| view! {
                    <span class="badge badge-warning" title=why.clone()>"overridden"</span>
                    " "
                    <span class="marker-reason">{why}</span>
                })}
                {move || beyond_actor().map(|missing| view! {
                    <span class="field-error">{format!("You do not hold {missing}, so you cannot add this row.")}</span>
                })}
            </td>
            <td>
                <button type="button" disabled=!editable
                    aria-label=move || format!("Remove row {}", index.get() + 1)
                    on:click=move |_| {
                        rows.update(|rs| rs.retain(|r| r.key != key));
                        if let Some(button) = add_ref.get_untracked() {
                            let _ = button.focus();
                        }
                    }>"Remove"</button>
            </td>
        </tr>
    }
}
