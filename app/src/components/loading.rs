use leptos::prelude::*;
use leptos_router::components::Redirect;
use serde::{de::DeserializeOwned, Serialize};

use crate::{components::feedback::ErrorMessage, model::AppResult};

/// Every read: a resource shown inside `<Transition>`; its error is shown in place, and an ended
/// session sends the browser to `/login`.
#[component]
pub fn Loaded<T, V, F>(resource: Resource<AppResult<T>>, view: F) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => view(value).into_any(),
                        Err(crate::model::AppError::Unauthorized) => {
                            view! { <Redirect path="/login"/> }.into_any()
                        }
                        Err(error) => view! { <ErrorMessage error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
