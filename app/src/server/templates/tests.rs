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
"#;

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
    assert_eq!(t.roles.len(), 1);
}

#[test]
fn a_grant_of_an_unknown_type_names_file_line_and_reason() {
    let broken = SMALL.replace(
        "\"Alarms\" = [\"READ\"]",
        "\"Alarms\" = [\"READ\"]\n\"Nope\" = [\"READ\"]",
    );
    let error = parse("small.toml", &broken).unwrap_err();
    assert_eq!(error.file, "small.toml");
    assert_eq!(error.line, 28, "the line of the role's name");
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
