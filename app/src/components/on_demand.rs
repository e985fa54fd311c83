//! What opens on a click: the wizard, the `Remove roles` dialog and the users list's role
//! checklist. Their code is one chunk of the split bundle, fetched the first time any of them
//! opens, so the lists and the user and group pages load without it. One split point for the
//! three, not one each: wasm-split makes a file for every set of split points that share code,
//! and small files compress badly on their own (`pages::lazy` says how much). They open only on
//! a click, never in a server-rendered page: nothing to hydrate.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{
    api::users::SetUserRoles,
    components::{
        feedback::ErrorMessage,
        lazy::when_loaded,
        role_checklist::RoleChecklist,
        wizard::{RemoveDialog, Wizard},
    },
    model::{
        users::RolesOf,
        wizard::{Mode, Subject},
        RoleId, UserId,
    },
};

/// One of the parts, with what it needs from the page.
enum Part {
    Wizard {
        mode: Mode,
        subjects: Vec<Subject>,
        open: RwSignal<bool>,
        on_done: Callback<()>,
    },
    Remove {
        subjects: Vec<Subject>,
        open: RwSignal<bool>,
        on_done: Callback<()>,
    },
    Checklist(OpenChecklist),
}

#[lazy]
fn part(part: Part) -> AnyView {
    match part {
        Part::Wizard {
            mode,
            subjects,
            open,
            on_done,
        } => view! { <Wizard mode subjects open on_done/> }.into_any(),
        Part::Remove {
            subjects,
            open,
            on_done,
        } => view! { <RemoveDialog subjects open on_done/> }.into_any(),
        Part::Checklist(checklist) => checklist_view(checklist),
    }
}

/// `Append roles` / `Assign roles`: see [`Wizard`].
#[component]
pub fn AssignWizard(
    mode: Mode,
    subjects: Vec<Subject>,
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    when_loaded(part(Part::Wizard {
        mode,
        subjects,
        open,
        on_done,
    }))
}

/// `Remove roles`: see [`RemoveDialog`].
#[component]
pub fn RemoveRolesDialog(
    subjects: Vec<Subject>,
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    when_loaded(part(Part::Remove {
        subjects,
        open,
        on_done,
    }))
}

/// What the open role popover (`components::role_popover`) needs from its cell.
pub struct OpenChecklist {
    pub user: UserId,
    pub roles_version: i64,
    pub label: String,
    pub chosen: RwSignal<BTreeSet<RoleId>>,
    pub apply: ServerAction<SetUserRoles>,
    pub open: RwSignal<bool>,
}

/// The open role popover: the role checklist, its error, `Cancel` and `Apply`.
pub fn open_checklist(checklist: OpenChecklist) -> impl IntoView {
    when_loaded(part(Part::Checklist(checklist)))
}

fn checklist_view(checklist: OpenChecklist) -> AnyView {
    let OpenChecklist {
        user,
        roles_version,
        label,
        chosen,
        apply,
        open,
    } = checklist;
    view! {
        <div class="popover" role="dialog" aria-label=label>
            <RoleChecklist of=RolesOf::User(user) initial=None chosen editable=true/>
            {move || apply.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
            <div class="actions">
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="button" class="primary" disabled=move || apply.pending().get()
                    on:click=move |_| { apply.dispatch(SetUserRoles { user, roles: chosen.get_untracked().into_iter().collect(), roles_version }); }>"Apply"</button>
            </div>
        </div>
    }
    .into_any()
}
