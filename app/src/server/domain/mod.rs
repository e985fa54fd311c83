//! The rules of SPEC section 3, and the operations built from them.

pub mod access;
pub mod assignments;
pub mod demo;
pub mod device_groups;
pub mod groups;
pub mod inventory_roles;
pub mod roles;
pub mod settings;
pub mod spaces;
pub mod tenants;
#[cfg(test)]
pub mod testing;
pub mod users;
pub mod wizard;
