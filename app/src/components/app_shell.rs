use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::{
    api::session::current_user,
    components::{loading::Loaded, user_menu::UserMenu},
    model::{session::Features, AppResult, Me},
};

/// The pages the navigation offers; only pages that exist are listed.
const NAV: &[(&str, &str, bool)] = &[
    ("Home", "/", true),
    ("Users", "/users", false),
    ("User groups", "/groups", false),
    ("Roles", "/roles", false),
];
/// After `Device groups`, which only a template with the device-group tree has.
const NAV_AFTER: &[(&str, &str, bool)] = &[
    ("Spaces", "/spaces", false),
    ("Audit log", "/audit", false),
    ("Settings", "/settings", false),
];

/// Whether the signed-in tenant's template has a part of the console (false while unknown).
pub fn has_feature(me: &AppResult<Me>, feature: impl Fn(&Features) -> bool) -> bool {
    me.as_ref().is_ok_and(|me| feature(&me.features))
}

/// The signed-in user, loaded once by the shell for every page inside it.
pub fn use_me() -> Resource<AppResult<Me>> {
    expect_context::<Resource<AppResult<Me>>>()
}

/// Header (tenant, user menu), navigation, and the page.
#[component]
pub fn AppShell() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    provide_context(me);
    // `Device groups` shows once the tenant is known to have them. Hidden until then, on the
    // server too, so that the server's page and the first render in the browser agree (an effect
    // runs only in the browser, after hydration).
    let device_groups = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(me) = me.get() {
            device_groups.set(has_feature(&me, |f| f.device_groups));
        }
    });
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">"C"</span>"Castellan"</a>
            <Loaded resource=me view=|me| view! {
                <span class="tenant-name" title="Tenant">{me.tenant_name.clone()}</span>
                <UserMenu me/>
            }/>
        </header>
        <div class="layout">
            <nav class="sidenav" aria-label="Main">
                <ul>
                    {NAV.iter().map(|&(label, href, exact)| view! { <li><A href=href exact=exact>{label}</A></li> }).collect_view()}
                    <li hidden=move || !device_groups.get()><A href="/device-groups">"Device groups"</A></li>
                    {NAV_AFTER.iter().map(|&(label, href, exact)| view! { <li><A href=href exact=exact>{label}</A></li> }).collect_view()}
                </ul>
            </nav>
            <main id="main" class="content">
                <Outlet/>
            </main>
        </div>
    }
}
