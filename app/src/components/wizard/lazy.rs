//! The wizard and the `Remove roles` dialog as the pages use them: their code is a chunk of the
//! split bundle, fetched the first time one opens, so the lists and the user and group pages load
//! without it. Both open only on a click, never in a server-rendered page: nothing to hydrate.

use leptos::prelude::*;

use crate::{
    components::lazy::when_loaded,
    model::wizard::{Mode, Subject},
};

/// `Append roles` / `Assign roles`: see [`super::Wizard`].
#[component]
pub fn AssignWizard(
    mode: Mode,
    subjects: Vec<Subject>,
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    #[lazy]
    fn wizard(
        mode: Mode,
        subjects: Vec<Subject>,
        open: RwSignal<bool>,
        on_done: Callback<()>,
    ) -> AnyView {
        view! { <super::Wizard mode subjects open on_done/> }.into_any()
    }
    when_loaded(wizard(mode, subjects, open, on_done))
}

/// `Remove roles`: see [`super::remove::RemoveDialog`].
#[component]
pub fn RemoveRolesDialog(
    subjects: Vec<Subject>,
    open: RwSignal<bool>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    #[lazy]
    fn dialog(subjects: Vec<Subject>, open: RwSignal<bool>, on_done: Callback<()>) -> AnyView {
        view! { <super::remove::RemoveDialog subjects open on_done/> }.into_any()
    }
    when_loaded(dialog(subjects, open, on_done))
}
