//! A tenant template's permission catalogue: data, not code. Templates differ in their levels
//! (READ/CREATE/UPDATE/ADMIN in `iot`, Deny Access/Read Only/Read/Write in `migration`), so
//! levels are names and each permission type lists the levels that apply to it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Granted levels per permission type, as ticked (implications are not stored).
pub type Grants = BTreeMap<String, BTreeSet<String>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub template: String,
    pub levels: Vec<String>,
    pub implications: Vec<Implication>,
    pub modules: Vec<Module>,
    pub applications: Vec<Application>,
    pub access: Access,
    /// Which kinds of custom role the template's global role editor offers.
    #[serde(default)]
    pub role_kinds: RoleKinds,
    /// What the template's seed calls things, where it differs from the console's words.
    #[serde(default)]
    pub naming: Naming,
    /// Whether the template has device users, who get a role of their own when created (`iot`).
    #[serde(default)]
    pub device_users: bool,
}

/// The permission type that governs the device-group tree and inventory roles (`iot`): a template
/// without it has neither.
pub const INVENTORY: &str = "Inventory";

/// The seed's own words for parts of the console (its accessible names stay SPEC section 6's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Naming {
    /// The roles page's heading (`Role Groups` in `migration`).
    #[serde(default)]
    pub roles: Option<String>,
}

/// What a custom global role may be besides a cross-space user role without requirements (SPEC
/// section 6: `Scope`, `Role type`, `Requires` where the template has them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleKinds {
    /// `Scope`: `Cross-Space` or `Space-Specific` (mdm).
    #[serde(default)]
    pub scope: bool,
    /// `Role type`: `User` or `Admin` (analytics' two tabs).
    #[serde(default)]
    pub role_type: bool,
    /// `Requires`: roles that assigning this one also gives (SPEC rule 5).
    #[serde(default)]
    pub requires: bool,
}

/// Which cells of the catalogue mean what for the console itself (SPEC rule 8): viewing users
/// and roles, assigning roles, creating users (who become the creator's sub-users).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub view: Cell,
    pub assign: Cell,
    pub create_users: Cell,
    /// Reading the audit log (`Audits READ` in `iot`; SPEC rule 12).
    pub audit: Cell,
    /// Templates with an `Add new` button (analytics): permission types starting with this
    /// prefix let an Analyzer create.
    #[serde(default)]
    pub add_new_prefix: Option<String>,
}

/// One cell of the grid: a permission type at one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    #[serde(rename = "type")]
    pub type_name: String,
    pub level: String,
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.type_name, self.level)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Implication {
    pub level: String,
    pub implies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Module {
    pub name: String,
    pub permissions: Vec<PermissionType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionType {
    pub name: String,
    pub description: String,
    pub levels: Vec<String>,
    /// Only a built-in role grants it, never a custom one (analytics: "only users that have a
    /// Tenant Admin role can assign user roles").
    #[serde(default)]
    pub reserved: bool,
    /// A module's access level (`migration`): one choice of `Deny Access` (no level) or one of
    /// its levels, shown as a radio group `<Module> access`.
    #[serde(default)]
    pub access: bool,
    /// Types a role granting this one must grant too (`migration`: "Manage Contacts requires
    /// Manage Tabs, Details, Menu Items").
    #[serde(default)]
    pub requires: Vec<String>,
    /// A restricting switch (`migration`: `Limit access to 'My Apps'`): its one cell is the
    /// freedom from it, which a role with the module's access and the switch off grants. So a
    /// switch restricts a user only if every role giving them the access carries it (SPEC rule
    /// 1), and ticking it is taking a cell away (SPEC rule 4).
    #[serde(default)]
    pub restricts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub name: String,
    pub description: String,
}

impl Catalogue {
    pub fn types(&self) -> impl Iterator<Item = &PermissionType> {
        self.modules.iter().flat_map(|m| m.permissions.iter())
    }

    /// Whether only a built-in role may grant this permission type.
    pub fn is_reserved(&self, type_name: &str) -> bool {
        self.permission(type_name).is_some_and(|p| p.reserved)
    }

    /// The first reserved permission type `grants` has, if any: a custom role may not.
    pub fn reserved_in<'a>(&self, grants: &'a Grants) -> Option<&'a str> {
        grants
            .iter()
            .find(|(t, levels)| !levels.is_empty() && self.is_reserved(t))
            .map(|(t, _)| t.as_str())
    }

    /// `grants` without the reserved permission types: what a custom role may be given of them.
    pub fn without_reserved(&self, grants: &Grants) -> Grants {
        grants
            .iter()
            .filter(|(t, _)| !self.is_reserved(t))
            .map(|(t, l)| (t.clone(), l.clone()))
            .collect()
    }

    /// Whether roles are edited per module (`migration`: an access level and switches) rather
    /// than as a grid of levels.
    pub fn has_module_access(&self) -> bool {
        self.types().any(|t| t.access)
    }

    /// The first prerequisite `grants` breaks: (the type granted, the type it needs and lacks).
    pub fn unmet_prerequisite(&self, grants: &Grants) -> Option<(String, String)> {
        let effective = self.effective(grants);
        self.types()
            .filter(|t| effective.get(&t.name).is_some_and(|l| !l.is_empty()))
            .find_map(|t| {
                t.requires
                    .iter()
                    .find(|r| effective.get(*r).is_none_or(|l| l.is_empty()))
                    .map(|r| (t.name.clone(), r.clone()))
            })
    }

    /// The module `type_name` belongs to.
    pub fn module_of(&self, type_name: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| m.permissions.iter().any(|p| p.name == type_name))
    }

    /// Whether `grants` give a user of the role the module's access (`migration`), when the
    /// module has an access type; true when it has none.
    pub fn opens_module(&self, grants: &Grants, module: &Module) -> bool {
        let effective = self.effective(grants);
        module
            .permissions
            .iter()
            .filter(|p| p.access)
            .all(|p| effective.get(&p.name).is_some_and(|l| !l.is_empty()))
    }

    /// Whether the template has the device-group tree and inventory roles.
    pub fn has_device_groups(&self) -> bool {
        self.permission(INVENTORY).is_some()
    }

    pub fn permission(&self, name: &str) -> Option<&PermissionType> {
        self.types().find(|p| p.name == name)
    }

    pub fn applies(&self, type_name: &str, level: &str) -> bool {
        self.permission(type_name)
            .is_some_and(|p| p.levels.iter().any(|l| l == level))
    }

    /// The levels a ticked level stands for: itself plus what it implies (transitively), limited
    /// to the levels that apply to the type.
    pub fn implied_levels(&self, type_name: &str, level: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo = vec![level.to_owned()];
        while let Some(next) = todo.pop() {
            if !out.insert(next.clone()) {
                continue;
            }
            for imp in self.implications.iter().filter(|i| i.level == next) {
                todo.extend(imp.implies.iter().cloned());
            }
        }
        out.retain(|l| self.applies(type_name, l));
        out
    }

    /// Grants with implications applied: what a holder may actually do.
    pub fn effective(&self, grants: &Grants) -> Grants {
        let mut out = Grants::new();
        for (type_name, levels) in grants {
            for level in levels {
                let implied = self.implied_levels(type_name, level);
                if !implied.is_empty() {
                    out.entry(type_name.clone()).or_default().extend(implied);
                }
            }
        }
        out
    }

    /// The first (type, level) of `grants` that the catalogue does not have, if any.
    pub fn unknown_grant<'a>(&self, grants: &'a Grants) -> Option<(&'a str, &'a str)> {
        grants.iter().find_map(|(t, levels)| {
            levels
                .iter()
                .find(|l| !self.applies(t, l))
                .map(|l| (t.as_str(), l.as_str()))
        })
    }
}

pub fn holds(effective: &Grants, type_name: &str, level: &str) -> bool {
    effective.get(type_name).is_some_and(|l| l.contains(level))
}
