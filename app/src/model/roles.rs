use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    catalogue::{Catalogue, Grants},
    ids::RoleId,
    Audience, RoleScope,
};

/// A role as the roles page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCard {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    /// The analytics template splits roles by it.
    pub audience: Audience,
    pub scope: RoleScope,
    pub built_in: bool,
    pub special: bool,
    pub users: i64,
    pub groups: i64,
}

/// One page of the roles page's global roles, searched on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePage {
    pub rows: Vec<RoleCard>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl RolePage {
    pub fn pages(&self) -> i64 {
        ((self.total + self.page_size - 1) / self.page_size).max(1)
    }
}

/// A role as its editor shows it: what it is, not who holds it (see [`Holders`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDetail {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub built_in: bool,
    pub special: bool,
    pub grants: Grants,
    pub applications: BTreeSet<String>,
    pub audience: Audience,
    pub scope: RoleScope,
    /// The roles assigning this one also gives (SPEC rule 5), with their names.
    pub requires: BTreeMap<RoleId, String>,
    pub version: i64,
}

/// How many users and how many groups hold a role directly (the role editor's delete
/// confirmation). Apart from [`RoleDetail`]: a save changes nobody's roles, and counting the
/// holders of a role held by 50,000 users is the largest read of a save on PostgreSQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holders {
    pub users: i64,
    pub groups: i64,
}

impl RoleDetail {
    /// The ids of the roles it requires.
    pub fn required_ids(&self) -> BTreeSet<RoleId> {
        self.requires.keys().copied().collect()
    }
}

/// What the editor sends to save a role; `id` is `None` for a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInput {
    pub id: Option<RoleId>,
    pub name: String,
    pub description: String,
    pub grants: Grants,
    pub applications: BTreeSet<String>,
    /// `Role type`; None keeps the role's (a new role: `User`).
    #[serde(default)]
    pub audience: Option<Audience>,
    /// `Scope`; None keeps the role's (a new role: `Cross-Space`).
    #[serde(default)]
    pub scope: Option<RoleScope>,
    /// `Requires`; None keeps the role's (a new role: none).
    #[serde(default)]
    pub requires: Option<BTreeSet<RoleId>>,
    pub version: i64,
}

/// Everything the editor needs: the catalogue, the role, and what the acting admin holds (a
/// cell the admin does not hold is disabled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEditorData {
    pub catalogue: Catalogue,
    pub role: Option<RoleDetail>,
    /// The role's direct holders (none for a new role).
    pub holders: Holders,
    pub actor: Grants,
    pub actor_applications: BTreeSet<String>,
    pub can_edit: bool,
    /// Why this role cannot be changed by the signed-in admin although they may edit roles
    /// (a built-in role carrying a permission they lack, SPEC rule 9).
    pub locked: Option<String>,
}

/// Why a user holds a permission: each entry is a role name, with " via group <name>" when the
/// role comes through a group.
pub type Provenance = BTreeMap<String, BTreeMap<String, Vec<String>>>;
