//! The assignment wizard (SPEC section 4): Select roles → Specify spaces → Summary → Done.
//! Everything here is a plain function both the page and the server use, so the browser shows
//! what the server will decide.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{GroupId, RoleId, SpaceId, UserId};

/// `Append` only adds (from a list, many principals); `Assign` sets the full set of one
/// principal (from its page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Append,
    Assign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Subject {
    User(UserId),
    Group(GroupId),
}

/// Tenant-wide (cross-space roles) is space 0 in storage.
pub const TENANT_WIDE: SpaceId = SpaceId(0);

/// One assignment: a role, tenant-wide or in one space.
pub type Assignment = (RoleId, SpaceId);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardRole {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub space_bound: bool,
    pub requires: Vec<RoleId>,
    pub grantable: bool,
    pub reason: Option<String>,
}

impl WizardRole {
    /// The label the seed uses: `Device Read Only | Space-Specific`.
    pub fn label(&self) -> String {
        let scope = if self.space_bound {
            super::RoleScope::SpaceBound
        } else {
            super::RoleScope::CrossSpace
        };
        format!("{} | {}", self.name, scope.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceRef {
    pub id: SpaceId,
    pub name: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectInfo {
    pub subject: Subject,
    pub name: String,
    pub current: Vec<Assignment>,
    /// The version of `current`, sent back with `Done` (SPEC rule 11).
    pub version: i64,
    /// Why this principal will be skipped (locked, not yours to manage), if so.
    pub skip: Option<String>,
}

/// What the wizard needs to start. `roles` are the roles the chosen principals hold, with every
/// role they require: a tenant may have thousands of roles, which the `Select roles` step reads
/// a page at a time ([`WizardRolePage`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardContext {
    pub mode: Mode,
    pub subjects: Vec<SubjectInfo>,
    pub roles: Vec<WizardRole>,
    pub spaces: Vec<SpaceRef>,
}

/// One page of the `Select roles` step: the roles the acting administrator may grant that match
/// the search, by name, and every role those require (transitively) that is not on the page, so
/// that choosing one adds what it requires (SPEC rule 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardRolePage {
    pub roles: Vec<WizardRole>,
    pub required: Vec<WizardRole>,
    /// How many grantable roles match the search.
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// The Specify spaces step is skipped when the tenant has only `Default Space`.
pub fn skips_spaces_step(spaces: &[SpaceRef]) -> bool {
    spaces.len() <= 1
}

/// Adds every role the chosen ones require (transitively). Returns the closed set and, for each
/// role added, the role that required it: the wizard shows these as notices.
pub fn with_requirements<'a>(
    roles: impl IntoIterator<Item = &'a WizardRole>,
    chosen: &BTreeSet<RoleId>,
) -> (BTreeSet<RoleId>, Vec<(RoleId, RoleId)>) {
    let by_id: BTreeMap<RoleId, &WizardRole> = roles.into_iter().map(|r| (r.id, r)).collect();
    let mut closed = chosen.clone();
    let mut added = Vec::new();
    let mut todo: Vec<RoleId> = chosen.iter().copied().collect();
    while let Some(id) = todo.pop() {
        let Some(role) = by_id.get(&id) else { continue };
        for &required in &role.requires {
            if closed.insert(required) {
                added.push((required, id));
                todo.push(required);
            }
        }
    }
    added.sort();
    (closed, added)
}

/// The assignments the wizard's choices stand for: cross-space roles tenant-wide, space-bound
/// roles in each chosen space (in `Default Space` when the spaces step was skipped).
pub fn planned<'a>(
    roles: impl IntoIterator<Item = &'a WizardRole>,
    chosen: &BTreeSet<RoleId>,
    spaces_of: &BTreeMap<RoleId, BTreeSet<SpaceId>>,
    spaces: &[SpaceRef],
) -> Result<BTreeSet<Assignment>, String> {
    let default = spaces.iter().find(|s| s.is_default).map(|s| s.id);
    let mut out = BTreeSet::new();
    for role in roles.into_iter().filter(|r| chosen.contains(&r.id)) {
        if !role.space_bound {
            out.insert((role.id, TENANT_WIDE));
            continue;
        }
        let picked: BTreeSet<SpaceId> = if skips_spaces_step(spaces) {
            default.into_iter().collect()
        } else {
            spaces_of.get(&role.id).cloned().unwrap_or_default()
        };
        if picked.is_empty() {
            return Err(format!("Choose at least one space for {}.", role.name));
        }
        out.extend(picked.into_iter().map(|s| (role.id, s)));
    }
    Ok(out)
}

/// What changes for one principal: Append adds what is missing; Assign also removes what is
/// no longer chosen.
pub fn change_for(
    mode: Mode,
    current: &BTreeSet<Assignment>,
    plan: &BTreeSet<Assignment>,
) -> (Vec<Assignment>, Vec<Assignment>) {
    let added = plan.difference(current).copied().collect();
    let removed = match mode {
        Mode::Append => Vec::new(),
        Mode::Assign => current.difference(plan).copied().collect(),
    };
    (added, removed)
}

/// The first requirement a set of assignments leaves unmet: (role, required role), where the
/// required role must be held tenant-wide or in the same space (SPEC rule 5).
pub fn unmet_requirement(
    requirements: &[(RoleId, RoleId)],
    held: &BTreeSet<Assignment>,
) -> Option<(RoleId, RoleId)> {
    held.iter().find_map(|&(role, space)| {
        requirements
            .iter()
            .filter(|(r, _)| *r == role)
            .find(|(_, required)| {
                !held.contains(&(*required, space)) && !held.contains(&(*required, TENANT_WIDE))
            })
            .copied()
    })
}

/// The wizard's request to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardRequest {
    pub mode: Mode,
    pub subjects: Vec<Subject>,
    pub assignments: Vec<Assignment>,
    /// Assign replaces each principal's roles: the version each was read at (SPEC rule 11).
    #[serde(default)]
    pub versions: Vec<(Subject, i64)>,
}

/// The Summary step for one principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectSummary {
    pub name: String,
    /// "Role (Space)" or "Role" for cross-space roles.
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Effective permissions gained and lost, as `Type LEVEL`.
    pub gained: Vec<String>,
    pub lost: Vec<String>,
    pub skipped: Option<String>,
}

#[cfg(test)]
mod tests;
