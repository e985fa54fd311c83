//! `/login`. The page a visitor meets first carries as little code as it can (SPEC section 5:
//! at most 200 KiB before it is interactive). Its form is a plain HTML form that posts to
//! `/api/login` itself: it works before the page's code arrives, or without it (a failure comes
//! back as `/login?error=…` with what was typed but the password). Once the page is hydrated,
//! `Sign in` calls the server function in the page instead, as every other form does, and the
//! console opens without a page load. Everything that talks to the server (signing in, asking
//! whether the tenant has single sign-on, starting it) is one lazily loaded part of the bundle,
//! fetched when it is first needed: the server-function client is not part of the page's first
//! load.

use leptos::{ev::SubmitEvent, html, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{
        session::login,
        sso::{sso_available, start_sso},
    },
    components::feedback::ErrorMessage,
    model::AppError,
};

/// What the sign-in page asks the server.
enum Call {
    SignIn {
        tenant: String,
        username: String,
        password: String,
    },
    SsoOffered(String),
    StartSso(String),
}

/// Its answers.
enum Answer {
    /// Signed in: the server function's redirect has already sent the browser on.
    SignedIn,
    SsoOffered(bool),
    /// The identity provider's address, where the browser goes next.
    SsoAt(String),
}

/// The server-function calls of the sign-in page, fetched with the first of them.
#[lazy]
async fn call(call: Call) -> Result<Answer, AppError> {
    match call {
        Call::SignIn {
            tenant,
            username,
            password,
        } => login(tenant, username, password)
            .await
            .map(|()| Answer::SignedIn),
        Call::SsoOffered(tenant) => sso_available(tenant).await.map(Answer::SsoOffered),
        Call::StartSso(tenant) => start_sso(tenant).await.map(Answer::SsoAt),
    }
}

/// `/login`: tenant, username, password. One error for every wrong combination.
#[component]
pub fn LoginPage() -> impl IntoView {
    // A form the browser posted itself comes back with the failure and what was typed.
    let query = use_query_map().get_untracked();
    let typed = |key: &str| query.get(key).unwrap_or_default();
    let error = RwSignal::new(
        query
            .get("error")
            .map(|code| AppError::from_sign_in_code(&code)),
    );
    let pending = RwSignal::new(false);
    let (tenant_input, username_input, password_input) = (
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Input>::new(),
        NodeRef::<html::Input>::new(),
    );
    let value = |input: NodeRef<html::Input>| input.get().map(|i| i.value()).unwrap_or_default();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let sign_in = Call::SignIn {
            tenant: value(tenant_input),
            username: value(username_input),
            password: value(password_input),
        };
        leptos::task::spawn_local(async move {
            let result = call(sign_in).await;
            pending.set(false);
            error.set(result.err());
        });
    };

    // `Sign in with SSO` appears once the tenant typed has single sign-on. Answers that come
    // back after the tenant changed again are dropped.
    let tenant = RwSignal::new(String::new());
    let sso = RwSignal::new(false);
    let ask_sso = move |typed: String| {
        let typed = typed.trim().to_owned();
        if typed == tenant.get_untracked() {
            return;
        }
        tenant.set(typed.clone());
        sso.set(false);
        if typed.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            let offered = matches!(
                call(Call::SsoOffered(typed.clone())).await,
                Ok(Answer::SsoOffered(true))
            );
            if tenant.get_untracked() == typed {
                sso.set(offered);
            }
        });
    };
    // A tenant that came back in the address is asked about once the page runs.
    let returned = typed("tenant");
    Effect::new(move |_| ask_sso(returned.clone()));
    let sso_error = RwSignal::new(None::<AppError>);
    let sso_pending = RwSignal::new(false);
    let start = move |_| {
        sso_pending.set(true);
        let at = tenant.get_untracked();
        leptos::task::spawn_local(async move {
            match call(Call::StartSso(at)).await {
                Ok(Answer::SsoAt(url)) => {
                    let _ = window().location().set_href(&url);
                }
                Ok(_) => sso_error.set(Some(AppError::Internal)),
                Err(failure) => sso_error.set(Some(failure)),
            }
            sso_pending.set(false);
        });
    };
    view! {
        <Title text="Sign in"/>
        <main class="login-page">
            <section class="login-card" aria-labelledby="login-heading">
                <div class="brand-mark" aria-hidden="true">"C"</div>
                <h1 id="login-heading">"Sign in to Castellan"</h1>
                <p class="muted">"Use the tenant id your administrator gave you."</p>
                <form method="post" action="/api/login" class="form-stack" on:submit=submit>
                    <label for="login-tenant">"Tenant"</label>
                    <input id="login-tenant" name="tenant" type="text" required autocomplete="organization" autocapitalize="none" spellcheck="false"
                        value=typed("tenant") node_ref=tenant_input
                        on:change=move |ev| ask_sso(event_target_value(&ev))
                        on:blur=move |ev| ask_sso(event_target_value(&ev))/>
                    <label for="login-username">"Username"</label>
                    <input id="login-username" name="username" type="text" required autocomplete="username" autocapitalize="none" spellcheck="false"
                        value=typed("username") node_ref=username_input/>
                    <label for="login-password">"Password"</label>
                    <input id="login-password" name="password" type="password" required autocomplete="current-password" node_ref=password_input/>
                    {move || error.get().map(|error| view! { <ErrorMessage error/> })}
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        "Sign in"
                    </button>
                </form>
                {move || sso.get().then(|| view! {
                    <div class="sso-form">
                        <p class="muted">"or"</p>
                        <button type="button" class="button" disabled=move || sso_pending.get() on:click=start>"Sign in with SSO"</button>
                        {move || sso_error.get().map(|error| view! { <ErrorMessage error/> })}
                    </div>
                })}
            </section>
        </main>
    }
}
