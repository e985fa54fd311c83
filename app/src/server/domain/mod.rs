//! The rules of SPEC section 3, and the operations built from them.

pub mod access;
pub mod assignments;
pub mod check_access;
pub mod demo;
pub mod device_groups;
pub mod groups;
pub mod guard;
pub mod inventory_assignments;
pub mod inventory_roles;
pub mod roles;
pub mod settings;
pub mod spaces;
pub mod tenants;
#[cfg(test)]
pub mod testing;
pub mod user_pages;
pub mod users;
pub mod wizard;

/// The longest name a space, group or device group may have.
pub const MAX_NAME: usize = 100;

/// A required name, trimmed, at most `MAX_NAME` characters; the error is on field `name`.
pub fn checked_name(name: &str) -> crate::model::AppResult<String> {
    use crate::model::AppError;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "Name is required."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(AppError::validation(
            "name",
            format!("Name must be at most {MAX_NAME} characters."),
        ));
    }
    Ok(name.to_owned())
}
