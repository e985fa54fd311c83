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
