use leptos::{prelude::*, server_fn::ServerFn};

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

/// A form's reading of its action's failure: the message for one of its fields, shown beside
/// that field (`aria-describedby`), or None.
pub fn field_error<S>(
    action: ServerAction<S>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .and_then(|e| e.for_field(field).map(str::to_owned))
    }
}

/// The failure that belongs to none of the form's `fields`, for its general alert.
pub fn other_error<S>(
    action: ServerAction<S>,
    fields: &'static [&'static str],
) -> impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| fields.iter().all(|f| e.for_field(f).is_none()))
    }
}
