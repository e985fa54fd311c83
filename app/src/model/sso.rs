//! Single sign-on as the console shows it: a tenant's OpenID Connect settings, its role mode
//! (SPEC rule 6) and its access-mapping rules (claim conditions → global roles, inventory roles,
//! applications).

use serde::{Deserialize, Serialize};

use super::{DeviceGroupId, InventoryRoleId, RoleId, SpaceId};

pub use super::kinds::{Operator, RoleMode};

impl RoleMode {
    /// The option's words in the `Role mode` choice (SPEC section 6).
    pub fn label(self) -> &'static str {
        match self {
            RoleMode::Reassign => "Reassign on every sign-in",
            RoleMode::OnCreate => "Only when the user is created",
            RoleMode::Listed => "Only the listed roles",
        }
    }
}

/// One condition: `claim` (a dotted path into the ID token's claims, e.g. `realm_access.roles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub claim: String,
    pub operator: Operator,
    pub value: String,
}

/// A global role granted by a rule: tenant-wide, or in a space for a space-bound role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MappedRole {
    pub role: RoleId,
    pub space: Option<SpaceId>,
}

/// An inventory role on a device group granted by a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MappedInventory {
    pub role: InventoryRoleId,
    pub group: DeviceGroupId,
}

/// A rule applies when all its conditions hold; the rules that apply are added together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRule {
    pub conditions: Vec<Condition>,
    pub roles: Vec<MappedRole>,
    pub inventory: Vec<MappedInventory>,
    /// Applications given to the user directly (their `Application access`).
    #[serde(default)]
    pub applications: Vec<String>,
}

/// What the `Single sign-on` section shows. The client secret is never sent back: only whether
/// one is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoSettings {
    pub issuer: String,
    pub client_id: String,
    pub has_client_secret: bool,
    pub username_claim: String,
    pub role_mode: RoleMode,
    /// SPEC rule 6: whether administrators may change SSO users' roles by hand anyway.
    pub manual_changes: bool,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    pub can_edit: bool,
}

/// What an administrator saves in the `Single sign-on` section. An empty `client_secret` keeps
/// the stored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoSettingsInput {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub username_claim: String,
    pub role_mode: RoleMode,
    pub manual_changes: bool,
}

/// One thing a rule can name, for the editor's choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
    /// For a global role: it is assigned per space (a rule names its space).
    pub space_bound: bool,
}

/// What the access-mapping editor shows: the rules and what they can name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingEditor {
    pub rules: Vec<MappingRule>,
    pub roles: Vec<Choice>,
    pub spaces: Vec<Choice>,
    pub inventory_roles: Vec<Choice>,
    pub groups: Vec<Choice>,
    /// The template's applications (`id` unused).
    pub applications: Vec<Choice>,
    pub can_edit: bool,
}

/// What the rules would do for claims pasted as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingPreview {
    /// The numbers (from 1) of the rules that apply.
    pub rules: Vec<usize>,
    /// What the user would get, in words ("Global Reader", "Reader on Region North").
    pub grants: Vec<String>,
}
