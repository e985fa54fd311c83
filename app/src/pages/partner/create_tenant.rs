use leptos::{ev, prelude::*};

use crate::{
    api::partner::CreateTenant, components::feedback::ErrorMessage, model::partner::NewTenantInput,
};

/// `Create tenant`: a dialog with the CLI's fields; what was typed stays when it is refused.
#[component]
pub fn CreateTenantDialog(
    templates: Vec<String>,
    open: RwSignal<bool>,
    on_created: impl Fn(String) + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let first = templates.first().cloned().unwrap_or_default();
    let input = RwSignal::new(NewTenantInput {
        template: first,
        ..NewTenantInput::default()
    });
    // Keyboard users start typing at once; Escape closes.
    Effect::new(move |_| {
        use wasm_bindgen::JsCast;
        if let Some(field) = document()
            .get_element_by_id("new-tenant-id")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = field.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(slug)) = create.value().get() {
            on_created(slug);
        }
    });
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateTenant {
            input: input.get_untracked(),
        });
    };
    let on_keydown = move |event: ev::KeyboardEvent| {
        if event.key() == "Escape" {
            open.set(false);
        }
    };
    let field = move |label: &'static str,
                      id: &'static str,
                      kind: &'static str,
                      get: fn(&NewTenantInput) -> String,
                      set: fn(&mut NewTenantInput, String)| {
        view! {
            <label for=id>{label}</label>
            <input id=id type=kind required autocomplete="off" prop:value=move || input.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); input.update(|i| set(i, v)) }/>
        }
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-label="Create tenant" on:keydown=on_keydown>
                <h2>"Create tenant"</h2>
                <form class="form-stack" on:submit=submit>
                    {field("Tenant ID", "new-tenant-id", "text", |i| i.slug.clone(), |i, v| i.slug = v)}
                    {field("Name", "new-tenant-name", "text", |i| i.name.clone(), |i, v| i.name = v)}
                    <label for="new-tenant-template">"Template"</label>
                    <select id="new-tenant-template" on:change=move |ev| { let v = event_target_value(&ev); input.update(|i| i.template = v) }>
                        {templates.into_iter().map(|t| {
                            let selected = { let t = t.clone(); move || input.with(|i| i.template == t) };
                            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {field("Administrator username", "new-tenant-admin", "text", |i| i.admin_username.clone(), |i, v| i.admin_username = v)}
                    {field("Administrator password", "new-tenant-password", "password", |i| i.admin_password.clone(), |i, v| i.admin_password = v)}
                    {move || create.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error/> })}
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || create.pending().get()>"Create tenant"</button>
                        <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </form>
            </div>
        </div>
    }
}
