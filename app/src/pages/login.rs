use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{
        session::Login,
        sso::{sso_available, StartSso},
    },
    components::feedback::ErrorMessage,
};

/// `/login`: tenant, username, password. One error for every wrong combination.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(Result::err);
    let start = ServerAction::<StartSso>::new();
    Effect::new(move |_| {
        if let Some(Ok(url)) = start.value().get() {
            let _ = window().location().set_href(&url);
        }
    });
    // `Sign in with SSO` appears once the tenant typed has single sign-on.
    let tenant = RwSignal::new(String::new());
    let sso = Resource::new(
        move || tenant.get().trim().to_owned(),
        |tenant| async move {
            if tenant.is_empty() {
                false
            } else {
                sso_available(tenant).await.unwrap_or(false)
            }
        },
    );
    view! {
        <Title text="Sign in"/>
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-heading">
                <div class="brand-mark" aria-hidden="true">"C"</div>
                <h1 id="login-heading">"Sign in to Castellan"</h1>
                <p class="muted">"Use the tenant id your administrator gave you."</p>
                <ActionForm action=login attr:class="form-stack">
                    <label for="login-tenant">"Tenant"</label>
                    <input id="login-tenant" name="tenant" type="text" required autocomplete="organization" autocapitalize="none" spellcheck="false"
                        on:change=move |ev| tenant.set(event_target_value(&ev))
                        on:blur=move |ev| tenant.set(event_target_value(&ev))/>
                    <label for="login-username">"Username"</label>
                    <input id="login-username" name="username" type="text" required autocomplete="username" autocapitalize="none" spellcheck="false"/>
                    <label for="login-password">"Password"</label>
                    <input id="login-password" name="password" type="password" required autocomplete="current-password"/>
                    {move || error().map(|error| view! { <ErrorMessage error/> })}
                    <button type="submit" class="button primary" disabled=move || login.pending().get()>
                        "Sign in"
                    </button>
                </ActionForm>
                <Transition fallback=|| ()>
                    {move || sso.get().filter(|on| *on).map(|_| view! {
                        <div class="sso-form">
                            <p class="muted">"or"</p>
                            <button type="button" class="button" disabled=move || start.pending().get()
                                on:click=move |_| { start.dispatch(StartSso { tenant: tenant.get_untracked() }); }>"Sign in with SSO"</button>
                            {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
                        </div>
                    })}
                </Transition>
            </section>
        </main>
    }
}
