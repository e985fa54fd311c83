use leptos::prelude::*;

use crate::model::AppError;

/// An error for the person at the browser, announced by screen readers.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    view! { <p role="alert" class="alert alert-error">{error.to_string()}</p> }
}
