use leptos::prelude::*;

use crate::model::AppError;

/// An error for the person at the browser, announced by screen readers.
#[component]
pub fn ErrorMessage(error: AppError) -> impl IntoView {
    if error == AppError::Conflict {
        // SPEC rule 11: a stale save says so and offers the latest version.
        return view! {
            <div role="alert" class="alert alert-error">
                "This was changed by someone else. Your changes were not saved. "
                <button type="button" on:click=move |_| { let _ = window().location().reload(); }>"Reload"</button>
            </div>
        }
        .into_any();
    }
    view! { <p role="alert" class="alert alert-error">{error.to_string()}</p> }.into_any()
}
