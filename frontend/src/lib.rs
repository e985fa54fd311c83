#![recursion_limit = "512"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the current route's chunk of the split bundle, then hydrates.
    leptos::mount::hydrate_lazy(app::App);
}
