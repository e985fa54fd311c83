//! Reusable widgets.

pub mod app_shell;
pub mod confirm;
pub mod effective_grid;
pub mod feedback;
pub mod inventory_rows;
pub mod lazy;
pub mod loading;
pub mod module_editor;
pub mod on_demand;
pub mod pager;
pub mod permission_grid;
pub mod role_checklist;
pub mod role_popover;
pub mod user_menu;
pub mod wizard;
