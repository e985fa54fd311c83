//! Server functions: thin adapters that authorize, validate, call the domain and return DTOs.

pub mod audit;
pub mod device_groups;
pub mod groups;
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

#[cfg(feature = "ssr")]
pub(crate) mod ctx;
#[cfg(feature = "ssr")]
pub mod refusal;
