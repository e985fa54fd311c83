use leptos::prelude::*;

use crate::{
    api::users::CreateUser,
    components::feedback::{field_error, other_error, ErrorMessage},
    model::{users::NewUserInput, Allocation},
};

/// `Add user` on the users list: nothing typed is lost when the server refuses.
#[component]
pub fn CreateUserForm(
    create: ServerAction<CreateUser>,
    /// Whether the template has device users (`Device user` is offered only then).
    device_users: bool,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let allocation = RwSignal::new(Allocation::Professional);
    let device = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            for field in [username, display_name, email, password] {
                field.set(String::new());
            }
            open.set(false);
        }
    });
    let field_error = move |field: &'static str| field_error(create, field);
    let other_error = other_error(create, &["username", "email", "password"]);
    let text_field = move |id: &'static str,
                           label: &'static str,
                           kind: &'static str,
                           value: RwSignal<String>,
                           error: Option<&'static str>| {
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                    aria-describedby=error_id.clone()/>
                {error.map(|f| view! { <p id=error_id.clone() class="field-error">{field_error(f)}</p> })}
            </div>
        }
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button type="button" class="primary" on:click=move |_| open.set(true)>"Add user"</button>
        }>
            <form class="panel inline-form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateUser { input: NewUserInput {
                    username: username.get_untracked(), display_name: display_name.get_untracked(),
                    email: email.get_untracked(), password: password.get_untracked(),
                    allocation: allocation.get_untracked(), device: device.get_untracked(),
                } });
            }>
                <h2>"Add user"</h2>
                {text_field("new-username", "Username", "text", username, Some("username"))}
                {text_field("new-display-name", "Display name", "text", display_name, None)}
                {text_field("new-email", "Email", "email", email, Some("email"))}
                {text_field("new-password", "Password", "password", password, Some("password"))}
                <div class="field">
                    <label for="new-allocation">"Allocation"</label>
                    <select id="new-allocation" on:change=move |ev| if let Ok(a) = event_target_value(&ev).parse() { allocation.set(a) }>
                        {Allocation::ALL.iter().map(|a| view! { <option value=a.as_str()>{a.as_str()}</option> }).collect_view()}
                    </select>
                </div>
                {device_users.then(|| view! {
                    <label class="checkbox-field"><input type="checkbox" prop:checked=move || device.get() on:change=move |ev| device.set(event_target_checked(&ev))/>" Device user"</label>
                    <p class="muted small">"A device user gets the built-in devices role."</p>
                })}
                <button type="submit" class="primary" disabled=move || create.pending().get()>"Create user"</button>
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                {move || other_error().map(|error| view! { <ErrorMessage error/> })}
            </form>
        </Show>
    }
}
