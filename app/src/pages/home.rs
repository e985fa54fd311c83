use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::session::add_new_options,
    components::{app_shell::use_me, loading::Loaded},
};

/// `/`: who is signed in, to which tenant.
#[component]
pub fn HomePage() -> impl IntoView {
    let add_new = Resource::new(|| (), |_| add_new_options());
    let menu_open = RwSignal::new(false);
    view! {
        <Title text="Home"/>
        <Loaded resource=add_new view={move |options: Option<Vec<String>>| options.filter(|o| !o.is_empty()).map(|options| view! {
            <div class="add-new">
                <button type="button" class="primary" aria-haspopup="menu" aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)>"Add new"</button>
                <Show when=move || menu_open.get()>
                    <ul role="menu" class="menu" aria-label="Add new">
                        {options.iter().map(|o| view! { <li role="menuitem">{format!("Create {}", o.to_lowercase())}</li> }).collect_view()}
                    </ul>
                </Show>
            </div>
        })}/>
        <Loaded resource=use_me() view=|me| view! {
            <header class="page-header">
                <h1>{format!("Welcome, {}", me.label())}</h1>
            </header>
            <section class="panel" aria-labelledby="session-heading">
                <h2 id="session-heading">"Your session"</h2>
                <dl class="facts">
                    <dt>"Tenant"</dt>
                    <dd>{me.tenant_name.clone()} " " <span class="muted">"(" {me.tenant_slug.clone()} ")"</span></dd>
                    <dt>"Username"</dt>
                    <dd>{me.username.clone()}</dd>
                    <dt>"Display name"</dt>
                    <dd>{me.display_name.clone()}</dd>
                </dl>
            </section>
        }/>
    }
}
