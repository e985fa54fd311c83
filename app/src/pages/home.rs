use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{app_shell::use_me, loading::Loaded};

/// `/`: who is signed in, to which tenant.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
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
