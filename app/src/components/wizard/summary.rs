use leptos::prelude::*;

use crate::{
    api::wizard::{preview_wizard, ApplyWizard},
    components::loading::Loaded,
    model::wizard::{SubjectSummary, WizardRequest},
};

fn list(label: &'static str, items: Vec<String>) -> Option<impl IntoView> {
    (!items.is_empty()).then(|| {
        view! { <dt>{label}</dt><dd>{items.join(", ")}</dd> }
    })
}

/// Per principal: roles and spaces added and removed, permissions gained and lost (as the guard
/// computed them), or why it is skipped.
#[component]
pub fn SummaryList(rows: Vec<SubjectSummary>) -> impl IntoView {
    view! {
        <div class="summary-list">
            {rows.into_iter().map(|s| {
                let unchanged = s.skipped.is_none() && s.added.is_empty() && s.removed.is_empty();
                view! {
                    <section class="summary-item" aria-label=s.name.clone()>
                        <h3>{s.name.clone()}</h3>
                        {s.skipped.clone().map(|reason| view! { <p class="alert alert-info">{format!("Skipped: {reason}")}</p> })}
                        {unchanged.then(|| view! { <p class="muted">"No change."</p> })}
                        <dl class="facts">
                            {list("Roles added", s.added)}
                            {list("Roles removed", s.removed)}
                            {list("Permissions gained", s.gained)}
                            {list("Permissions lost", s.lost)}
                        </dl>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

/// The wizard's last step: what `Done` would change; after `Done`, what was applied.
#[component]
pub fn SummaryStep(request: WizardRequest, apply: ServerAction<ApplyWizard>) -> impl IntoView {
    let preview = Resource::new(move || request.clone(), preview_wizard);
    let show = |rows: Vec<SubjectSummary>| view! { <SummaryList rows/> };
    view! {
        {move || match apply.value().get() {
            Some(Ok(rows)) => show(rows).into_any(),
            _ => view! { <Loaded resource=preview view=show/> }.into_any(),
        }}
    }
}
