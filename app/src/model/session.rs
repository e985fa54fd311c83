use serde::{Deserialize, Serialize};

use super::{TenantId, UserId};

/// The signed-in user as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub tenant_id: TenantId,
    pub tenant_slug: String,
    pub tenant_name: String,
    /// What the tenant's template has: the navigation and the roles page show only that.
    pub features: Features,
    /// A one-time password is in force: the console sends them to `Change password` first.
    pub must_change_password: bool,
}

/// The parts of the console a template has, and what its seed calls them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Features {
    /// The device-group tree and inventory roles (`Device groups`, the `Inventory roles` tabs).
    pub device_groups: bool,
    /// The roles page's heading (`Role Groups` in `migration`); its controls keep their names.
    pub roles_title: String,
}

impl Features {
    pub fn of(catalogue: &super::catalogue::Catalogue) -> Features {
        Features {
            device_groups: catalogue.has_device_groups(),
            roles_title: catalogue
                .naming
                .roles
                .clone()
                .unwrap_or_else(|| "Roles".to_owned()),
        }
    }
}

impl Me {
    /// What the header shows: the display name when there is one.
    pub fn label(&self) -> &str {
        if self.display_name.trim().is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }
}
