//! Code that loads on first use: a `#[lazy]` function's body is a chunk of the split bundle
//! (`cargo leptos build --split`), fetched the first time it is called.

use std::future::Future;

use leptos::prelude::*;
use send_wrapper::SendWrapper;

/// The view once its chunk has arrived; until then a status line says it is coming. The loader's
/// future holds browser promises (not `Send`); it only ever runs in the browser's one thread.
pub fn when_loaded(view: impl Future<Output = AnyView> + 'static) -> impl IntoView {
    let view = SendWrapper::new(view);
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {Suspend::new(view)}
        </Suspense>
    }
}
