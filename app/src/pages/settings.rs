use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::{
        passwords::{load_password_policy, SavePasswordPolicy},
        sso::{load_sso_settings, SaveSsoSettings},
    },
    components::{
        feedback::{field_error, ErrorMessage},
        loading::Loaded,
    },
    model::{
        passwords::{PasswordPolicy, PasswordSettings, MIN_LENGTH_CEILING, MIN_LENGTH_FLOOR},
        sso::{SsoSettings, SsoSettingsInput},
        RoleMode,
    },
};

/// `/settings`: the tenant's password policy, single sign-on (provider, role mode, manual
/// changes) and a way to its access-mapping rules.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSsoSettings>::new();
    let settings = Resource::new(|| (), |_| load_sso_settings());
    let passwords = Resource::new(|| (), |_| load_password_policy());
    view! {
        <Title text="Settings"/>
        <header class="page-header"><h1>"Settings"</h1></header>
        <Loaded resource=passwords view=move |p: PasswordSettings| view! { <PasswordSection p/> }/>
        <Loaded resource=settings view=move |s: SsoSettings| view! { <SsoSection s save/> }/>
    }
}

/// `Minimum password length` and the rest of the policy every new password must meet.
#[component]
fn PasswordSection(p: PasswordSettings) -> impl IntoView {
    let save = ServerAction::<SavePasswordPolicy>::new();
    // Kept as typed: a refused length stays in the field with its reason beside it.
    let min_length = RwSignal::new(p.policy.min_length.to_string());
    let username = RwSignal::new(p.policy.disallow_username);
    let common = RwSignal::new(p.policy.check_common);
    let can_edit = p.can_edit;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let policy = PasswordPolicy {
            // Not a number: 0, which the server refuses with the allowed range.
            min_length: min_length.get_untracked().trim().parse().unwrap_or(0),
            disallow_username: username.get_untracked(),
            check_common: common.get_untracked(),
        };
        save.dispatch(SavePasswordPolicy { policy });
    };
    let length_error = field_error(save, "min_length");
    view! {
        <section class="panel" aria-labelledby="passwords-heading">
            <h2 id="passwords-heading">"Passwords"</h2>
            <p class="muted">"Applies wherever a password is set: a new user, a one-time password, a user changing their own. Passwords already set stay until they are changed."</p>
            <form class="form-stack" novalidate on:submit=submit>
                <label for="password-min-length">"Minimum password length"</label>
                <input id="password-min-length" type="number" min=MIN_LENGTH_FLOOR max=MIN_LENGTH_CEILING disabled=!can_edit
                    aria-describedby="password-min-length-error" aria-invalid=move || length_error().is_some().to_string()
                    prop:value=move || min_length.get() on:input=move |ev| min_length.set(event_target_value(&ev))/>
                <p id="password-min-length-error" class="field-error">{length_error}</p>
                <label class="checkbox-field">
                    <input type="checkbox" disabled=!can_edit prop:checked=move || username.get() on:change=move |ev| username.set(event_target_checked(&ev))/>
                    " Disallow the username in the password"
                </label>
                <label class="checkbox-field">
                    <input type="checkbox" disabled=!can_edit prop:checked=move || common.get() on:change=move |ev| common.set(event_target_checked(&ev))/>
                    " Refuse common passwords"
                </label>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || !can_edit || save.pending().get()>"Save password policy"</button>
                </div>
                {move || save.value().get().map(|r| match r {
                    Ok(()) => view! { <p role="status" class="alert alert-success">"Password policy saved."</p> }.into_any(),
                    Err(error) if error.for_field("min_length").is_some() => ().into_any(),
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })}
            </form>
        </section>
    }
}

#[component]
fn SsoSection(s: SsoSettings, save: ServerAction<SaveSsoSettings>) -> impl IntoView {
    let issuer = RwSignal::new(s.issuer.clone());
    let client_id = RwSignal::new(s.client_id.clone());
    let secret = RwSignal::new(String::new());
    let claim = RwSignal::new(s.username_claim.clone());
    let mode = RwSignal::new(s.role_mode);
    let manual = RwSignal::new(s.manual_changes);
    let can_edit = s.can_edit;
    let secret_hint = if s.has_client_secret {
        "A secret is stored. Leave this empty to keep it."
    } else {
        "No secret is stored yet."
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSsoSettings {
            input: SsoSettingsInput {
                issuer: issuer.get_untracked(),
                client_id: client_id.get_untracked(),
                client_secret: secret.get_untracked(),
                username_claim: claim.get_untracked(),
                role_mode: mode.get_untracked(),
                manual_changes: manual.get_untracked(),
            },
        });
    };
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            secret.set(String::new());
        }
    });
    view! {
        <section class="panel" aria-labelledby="sso-heading">
            <h2 id="sso-heading">"Single sign-on"</h2>
            <p class="muted">"Users sign in with your OpenID Connect provider (Keycloak, Entra ID, Google…). Register this redirect URI there: "<code>{s.redirect_uri.clone()}</code></p>
            <form class="form-stack" on:submit=submit>
                <label for="sso-issuer">"Issuer URL"</label>
                <input id="sso-issuer" type="url" placeholder="https://idp.example.com/realms/acme" disabled=!can_edit
                    prop:value=move || issuer.get() on:input=move |ev| issuer.set(event_target_value(&ev))/>
                <label for="sso-client">"Client ID"</label>
                <input id="sso-client" type="text" disabled=!can_edit autocomplete="off"
                    prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev))/>
                <label for="sso-secret">"Client secret"</label>
                <input id="sso-secret" type="password" disabled=!can_edit autocomplete="new-password" aria-describedby="sso-secret-hint"
                    prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))/>
                <p id="sso-secret-hint" class="muted">{secret_hint}</p>
                <label for="sso-claim">"Username claim"</label>
                <input id="sso-claim" type="text" disabled=!can_edit
                    prop:value=move || claim.get() on:input=move |ev| claim.set(event_target_value(&ev))/>
                <label for="sso-mode">"Role mode"</label>
                <select id="sso-mode" disabled=!can_edit
                    on:change={move |ev| if let Ok(m) = event_target_value(&ev).parse::<RoleMode>() { mode.set(m) }}>
                    {RoleMode::ALL.iter().map(|m| {
                        let m = *m;
                        view! { <option value=m.as_str() selected=move || mode.get() == m>{m.label()}</option> }
                    }).collect_view()}
                </select>
                <label class="checkbox-field">
                    <input type="checkbox" disabled=!can_edit prop:checked=move || manual.get() on:change=move |ev| manual.set(event_target_checked(&ev))/>
                    " Allow manual role changes for SSO users"
                </label>
                <p class="muted">"Roles the access mapping manages are locked on SSO users' pages: all of them when reassigning on every sign-in, those named by a rule with only the listed roles, none when roles are given only at creation. Allowing manual changes unlocks them."</p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || !can_edit || save.pending().get()>"Save"</button>
                    <A href="/settings/access-mapping">"Access mapping"</A>
                </div>
                {move || save.value().get().map(|r| match r {
                    Ok(()) => view! { <p role="status" class="alert alert-success">"Saved."</p> }.into_any(),
                    Err(error) => view! { <ErrorMessage error/> }.into_any(),
                })}
            </form>
        </section>
    }
}
