use serde::{Deserialize, Serialize};

use super::{
    users::{AssignableRole, RoleRef},
    GroupId, UserId,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupListRow {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPage {
    pub rows: Vec<GroupListRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub can_edit: bool,
}

impl GroupPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub version: i64,
    /// The version of the group's roles, sent back with `Save` (SPEC rule 11).
    pub roles_version: i64,
    pub members: Vec<Member>,
    pub role_ids: Vec<super::RoleId>,
    pub roles: Vec<AssignableRole>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    pub id: Option<GroupId>,
    pub name: String,
    pub description: String,
    pub version: i64,
}
