use leptos::{html, prelude::*};

/// A confirmation before a destructive action: focus starts on `Cancel`, Escape cancels.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(button) = cancel_ref.get() {
                let _ = button.focus();
            }
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
                <div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-desc">
                    <h2 id="confirm-title">{move || title.get()}</h2>
                    <p id="confirm-desc">{move || message.get()}</p>
                    <div class="actions">
                        <button type="button" node_ref=cancel_ref on:click=move |_| open.set(false)>"Cancel"</button>
                        <button type="button" class="danger" on:click=move |_| { open.set(false); on_confirm.run(()); }>{confirm_label.clone()}</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
