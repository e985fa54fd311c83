use serde::{Deserialize, Serialize};

use super::{DeviceGroupId, DeviceId};

/// Children are loaded in pages of this size: a node with 10,000 children still opens at once.
pub const CHILDREN_PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceGroupNode {
    pub id: DeviceGroupId,
    pub name: String,
    pub version: i64,
    pub subgroups: i64,
    pub devices: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub name: String,
}

/// One page of a node's children (subgroups first, then devices), and the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildrenPage {
    pub groups: Vec<DeviceGroupNode>,
    pub total_groups: i64,
    pub devices: Vec<Device>,
    pub total_devices: i64,
    pub offset: i64,
    pub can_edit: bool,
}

/// What deleting a group removes, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteImpact {
    pub name: String,
    pub subgroups: i64,
    pub devices: i64,
}
