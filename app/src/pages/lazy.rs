//! Every page, and the shell around them, is a lazily loaded chunk of the bundle (`cargo leptos
//! build --split`): the first load of a page carries the router and that page's chunks, not the
//! whole console. Hydration (`frontend`, `hydrate_from_async`) waits for the current route's
//! chunks and marks `data-hydrated` only when it is done, so the marker still means that every
//! control of the page has its handlers.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::{
    access_denied::AccessDeniedPage,
    access_mapping::AccessMappingPage,
    audit::AuditPage,
    device_groups::DeviceGroupsPage,
    groups::{detail::GroupDetailPage, list::GroupsPage},
    home::HomePage,
    login::LoginPage,
    partner::{tenant::PartnerTenantPage, PartnerPage},
    password::PasswordPage,
    roles::{
        global_editor::GlobalRoleEditorPage, inventory_editor::InventoryRoleEditorPage,
        list::RolesPage,
    },
    settings::SettingsPage,
    spaces::SpacesPage,
    users::{detail::UserDetailPage, list::UsersPage},
};
use crate::components::app_shell::AppShell;

/// `Name => Page`: a route type whose view, the page component, is split into its own chunk.
/// The pages load their data themselves (resources), so a route has no data of its own.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident,)*) => {$(
        #[doc = concat!("The lazily loaded route of [`", stringify!($page), "`].")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    // The header and navigation around every page but `/login` and the portal's.
    Shell => AppShell,
    Login => LoginPage,
    Partner => PartnerPage,
    PartnerTenant => PartnerTenantPage,
    Home => HomePage,
    Users => UsersPage,
    UserDetail => UserDetailPage,
    Groups => GroupsPage,
    GroupDetail => GroupDetailPage,
    Roles => RolesPage,
    GlobalRoleEditor => GlobalRoleEditorPage,
    InventoryRoleEditor => InventoryRoleEditorPage,
    Spaces => SpacesPage,
    DeviceGroups => DeviceGroupsPage,
    Password => PasswordPage,
    Settings => SettingsPage,
    AccessMapping => AccessMappingPage,
    Audit => AuditPage,
    AccessDenied => AccessDeniedPage,
}
