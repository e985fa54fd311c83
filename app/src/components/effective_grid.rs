use leptos::prelude::*;

use crate::model::{catalogue::Catalogue, roles::Provenance};

/// A read-only grid of what a user may do; each granted cell names the roles that grant it.
#[component]
pub fn EffectiveGrid(catalogue: Catalogue, provenance: Provenance) -> impl IntoView {
    let levels = catalogue.levels.clone();
    let span = (levels.len() + 1).to_string();
    view! {
        <table class="perm-grid effective">
            <thead>
                <tr>
                    <th scope="col">"Permission type"</th>
                    {levels.iter().map(|l| view! { <th scope="col" class="level-col">{l.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            {catalogue.modules.iter().map(|module| view! {
                <tbody>
                    <tr class="module-row"><th scope="colgroup" colspan=span.clone()>{module.name.clone()}</th></tr>
                    {module.permissions.iter().map(|perm| {
                        // A restricting switch (`migration`) binds a user who has the module's
                        // access and no role freeing them of it (SPEC rule 1).
                        let bound = perm.restricts && module.permissions.iter().filter(|p| p.access).any(|a| {
                            provenance.get(&a.name).is_some_and(|l| l.values().any(|s| !s.is_empty()))
                        });
                        view! {
                        <tr>
                            <th scope="row" class="type-cell"><span class="type-name">{perm.name.clone()}</span></th>
                            {levels.iter().map(|level| {
                                let sources = provenance.get(&perm.name).and_then(|l| l.get(level)).cloned().unwrap_or_default();
                                if !perm.levels.contains(level) {
                                    view! { <td class="cell-na"><span aria-hidden="true">"–"</span></td> }.into_any()
                                } else if sources.is_empty() && bound {
                                    view! { <td class="cell restricted" aria-label=format!("{}: restricted, every role giving access to {} carries it", perm.name, module.name)><span class="source">"Restricted"</span></td> }.into_any()
                                } else if sources.is_empty() {
                                    view! { <td class="cell" aria-label=format!("{} {level}: not granted", perm.name)><span class="muted" aria-hidden="true">"·"</span></td> }.into_any()
                                } else {
                                    let text = sources.join(", ");
                                    view! {
                                        <td class="cell granted" aria-label=format!("{} {level}: granted by {text}", perm.name)>
                                            <span class="tick" aria-hidden="true">"✓"</span>
                                            <span class="source">{text.clone()}</span>
                                        </td>
                                    }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    }}).collect_view()}
                </tbody>
            }).collect_view()}
        </table>
    }
}
