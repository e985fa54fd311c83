use std::sync::Arc;

use leptos::prelude::*;

use crate::model::{
    catalogue::{holds, Catalogue, Grants},
    grid::{column_state, implied_only, set_cell, set_column_grantable, ColumnState},
};

/// The editable grid: rows are permission types grouped by module, columns are levels. A cell
/// the acting admin does not hold is disabled, ticked or not (an admin grants and takes away only
/// what they hold, SPEC rule 4), with a tooltip saying why.
#[component]
pub fn PermissionGrid(
    catalogue: Arc<Catalogue>,
    grants: RwSignal<Grants>,
    actor: Arc<Grants>,
    editable: bool,
    /// A built-in role may grant the template's reserved permission types; a custom one not.
    #[prop(optional)]
    built_in: bool,
) -> impl IntoView {
    let levels = catalogue.levels.clone();
    // `Select all` ticks what this role may be given: held by the admin, and not reserved.
    let grantable = if built_in {
        actor.clone()
    } else {
        Arc::new(catalogue.without_reserved(&actor))
    };
    let head = levels
        .iter()
        .map(|level| {
            let (c, a, level) = (catalogue.clone(), grantable.clone(), level.clone());
            let c2 = c.clone();
            let state = Memo::new({
                let level = level.clone();
                move |_| grants.with(|g| column_state(&c2, g, &level))
            });
            let label = format!("Select all {level}");
            let title = label.clone();
            view! {
                <th scope="col" class="level-col">
                    <label class="column-select" title=title>
                        <input
                            type="checkbox"
                            aria-label=label
                            disabled=!editable
                            prop:checked=move || state.get() == ColumnState::All
                            prop:indeterminate=move || state.get() == ColumnState::Some
                            on:change={
                                let level = level.clone();
                                move |ev| {
                                    let on = event_target_checked(&ev);
                                    grants.update(|g| set_column_grantable(&c, g, &level, on, &a));
                                }
                            }
                        />
                        <span>{level.clone()}</span>
                    </label>
                </th>
            }
        })
        .collect_view();
    let body = catalogue
        .modules
        .iter()
        .map(|module| {
            let rows = module
                .permissions
                .iter()
                .map(|perm| {
                    let cells = levels
                        .iter()
                        .map(|level| {
                            if perm.levels.contains(level) {
                                let reserved = perm.reserved && !built_in;
                                view! { <GridCell catalogue=catalogue.clone() actor=actor.clone() grants editable reserved type_name=perm.name.clone() level=level.clone()/> }.into_any()
                            } else {
                                view! { <td class="cell-na"><span aria-hidden="true">"–"</span></td> }.into_any()
                            }
                        })
                        .collect_view();
                    view! {
                        <tr>
                            <th scope="row" class="type-cell">
                                <span class="type-name">{perm.name.clone()}</span>
                                <span class="type-desc">{perm.description.clone()}</span>
                            </th>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            let span = (levels.len() + 1).to_string();
            view! {
                <tbody>
                    <tr class="module-row"><th scope="colgroup" colspan=span>{module.name.clone()}</th></tr>
                    {rows}
                </tbody>
            }
        })
        .collect_view();
    view! {
        <table class="perm-grid">
            <thead><tr><th scope="col">"Permission type"</th>{head}</tr></thead>
            {body}
        </table>
    }
}

#[component]
fn GridCell(
    catalogue: Arc<Catalogue>,
    actor: Arc<Grants>,
    grants: RwSignal<Grants>,
    editable: bool,
    /// Only a built-in role grants it.
    reserved: bool,
    type_name: String,
    level: String,
) -> impl IntoView {
    let held = holds(&actor, &type_name, &level);
    let label = format!("{type_name} {level}");
    let checked = Memo::new({
        let (c, t, l) = (catalogue.clone(), type_name.clone(), level.clone());
        move |_| grants.with(|g| holds(&c.effective(g), &t, &l))
    });
    let implied = Memo::new({
        let (c, t, l) = (catalogue.clone(), type_name.clone(), level.clone());
        move |_| grants.with(|g| implied_only(&c, g, &t, &l))
    });
    // Why the cell is disabled or shown ticked without being ticked: the checkbox's accessible
    // description (SPEC rule 4: the missing permission as the description) and its tooltip.
    let reason = {
        let (label, name) = (label.clone(), type_name.clone());
        move || {
            if reserved {
                Some(format!(
                    "{name} is granted only by a built-in role, never by a custom one."
                ))
            } else if !held {
                Some(format!(
                    "You do not hold {label}, so you can neither grant nor remove it."
                ))
            } else if implied.get() {
                Some(format!(
                    "{label} is granted because a higher level of this type is ticked."
                ))
            } else {
                None
            }
        }
    };
    let title = {
        let (label, reason) = (label.clone(), reason.clone());
        move || reason().unwrap_or_else(|| label.clone())
    };
    view! {
        <td class="cell" class:implied=move || implied.get() title=title>
            <input
                type="checkbox"
                aria-label=label
                title=reason
                prop:checked=move || checked.get()
                disabled=!editable || !held || reserved
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    grants.update(|g| set_cell(&catalogue, g, &type_name, &level, on));
                }
            />
        </td>
    }
}
