use serde::{Deserialize, Serialize};

use super::{catalogue::Catalogue, ids::RoleId, roles::Provenance, UserId};

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
    pub status: String,
    pub roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserListRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl UserPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }
}

/// A role as an assignment control offers it: disabled, with the reason, when the acting
/// admin could not grant it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignableRole {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub grantable: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub status: String,
    pub origin: String,
    pub role_ids: Vec<RoleId>,
    pub roles: Vec<AssignableRole>,
    pub catalogue: Catalogue,
    pub provenance: Provenance,
    pub can_edit: bool,
}
