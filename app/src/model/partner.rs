//! The partner portal as the browser sees it (`/partner`, SPEC rule 7).

use serde::{Deserialize, Serialize};

use super::UserId;

/// The signed-in partner administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerMe {
    pub username: String,
    pub partner: String,
}

/// A served tenant in the portal's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedTenant {
    /// The tenant id people type at `/login` (`acme`).
    pub slug: String,
    pub name: String,
    pub template: String,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedPage {
    pub rows: Vec<ServedTenant>,
    pub page: i64,
    pub total: i64,
    /// The templates a new tenant may start from.
    pub templates: Vec<String>,
}

impl ServedPage {
    pub fn pages(&self) -> i64 {
        ((self.total + PARTNER_PAGE_SIZE - 1) / PARTNER_PAGE_SIZE).max(1)
    }
}

pub const PARTNER_PAGE_SIZE: i64 = 20;

/// `Create tenant` in the portal: the same fields as the CLI's `create-tenant`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTenantInput {
    pub slug: String,
    pub name: String,
    pub template: String,
    pub admin_username: String,
    pub admin_password: String,
}

/// One global role as a partner administrator's checkbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalRole {
    pub id: super::RoleId,
    pub name: String,
    pub held: bool,
}

/// A partner administrator's user in a served tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerAdminEntry {
    pub user: UserId,
    pub username: String,
    pub roles_version: i64,
    pub roles: Vec<PortalRole>,
}

/// `/partner/tenants/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedTenantDetail {
    pub tenant: ServedTenant,
    pub admins: Vec<PartnerAdminEntry>,
}
