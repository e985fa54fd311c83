//! What every paged list shares: the pager (`Previous page` / `Next page`, SPEC section 6), and
//! a fetch whose latest question alone is answered on screen.

use std::future::Future;

use leptos::prelude::*;

use crate::model::AppError;

/// `Previous page`, where the list is, `Next page`. `go` is called with the page asked for.
#[component]
pub fn Pager(
    /// The `nav`'s accessible name (`Pages`, `Member pages`, `Role pages`).
    label: &'static str,
    at: i64,
    has_next: bool,
    /// `Page 3 of 40 · 4,000 users` or the like.
    summary: String,
    #[prop(into)] go: Callback<i64>,
) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=label>
            <button type="button" disabled={at <= 1} on:click=move |_| go.run(at - 1)>"Previous page"</button>
            <span>{summary}</span>
            <button type="button" disabled={!has_next} on:click=move |_| go.run(at + 1)>"Next page"</button>
        </nav>
    }
}

/// A fetch that may be asked again before it answers (a search typed letter by letter): only the
/// answer to the latest question reaches `answered`; a slow answer to an older one is dropped.
/// An error lands in `error`, and an answer clears it.
pub fn latest_answer<T, Fut>(
    ask: impl Fn() -> Fut + Copy + 'static,
    answered: impl Fn(T) + Copy + 'static,
    error: RwSignal<Option<AppError>>,
) -> impl Fn() + Copy + 'static
where
    T: 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let latest = StoredValue::new(0u64);
    move || {
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        let question = ask();
        leptos::task::spawn_local(async move {
            let answer = question.await;
            if latest.get_value() != ticket {
                return;
            }
            match answer {
                Ok(value) => {
                    error.set(None);
                    answered(value);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    }
}
