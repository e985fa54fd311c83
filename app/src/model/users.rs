use serde::{Deserialize, Serialize};

use super::{
    catalogue::Catalogue, ids::RoleId, roles::Provenance, Allocation, Audience, GroupId, Origin,
    UserId, UserStatus,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: RoleId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserListRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub status: UserStatus,
    pub origin: Origin,
    /// A device user (`iot`), not a person.
    pub device: bool,
    pub roles: Vec<RoleRef>,
    /// The version of `roles`, sent back with a change (SPEC rule 11).
    pub roles_version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserListRow>,
    /// How many match; for a search at most `SEARCH_COUNT_LIMIT` (10,000), see `more`.
    pub total: i64,
    /// More than `total` users match the search: the count stopped there.
    pub more: bool,
    pub page: i64,
    pub page_size: i64,
    /// Whether the viewer may create users (as their own sub-users when they cannot assign roles).
    pub can_create: bool,
    /// Whether the viewer may assign roles (the wizard, `Remove roles`).
    pub can_assign: bool,
    /// Whether the template has device users: the list offers `User type`.
    pub device_users: bool,
}

impl UserPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }

    /// What the pager says: "Page 2 of 5 · 87 users", or "Page 2 · more than 10000 users".
    pub fn summary(&self) -> String {
        if self.more {
            format!("Page {} · more than {} users", self.page, self.total)
        } else {
            format!(
                "Page {} of {} · {} users",
                self.page,
                self.pages(),
                self.total
            )
        }
    }

    /// Whether a next page exists.
    pub fn has_next(&self) -> bool {
        if self.more {
            self.rows.len() as i64 == self.page_size
        } else {
            self.page < self.pages()
        }
    }
}

/// A role as an assignment control offers it: disabled, with the reason, when the acting
/// admin could not grant it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignableRole {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub audience: Audience,
    /// Space-Specific roles are assigned with the wizard, which asks for the spaces.
    pub space_bound: bool,
    pub grantable: bool,
    pub reason: Option<String>,
}

/// Whose role checklist: the roles a user or group holds come first, and an SSO user's mapped
/// roles are not grantable (SPEC rule 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RolesOf {
    User(UserId),
    Group(GroupId),
}

/// One page of a role checklist: the roles whose name or description contains the search, the
/// subject's own roles first, then by name (a tenant may have thousands of roles).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleChoices {
    pub roles: Vec<AssignableRole>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl RoleChoices {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size.max(1)).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub status: UserStatus,
    pub origin: Origin,
    pub allocation: Allocation,
    pub device: bool,
    pub owner: Option<String>,
    pub is_partner_admin: bool,
    pub version: i64,
    /// The version of the user's global roles, sent back with `Save` (SPEC rule 11).
    pub roles_version: i64,
    /// Why roles cannot be changed here (SSO lock, partner administrator), if so.
    pub roles_locked: Option<String>,
    /// Whether the user sees `Add new`, in templates that have it.
    pub add_new: Option<AddNew>,
    /// Whether the viewer may edit, disable or delete this user.
    pub can_manage: bool,
    /// Why this user can be neither disabled nor deleted although the viewer manages them (their
    /// own account; the last active tenant admin), shown before the click.
    pub keep_reason: Option<String>,
    pub role_ids: Vec<RoleId>,
    /// The first page of the user's role checklist (the rest comes with `roles/choices`).
    pub roles: RoleChoices,
    pub catalogue: Catalogue,
    pub provenance: Provenance,
    /// Whether the viewer may change this user's global roles (a sub-user manager: only roles
    /// they hold).
    pub can_edit: bool,
    /// Whether the viewer holds the assign permission: `Assign roles`, application access and
    /// inventory roles need it (SPEC rule 8).
    pub can_assign_anywhere: bool,
    /// Whether the `Inventory roles` tab shows: the template has the device-group tree and the
    /// viewer may view users tenant-wide (a sub-user manager may not, SPEC rule 8).
    pub sees_inventory: bool,
    /// The template's applications as this user has them (`Application access`), by name.
    pub applications: Vec<AppAccess>,
    /// Why the user sees every application anyway, when a permission says so.
    pub sees_all_applications: Option<String>,
}

/// A new user as the create form sends it. An empty password makes an account that cannot sign
/// in with a password (an SSO user signs in through their provider instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub allocation: Allocation,
    pub device: bool,
}

/// The editable details of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUpdate {
    pub id: UserId,
    pub display_name: String,
    pub email: String,
    pub allocation: Allocation,
    pub active: bool,
    pub version: i64,
}

/// Why an email address is refused, or None when it is acceptable (empty is allowed).
pub fn email_problem(email: &str) -> Option<&'static str> {
    let email = email.trim();
    if email.is_empty() {
        return None;
    }
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
        });
    (!valid).then_some("Enter an email address like name@example.com.")
}

/// Why a username is refused, or None.
pub fn username_problem(username: &str) -> Option<&'static str> {
    let username = username.trim();
    if username.is_empty() {
        Some("Username is required.")
    } else if username.chars().count() > 100 {
        Some("Username must be at most 100 characters.")
    } else if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        Some("Username cannot contain spaces.")
    } else if !username.chars().all(username_char) {
        // ASCII only: no look-alike letters from other scripts, no invisible format characters
        // (U+202E and the like), and case-insensitive uniqueness means the same in every database.
        Some("Username may contain only letters a–z, digits and . _ - @ +")
    } else {
        None
    }
}

fn username_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')
}

/// The longest display name accepted.
pub const MAX_DISPLAY_NAME: usize = 200;

/// Why a display name is refused, or None.
pub fn display_name_problem(name: &str) -> Option<String> {
    let name = name.trim();
    if name.chars().count() > MAX_DISPLAY_NAME {
        Some(format!(
            "Display name must be at most {MAX_DISPLAY_NAME} characters."
        ))
    } else if name.chars().any(|c| c.is_control() || is_format_char(c)) {
        Some("Display name cannot contain control or invisible formatting characters.".into())
    } else {
        None
    }
}

/// Unicode format characters that reorder or hide text (bidi overrides, zero-width marks).
fn is_format_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_plain_ascii_and_display_names_have_no_hidden_characters() {
        for ok in ["admin", "sso.dave", "first.last@example.com", "a_b-c+d"] {
            assert_eq!(username_problem(ok), None, "{ok}");
        }
        for bad in ["ad\u{202E}min", "аdmin", "zoë", "a/b", "with space", ""] {
            assert!(username_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(display_name_problem("Zoë Ångström"), None);
        assert!(display_name_problem("Mallory\u{202E}nimda").is_some());
        assert!(display_name_problem(&"x".repeat(MAX_DISPLAY_NAME + 1)).is_some());
    }

    #[test]
    fn email_addresses_are_checked_for_shape_and_empty_is_allowed() {
        for ok in ["", "a@b.co", "first.last+tag@mail.example.com"] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for bad in [
            "alice", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@b..co", "a@.co",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn analyzers_see_add_new_only_through_a_create_role() {
        let mut g = crate::model::catalogue::Grants::new();
        assert!(sees_add_new(Allocation::Professional, &g, "Create "));
        assert!(!sees_add_new(Allocation::Analyzer, &g, "Create "));
        g.entry("API keys".into())
            .or_default()
            .insert("Allowed".into());
        assert!(!sees_add_new(Allocation::Analyzer, &g, "Create "));
        g.entry("Create shared spaces".into())
            .or_default()
            .insert("Allowed".into());
        assert!(sees_add_new(Allocation::Analyzer, &g, "Create "));
    }

    #[test]
    fn usernames_need_content_and_no_spaces() {
        assert_eq!(username_problem("sso.dave"), None);
        assert!(username_problem("  ").is_some());
        assert!(username_problem("two words").is_some());
        assert!(username_problem(&"x".repeat(101)).is_some());
    }
}

/// Whether a user sees `Add new` (templates that have it, e.g. `analytics`): a Professional
/// allocation allows creating; for an Analyzer only a role that grants a `Create …` permission
/// does (seed 003: "an analyzer user who is assigned a space creator role will gain access").
pub fn sees_add_new(
    allocation: Allocation,
    effective: &super::catalogue::Grants,
    prefix: &str,
) -> bool {
    allocation == Allocation::Professional || effective.keys().any(|t| t.starts_with(prefix))
}

/// `Add new` for one user, with the reason, as the user page explains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddNew {
    pub shown: bool,
    pub reason: String,
}

/// One application on a user's `Application access` tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppAccess {
    pub name: String,
    pub description: String,
    /// Given to the user directly (what the tab's checkbox changes).
    pub direct: bool,
    /// The roles (held directly or through a group) that carry it.
    pub through_roles: Vec<String>,
    /// Whether the viewer could give or take it (they hold it themselves, SPEC rule 4).
    pub grantable: bool,
}
