//! One file per route.

pub mod access_denied;
pub mod access_mapping;
pub mod audit;
pub mod device_groups;
pub mod groups;
pub mod home;
pub mod lazy;
pub mod login;
pub mod not_found;
pub mod partner;
pub mod password;
pub mod roles;
pub mod settings;
pub mod spaces;
pub mod users;
