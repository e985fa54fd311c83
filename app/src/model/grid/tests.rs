use super::*;
use crate::model::catalogue::{Access, Application, Cell, Implication, Module, PermissionType};

fn level_names(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Alarms and Inventory take every level; Audits has no UPDATE.
fn catalogue() -> Catalogue {
    let all = level_names(&["READ", "CREATE", "UPDATE", "ADMIN"]);
    let perm = |name: &str, levels: Vec<String>| PermissionType {
        name: name.into(),
        description: String::new(),
        levels,
        reserved: false,
        access: false,
        requires: Vec::new(),
        restricts: false,
    };
    Catalogue {
        role_kinds: Default::default(),
        naming: Default::default(),
        device_users: false,
        template: "test".into(),
        levels: all.clone(),
        implications: vec![Implication {
            level: "ADMIN".into(),
            implies: level_names(&["READ", "CREATE", "UPDATE"]),
        }],
        modules: vec![Module {
            name: "Data".into(),
            permissions: vec![
                perm("Alarms", all.clone()),
                perm("Audits", level_names(&["READ", "CREATE", "ADMIN"])),
                perm("Inventory", all),
            ],
        }],
        applications: vec![Application {
            name: "Cockpit".into(),
            description: String::new(),
        }],
        access: Access {
            view: cell("Alarms", "READ"),
            assign: cell("Alarms", "ADMIN"),
            create_users: cell("Alarms", "CREATE"),
            audit: cell("Alarms", "READ"),
            add_new_prefix: None,
        },
    }
}

fn cell(type_name: &str, level: &str) -> Cell {
    Cell {
        type_name: type_name.into(),
        level: level.into(),
    }
}

fn grants(cells: &[(&str, &str)]) -> Grants {
    let mut g = Grants::new();
    for (t, l) in cells {
        g.entry(t.to_string()).or_default().insert(l.to_string());
    }
    g
}

#[test]
fn admin_implies_read_create_update_only_where_they_apply() {
    let c = catalogue();
    let eff = c.effective(&grants(&[("Audits", "ADMIN"), ("Alarms", "ADMIN")]));
    assert_eq!(eff["Alarms"].len(), 4);
    assert_eq!(
        eff["Audits"],
        ["ADMIN", "CREATE", "READ"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
}

#[test]
fn select_all_is_tri_state_over_applicable_rows() {
    let c = catalogue();
    let mut g = Grants::new();
    assert_eq!(column_state(&c, &g, "UPDATE"), ColumnState::None);
    set_cell(&c, &mut g, "Alarms", "UPDATE", true);
    assert_eq!(column_state(&c, &g, "UPDATE"), ColumnState::Some);
    set_cell(&c, &mut g, "Inventory", "UPDATE", true);
    // Audits has no UPDATE: two of two applicable rows is all.
    assert_eq!(column_state(&c, &g, "UPDATE"), ColumnState::All);
}

#[test]
fn select_all_sets_and_clears_the_whole_column() {
    let c = catalogue();
    let mut g = Grants::new();
    set_column(&c, &mut g, "READ", true);
    assert_eq!(
        g,
        grants(&[
            ("Alarms", "READ"),
            ("Audits", "READ"),
            ("Inventory", "READ")
        ])
    );
    set_column(&c, &mut g, "UPDATE", true);
    assert!(
        !g["Audits"].contains("UPDATE"),
        "UPDATE does not apply to Audits"
    );
    set_column(&c, &mut g, "READ", false);
    assert_eq!(g, grants(&[("Alarms", "UPDATE"), ("Inventory", "UPDATE")]));
}

#[test]
fn ticked_admin_counts_for_read_column_and_clearing_read_clears_admin() {
    let c = catalogue();
    let mut g = Grants::new();
    set_column(&c, &mut g, "READ", true);
    set_cell(&c, &mut g, "Alarms", "ADMIN", true);
    assert!(implied_only(&c, &g, "Alarms", "UPDATE"));
    assert!(!implied_only(&c, &g, "Alarms", "ADMIN"));
    assert_eq!(column_state(&c, &g, "UPDATE"), ColumnState::Some);
    set_cell(&c, &mut g, "Alarms", "READ", false);
    assert!(
        !g.contains_key("Alarms"),
        "clearing an implied level clears the level implying it"
    );
    assert_eq!(column_state(&c, &g, "READ"), ColumnState::Some);
}

#[test]
fn diff_lists_each_changed_cell_once() {
    let before = grants(&[("Alarms", "READ"), ("Audits", "READ")]);
    let after = grants(&[
        ("Alarms", "READ"),
        ("Alarms", "ADMIN"),
        ("Inventory", "READ"),
    ]);
    let changes = diff(&before, &after);
    let text: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "{}{} {}",
                if c.granted { "+" } else { "-" },
                c.type_name,
                c.level
            )
        })
        .collect();
    assert_eq!(
        text,
        vec!["+Alarms ADMIN", "-Audits READ", "+Inventory READ"]
    );
    assert!(diff(&after, &after).is_empty());
}

#[test]
fn not_held_names_what_the_actor_lacks_including_implied_levels() {
    let c = catalogue();
    let actor = c.effective(&grants(&[
        ("Alarms", "READ"),
        ("Alarms", "UPDATE"),
        ("Inventory", "ADMIN"),
    ]));
    assert!(not_held(
        &c,
        &actor,
        &grants(&[("Alarms", "READ"), ("Inventory", "ADMIN")])
    )
    .is_empty());
    let missing = not_held(&c, &actor, &grants(&[("Alarms", "ADMIN")]));
    assert_eq!(
        missing,
        vec![
            ("Alarms".to_string(), "ADMIN".to_string()),
            ("Alarms".to_string(), "CREATE".to_string())
        ]
    );
}

#[test]
fn unknown_type_or_level_is_reported() {
    let c = catalogue();
    assert_eq!(c.unknown_grant(&grants(&[("Alarms", "READ")])), None);
    assert_eq!(
        c.unknown_grant(&grants(&[("Nope", "READ")])),
        Some(("Nope", "READ"))
    );
    assert_eq!(
        c.unknown_grant(&grants(&[("Audits", "UPDATE")])),
        Some(("Audits", "UPDATE"))
    );
}

#[test]
fn select_all_ticks_only_what_the_actor_may_grant() {
    let c = catalogue();
    let actor = c.effective(&grants(&[("Alarms", "READ"), ("Inventory", "ADMIN")]));
    let mut g = Grants::new();
    set_column_grantable(&c, &mut g, "READ", true, &actor);
    assert_eq!(g, grants(&[("Alarms", "READ"), ("Inventory", "READ")]));
    assert!(not_held(&c, &actor, &g).is_empty());
    set_column_grantable(&c, &mut g, "READ", false, &actor);
    assert!(g.is_empty());
}

#[test]
fn changes_are_described_briefly() {
    let changes = diff(
        &grants(&[("Events", "READ")]),
        &grants(&[
            ("Alarms", "ADMIN"),
            ("Audits", "READ"),
            ("Inventory", "READ"),
        ]),
    );
    assert_eq!(
        describe_changes(&changes, 2),
        "+Alarms ADMIN, +Audits READ and 2 more"
    );
    assert_eq!(
        describe_changes(&changes, 9),
        "+Alarms ADMIN, +Audits READ, −Events READ, +Inventory READ"
    );
    assert_eq!(describe_changes(&[], 3), "");
}

/// A `migration`-like module: an access type, an ordinary switch and two restricting ones.
fn module_catalogue() -> Catalogue {
    let mut c = catalogue();
    let perm = |name: &str, level: &str, access: bool, restricts: bool| PermissionType {
        name: name.into(),
        description: String::new(),
        levels: if access {
            level_names(&["Read Only", "Read/Write"])
        } else {
            level_names(&[level])
        },
        reserved: false,
        access,
        requires: if restricts {
            vec!["Apps access".into()]
        } else {
            Vec::new()
        },
        restricts,
    };
    c.levels = level_names(&["Read Only", "Read/Write", "Allowed", "Exempt"]);
    c.implications = vec![Implication {
        level: "Read/Write".into(),
        implies: level_names(&["Read Only"]),
    }];
    c.modules = vec![Module {
        name: "Apps".into(),
        permissions: vec![
            perm("Apps access", "", true, false),
            perm("Apps: Create", "Allowed", false, false),
            perm("Apps: Limit access to 'My Apps'", "Exempt", false, true),
            perm("Apps: Disable Context Menu", "Exempt", false, true),
        ],
    }];
    c
}

#[test]
fn opening_a_module_frees_the_role_of_what_the_admin_is_free_of_and_deny_takes_it_all() {
    let c = module_catalogue();
    const LIMIT: &str = "Apps: Limit access to 'My Apps'";
    const MENU: &str = "Apps: Disable Context Menu";
    // The admin opens Apps and is free of the context menu switch only.
    let actor = grants(&[("Apps access", "Read/Write"), (MENU, "Exempt")]);
    let mut g = Grants::new();
    assert!(
        !restricted(&c, &g, LIMIT),
        "a denied module restricts nothing"
    );
    choose_access(&c, &mut g, "Apps access", Some("Read Only"), &actor);
    assert_eq!(g, grants(&[("Apps access", "Read Only"), (MENU, "Exempt")]));
    assert!(
        restricted(&c, &g, LIMIT),
        "what the admin cannot free stays ticked"
    );
    assert!(!restricted(&c, &g, MENU));
    // Changing the level keeps the switches as they are.
    set_restricted(&c, &mut g, MENU, true);
    choose_access(&c, &mut g, "Apps access", Some("Read/Write"), &actor);
    assert_eq!(g, grants(&[("Apps access", "Read/Write")]));
    assert!(restricted(&c, &g, MENU) && restricted(&c, &g, LIMIT));
    set_restricted(&c, &mut g, MENU, false);
    assert_eq!(deny_needs(&c, &g, "Apps access", &actor), None);
    // A role freed of LIMIT by someone else: Deny Access would take that freedom away.
    g.insert(LIMIT.into(), ["Exempt".to_string()].into());
    assert_eq!(
        deny_needs(&c, &g, "Apps access", &actor).as_deref(),
        Some("Apps: Limit access to 'My Apps' Exempt")
    );
    let root = grants(&[
        ("Apps access", "Read/Write"),
        (MENU, "Exempt"),
        (LIMIT, "Exempt"),
    ]);
    choose_access(&c, &mut g, "Apps access", None, &root);
    assert!(g.is_empty(), "Deny Access leaves no freedom behind: {g:?}");
    // The admin who is free of both opens a module unrestricted.
    choose_access(&c, &mut g, "Apps access", Some("Read Only"), &root);
    assert!(!restricted(&c, &g, LIMIT) && !restricted(&c, &g, MENU));
    assert_eq!(c.unmet_prerequisite(&g), None);
}
