//! Check access: what the user may do on one device or group, every path, and what would grant
//! what is denied.

use leptos::prelude::*;

use super::{CheckTarget, TabState};
use crate::{
    api::user_inventory::check_access,
    components::loading::Loaded,
    model::{inventory_access::AccessReport, UserId},
};

#[component]
pub fn CheckPanel(user: UserId, target: CheckTarget) -> impl IntoView {
    let state = expect_context::<TabState>();
    let fragment = RwSignal::new("*".to_owned());
    let asked = RwSignal::new("*".to_owned());
    let (group, device) = (target.group, target.device);
    let report = Resource::new(
        move || (asked.get(), state.reload.get()),
        move |(t, _)| check_access(user, group, device, t),
    );
    view! {
        <section class="panel check-panel" aria-labelledby="check-heading">
            <h2 id="check-heading">{format!("Check access on {}", target.label)}</h2>
            <form class="inline-form" novalidate on:submit=move |ev| { ev.prevent_default(); asked.set(fragment.get_untracked()); }>
                <div class="field">
                    <label for="check-type">"Fragment type"</label>
                    <input id="check-type" type="text" prop:value=move || fragment.get() on:input=move |ev| fragment.set(event_target_value(&ev))/>
                </div>
                <button type="submit">"Check"</button>
                <button type="button" on:click=move |_| state.checking.set(None)>"Close"</button>
            </form>
            <Loaded resource=report view=move |r: AccessReport| view! {
                <p class="muted">{format!("{} on {} (type {})", r.username, r.target, r.fragment_type)}</p>
                <table class="grid access-table">
                    <thead><tr><th scope="col">"Category"</th><th scope="col">"Permission"</th><th scope="col">"Allowed"</th><th scope="col">"Why"</th></tr></thead>
                    <tbody>
                        {r.lines.into_iter().map(|l| {
                            let verdict = if l.allowed { "Allowed" } else { "Denied" };
                            view! {
                                <tr aria-label=format!("{} {}", l.category, l.want.label())>
                                    <th scope="row">{l.category.clone()}</th>
                                    <td>{l.want.label()}</td>
                                    <td class=if l.allowed { "allowed" } else { "denied" }>{verdict}</td>
                                    <td>
                                        <ul class="paths">
                                            {l.granted_by.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                                            {l.overridden.into_iter().map(|p| view! { <li class="muted">{p}</li> }).collect_view()}
                                        </ul>
                                        {l.would_grant.map(|w| view! { <p class="muted small">{w}</p> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }/>
        </section>
    }
}
