//! Castellan: the pages, the server functions, and (behind `ssr`) the server-side rules and storage.
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, Lazy,
};

use pages::{lazy, login::LoginPage, not_found::NotFound};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The bundle's address changes with its content, so the browser may cache it for good.
    #[cfg(feature = "ssr")]
    let root = server::assets::root(&options.site_root);
    #[cfg(not(feature = "ssr"))]
    let root = "";
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="stylesheet" href=format!("{root}/pkg/castellan.css")/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options root/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    server::security::set_page_policy();
    view! {
        <Title formatter=|text: String| format!("{text} · Castellan")/>
        <Router>
            <Routes fallback=NotFound>
                // The sign-in page is in the main module, not a lazily loaded group: the first page
                // most visitors meet then needs no second round trip and no chunk of its own
                // (SPEC section 5; `pages::lazy` says why files are few).
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/partner") view={Lazy::<lazy::Partner>::new()}/>
                <Route path=path!("/partner/tenants/:id") view={Lazy::<lazy::PartnerTenant>::new()}/>
                <ParentRoute path=path!("") view={Lazy::<lazy::Shell>::new()}>
                    <Route path=path!("") view={Lazy::<lazy::Home>::new()}/>
                    <Route path=path!("/users") view={Lazy::<lazy::Users>::new()}/>
                    <Route path=path!("/users/:id") view={Lazy::<lazy::UserDetail>::new()}/>
                    <Route path=path!("/groups") view={Lazy::<lazy::Groups>::new()}/>
                    <Route path=path!("/groups/:id") view={Lazy::<lazy::GroupDetail>::new()}/>
                    <Route path=path!("/roles") view={Lazy::<lazy::Roles>::new()}/>
                    <Route path=path!("/roles/global/new") view={Lazy::<lazy::GlobalRoleEditor>::new()}/>
                    <Route path=path!("/roles/global/:id") view={Lazy::<lazy::GlobalRoleEditor>::new()}/>
                    <Route path=path!("/roles/inventory/new") view={Lazy::<lazy::InventoryRoleEditor>::new()}/>
                    <Route path=path!("/roles/inventory/:id") view={Lazy::<lazy::InventoryRoleEditor>::new()}/>
                    <Route path=path!("/spaces") view={Lazy::<lazy::Spaces>::new()}/>
                    <Route path=path!("/device-groups") view={Lazy::<lazy::DeviceGroups>::new()}/>
                    <Route path=path!("/settings") view={Lazy::<lazy::Settings>::new()}/>
                    <Route path=path!("/settings/access-mapping") view={Lazy::<lazy::AccessMapping>::new()}/>
                    <Route path=path!("/audit") view={Lazy::<lazy::Audit>::new()}/>
                    <Route path=path!("/access-denied") view={Lazy::<lazy::AccessDenied>::new()}/>
                    <Route path=path!("/password") view={Lazy::<lazy::Password>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
