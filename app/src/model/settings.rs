use serde::{Deserialize, Serialize};

/// The tenant settings an administrator changes in the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    /// SPEC rule 6: whether administrators may change the roles of SSO users by hand.
    pub sso_manual_changes: bool,
    pub can_edit: bool,
}
