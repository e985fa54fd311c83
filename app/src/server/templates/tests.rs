use super::*;

const SMALL: &str = r#"
name = "small"
title = "Small"
levels = ["READ", "ADMIN"]

[[implications]]
level = "ADMIN"
implies = ["READ"]

[access]
view = { type = "Alarms", level = "READ" }
assign = { type = "Alarms", level = "ADMIN" }
create_users = { type = "Alarms", level = "ADMIN" }
audit = { type = "Alarms", level = "READ" }

[[modules]]
name = "Data"

[[modules.permissions]]
name = "Alarms"
description = "View or edit alarms."
levels = ["READ", "ADMIN"]

[[applications]]
name = "Cockpit"
description = "Dashboards."

[[roles]]
name = "reader"
description = "Reads."
audience = "user"
scope = "cross-space"
applications = ["Cockpit"]
[roles.grants]
"Alarms" = ["READ"]

[[roles]]
name = "boss"
description = "The tenant-admin role: everything."
audience = "admin"
scope = "cross-space"
built_in = true
[roles.grants]
"Alarms" = ["ADMIN"]
"#;

fn role<'a>(template: &'a Template, name: &str) -> &'a RoleSeed {
    template
        .roles
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("role '{name}'"))
}

fn role_holds(template: &Template, role_name: &str, cell: &crate::model::catalogue::Cell) -> bool {
    let effective = template
        .catalogue
        .effective(&role(template, role_name).grants);
    crate::model::catalogue::holds(&effective, &cell.type_name, &cell.level)
}

/// Every (type, level) cell of the catalogue is held by the role, after implications.
fn assert_grants_every_cell(template: &Template, role_name: &str) {
    let effective = template
        .catalogue
        .effective(&role(template, role_name).grants);
    for t in template.catalogue.types() {
        for l in &t.levels {
            assert!(
                crate::model::catalogue::holds(&effective, &t.name, l),
                "{role_name} lacks {} {l}",
                t.name
            );
        }
    }
}

/// The template's one built-in role for administrators (the tenant-admin role).
fn tenant_admin_role(template: &Template) -> &str {
    let admins: Vec<&str> = template
        .roles
        .iter()
        .filter(|r| r.built_in && r.audience == Audience::Admin)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(admins.len(), 1, "{admins:?}");
    admins[0]
}

#[test]
fn builtin_iot_template_has_the_seed_catalogue_and_roles() {
    let templates = Templates::load().expect("built-in templates are valid");
    let iot = templates.get("iot").expect("iot");
    assert_eq!(iot.catalogue.types().count(), 21);
    for name in [
        "Alarms",
        "Application management",
        "Own user management",
        "User management",
        "Tenant statistics",
    ] {
        assert!(iot.catalogue.permission(name).is_some(), "{name}");
    }
    let roles: Vec<&str> = iot.roles.iter().map(|r| r.name.as_str()).collect();
    for name in [
        "admins",
        "devices",
        "CEP Manager",
        "Cockpit User",
        "Devicemanagement User",
        "Global Manager",
        "Global Reader",
        "Global User Manager",
        "Shared User Manager",
        "Tenant Manager",
        "business",
        "readers",
    ] {
        assert!(roles.contains(&name), "{name}");
    }
    let admins = iot
        .roles
        .iter()
        .find(|r| r.name == "admins")
        .expect("admins");
    assert!(admins.built_in && admins.special);
    let effective = iot.catalogue.effective(&admins.grants);
    for t in iot.catalogue.types() {
        for l in &t.levels {
            assert!(
                crate::model::catalogue::holds(&effective, &t.name, l),
                "admins lacks {} {l}",
                t.name
            );
        }
    }
}

#[test]
fn a_valid_small_template_loads() {
    let t = parse("small.toml", SMALL).expect("valid");
    assert_eq!(t.catalogue.template, "small");
    assert_eq!(t.roles.len(), 2);
}

#[test]
fn a_grant_of_an_unknown_type_names_file_line_and_reason() {
    let broken = SMALL.replace(
        "\"Alarms\" = [\"READ\"]",
        "\"Alarms\" = [\"READ\"]\n\"Nope\" = [\"READ\"]",
    );
    let error = parse("small.toml", &broken).unwrap_err();
    assert_eq!(error.file, "small.toml");
    assert_eq!(error.line, 29, "the line of the role's name");
    assert!(error.reason.contains("'Nope READ'"), "{}", error.reason);
}

#[test]
fn a_level_that_does_not_apply_is_refused() {
    let broken = SMALL
        .replace(
            "levels = [\"READ\", \"ADMIN\"]\n\n[[applications]]",
            "levels = [\"READ\"]\n\n[[applications]]",
        )
        .replace("\"Alarms\" = [\"READ\"]", "\"Alarms\" = [\"ADMIN\"]");
    let error = parse("small.toml", &broken).unwrap_err();
    assert!(error.reason.contains("Alarms ADMIN"), "{}", error.reason);
}

#[test]
fn a_restricting_switch_not_tied_to_its_module_access_is_refused() {
    // Its freedom must go with the module's access (SPEC rule 1), or a role without access would
    // free the holders of other roles.
    let untied = SMALL.replace(
        "levels = [\"READ\", \"ADMIN\"]\n\n[[applications]]",
        "levels = [\"READ\", \"ADMIN\"]\n\n[[modules.permissions]]\nname = \"Data: Limit\"\n\
         description = \"Only mine.\"\nlevels = [\"READ\"]\nrestricts = true\n\n[[applications]]",
    );
    let error = parse("small.toml", &untied).unwrap_err();
    assert!(error.reason.contains("'Data: Limit'"), "{}", error.reason);
    assert!(error.reason.contains("module's access"), "{}", error.reason);
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let broken = SMALL.replace("title = \"Small\"", "title = \"Small");
    let error = parse("small.toml", &broken).unwrap_err();
    assert_eq!(error.line, 3);
    assert!(error
        .to_string()
        .starts_with("invalid template small.toml, line 3:"));
}

#[test]
fn unknown_application_and_required_role_are_refused() {
    let bad_app = SMALL.replace("applications = [\"Cockpit\"]", "applications = [\"Nope\"]");
    assert!(parse("s", &bad_app)
        .unwrap_err()
        .reason
        .contains("unknown application 'Nope'"));
    let bad_req = SMALL.replace(
        "scope = \"cross-space\"",
        "scope = \"cross-space\"\nrequires = [\"ghost\"]",
    );
    assert!(parse("s", &bad_req)
        .unwrap_err()
        .reason
        .contains("unknown role 'ghost'"));
}

#[test]
fn every_builtin_template_loads() {
    let templates = Templates::load().expect("built-in templates are valid");
    let names: Vec<&str> = templates.names().collect();
    assert_eq!(names, ["iot", "mdm", "migration", "analytics"]);
    assert_eq!(tenant_admin_role(templates.get("iot").unwrap()), "admins");
}

#[test]
fn builtin_mdm_template_has_the_seed_roles_and_scopes() {
    let templates = Templates::load().expect("built-in templates are valid");
    let mdm = templates.get("mdm").expect("mdm");
    let roles: Vec<(&str, &str)> = mdm
        .roles
        .iter()
        .map(|r| (r.name.as_str(), r.scope.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("Administrator", "cross-space"),
            ("System Management", "cross-space"),
            ("System Read Only", "cross-space"),
            ("User Management", "cross-space"),
            ("User Read Only", "cross-space"),
            ("LDAP User Import and Invite", "cross-space"),
            ("Device Management", "space-bound"),
            ("Device Read Only", "space-bound"),
            ("App & Content Management", "space-bound"),
            ("App & Content Read Only", "space-bound"),
            ("Device Actions", "space-bound"),
            ("Cisco ISE Operations", "cross-space"),
            ("Scheduled Task Management", "cross-space"),
            ("Common Platform Services (CPS)", "cross-space"),
            ("Low User Impact Migration Management", "cross-space"),
            ("Custom Device Enrollment", "cross-space"),
            ("Edit Microsoft Graph", "cross-space"),
            ("Send/Cancel Wipe", "cross-space"),
            ("View Microsoft Graph", "cross-space"),
            ("Manage Access Integration", "cross-space"),
        ]
    );
    for r in &mdm.roles {
        assert!(!r.grants.is_empty(), "{} grants nothing", r.name);
        if r.name != "Device Actions" {
            assert!(
                r.requires.is_empty(),
                "{} requires {:?}",
                r.name,
                r.requires
            );
        }
    }

    let admin = role(mdm, "Administrator");
    assert!(admin.built_in && admin.special && admin.audience == Audience::Admin);
    assert_eq!(tenant_admin_role(mdm), "Administrator");
    assert_grants_every_cell(mdm, "Administrator");

    // Helpdesk example: Device Actions performs the basic actions but does not show devices;
    // that comes from Device Read Only, which it requires.
    let actions = role(mdm, "Device Actions");
    assert_eq!(actions.requires, ["Device Read Only"]);
    let effective = mdm.catalogue.effective(&actions.grants);
    for action in [
        "Force Check-in",
        "Lock",
        "Unlock",
        "Send Message",
        "Retire",
        "Wipe",
    ] {
        assert!(
            crate::model::catalogue::holds(&effective, action, "Manage"),
            "Device Actions lacks {action}"
        );
    }
    assert!(!effective.contains_key("Devices"));
    let read_only = mdm
        .catalogue
        .effective(&role(mdm, "Device Read Only").grants);
    assert!(crate::model::catalogue::holds(
        &read_only, "Devices", "View"
    ));

    let access = &mdm.catalogue.access;
    assert!(role_holds(mdm, "User Management", &access.assign));
    assert!(role_holds(mdm, "User Read Only", &access.view));
    assert!(!role_holds(mdm, "User Read Only", &access.assign));
    assert!(role_holds(
        mdm,
        "LDAP User Import and Invite",
        &access.create_users
    ));
    let holders_of_assign: Vec<&str> = mdm
        .roles
        .iter()
        .filter(|r| role_holds(mdm, &r.name, &access.assign))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(holders_of_assign, ["Administrator", "User Management"]);
}

#[test]
fn builtin_migration_template_has_the_seed_role_groups_and_modules() {
    let templates = Templates::load().expect("built-in templates are valid");
    let migration = templates.get("migration").expect("migration");
    let roles: Vec<&str> = migration.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        roles,
        [
            "Project Admin",
            "Project Member",
            "Power User",
            "Api Connectors"
        ]
    );
    let modules: Vec<&str> = migration
        .catalogue
        .modules
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        modules,
        [
            "Applications",
            "User Migrations",
            "Devices",
            "Mailboxes",
            "Bespoke",
            "Deployment Units",
            "Defects",
            "Tasks",
            "Contacts",
            "Links",
            "Project",
            "Project Config",
            "Module Config",
            "Portal Configuration",
            "User Account Roles",
            "Reports",
            "Cross Project",
        ]
    );
    assert_eq!(
        migration.catalogue.levels,
        ["Read Only", "Read/Write", "Allowed", "Exempt"]
    );
    // Per module: the access level (none ticked = Deny Access), then the seed's switches.
    for m in &migration.catalogue.modules {
        let (first, switches) = m.permissions.split_first().expect("permissions");
        assert_eq!(first.name, format!("{} access", m.name));
        assert_eq!(first.levels, ["Read Only", "Read/Write"]);
        assert!(!switches.is_empty(), "{}", m.name);
        for s in switches {
            assert!(s.name.starts_with(&format!("{}: ", m.name)), "{}", s.name);
            // A restricting switch's cell is the freedom from it, tied to the module's access.
            if s.restricts {
                assert_eq!(s.levels, ["Exempt"], "{}", s.name);
                assert_eq!(s.requires, std::slice::from_ref(&first.name), "{}", s.name);
            } else {
                assert_eq!(s.levels, ["Allowed"], "{}", s.name);
            }
        }
    }
    // The seed's restricting switches: "Limit access to 'My ...'" and "Disable Context Menu" in
    // each of the eight record modules, and the two DMR switches of Reports.
    let restricting: Vec<&str> = migration
        .catalogue
        .types()
        .filter(|t| t.restricts)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(restricting.len(), 18, "{restricting:?}");
    for t in &restricting {
        assert!(
            t.contains("Limit access to 'My ")
                || t.ends_with("Disable Context Menu")
                || t.contains("User can't"),
            "{t}"
        );
    }
    // The roles whose comments say "none of the restricting switches" are free of every switch
    // of the modules they open.
    for name in ["Project Member", "Power User", "Api Connectors"] {
        let r = role(migration, name);
        for m in &migration.catalogue.modules {
            if !migration.catalogue.opens_module(&r.grants, m) {
                continue;
            }
            for t in m.permissions.iter().filter(|t| t.restricts) {
                assert!(r.grants.contains_key(&t.name), "{name}: {}", t.name);
            }
        }
    }
    assert_eq!(migration.catalogue.types().count(), 17 + 181);
    let deploy = migration
        .catalogue
        .permission("Deployment Units: Customise Scheduling Slots")
        .expect("deployment unit switch");
    assert_eq!(
        deploy.description,
        "Edit and customise migration time slots."
    );
    assert!(migration
        .catalogue
        .permission("Applications: Limit access to 'My Apps'")
        .is_some());
    // Read/Write implies Read Only.
    let rw = migration
        .catalogue
        .implied_levels("Devices access", "Read/Write");
    assert!(rw.contains("Read Only"));

    let admin = role(migration, "Project Admin");
    assert!(admin.built_in && admin.audience == Audience::Admin);
    assert_eq!(
        admin.description,
        "Full administrative rights across all ManagementStudio features."
    );
    assert_eq!(tenant_admin_role(migration), "Project Admin");
    assert_grants_every_cell(migration, "Project Admin");
    let access = &migration.catalogue.access;
    for name in ["Project Member", "Power User", "Api Connectors"] {
        assert!(!role(migration, name).built_in, "{name}");
        assert!(!role_holds(migration, name, &access.assign), "{name}");
    }
    assert!(role_holds(migration, "Api Connectors", &access.view));
    assert!(role_holds(
        migration,
        "Api Connectors",
        &crate::model::catalogue::Cell {
            type_name: "Project Config: Access Connectors".into(),
            level: "Allowed".into(),
        }
    ));
}

#[test]
fn builtin_analytics_template_has_the_seed_user_roles() {
    let templates = Templates::load().expect("built-in templates are valid");
    let analytics = templates.get("analytics").expect("analytics");
    let roles: Vec<(&str, &str, &str)> = analytics
        .roles
        .iter()
        .map(|r| (r.name.as_str(), r.audience.as_str(), r.scope.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("Tenant Admin", "admin", "cross-space"),
            ("Analytics Admin", "admin", "cross-space"),
            ("Audit Admin", "admin", "cross-space"),
            ("Data Admin", "admin", "cross-space"),
            ("Shared Space Creator", "user", "cross-space"),
            ("Managed Space Creator", "user", "cross-space"),
            ("Data Space Creator", "user", "cross-space"),
            ("Developer", "user", "cross-space"),
        ]
    );
    assert_eq!(
        role(analytics, "Developer").description,
        "A user who can generate API keys."
    );
    let admin = role(analytics, "Tenant Admin");
    assert!(admin.built_in && admin.special);
    assert_eq!(tenant_admin_role(analytics), "Tenant Admin");
    assert_grants_every_cell(analytics, "Tenant Admin");

    // Only Tenant Admin assigns user roles.
    let access = &analytics.catalogue.access;
    let assigners: Vec<&str> = analytics
        .roles
        .iter()
        .filter(|r| role_holds(analytics, &r.name, &access.assign))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(assigners, ["Tenant Admin"]);

    // A space creator holds a "Create ..." cell (an Analyzer user then sees "Add new"); the
    // other non-admin role does not.
    let creates = |name: &str| {
        role(analytics, name)
            .grants
            .keys()
            .any(|t| t.starts_with("Create "))
    };
    for name in [
        "Shared Space Creator",
        "Managed Space Creator",
        "Data Space Creator",
    ] {
        assert!(creates(name), "{name}");
    }
    assert!(!creates("Developer"));
}

#[test]
fn a_template_without_a_tenant_admin_role_is_refused() {
    let no_admin = SMALL.replace("built_in = true", "built_in = false");
    let error = parse("small.toml", &no_admin).unwrap_err();
    assert!(
        error.reason.contains("no tenant-admin role"),
        "{}",
        error.reason
    );
    let user_audience = SMALL.replace(
        "audience = \"admin\"\nscope = \"cross-space\"\nbuilt_in = true",
        "audience = \"user\"\nscope = \"cross-space\"\nbuilt_in = true",
    );
    assert_ne!(user_audience, SMALL);
    assert!(parse("small.toml", &user_audience)
        .unwrap_err()
        .reason
        .contains("no tenant-admin role"));
}

#[test]
fn a_tenant_admin_role_missing_a_cell_is_refused_naming_it() {
    let broken = SMALL.replace(
        "built_in = true\n[roles.grants]\n\"Alarms\" = [\"ADMIN\"]",
        "built_in = true\n[roles.grants]\n\"Alarms\" = [\"READ\"]",
    );
    assert_ne!(broken, SMALL);
    let error = parse("small.toml", &broken).unwrap_err();
    assert_eq!(error.line, 38, "the line of the role's name");
    assert!(error.reason.contains("'boss'"), "{}", error.reason);
    assert!(error.reason.contains("'Alarms ADMIN'"), "{}", error.reason);
}

#[test]
fn two_tenant_admin_roles_are_refused() {
    let two = format!(
        "{SMALL}\n[[roles]]\nname = \"second boss\"\ndescription = \"Also.\"\naudience = \"admin\"\n\
         scope = \"cross-space\"\nbuilt_in = true\n[roles.grants]\n\"Alarms\" = [\"ADMIN\"]\n"
    );
    let error = parse("small.toml", &two).unwrap_err();
    assert!(error.reason.contains("'second boss'"), "{}", error.reason);
}

/// Each template says what it has and what its seed calls it: the navigation and the roles page
/// show only that (issue 14), and the role editor only the kinds of role it offers.
#[test]
fn each_template_says_which_parts_of_the_console_it_has() {
    use crate::model::session::Features;
    let templates = Templates::load().unwrap();
    let of = |name: &str| templates.get(name).unwrap().catalogue.clone();
    let features = |name: &str| Features::of(&of(name));
    assert!(features("iot").device_groups);
    for name in ["mdm", "migration", "analytics"] {
        assert!(!features(name).device_groups, "{name}");
    }
    assert_eq!(features("migration").roles_title, "Role Groups");
    for name in ["iot", "mdm", "analytics"] {
        assert_eq!(features(name).roles_title, "Roles", "{name}");
    }
    let kinds = |name: &str| {
        let k = of(name).role_kinds;
        (k.scope, k.role_type, k.requires)
    };
    assert_eq!(kinds("mdm"), (true, false, true));
    assert_eq!(kinds("analytics"), (false, true, false));
    assert_eq!(kinds("iot"), (false, false, false));
    assert_eq!(kinds("migration"), (false, false, false));
    assert!(
        of("iot").device_users,
        "iot's devices role is for device users"
    );
    for name in ["mdm", "migration", "analytics"] {
        assert!(!of(name).device_users, "{name}");
    }
    let iot = templates.get("iot").unwrap();
    let marked: Vec<&str> = iot
        .roles
        .iter()
        .filter(|r| r.for_devices)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(marked, ["devices"]);
    // Migration 0018 (sqlite) / 0019 (postgres) marks the role of tenants made before the mark
    // as the one built-in, special role for users: in every template that is exactly this one.
    for name in ["iot", "mdm", "migration", "analytics"] {
        let t = templates.get(name).unwrap();
        for role in &t.roles {
            let by_migration = role.built_in && role.special && role.audience == Audience::User;
            assert_eq!(by_migration, role.for_devices, "{name} {}", role.name);
        }
    }
}

#[test]
fn a_template_whose_custom_role_grants_a_reserved_type_is_refused() {
    let text = SMALL.replace("name = \"Alarms\"", "name = \"Alarms\"\nreserved = true");
    assert!(
        text.contains("reserved = true"),
        "the fixture has an Alarms type"
    );
    let refused = parse("small.toml", &text);
    assert!(
        matches!(&refused, Err(e) if e.reason.contains("only a built-in role may grant")),
        "{refused:?}"
    );
}

#[test]
fn migration_module_access_is_one_choice_of_deny_read_only_or_read_write() {
    use crate::model::grid::{access_level, set_access_level};
    let templates = Templates::load().unwrap();
    let migration = templates.get("migration").unwrap();
    let c = &migration.catalogue;
    assert!(c.has_module_access());
    for name in ["iot", "mdm", "analytics"] {
        assert!(
            !templates.get(name).unwrap().catalogue.has_module_access(),
            "{name}"
        );
    }
    // Every module has exactly one access type, named `<Module> access`.
    for module in &c.modules {
        let access: Vec<&str> = module
            .permissions
            .iter()
            .filter(|p| p.access)
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            access,
            [format!("{} access", module.name)],
            "{}",
            module.name
        );
    }
    let admin = migration
        .roles
        .iter()
        .find(|r| r.name == "Project Admin")
        .unwrap();
    let mut grants = admin.grants.clone();
    let t = "Applications access";
    assert_eq!(access_level(c, &grants, t).as_deref(), Some("Read/Write"));
    set_access_level(&mut grants, t, Some("Read Only"));
    assert_eq!(access_level(c, &grants, t).as_deref(), Some("Read Only"));
    assert!(!grants[t].contains("Read/Write"));
    set_access_level(&mut grants, t, None);
    assert_eq!(access_level(c, &grants, t), None);
    assert!(!grants.contains_key(t), "Deny Access is no level at all");
}
