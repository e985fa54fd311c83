use leptos::prelude::*;
use leptos_meta::Title;

/// Any route Castellan does not have: a readable page with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main class="login-page">
            <section class="login-card">
                <h1>"Page not found"</h1>
                <p class="muted">"There is no page at this address."</p>
                <a class="button primary" href="/">"Go to the home page"</a>
            </section>
        </main>
    }
}
