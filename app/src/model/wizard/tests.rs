use super::*;

fn role(id: i64, name: &str, space_bound: bool, requires: &[i64]) -> WizardRole {
    WizardRole {
        id: RoleId(id),
        name: name.into(),
        description: String::new(),
        space_bound,
        requires: requires.iter().map(|&r| RoleId(r)).collect(),
        grantable: true,
        reason: None,
    }
}

fn space(id: i64, name: &str, is_default: bool) -> SpaceRef {
    SpaceRef {
        id: SpaceId(id),
        name: name.into(),
        is_default,
    }
}

fn mdm() -> Vec<WizardRole> {
    vec![
        role(1, "System Read Only", false, &[]),
        role(2, "Device Read Only", true, &[]),
        role(3, "Device Actions", true, &[2]),
        role(4, "Chain", false, &[3]),
    ]
}

fn ids(list: &[i64]) -> BTreeSet<RoleId> {
    list.iter().map(|&i| RoleId(i)).collect()
}

#[test]
fn append_roles_skips_spaces_step_with_one_space() {
    assert!(skips_spaces_step(&[space(10, "Default Space", true)]));
    assert!(!skips_spaces_step(&[
        space(10, "Default Space", true),
        space(11, "EMEA", false)
    ]));
    // Skipped: the space-bound role lands in Default Space.
    let plan = planned(
        &mdm(),
        &ids(&[1, 2]),
        &BTreeMap::new(),
        &[space(10, "Default Space", true)],
    )
    .unwrap();
    assert_eq!(
        plan,
        [(RoleId(1), TENANT_WIDE), (RoleId(2), SpaceId(10))].into()
    );
}

#[test]
fn every_space_bound_role_needs_a_space_when_there_are_several() {
    let spaces = [
        space(10, "Default Space", true),
        space(11, "EMEA", false),
        space(12, "Americas", false),
    ];
    let missing = planned(&mdm(), &ids(&[2]), &BTreeMap::new(), &spaces).unwrap_err();
    assert_eq!(missing, "Choose at least one space for Device Read Only.");
    let chosen = BTreeMap::from([(RoleId(2), [SpaceId(11), SpaceId(12)].into())]);
    let plan = planned(&mdm(), &ids(&[2]), &chosen, &spaces).unwrap();
    assert_eq!(
        plan,
        [(RoleId(2), SpaceId(11)), (RoleId(2), SpaceId(12))].into()
    );
}

#[test]
fn choosing_a_role_adds_what_it_requires_transitively_with_notices() {
    let (closed, added) = with_requirements(&mdm(), &ids(&[4]));
    assert_eq!(closed, ids(&[2, 3, 4]));
    assert_eq!(added, [(RoleId(2), RoleId(3)), (RoleId(3), RoleId(4))]);
    let (closed, added) = with_requirements(&mdm(), &ids(&[2, 3]));
    assert_eq!(
        (closed, added.len()),
        (ids(&[2, 3]), 0),
        "nothing to add when present"
    );
}

#[test]
fn append_only_adds_and_assign_also_removes() {
    let current: BTreeSet<Assignment> = [(RoleId(1), TENANT_WIDE), (RoleId(2), SpaceId(11))].into();
    let plan: BTreeSet<Assignment> = [(RoleId(2), SpaceId(11)), (RoleId(2), SpaceId(12))].into();
    assert_eq!(
        change_for(Mode::Append, &current, &plan),
        (vec![(RoleId(2), SpaceId(12))], vec![])
    );
    assert_eq!(
        change_for(Mode::Assign, &current, &plan),
        (
            vec![(RoleId(2), SpaceId(12))],
            vec![(RoleId(1), TENANT_WIDE)]
        )
    );
}

#[test]
fn a_requirement_is_met_in_the_same_space_or_tenant_wide() {
    let reqs = [(RoleId(3), RoleId(2))];
    let same: BTreeSet<Assignment> = [(RoleId(3), SpaceId(11)), (RoleId(2), SpaceId(11))].into();
    assert_eq!(unmet_requirement(&reqs, &same), None);
    let elsewhere: BTreeSet<Assignment> =
        [(RoleId(3), SpaceId(11)), (RoleId(2), SpaceId(12))].into();
    assert_eq!(
        unmet_requirement(&reqs, &elsewhere),
        Some((RoleId(3), RoleId(2)))
    );
    let wide: BTreeSet<Assignment> = [(RoleId(3), SpaceId(11)), (RoleId(2), TENANT_WIDE)].into();
    assert_eq!(unmet_requirement(&reqs, &wide), None);
}

#[test]
fn roles_are_labelled_with_their_scope_as_the_seed_lists_them() {
    assert_eq!(mdm()[0].label(), "System Read Only | Cross-Space");
    assert_eq!(mdm()[1].label(), "Device Read Only | Space-Specific");
}
