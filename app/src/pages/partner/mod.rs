//! The partner portal (`/partner`): its own sign-in and session, outside the tenant console.

pub mod create_tenant;
pub mod tenant;
pub mod tenants;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::partner::{portal_me, PartnerLogin, PartnerLogout},
    components::feedback::ErrorMessage,
    model::{partner::PartnerMe, AppResult},
};

/// The portal's header: the partner, and `Sign out`.
#[component]
pub fn PortalHeader(me: PartnerMe) -> impl IntoView {
    let logout = ServerAction::<PartnerLogout>::new();
    // A full load afterwards: nothing of the portal stays on the page once its session ended.
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            let _ = window().location().set_href("/partner");
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/partner"><span class="brand-mark" aria-hidden="true">"C"</span>"Castellan partner portal"</a>
            <span class="tenant-name" title="Partner">{me.partner.clone()}</span>
            <span class="user-label">{me.username.clone()}</span>
            <ActionForm action=logout>
                <button type="submit" class="button">"Sign out"</button>
            </ActionForm>
        </header>
    }
}

/// `/partner`: the sign-in form, or once signed in, the served tenants.
#[component]
pub fn PartnerPage() -> impl IntoView {
    let login = ServerAction::<PartnerLogin>::new();
    let me = Resource::new(move || login.version().get(), |_| portal_me());
    view! {
        <Title text="Partner portal"/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! {
                        <PortalHeader me/>
                        <main id="main" class="portal-main"><tenants::ServedTenants/></main>
                    }.into_any(),
                    Ok(None) => view! { <PartnerSignIn login/> }.into_any(),
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PartnerSignIn(login: ServerAction<PartnerLogin>) -> impl IntoView {
    let error = move || login.value().get().and_then(AppResult::err);
    view! {
        <main class="login-page">
            <section class="login-card" aria-labelledby="partner-login-heading">
                <div class="brand-mark" aria-hidden="true">"C"</div>
                <h1 id="partner-login-heading">"Partner portal"</h1>
                <p class="muted">"For service providers' administrators. Tenant users sign in at "<a href="/login">"/login"</a>"."</p>
                <ActionForm action=login attr:class="form-stack">
                    <label for="partner-username">"Username"</label>
                    <input id="partner-username" name="username" type="text" required autocomplete="username" autocapitalize="none" spellcheck="false"/>
                    <label for="partner-password">"Password"</label>
                    <input id="partner-password" name="password" type="password" required autocomplete="current-password"/>
                    {move || error().map(|error| view! { <ErrorMessage error/> })}
                    <button type="submit" class="button primary" disabled=move || login.pending().get()>
                        "Sign in to partner portal"
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
