use leptos::{ev, prelude::*};
use leptos_meta::Title;

use crate::components::pager::Pager;
use crate::{api::audit::list_denied, components::loading::Loaded, model::audit::DeniedPage};

/// `/access-denied` (user menu `Access denied requests`): refused requests, newest first; the
/// tenant's for an administrator (filterable by user), the reader's own for anyone else.
#[component]
pub fn AccessDeniedPage() -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let requests = Resource::new(
        move || (user.get(), page.get()),
        |(user, page)| list_denied(user, page),
    );
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        user.set(draft.get_untracked().trim().to_owned());
        page.set(1);
    };
    view! {
        <Title text="Access denied requests"/>
        <header class="page-header"><h1>"Access denied requests"</h1></header>
        <Loaded resource=requests view=move |data: DeniedPage| {
            let current = data.page;
            let has_more = data.has_more;
            let empty = data.rows.is_empty();
            view! {
                {if data.whole_tenant {
                    view! {
                        <form class="filters" on:submit=submit>
                            <div class="filter-field">
                                <label for="denied-user">"User"</label>
                                <input id="denied-user" type="text" placeholder="Username"
                                    prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))/>
                            </div>
                            <button type="submit" class="primary">"Filter"</button>
                        </form>
                    }.into_any()
                } else {
                    view! { <p class="muted">"Your own requests that were refused."</p> }.into_any()
                }}
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"User"</th>
                            <th scope="col">"Attempted"</th>
                            <th scope="col">"Missing permission"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data.rows.into_iter().map(|r| view! {
                            <tr>
                                <td>{r.when}</td>
                                <td>{r.user}</td>
                                <td><code>{r.attempted}</code>
                                    {(!r.target.is_empty()).then(|| view! { <div class="muted small">{r.target}</div> })}</td>
                                <td>{r.missing}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {empty.then(|| view! { <p class="empty" role="status">"No refused request."</p> })}
                <Pager label="Pages" at=current has_next={has_more} summary=format!("Page {current}") go=move |p| page.set(p)/>
            }
        }/>
    }
}
