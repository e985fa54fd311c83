use serde::{Deserialize, Serialize};

use super::{users::RoleRef, GroupId, UserId};

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

/// One page of a group's members, searched on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<Member>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl MemberPage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub version: i64,
    /// The version of the group's roles, sent back with `Save` (SPEC rule 11).
    pub roles_version: i64,
    /// How many members the group has; the members themselves come a page at a time.
    pub members: i64,
    pub role_ids: Vec<super::RoleId>,
    /// The first page of the group's role checklist (the rest comes with `roles/choices`).
    pub roles: super::users::RoleChoices,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    pub id: Option<GroupId>,
    pub name: String,
    pub description: String,
    pub version: i64,
}
