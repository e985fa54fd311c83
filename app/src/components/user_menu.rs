use leptos::{ev, prelude::*};

use crate::{api::session::Logout, model::Me};

/// `User menu`: a disclosure button; Escape or a click elsewhere closes it.
#[component]
pub fn UserMenu(me: Me) -> impl IntoView {
    let open = RwSignal::new(false);
    let logout = ServerAction::<Logout>::new();
    let initial = me
        .label()
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    let on_keydown = move |event: ev::KeyboardEvent| {
        if event.key() == "Escape" {
            open.set(false);
        }
    };
    view! {
        <div class="user-menu" on:keydown=on_keydown on:focusout=move |event: ev::FocusEvent| {
            if event.related_target().is_none() { open.set(false) }
        }>
            <button
                type="button"
                class="user-menu-button"
                aria-label="User menu"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="user-menu-panel"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="user-label">{me.label().to_owned()}</span>
            </button>
            <div id="user-menu-panel" class="menu" hidden=move || !open.get()>
                <p class="menu-heading">
                    "Signed in as " <strong>{me.username.clone()}</strong>
                    <br/>
                    <span class="muted">{me.tenant_name.clone()}</span>
                </p>
                <a class="menu-item" href="/password" on:click=move |_| open.set(false)>"Change password"</a>
                <a class="menu-item" href="/access-denied" on:click=move |_| open.set(false)>"Access denied requests"</a>
                <ActionForm action=logout>
                    <button type="submit" class="menu-item">"Sign out"</button>
                </ActionForm>
            </div>
        </div>
    }
}
