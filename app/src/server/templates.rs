//! Tenant templates (`app/templates/*.toml`): the catalogue and the roles a new tenant starts
//! with. Loaded and checked once at start; a broken template stops the start with its file,
//! line and reason.

use crate::model::{Audience, InventoryLevel, RoleScope};
use std::collections::BTreeSet;

use serde::Deserialize;

use crate::model::catalogue::{holds, Access, Application, Catalogue, Grants, Implication, Module};

const EMBEDDED: &[(&str, &str)] = &[
    (
        "app/templates/iot.toml",
        include_str!("../../templates/iot.toml"),
    ),
    (
        "app/templates/mdm.toml",
        include_str!("../../templates/mdm.toml"),
    ),
    (
        "app/templates/migration.toml",
        include_str!("../../templates/migration.toml"),
    ),
    (
        "app/templates/analytics.toml",
        include_str!("../../templates/analytics.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize)]
pub struct RoleSeed {
    pub name: String,
    pub description: String,
    pub audience: Audience,
    pub scope: RoleScope,
    #[serde(default)]
    pub built_in: bool,
    #[serde(default)]
    pub special: bool,
    /// The role a new device user gets (`iot`'s `devices`); at most one, built in.
    #[serde(default)]
    pub for_devices: bool,
    #[serde(default)]
    pub applications: Vec<String>,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub grants: Grants,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InventoryPermissionSeed {
    pub category: String,
    #[serde(rename = "type", default = "any_type")]
    pub fragment_type: String,
    pub permission: InventoryLevel,
}

fn any_type() -> String {
    "*".into()
}

#[derive(Debug, Clone, Deserialize)]
pub struct InventoryRoleSeed {
    pub name: String,
    pub description: String,
    pub permissions: Vec<InventoryPermissionSeed>,
}

#[derive(Debug, Deserialize)]
struct TemplateFile {
    name: String,
    title: String,
    levels: Vec<String>,
    #[serde(default)]
    implications: Vec<Implication>,
    modules: Vec<Module>,
    access: Access,
    #[serde(default)]
    applications: Vec<Application>,
    #[serde(default)]
    roles: Vec<RoleSeed>,
    #[serde(default)]
    inventory_roles: Vec<InventoryRoleSeed>,
    #[serde(default)]
    role_kinds: crate::model::catalogue::RoleKinds,
    #[serde(default)]
    naming: crate::model::catalogue::Naming,
}

/// One loaded template.
#[derive(Debug, Clone)]
pub struct Template {
    pub title: String,
    pub catalogue: Catalogue,
    pub roles: Vec<RoleSeed>,
    pub inventory_roles: Vec<InventoryRoleSeed>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid template {file}, line {line}: {reason}")]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// Every template, by name.
#[derive(Debug, Clone)]
pub struct Templates(Vec<(String, Template)>);

impl Templates {
    /// The templates built into the binary.
    pub fn load() -> Result<Templates, TemplateError> {
        let mut all = Vec::new();
        for (file, text) in EMBEDDED {
            let template = parse(file, text)?;
            all.push((template.catalogue.template.clone(), template));
        }
        Ok(Templates(all))
    }

    pub fn get(&self, name: &str) -> Option<&Template> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }
}

pub fn parse(file: &str, text: &str) -> Result<Template, TemplateError> {
    let fail = |line: usize, reason: String| TemplateError {
        file: file.to_owned(),
        line,
        reason,
    };
    let raw: TemplateFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        fail(line, e.message().to_owned())
    })?;
    // The line a name is declared on, to point at the offending entry.
    let line_named = |name: &str| {
        text.find(&format!("name = \"{name}\""))
            .map(|at| line_of(text, at))
            .unwrap_or(1)
    };
    let levels: BTreeSet<&str> = raw.levels.iter().map(String::as_str).collect();
    for imp in &raw.implications {
        if let Some(bad) = std::iter::once(&imp.level)
            .chain(&imp.implies)
            .find(|l| !levels.contains(l.as_str()))
        {
            return Err(fail(1, format!("implication names unknown level '{bad}'")));
        }
    }
    let mut seen = BTreeSet::new();
    for p in raw.modules.iter().flat_map(|m| &m.permissions) {
        if !seen.insert(p.name.as_str()) {
            return Err(fail(
                line_named(&p.name),
                format!("permission type '{}' is listed twice", p.name),
            ));
        }
        if p.levels.is_empty() {
            return Err(fail(
                line_named(&p.name),
                format!("permission type '{}' has no levels", p.name),
            ));
        }
        if let Some(bad) = p.levels.iter().find(|l| !levels.contains(l.as_str())) {
            return Err(fail(
                line_named(&p.name),
                format!("permission type '{}' names unknown level '{bad}'", p.name),
            ));
        }
    }
    let catalogue = Catalogue {
        template: raw.name,
        levels: raw.levels,
        implications: raw.implications,
        modules: raw.modules,
        applications: raw.applications,
        access: raw.access,
        role_kinds: raw.role_kinds,
        naming: raw.naming,
        device_users: raw.roles.iter().any(|r| r.for_devices),
    };
    for cell in [
        &catalogue.access.view,
        &catalogue.access.assign,
        &catalogue.access.create_users,
        &catalogue.access.audit,
    ] {
        if !catalogue.applies(&cell.type_name, &cell.level) {
            return Err(fail(
                text.find("[access]")
                    .map(|at| line_of(text, at))
                    .unwrap_or(1),
                format!("access names '{cell}', which the catalogue does not have"),
            ));
        }
    }
    for t in catalogue.types() {
        if let Some(missing) = t
            .requires
            .iter()
            .find(|r| catalogue.permission(r).is_none())
        {
            return Err(fail(
                line_named(&t.name),
                format!(
                    "permission type '{}' requires unknown type '{missing}'",
                    t.name
                ),
            ));
        }
    }
    // A restricting switch's freedom goes with the module's access (SPEC rule 1): it must
    // require an access type of its own module.
    for m in &catalogue.modules {
        for t in m.permissions.iter().filter(|t| t.restricts) {
            let tied = t
                .requires
                .iter()
                .any(|r| m.permissions.iter().any(|p| p.access && &p.name == r));
            if !tied || t.levels.len() != 1 {
                return Err(fail(
                    line_named(&t.name),
                    format!(
                        "restricting permission type '{}' needs one level and must require its \
                         module's access type",
                        t.name
                    ),
                ));
            }
        }
    }
    let role_names: BTreeSet<&str> = raw.roles.iter().map(|r| r.name.as_str()).collect();
    if role_names.len() != raw.roles.len() {
        return Err(fail(1, "two roles have the same name".into()));
    }
    for role in &raw.roles {
        let at = line_named(&role.name);
        if let Some(t) = catalogue
            .reserved_in(&role.grants)
            .filter(|_| !role.built_in)
        {
            return Err(fail(
                at,
                format!(
                    "role '{}' grants '{t}', which only a built-in role may grant",
                    role.name
                ),
            ));
        }
        if let Some((t, needs)) = catalogue.unmet_prerequisite(&role.grants) {
            return Err(fail(
                at,
                format!(
                    "role '{}' grants '{t}', which requires '{needs}'",
                    role.name
                ),
            ));
        }
        if let Some((t, l)) = catalogue.unknown_grant(&role.grants) {
            return Err(fail(
                at,
                format!(
                    "role '{}' grants '{t} {l}', which the catalogue does not have",
                    role.name
                ),
            ));
        }
        if let Some(app) = role
            .applications
            .iter()
            .find(|a| !catalogue.applications.iter().any(|x| &x.name == *a))
        {
            return Err(fail(
                at,
                format!("role '{}' names unknown application '{app}'", role.name),
            ));
        }
        if let Some(req) = role
            .requires
            .iter()
            .find(|r| !role_names.contains(r.as_str()))
        {
            return Err(fail(
                at,
                format!("role '{}' requires unknown role '{req}'", role.name),
            ));
        }
    }
    check_tenant_admin_role(&catalogue, &raw.roles)
        .map_err(|(role, reason)| fail(role.map(line_named).unwrap_or(1), reason))?;
    // A device user's role is given without anyone choosing it: it must be one, and built in so
    // that it cannot be deleted (SPEC rule 9).
    let mut for_devices = raw.roles.iter().filter(|r| r.for_devices);
    if let Some(role) = for_devices.next() {
        if !role.built_in || role.audience != Audience::User {
            return Err(fail(
                line_named(&role.name),
                format!(
                    "role '{}' is for devices but not a built-in role for users",
                    role.name
                ),
            ));
        }
        if let Some(second) = for_devices.next() {
            return Err(fail(
                line_named(&second.name),
                format!(
                    "roles '{}' and '{}' are both for devices; at most one may be",
                    role.name, second.name
                ),
            ));
        }
    }
    for role in &raw.inventory_roles {
        for p in &role.permissions {
            let row = crate::model::inventory::InventoryPermission::new(
                &p.category,
                &p.fragment_type,
                p.permission,
            );
            if let Some(problem) = crate::model::inventory::row_problem(&row) {
                return Err(fail(
                    line_named(&role.name),
                    format!("inventory role '{}': {problem}", role.name),
                ));
            }
        }
    }
    Ok(Template {
        title: raw.title,
        catalogue,
        roles: raw.roles,
        inventory_roles: raw.inventory_roles,
    })
}

/// The tenant-admin role (SPEC rule 9): exactly one role is built in for administrators, the
/// first administrator of a new tenant receives it, and it grants every cell of the catalogue so
/// that its holder can hand out every other role (rule 4). On error, the offending role's name
/// (if any) and the reason.
fn check_tenant_admin_role<'a>(
    catalogue: &Catalogue,
    roles: &'a [RoleSeed],
) -> Result<(), (Option<&'a str>, String)> {
    let mut admins = roles
        .iter()
        .filter(|r| r.built_in && r.audience == Audience::Admin);
    let admin = admins.next().ok_or_else(|| {
        (
            None,
            "no tenant-admin role: one role must have built_in = true and audience = \"admin\""
                .to_owned(),
        )
    })?;
    if let Some(second) = admins.next() {
        return Err((
            Some(second.name.as_str()),
            format!(
                "roles '{}' and '{}' are both built in for administrators; exactly one may be",
                admin.name, second.name
            ),
        ));
    }
    let effective = catalogue.effective(&admin.grants);
    let missing = catalogue.types().find_map(|t| {
        t.levels
            .iter()
            .find(|l| !holds(&effective, &t.name, l))
            .map(|l| format!("{} {l}", t.name))
    });
    match missing {
        Some(cell) => Err((
            Some(admin.name.as_str()),
            format!(
                "tenant-admin role '{}' does not grant '{cell}' (it must grant every cell)",
                admin.name
            ),
        )),
        None => Ok(()),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests;
