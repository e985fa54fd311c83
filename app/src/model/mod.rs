//! Wasm-safe types shared by the server and the browser.

pub mod audit;
pub mod catalogue;
pub mod device_groups;
pub mod error;
pub mod grid;
pub mod groups;
pub mod ids;
pub mod inventory;
pub mod inventory_access;
pub mod kinds;
pub mod partner;
pub mod passwords;
pub mod roles;
pub mod session;
pub mod settings;
pub mod spaces;
pub mod sso;
pub mod user_inventory;
pub mod users;
pub mod wizard;

pub use error::{AppError, AppResult};
pub use ids::{
    DeviceGroupId, DeviceId, GroupId, InventoryRoleId, RoleId, SpaceId, TenantId, UserId,
};
pub use kinds::{
    Allocation, Audience, InventoryLevel, Operator, Origin, RoleMode, RoleScope, UserKind,
    UserStatus,
};
pub use session::Me;
