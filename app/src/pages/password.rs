use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::passwords::ChangePassword,
    components::{
        app_shell::use_me,
        feedback::{field_error, other_error, ErrorMessage},
        loading::Loaded,
    },
    model::{passwords::MUST_CHANGE, Me},
};

/// `/password` (user menu `Change password`): the signed-in user's own password. A user with a
/// one-time password is sent here first, and may go nowhere else until it is changed.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let me = use_me();
    let change = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let forced = move || {
        me.get()
            .and_then(Result::ok)
            .is_some_and(|me| me.must_change_password)
    };
    // After a one-time password is changed, home, once the shell knows it is over (until then
    // the shell would send the user back here).
    let leaving = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
            if forced() {
                leaving.set(true);
                me.refetch();
            }
        }
    });
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let over = me
            .get()
            .and_then(Result::ok)
            .is_some_and(|me| !me.must_change_password);
        if leaving.get() && over {
            navigate("/", Default::default());
        }
    });
    let field_error = move |field: &'static str| field_error(change, field);
    let other_error = other_error(change, &["current_password", "new_password"]);
    let field = move |id: &'static str,
                      label: &'static str,
                      autocomplete: &'static str,
                      value: RwSignal<String>,
                      error: &'static str| {
        let error_id = format!("{id}-error");
        view! {
            <label for=id>{label}</label>
            <input id=id type="password" autocomplete=autocomplete aria-describedby=error_id.clone()
                aria-invalid=move || field_error(error)().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <p id=error_id class="field-error">{field_error(error)}</p>
        }
    };
    view! {
        <Title text="Change password"/>
        <header class="page-header"><h1>"Change password"</h1></header>
        // Inside a Transition like every read, so that the server's page and the hydrated one agree.
        <Loaded resource=me view=|me: Me| me.must_change_password.then(|| view! { <p role="status" class="alert alert-info">{MUST_CHANGE}</p> })/>
        {move || change.value().get().and_then(Result::ok).map(|_| view! { <p role="status" class="alert alert-success">"Password changed."</p> })}
        <section class="panel">
            <form class="form-stack" novalidate on:submit=move |ev| {
                ev.prevent_default();
                change.dispatch(ChangePassword { current: current.get_untracked(), new: new.get_untracked() });
            }>
                {field("current-password", "Current password", "current-password", current, "current_password")}
                {field("new-password", "New password", "new-password", new, "new_password")}
                <p class="muted small">"Your other sessions end when the password changes. The tenant's password policy applies."</p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || change.pending().get()>"Change password"</button>
                </div>
                {move || other_error().map(|error| view! { <ErrorMessage error/> })}
            </form>
        </section>
    }
}
