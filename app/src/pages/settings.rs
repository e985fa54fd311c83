use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::settings::{load_settings, SetSsoManualChanges},
    components::{feedback::ErrorMessage, loading::Loaded},
    model::settings::TenantSettings,
};

/// `/settings`: tenant settings (SSO role lock).
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SetSsoManualChanges>::new();
    let settings = Resource::new(|| (), |_| load_settings());
    view! {
        <Title text="Settings"/>
        <header class="page-header"><h1>"Settings"</h1></header>
        <Loaded resource=settings view=move |s: TenantSettings| {
            let allowed = RwSignal::new(s.sso_manual_changes);
            view! {
                <section class="panel" aria-labelledby="sso-heading">
                    <h2 id="sso-heading">"Single sign-on"</h2>
                    <p class="muted">"Roles of users created by SSO come from the access-mapping rules and are locked here. Allowing manual changes lets administrators edit them anyway."</p>
                    <label class="checkbox-field">
                        <input type="checkbox" disabled=!s.can_edit prop:checked=move || allowed.get() on:change=move |ev| allowed.set(event_target_checked(&ev))/>
                        " Allow manual role changes for SSO users"
                    </label>
                    <div class="actions">
                        <button type="button" class="primary" disabled=move || !s.can_edit || save.pending().get()
                            on:click=move |_| { save.dispatch(SetSsoManualChanges { allowed: allowed.get_untracked() }); }>"Save"</button>
                    </div>
                    {move || save.value().get().map(|r| match r {
                        Ok(()) => view! { <p role="status" class="alert alert-success">"Saved."</p> }.into_any(),
                        Err(error) => view! { <ErrorMessage error/> }.into_any(),
                    })}
                </section>
            }
        }/>
    }
}
