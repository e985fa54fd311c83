use serde::{Deserialize, Serialize};

use super::SpaceId;

/// The name of the space every tenant has and nobody deletes.
pub const DEFAULT_SPACE: &str = "Default Space";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Space {
    pub id: SpaceId,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub version: i64,
    /// Role assignments bound to this space (users and groups).
    pub assignments: i64,
}

/// The spaces page: the spaces and whether the viewer may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpacesView {
    pub spaces: Vec<Space>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceInput {
    pub id: Option<SpaceId>,
    pub name: String,
    pub description: String,
    pub version: i64,
}
