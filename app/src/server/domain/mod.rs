//! The rules of SPEC section 3, and the operations built from them.

pub mod access;
pub mod applications;
pub mod assignments;
pub mod audit;
pub mod check_access;
pub mod demo;
pub mod device_groups;
pub mod groups;
pub mod guard;
pub mod inventory_assignments;
pub mod inventory_roles;
pub mod partner;
pub mod passwords;
pub mod reach;
pub mod role_choices;
pub mod roles;
pub mod settings;
pub mod spaces;
pub mod sso;
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

/// The longest description or free text a role, group, space or inventory row may have.
pub const MAX_TEXT: usize = 1000;
/// The longest search text.
pub const MAX_QUERY: usize = 200;
/// The last page a list may be asked for (far beyond any real list, far from overflowing).
pub const MAX_PAGE: i64 = 100_000;
/// The most users, groups, roles or rows one request may name.
pub const MAX_ITEMS: usize = 1000;

/// An optional description, trimmed, at most [`MAX_TEXT`] characters; the error is on `description`.
pub fn checked_description(text: &str) -> crate::model::AppResult<String> {
    let text = text.trim();
    if text.chars().count() > MAX_TEXT {
        return Err(crate::model::AppError::validation(
            "description",
            format!("Description must be at most {MAX_TEXT} characters."),
        ));
    }
    Ok(text.to_owned())
}

/// The offset of a 1-based page (pages below 1 are the first), or why the page is refused.
pub fn page_offset(page: i64, page_size: i64) -> crate::model::AppResult<(i64, i64)> {
    if page > MAX_PAGE {
        return Err(crate::model::AppError::validation(
            "page",
            format!("Page must be between 1 and {MAX_PAGE}."),
        ));
    }
    let page = page.max(1);
    Ok((page, (page - 1) * page_size))
}

/// A search text, or why it is refused.
pub fn checked_query(query: &str) -> crate::model::AppResult<&str> {
    if query.chars().count() > MAX_QUERY {
        return Err(crate::model::AppError::validation(
            "query",
            format!("Search text must be at most {MAX_QUERY} characters."),
        ));
    }
    // The user search index joins fields with U+001F: no search may contain a control character.
    if query.chars().any(char::is_control) {
        return Err(crate::model::AppError::validation(
            "query",
            "Search text cannot contain control characters.",
        ));
    }
    Ok(query)
}

/// Refuses a request that names more than [`MAX_ITEMS`] of something.
pub fn checked_count(field: &str, count: usize) -> crate::model::AppResult<()> {
    if count > MAX_ITEMS {
        return Err(crate::model::AppError::validation(
            field,
            format!("At most {MAX_ITEMS} at once."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn huge_or_negative_pages_neither_overflow_nor_wrap() {
        assert_eq!(page_offset(1, 20).ok(), Some((1, 0)));
        assert_eq!(page_offset(-5, 20).ok(), Some((1, 0)));
        assert_eq!(page_offset(3, 20).ok(), Some((3, 40)));
        assert!(page_offset(i64::MAX, 20).is_err());
        assert!(page_offset(MAX_PAGE, 1000).is_ok_and(|(_, offset)| offset > 0));
    }

    #[test]
    fn texts_and_counts_have_limits() {
        assert!(checked_description(&"d".repeat(MAX_TEXT)).is_ok());
        assert!(checked_description(&"d".repeat(MAX_TEXT + 1)).is_err());
        assert!(checked_query(&"q".repeat(MAX_QUERY + 1)).is_err());
        assert!(checked_count("subjects", MAX_ITEMS).is_ok());
        assert!(checked_count("subjects", MAX_ITEMS + 1).is_err());
    }
}
