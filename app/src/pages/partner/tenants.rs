use leptos::prelude::*;

use super::create_tenant::CreateTenantDialog;
use crate::components::pager::Pager;
use crate::{
    api::partner::served_tenants, components::loading::Loaded, model::partner::ServedPage,
};

/// The tenants the partner serves, searched and paged on the server, and `Create tenant`.
#[component]
pub fn ServedTenants() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let reload = RwSignal::new(0u32);
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<String>);
    let tenants = Resource::new(
        move || (query.get(), page.get(), reload.get()),
        |(q, p, _)| served_tenants(q, p),
    );
    let on_created = move |slug: String| {
        created.set(Some(slug));
        creating.set(false);
        reload.update(|n| *n += 1);
    };
    view! {
        <header class="page-header">
            <h1>"Tenants"</h1>
            <button type="button" class="primary" on:click=move |_| creating.set(true)>"Create tenant"</button>
        </header>
        {move || created.get().map(|slug| view! { <p role="status" class="alert alert-success">{format!("Tenant {slug} created.")}</p> })}
        <div class="toolbar">
            <label for="tenant-search" class="visually-hidden">"Search tenants"</label>
            <input id="tenant-search" type="search" placeholder="Search by tenant id or name"
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); page.set(1); }/>
        </div>
        <Loaded resource=tenants view=move |data: ServedPage| {
            let pages = data.pages();
            let (current, total) = (data.page, data.total);
            let templates = data.templates.clone();
            view! {
                <Show when=move || creating.get()>
                    <CreateTenantDialog templates=templates.clone() open=creating on_created/>
                </Show>
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">"Tenant ID"</th>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Template"</th>
                            <th scope="col">"Users"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {data.rows.into_iter().map(|t| view! {
                            <tr>
                                <td><a href=format!("/partner/tenants/{}", t.slug)>{t.slug.clone()}</a></td>
                                <td>{t.name}</td>
                                <td><code>{t.template}</code></td>
                                <td>{t.users}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(total == 0).then(|| view! { <p class="empty" role="status">"No tenant matches the search."</p> })}
                <Pager label="Pages" at=current has_next={current < pages} summary=format!("Page {current} of {pages} · {total} tenants") go=move |p| page.set(p)/>
            }
        }/>
    }
}
