//! Castellan: the pages, the server functions, and (behind `ssr`) the server-side rules and storage.
#![recursion_limit = "512"]

pub mod api;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use components::app_shell::AppShell;
use pages::{
    access_denied::AccessDeniedPage,
    access_mapping::AccessMappingPage,
    audit::AuditPage,
    device_groups::DeviceGroupsPage,
    groups::{detail::GroupDetailPage, list::GroupsPage},
    home::HomePage,
    login::LoginPage,
    not_found::NotFound,
    partner::{tenant::PartnerTenantPage, PartnerPage},
    roles::{
        global_editor::GlobalRoleEditorPage, inventory_editor::InventoryRoleEditorPage,
        list::RolesPage,
    },
    settings::SettingsPage,
    spaces::SpacesPage,
    users::{detail::UserDetailPage, list::UsersPage},
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
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
    // Effects run only in the browser: once this one has run, the page is interactive.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/castellan.css"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title formatter=|text: String| format!("{text} · Castellan")/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/partner") view=PartnerPage/>
                <Route path=path!("/partner/tenants/:id") view=PartnerTenantPage/>
                <ParentRoute path=path!("") view=AppShell>
                    <Route path=path!("") view=HomePage/>
                    <Route path=path!("/users") view=UsersPage/>
                    <Route path=path!("/users/:id") view=UserDetailPage/>
                    <Route path=path!("/groups") view=GroupsPage/>
                    <Route path=path!("/groups/:id") view=GroupDetailPage/>
                    <Route path=path!("/roles") view=RolesPage/>
                    <Route path=path!("/roles/global/new") view=GlobalRoleEditorPage/>
                    <Route path=path!("/roles/global/:id") view=GlobalRoleEditorPage/>
                    <Route path=path!("/roles/inventory/new") view=InventoryRoleEditorPage/>
                    <Route path=path!("/roles/inventory/:id") view=InventoryRoleEditorPage/>
                    <Route path=path!("/spaces") view=SpacesPage/>
                    <Route path=path!("/device-groups") view=DeviceGroupsPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/settings/access-mapping") view=AccessMappingPage/>
                    <Route path=path!("/audit") view=AuditPage/>
                    <Route path=path!("/access-denied") view=AccessDeniedPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
