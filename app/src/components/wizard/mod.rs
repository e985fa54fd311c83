//! The assignment wizard: `Select roles` → `Specify spaces` (skipped with only Default Space) →
//! `Summary` → `Done`. `Back` keeps every choice.

mod remove;
mod roles_step;
mod summary;

pub use remove::RemoveDialog;

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;

use crate::{
    api::wizard::{load_wizard, ApplyWizard},
    components::{feedback::ErrorMessage, loading::Loaded},
    model::{
        wizard::{
            planned, skips_spaces_step, with_requirements, Mode, Subject, WizardContext,
            WizardRequest, WizardRole,
        },
        RoleId, SpaceId,
    },
};
use roles_step::RolesStep;
use summary::SummaryStep;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Roles,
    Spaces,
    Summary,
}

/// The wizard as a dialog over the page; `on_done` runs after `Done` applied the roles.
#[component]
pub fn Wizard(
    mode: Mode,
    subjects: Vec<Subject>,
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let context = Resource::new(move || (), move |_| load_wizard(mode, subjects.clone()));
    // Whatever closes the dialog after `Done` (Close, Cancel, Escape) lets the page reload.
    let applied = RwSignal::new(false);
    let close = move || {
        open.set(false);
        if applied.get_untracked() {
            on_done.run(());
        }
    };
    let title = match mode {
        Mode::Append => "Append roles",
        Mode::Assign => "Assign roles",
    };
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { close() }>
            <div class="modal wizard" role="dialog" aria-modal="true" aria-label=title>
                <p class="wizard-title">{title}</p>
                <Loaded resource=context view=move |ctx: WizardContext| view! { <WizardSteps ctx applied/> }/>
                <div class="wizard-close"><button type="button" on:click=move |_| close()>{move || if applied.get() { "Close" } else { "Cancel" }}</button></div>
            </div>
        </div>
    }
}

#[component]
fn WizardSteps(ctx: WizardContext, applied: RwSignal<bool>) -> impl IntoView {
    let mode = ctx.mode;
    // Assign edits the full set of one principal: start from what it holds.
    let (start_roles, start_spaces) = match (mode, ctx.subjects.first()) {
        (Mode::Assign, Some(info)) => {
            let mut spaces: BTreeMap<RoleId, BTreeSet<SpaceId>> = BTreeMap::new();
            for &(role, space) in &info.current {
                spaces.entry(role).or_default().insert(space);
            }
            (info.current.iter().map(|(r, _)| *r).collect(), spaces)
        }
        _ => (BTreeSet::new(), BTreeMap::new()),
    };
    let chosen = RwSignal::new(start_roles);
    let spaces_of = RwSignal::new(start_spaces);
    let notices = RwSignal::new(Vec::<String>::new());
    let step = RwSignal::new(Step::Roles);
    let step_error = RwSignal::new(None::<String>);
    // Every role the wizard has seen: those the principals hold, and each page's roles with
    // what they require. Whatever is chosen is in here.
    let known: RwSignal<BTreeMap<RoleId, WizardRole>> =
        RwSignal::new(ctx.roles.iter().map(|r| (r.id, r.clone())).collect());
    let ctx = StoredValue::new(ctx);
    let skip_spaces = ctx.with_value(|c| skips_spaces_step(&c.spaces));
    let apply = ServerAction::<ApplyWizard>::new();

    let toggle = move |(role, on): (RoleId, bool)| {
        known.with_untracked(|k| {
            let mut set = chosen.get_untracked();
            if on {
                set.insert(role);
            } else {
                set.remove(&role);
            }
            let (closed, added) = with_requirements(k.values(), &set);
            let name = |id: RoleId| k.get(&id).map(|r| r.name.clone()).unwrap_or_default();
            if !added.is_empty() {
                notices.set(
                    added
                        .iter()
                        .map(|&(req, by)| {
                            format!("{} was added: {} requires it.", name(req), name(by))
                        })
                        .collect(),
                );
            }
            chosen.set(closed);
        });
    };
    let request = move || -> Result<WizardRequest, String> {
        ctx.with_value(|c| {
            let plan = known.with_untracked(|k| {
                planned(
                    k.values(),
                    &chosen.get_untracked(),
                    &spaces_of.get_untracked(),
                    &c.spaces,
                )
            })?;
            Ok(WizardRequest {
                mode: c.mode,
                subjects: c.subjects.iter().map(|s| s.subject).collect(),
                assignments: plan.into_iter().collect(),
                versions: c.subjects.iter().map(|s| (s.subject, s.version)).collect(),
            })
        })
    };
    // The chosen roles that need spaces, by name.
    let space_bound_chosen = move || -> Vec<WizardRole> {
        let mut roles: Vec<WizardRole> = known.with(|k| {
            chosen.with(|c| {
                c.iter()
                    .filter_map(|id| k.get(id))
                    .filter(|r| r.space_bound)
                    .cloned()
                    .collect()
            })
        });
        roles.sort_by_key(|r| r.name.to_lowercase());
        roles
    };
    let to_summary = move || match request() {
        Ok(_) => {
            step_error.set(None);
            step.set(Step::Summary);
        }
        Err(message) => step_error.set(Some(message)),
    };
    let next_from_roles = move |_| {
        if mode == Mode::Append && chosen.with_untracked(|c| c.is_empty()) {
            step_error.set(Some("Choose at least one role.".into()));
        } else if skip_spaces || untrack(space_bound_chosen).is_empty() {
            to_summary();
        } else {
            step_error.set(None);
            step.set(Step::Spaces);
        }
    };
    let back = move |_| {
        step_error.set(None);
        let previous = match step.get_untracked() {
            Step::Summary if !skip_spaces && !untrack(space_bound_chosen).is_empty() => {
                Step::Spaces
            }
            _ => Step::Roles,
        };
        step.set(previous);
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = apply.value().get() {
            applied.set(true);
        }
    });
    let names: Vec<String> =
        ctx.with_value(|c| c.subjects.iter().map(|s| s.name.clone()).collect());

    view! {
        <p class="muted small">{format!("For {}", names.join(", "))}</p>
        {move || step_error.get().map(|m| view! { <p role="alert" class="alert alert-error">{m}</p> })}
        <Show when=move || step.get() == Step::Roles>
            <h2>"Select roles"</h2>
            <p class="muted small">"Only roles you may grant are offered."</p>
            {move || (!notices.get().is_empty()).then(|| view! {
                <div role="status" class="alert alert-info">{notices.get().into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}</div>
            })}
            <RolesStep known chosen toggle/>
            <div class="actions"><button type="button" class="primary" on:click=next_from_roles>"Next"</button></div>
        </Show>
        <Show when=move || step.get() == Step::Spaces>
            <h2>"Specify spaces"</h2>
            <p class="muted small">"Choose one or more spaces for every Space-Specific role."</p>
            {move || ctx.with_value(|c| space_bound_chosen().into_iter().map(|role| {
                let role_id = role.id;
                view! {
                    <fieldset class="space-choice">
                        <legend>{role.name.clone()}</legend>
                        {c.spaces.iter().map(|space| {
                            let space_id = space.id;
                            view! {
                                <label>
                                    <input type="checkbox" prop:checked=move || spaces_of.with(|m| m.get(&role_id).is_some_and(|s| s.contains(&space_id)))
                                        on:change=move |ev| { let on = event_target_checked(&ev); spaces_of.update(|m| { let set = m.entry(role_id).or_default(); if on { set.insert(space_id); } else { set.remove(&space_id); } }); }/>
                                    <span>{space.name.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view())}
            <div class="actions">
                <button type="button" on:click=back>"Back"</button>
                <button type="button" class="primary" on:click=move |_| to_summary()>"Next"</button>
            </div>
        </Show>
        <Show when=move || step.get() == Step::Summary>
            <h2>"Summary"</h2>
            {move || request().ok().map(|request| view! { <SummaryStep request apply/> })}
            {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
            <div class="actions">
                <button type="button" on:click=back disabled=move || apply.pending().get()>"Back"</button>
                <button type="button" class="primary" disabled=move || apply.pending().get() || apply.value().get().is_some_and(|r| r.is_ok())
                    on:click=move |_| { if let Ok(request) = request() { apply.dispatch(ApplyWizard { request }); } }>"Done"</button>
            </div>
            {move || apply.value().get().and_then(Result::ok).map(|_| view! {
                <p role="status" class="alert alert-success">"Roles applied."</p>
            })}
        </Show>
    }
}
