//! The console's pages, the shell around them and the partner portal are lazily loaded chunks of
//! the bundle (`cargo leptos build --split`): the first load of a page carries the router and that
//! page's group of pages, not the whole console. Hydration (`frontend`, `hydrate_from_async`)
//! waits for the current route's chunks and marks `data-hydrated` only when it is done, so the
//! marker still means that every control of the page has its handlers. The sign-in page is not
//! here: it is in the main module (`crate::App`), so that the first page most visitors meet
//! needs nothing else (SPEC section 5).
//!
//! Pages load in three groups, one split point each, not one split point per page: wasm-split puts
//! each function into a chunk of its own for every distinct set of split points that use it, and
//! 22 split points made 675 files, most of them under a kilobyte, each compressed on its own. The
//! same code in a handful of files is far smaller on the wire (measured on 2026-12-06 with
//! `end2end/tests/bundle.spec.ts`: the way to the users list 264,452 bytes brotli in 295 files
//! with a split point per page, 122,541 in 7 with four groups). The groups follow how people
//! move: the partner portal; the shell with the home page and the users list (where a tenant
//! administrator starts); every other console page. What opens on a click is a fourth
//! (`components::on_demand`), the sign-in page's calls to the server a fifth (`pages::login`).

use leptos::prelude::*;
use leptos_router::LazyRoute;

use super::{
    access_denied::AccessDeniedPage,
    access_mapping::AccessMappingPage,
    audit::AuditPage,
    device_groups::DeviceGroupsPage,
    groups::{detail::GroupDetailPage, list::GroupsPage},
    home::HomePage,
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

/// `group / preload: Pages { Route => Page, … }`: one lazily loaded function `group` renders every
/// page of the group (one split point, so one chunk for the group's own code), and each route
/// type's view asks it for its page. `preload` is the name `#[lazy]` gives the function's
/// preloader in the browser (`__preload_<group>`).
macro_rules! lazy_page_groups {
    ($($group:ident / $preload:ident: $pages:ident { $($route:ident => $page:ident,)* })*) => {$(
        #[doc = concat!("The pages of [`", stringify!($group), "`].")]
        #[derive(Clone, Copy)]
        enum $pages {
            $($route,)*
        }

        #[lazy]
        fn $group(page: $pages) -> AnyView {
            match page {
                $($pages::$route => view! { <$page/> }.into_any(),)*
            }
        }

        $(
            #[doc = concat!("The lazily loaded route of [`", stringify!($page), "`].")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_route: Self) -> AnyView {
                    $group($pages::$route).await
                }

                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    )*};
}

lazy_page_groups! {
    portal_pages / __preload_portal_pages: PortalPages {
        Partner => PartnerPage,
        PartnerTenant => PartnerTenantPage,
    }
    // The header and navigation around every page but `/login` and the portal's, the home page
    // and the users list.
    start_pages / __preload_start_pages: StartPages {
        Shell => AppShell,
        Home => HomePage,
        Users => UsersPage,
    }
    console_pages / __preload_console_pages: ConsolePages {
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
}
