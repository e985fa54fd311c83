use std::sync::Arc;

use leptos::prelude::*;

use crate::model::{
    catalogue::{holds, Catalogue, Grants, Module, PermissionType},
    grid::{access_level, choose_access, deny_needs, restricted, set_cell, set_restricted},
};

/// The role editor of a template whose modules each have an access level (`migration`): per
/// module, a radio group `<Module> access` (`Deny Access`, `Read Only`, `Read/Write`) and the
/// module's permissions as checkboxes `<Module>: <Permission>`. A choice the acting admin cannot
/// make is disabled with the reason (SPEC rule 4: they grant and take away only what they hold).
#[component]
pub fn ModuleEditor(
    catalogue: Arc<Catalogue>,
    grants: RwSignal<Grants>,
    actor: Arc<Grants>,
    editable: bool,
) -> impl IntoView {
    catalogue
        .modules
        .iter()
        .map(|module| view! { <ModuleSection catalogue=catalogue.clone() module=module.clone() grants actor=actor.clone() editable/> })
        .collect_view()
}

#[component]
fn ModuleSection(
    catalogue: Arc<Catalogue>,
    module: Module,
    grants: RwSignal<Grants>,
    actor: Arc<Grants>,
    editable: bool,
) -> impl IntoView {
    let access = module.permissions.iter().find(|p| p.access).cloned();
    let switches: Vec<PermissionType> = module
        .permissions
        .iter()
        .filter(|p| !p.access)
        .cloned()
        .collect();
    let heading_id = format!("module-{}", module.name.replace(' ', "-"));
    let labelled_by = heading_id.clone();
    view! {
        <section class="module-access" aria-labelledby=labelled_by>
            <h3 id=heading_id>{module.name.clone()}</h3>
            {access.map(|t| view! { <AccessChoice catalogue=catalogue.clone() access=t grants actor=actor.clone() editable/> })}
            <ul class="switches">
                {switches.into_iter().map(|t| if t.restricts {
                    view! { <Restriction catalogue=catalogue.clone() perm=t grants actor=actor.clone() editable/> }.into_any()
                } else {
                    view! { <Switch catalogue=catalogue.clone() perm=t grants actor=actor.clone() editable/> }.into_any()
                }).collect_view()}
            </ul>
        </section>
    }
}

/// `Deny Access` is no level: choosing it takes away whatever level the role had and the
/// freedoms from the module's restricting switches, which the admin may do only if they hold
/// them. Opening a denied module frees the role of the switches the admin is free of.
#[component]
fn AccessChoice(
    catalogue: Arc<Catalogue>,
    access: PermissionType,
    grants: RwSignal<Grants>,
    actor: Arc<Grants>,
    editable: bool,
) -> impl IntoView {
    let type_name = access.name.clone();
    let current = Memo::new({
        let (c, t) = (catalogue.clone(), type_name.clone());
        move |_| grants.with(|g| access_level(&c, g, &t))
    });
    let choices = std::iter::once(None).chain(access.levels.iter().cloned().map(Some));
    let radios = choices
        .map(|level| {
            let label = level.clone().unwrap_or_else(|| "Deny Access".to_owned());
            // Choosing a level grants it; choosing Deny Access takes the current one away.
            let needs = {
                let (c, t, level, actor) = (catalogue.clone(), type_name.clone(), level.clone(), actor.clone());
                move || match &level {
                    Some(wanted) => (!holds(&actor, &t, wanted)).then(|| format!("{t} {wanted}")),
                    None => grants.with(|g| deny_needs(&c, g, &t, &actor)),
                }
            };
            let needs_title = needs.clone();
            let needs_disabled = needs.clone();
            let on_pick = {
                let (c, t, level, actor) = (catalogue.clone(), type_name.clone(), level.clone(), actor.clone());
                move |_| grants.update(|g| choose_access(&c, g, &t, level.as_deref(), &actor))
            };
            let is_current = {
                let level = level.clone();
                move || current.get() == level
            };
            view! {
                <label title=move || needs_title().map(|m| format!("You do not hold {m}, so you can neither grant nor remove it."))>
                    <input type="radio" name=type_name.clone() prop:checked=is_current
                        disabled=move || !editable || needs_disabled().is_some() on:change=on_pick/>
                    " " {label}
                </label>
            }
        })
        .collect_view();
    view! {
        <div role="radiogroup" class="access-choice" aria-label=type_name.clone() title=access.description.clone()>
            {radios}
        </div>
    }
}

/// One of a module's permissions (`Applications: Create`), a single switch.
#[component]
fn Switch(
    catalogue: Arc<Catalogue>,
    perm: PermissionType,
    grants: RwSignal<Grants>,
    actor: Arc<Grants>,
    editable: bool,
) -> impl IntoView {
    let levels = perm.levels.clone();
    let level = levels.first().cloned().unwrap_or_default();
    let held = holds(&actor, &perm.name, &level);
    let checked = Memo::new({
        let (c, t, l) = (catalogue.clone(), perm.name.clone(), level.clone());
        move |_| grants.with(|g| holds(&c.effective(g), &t, &l))
    });
    let describe = description_id(&perm.name);
    let reason = (!held).then(|| {
        format!(
            "You do not hold {}, so you can neither grant nor remove it.",
            perm.name
        )
    });
    let description = match &reason {
        Some(reason) => format!("{} {reason}", perm.description),
        None => perm.description.clone(),
    };
    // The seed's prerequisites: explained here, refused by the server when broken.
    let unmet = Memo::new({
        let (c, t, requires) = (catalogue.clone(), perm.name.clone(), perm.requires.clone());
        move |_| {
            grants.with(|g| {
                let effective = c.effective(g);
                effective.contains_key(&t).then(|| {
                    requires
                        .iter()
                        .find(|r| !effective.contains_key(*r))
                        .cloned()
                })?
            })
        }
    });
    let (c, t) = (catalogue.clone(), perm.name.clone());
    view! {
        <li>
            <label>
                <input type="checkbox" aria-describedby=describe.clone() prop:checked=move || checked.get()
                    disabled=!editable || !held
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        grants.update(|g| set_cell(&c, g, &t, &level, on));
                    }/>
                " " {perm.name.clone()}
            </label>
            <span id=describe class="muted small">{description}</span>
            {move || unmet.get().map(|needs| view! {
                <span class="field-error small">{format!("Needs {needs}: tick it too, or the role cannot be saved.")}</span>
            })}
        </li>
    }
}

/// A restricting switch (`Applications: Limit access to 'My Apps'`), ticked when the role opens
/// the module and does not free its holders of it. Unticking grants the freedom and ticking
/// takes it away, so either needs the freedom held (SPEC rule 4). A user is restricted only if
/// every role giving them the module carries the switch (SPEC rule 1).
#[component]
fn Restriction(
    catalogue: Arc<Catalogue>,
    perm: PermissionType,
    grants: RwSignal<Grants>,
    actor: Arc<Grants>,
    editable: bool,
) -> impl IntoView {
    let free = perm.levels.first().cloned().unwrap_or_default();
    let held = holds(&actor, &perm.name, &free);
    let on = Memo::new({
        let (c, t) = (catalogue.clone(), perm.name.clone());
        move |_| grants.with(|g| restricted(&c, g, &t))
    });
    let open = Memo::new({
        let (c, t) = (catalogue.clone(), perm.name.clone());
        move |_| grants.with(|g| c.module_of(&t).is_some_and(|m| c.opens_module(g, m)))
    });
    let describe = description_id(&perm.name);
    let reason = (!held).then(|| {
        format!(
            "You are not exempt from it yourself ({} {free}), so you can neither set nor clear it.",
            perm.name
        )
    });
    let description = format!(
        "{} Restricts a user only if every role giving them the module has it.{}",
        perm.description,
        reason.map(|r| format!(" {r}")).unwrap_or_default()
    );
    let (c, t) = (catalogue.clone(), perm.name.clone());
    view! {
        <li>
            <label>
                <input type="checkbox" aria-describedby=describe.clone() prop:checked=move || on.get()
                    disabled=move || !editable || !held || !open.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        grants.update(|g| set_restricted(&c, g, &t, on));
                    }/>
                " " {perm.name.clone()}
            </label>
            <span id=describe class="muted small">{description}</span>
            {move || (!open.get()).then(|| view! {
                <span class="muted small">"Applies once the module has access."</span>
            })}
        </li>
    }
}

/// The id of a switch's description, for its checkbox's `aria-describedby`.
fn description_id(type_name: &str) -> String {
    format!(
        "switch-{}",
        type_name.replace(|c: char| !c.is_alphanumeric(), "-")
    )
}
