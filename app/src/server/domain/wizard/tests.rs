use super::*;
use crate::model::Origin;
use crate::model::{AppError, SpaceId};
use crate::server::domain::testing::set_user_roles_now;
use crate::{
    model::{spaces::SpaceInput, wizard::TENANT_WIDE, GroupId, UserId},
    server::{
        db::users::NewUser,
        domain::{
            assignments::PARTNER_ADMIN_MESSAGE,
            spaces,
            testing::{fixture, fixture_of, Fixture},
        },
    },
};

async fn space(db: &Db, f: &Fixture, name: &str) -> SpaceId {
    let admin = f.actor(db, f.admin).await;
    let input = SpaceInput {
        id: None,
        name: name.into(),
        description: String::new(),
        version: 0,
    };
    spaces::save(db, &admin, &input).await.unwrap().id
}

async fn default_space(db: &Db, f: &Fixture) -> SpaceId {
    let mut conn = db.pool.acquire().await.unwrap();
    spaces::list(&mut conn, f.tenant).await.unwrap()[0].id
}

async fn held(db: &Db, f: &Fixture, subject: Subject) -> BTreeSet<Assignment> {
    let mut conn = db.pool.acquire().await.unwrap();
    db::assignments::of_subject(&mut conn, f.tenant, subject)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

fn request(mode: Mode, subjects: &[Subject], assignments: &[Assignment]) -> WizardRequest {
    WizardRequest {
        mode,
        subjects: subjects.to_vec(),
        assignments: assignments.to_vec(),
        versions: Vec::new(),
    }
}

/// The request with each principal's roles version as read now (Assign replaces them).
async fn current(db: &Db, mut request: WizardRequest) -> WizardRequest {
    use crate::server::domain::testing::{group_roles_version, roles_version};
    for &subject in &request.subjects {
        let version = match subject {
            Subject::User(u) => roles_version(db, u).await,
            Subject::Group(g) => group_roles_version(db, g).await,
        };
        request.versions.push((subject, version));
    }
    request
}

async fn person(db: &Db, f: &Fixture, username: &str, origin: Origin, partner: bool) -> UserId {
    let mut conn = db.pool.acquire().await.unwrap();
    let new = NewUser {
        username,
        display_name: username,
        email: "",
        password_hash: None,
        origin,
        is_partner_admin: partner,
    };
    db::users::insert(&mut conn, f.tenant, &new, 0)
        .await
        .unwrap()
}

#[tokio::test]
async fn mdm_append_puts_space_bound_roles_in_the_chosen_spaces_for_every_user() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "globex", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let (emea, americas) = (space(db, &f, "EMEA").await, space(db, &f, "Americas").await);
        let (alice, bob) = (f.user(db, "alice").await, f.user(db, "bob").await);
        let system_ro = f.role(db, "System Read Only").await;
        let device_ro = f.role(db, "Device Read Only").await;
        let mut conn = db.pool.acquire().await.unwrap();
        let ctx = context(&mut conn, &admin, Mode::Append, &[Subject::User(alice)])
            .await
            .unwrap();
        assert_eq!(ctx.spaces.len(), 3);
        let found = roles_page(&mut conn, &admin, "device read", 1)
            .await
            .unwrap();
        let device = found.roles.iter().find(|r| r.id == device_ro).unwrap();
        assert!(device.space_bound && device.grantable);
        drop(conn);
        let wanted = [
            (system_ro, TENANT_WIDE),
            (device_ro, emea),
            (device_ro, americas),
        ];
        let subjects = [Subject::User(alice), Subject::User(bob)];
        let summary = preview(db, &admin, &request(Mode::Append, &subjects, &wanted))
            .await
            .unwrap();
        assert_eq!(
            summary[0].added,
            [
                "System Read Only",
                "Device Read Only (EMEA)",
                "Device Read Only (Americas)"
            ]
        );
        // As the guard computed it: a space-bound role's permissions are gained in its spaces.
        assert_eq!(
            summary[0].gained,
            [
                "Devices View (Americas)",
                "Devices View (EMEA)",
                "System settings View"
            ]
        );
        assert!(
            held(db, &f, Subject::User(alice)).await.is_empty(),
            "preview writes nothing"
        );
        apply(db, &admin, &request(Mode::Append, &subjects, &wanted))
            .await
            .unwrap();
        for user in [alice, bob] {
            assert_eq!(
                held(db, &f, Subject::User(user)).await,
                wanted.iter().copied().collect()
            );
        }
        // Space-bound roles count in their spaces, and the provenance says which (SPEC rule 1).
        let mut conn = db.pool.acquire().await.unwrap();
        let (_, provenance) =
            crate::server::domain::access::effective(&mut conn, &admin.catalogue, f.tenant, bob)
                .await
                .unwrap();
        drop(conn);
        assert_eq!(
            provenance["Devices"]["View"],
            ["Device Read Only in Americas", "Device Read Only in EMEA"]
        );
        // A space-bound role tenant-wide, or a space of another tenant, is refused.
        let bad = request(Mode::Append, &subjects, &[(device_ro, TENANT_WIDE)]);
        assert!(matches!(
            apply(db, &admin, &bad).await,
            Err(AppError::Validation { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn with_only_default_space_the_plan_lands_in_default_space() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "hooli", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let default = default_space(db, &f).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let alice = f.user(db, "alice").await;
        let ctx = context(&mut conn, &admin, Mode::Append, &[Subject::User(alice)])
            .await
            .unwrap();
        drop(conn);
        assert!(crate::model::wizard::skips_spaces_step(&ctx.spaces));
        let device_ro = f.role(db, "Device Read Only").await;
        let summary = apply(
            db,
            &admin,
            &request(
                Mode::Append,
                &[Subject::User(alice)],
                &[(device_ro, default)],
            ),
        )
        .await
        .unwrap();
        assert_eq!(summary[0].added, ["Device Read Only (Default Space)"]);
    })
    .await;
}

#[tokio::test]
async fn the_helpdesk_example_works_and_a_missing_requirement_is_refused() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "hooli", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let default = default_space(db, &f).await;
        let mut conn = db.pool.acquire().await.unwrap();
        let helpdesk = db::groups::insert(&mut conn, f.tenant, "Helpdesk", "", 0)
            .await
            .unwrap();
        let space_name = spaces::list(&mut conn, f.tenant).await.unwrap()[0]
            .name
            .clone();
        drop(conn);
        // The Summary lists what the group's members gain: none yet, so nothing.
        let device_ro = f.role(db, "Device Read Only").await;
        let empty = request(
            Mode::Append,
            &[Subject::Group(helpdesk)],
            &[(device_ro, default)],
        );
        let summary = preview(db, &admin, &empty).await.unwrap();
        assert_eq!((summary[0].added.len(), summary[0].gained.len()), (1, 0));
        let member = f.user(db, "hannah").await;
        let mut conn = db.pool.acquire().await.unwrap();
        db::groups::add_member(&mut conn, f.tenant, helpdesk, member)
            .await
            .unwrap();
        drop(conn);
        let actions = f.role(db, "Device Actions").await;
        let alone = request(
            Mode::Append,
            &[Subject::Group(helpdesk)],
            &[(actions, default)],
        );
        let error = apply(db, &admin, &alone).await.unwrap_err();
        assert_eq!(
            error,
            AppError::validation(
                "roles",
                "Device Actions requires Device Read Only: Helpdesk would be left without it."
            )
        );
        assert!(held(db, &f, Subject::Group(helpdesk)).await.is_empty());
        let both = request(
            Mode::Append,
            &[Subject::Group(helpdesk)],
            &[(device_ro, default), (actions, default)],
        );
        let summary = apply(db, &admin, &both).await.unwrap();
        for action in [
            "Force Check-in Manage",
            "Lock Manage",
            "Unlock Manage",
            "Send Message Manage",
            "Retire Manage",
            "Wipe Manage",
            "Devices View",
        ] {
            assert!(
                summary[0]
                    .gained
                    .contains(&format!("{action} ({space_name})")),
                "{action}: {:?}",
                summary[0].gained
            );
        }
        // Removing the required role while the dependent one stays is refused, naming both.
        let error = remove_roles(db, &admin, &[Subject::Group(helpdesk)], &[device_ro].into())
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("Device Actions requires Device Read Only"),
            "{error}"
        );
        remove_roles(
            db,
            &admin,
            &[Subject::Group(helpdesk)],
            &[device_ro, actions].into(),
        )
        .await
        .unwrap();
        assert!(held(db, &f, Subject::Group(helpdesk)).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn append_keeps_what_is_held_and_assign_sets_the_full_set() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let alice = f.user(db, "alice").await;
        let (reader, cockpit) = (
            f.role(db, "Global Reader").await,
            f.role(db, "Cockpit User").await,
        );
        apply(
            db,
            &admin,
            &request(
                Mode::Append,
                &[Subject::User(alice)],
                &[(reader, TENANT_WIDE)],
            ),
        )
        .await
        .unwrap();
        apply(
            db,
            &admin,
            &request(
                Mode::Append,
                &[Subject::User(alice)],
                &[(cockpit, TENANT_WIDE)],
            ),
        )
        .await
        .unwrap();
        assert_eq!(held(db, &f, Subject::User(alice)).await.len(), 2);
        let summary = apply(
            db,
            &admin,
            &current(
                db,
                request(
                    Mode::Assign,
                    &[Subject::User(alice)],
                    &[(cockpit, TENANT_WIDE)],
                ),
            )
            .await,
        )
        .await
        .unwrap();
        assert_eq!(summary[0].removed, ["Global Reader"]);
        assert_eq!(
            held(db, &f, Subject::User(alice)).await,
            [(cockpit, TENANT_WIDE)].into()
        );
        let bad = current(
            db,
            request(
                Mode::Assign,
                &[Subject::User(alice), Subject::User(f.admin)],
                &[],
            ),
        )
        .await;
        assert!(matches!(
            apply(db, &admin, &bad).await,
            Err(AppError::Validation { .. })
        ));
        // The last admins holder keeps it.
        let admins = f.role(db, "admins").await;
        let strip = current(db, request(Mode::Assign, &[Subject::User(f.admin)], &[])).await;
        assert!(matches!(
            apply(db, &admin, &strip).await,
            Err(AppError::Locked { .. })
        ));
        assert_eq!(
            held(db, &f, Subject::User(f.admin)).await,
            [(admins, TENANT_WIDE)].into()
        );
    })
    .await;
}

#[tokio::test]
async fn every_wizard_path_refuses_escalation_as_a_whole() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let limited = f
            .actor_holding(
                db,
                "limited",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            )
            .await;
        let (alice, bob) = (f.user(db, "alice").await, f.user(db, "bob").await);
        let mut conn = db.pool.acquire().await.unwrap();
        let group = db::groups::insert(&mut conn, f.tenant, "Ops", "", 0)
            .await
            .unwrap();
        drop(conn);
        let reader = f.role(db, "Global Reader").await;
        let mine = f.role(db, "Role of limited").await;
        let subjects = [
            Subject::User(alice),
            Subject::User(bob),
            Subject::Group(group),
        ];
        // Append of a role carrying more than the actor holds: refused, nobody changed.
        let tampered = request(
            Mode::Append,
            &subjects,
            &[(mine, TENANT_WIDE), (reader, TENANT_WIDE)],
        );
        assert!(matches!(
            apply(db, &limited, &tampered).await,
            Err(AppError::Forbidden { .. })
        ));
        for s in subjects {
            assert!(held(db, &f, s).await.is_empty());
        }
        // The Select roles step does not offer it, searched for or not.
        let mut conn = db.pool.acquire().await.unwrap();
        for query in ["", "Global Reader"] {
            let found = roles_page(&mut conn, &limited, query, 1).await.unwrap();
            assert!(found.roles.iter().all(|r| r.id != reader && r.grantable));
            assert!(found.roles.iter().any(|r| r.id == mine) || !query.is_empty());
        }
        drop(conn);
        // Assign that would remove it, and Remove roles: refused too.
        apply(
            db,
            &admin,
            &request(
                Mode::Append,
                &[Subject::User(alice)],
                &[(reader, TENANT_WIDE)],
            ),
        )
        .await
        .unwrap();
        let assign = current(
            db,
            request(
                Mode::Assign,
                &[Subject::User(alice)],
                &[(mine, TENANT_WIDE)],
            ),
        )
        .await;
        assert!(matches!(
            apply(db, &limited, &assign).await,
            Err(AppError::Forbidden { .. })
        ));
        assert!(matches!(
            remove_roles(db, &limited, &[Subject::User(alice)], &[reader].into()).await,
            Err(AppError::Forbidden { .. })
        ));
        assert_eq!(
            held(db, &f, Subject::User(alice)).await,
            [(reader, TENANT_WIDE)].into()
        );
        // What the limited admin holds, it may hand out.
        apply(
            db,
            &limited,
            &request(Mode::Append, &[Subject::User(bob)], &[(mine, TENANT_WIDE)]),
        )
        .await
        .unwrap();
        // Read-only and foreign callers.
        let viewer = f
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(matches!(
            roles_page(&mut conn, &viewer, "", 1).await,
            Err(AppError::Forbidden { .. })
        ));
        drop(conn);
        assert!(matches!(
            apply(
                db,
                &viewer,
                &request(Mode::Append, &[Subject::User(bob)], &[])
            )
            .await,
            Err(AppError::Forbidden { .. })
        ));
        let other = fixture(db, "globex").await;
        let stranger = other.actor(db, other.admin).await;
        assert_eq!(
            apply(
                db,
                &stranger,
                &request(Mode::Append, &[Subject::User(bob)], &[])
            )
            .await
            .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            remove_roles(
                db,
                &stranger,
                &[Subject::Group(GroupId(group.0))],
                &BTreeSet::new()
            )
            .await
            .unwrap_err(),
            AppError::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn locked_principals_are_skipped_with_the_reason_or_refused_when_alone() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let alice = f.user(db, "alice").await;
        let dave = person(db, &f, "sso.dave", Origin::Sso, false).await;
        let erin = person(db, &f, "partner.erin", Origin::Local, true).await;
        let reader = f.role(db, "Global Reader").await;
        let subjects = [
            Subject::User(alice),
            Subject::User(dave),
            Subject::User(erin),
        ];
        let summary = apply(
            db,
            &admin,
            &request(Mode::Append, &subjects, &[(reader, TENANT_WIDE)]),
        )
        .await
        .unwrap();
        assert_eq!(summary[0].skipped, None);
        assert!(summary[1]
            .skipped
            .as_deref()
            .unwrap()
            .starts_with("Roles managed by SSO"));
        assert_eq!(summary[2].skipped.as_deref(), Some(PARTNER_ADMIN_MESSAGE));
        assert_eq!(held(db, &f, Subject::User(alice)).await.len(), 1);
        assert!(held(db, &f, Subject::User(dave)).await.is_empty());
        assert!(held(db, &f, Subject::User(erin)).await.is_empty());
        let alone = current(
            db,
            request(
                Mode::Assign,
                &[Subject::User(erin)],
                &[(reader, TENANT_WIDE)],
            ),
        )
        .await;
        assert_eq!(
            apply(db, &admin, &alone).await.unwrap_err(),
            AppError::Locked {
                reason: PARTNER_ADMIN_MESSAGE.into()
            }
        );
    })
    .await;
}

#[tokio::test]
async fn direct_paths_refuse_space_specific_roles_and_unmet_requirements() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "hooli", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let alice = f.user(db, "alice").await;
        let (device_ro, actions) = (
            f.role(db, "Device Read Only").await,
            f.role(db, "Device Actions").await,
        );
        let system_ro = f.role(db, "System Read Only").await;
        // The user page cannot give a Space-Specific role: it has no space to give it in.
        let error = set_user_roles_now(db, &admin, alice, &[device_ro].into())
            .await
            .unwrap_err();
        assert_eq!(
            error,
            AppError::validation(
                "roles",
                "Device Read Only is Space-Specific: use Assign roles to choose its spaces."
            )
        );
        set_user_roles_now(db, &admin, alice, &[system_ro].into())
            .await
            .unwrap();
        // With the wizard alice holds both; unticking the required one on the page is refused.
        let default = default_space(db, &f).await;
        apply(
            db,
            &admin,
            &request(
                Mode::Append,
                &[Subject::User(alice)],
                &[(device_ro, default), (actions, default)],
            ),
        )
        .await
        .unwrap();
        let error = set_user_roles_now(db, &admin, alice, &[system_ro, actions].into())
            .await
            .unwrap_err();
        assert_eq!(
            error,
            AppError::validation("roles", "Device Actions requires Device Read Only.")
        );
        assert_eq!(
            held(db, &f, Subject::User(alice)).await.len(),
            3,
            "nothing changed"
        );
    })
    .await;
}

/// Each subject's assignments, read now.
async fn held_by(db: &Db, f: &Fixture, subjects: &[Subject]) -> Vec<BTreeSet<Assignment>> {
    let mut all = Vec::new();
    for &subject in subjects {
        all.push(held(db, f, subject).await);
    }
    all
}

#[tokio::test]
async fn a_required_role_counts_only_in_the_spaces_where_it_is_held() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "globex", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let (emea, americas) = (space(db, &f, "EMEA").await, space(db, &f, "Americas").await);
        let (device_ro, actions) = (
            f.role(db, "Device Read Only").await,
            f.role(db, "Device Actions").await,
        );
        let (alice, bob) = (f.user(db, "alice").await, f.user(db, "bob").await);
        let mut conn = db.pool.acquire().await.unwrap();
        let ops = db::groups::insert(&mut conn, f.tenant, "Ops", "", 0)
            .await
            .unwrap();
        db::groups::add_member(&mut conn, f.tenant, ops, bob)
            .await
            .unwrap();
        drop(conn);
        let both = [Subject::User(alice), Subject::Group(ops)];
        apply(
            db,
            &admin,
            &request(Mode::Append, &both, &[(device_ro, emea)]),
        )
        .await
        .unwrap();
        let in_emea = held_by(db, &f, &both).await;
        assert_eq!(in_emea[0], [(device_ro, emea)].into());
        // Device Actions in Americas, with Device Read Only held (or sent) in EMEA only.
        let unmet = AppError::validation(
            "roles",
            "Device Actions requires Device Read Only: alice would be left without it.",
        );
        for wanted in [
            vec![(actions, americas)],
            vec![(device_ro, emea), (actions, americas)],
        ] {
            let append = request(Mode::Append, &both, &wanted);
            assert_eq!(preview(db, &admin, &append).await.unwrap_err(), unmet);
            assert_eq!(apply(db, &admin, &append).await.unwrap_err(), unmet);
        }
        let assign = current(
            db,
            request(
                Mode::Assign,
                &[Subject::User(alice)],
                &[(device_ro, emea), (actions, americas)],
            ),
        )
        .await;
        assert_eq!(apply(db, &admin, &assign).await.unwrap_err(), unmet);
        // The user and group pages give no Space-Specific role at all.
        let space_specific = AppError::validation(
            "roles",
            "Device Actions is Space-Specific: use Assign roles to choose its spaces.",
        );
        let page = BTreeSet::from([device_ro, actions]);
        assert_eq!(
            set_user_roles_now(db, &admin, alice, &page)
                .await
                .unwrap_err(),
            space_specific
        );
        assert_eq!(
            crate::server::domain::testing::set_group_roles_now(db, &admin, ops, &page)
                .await
                .unwrap_err(),
            space_specific
        );
        // A write path that forgot the check: the guard judges each user's holdings, a group's
        // through its members.
        let guard_unmet =
            AppError::validation("roles", "Device Actions requires Device Read Only.");
        for subject in both {
            let mut guard = crate::server::domain::guard::Guard::begin(db, &admin)
                .await
                .unwrap();
            db::assignments::add(guard.conn(), f.tenant, subject, (actions, americas))
                .await
                .unwrap();
            assert_eq!(guard.finish(Ok(())).await.unwrap_err(), guard_unmet);
        }
        assert_eq!(held_by(db, &f, &both).await, in_emea, "nothing changed");
        // In Americas too, as the wizard adds it: given.
        let added = [(device_ro, americas), (actions, americas)];
        apply(db, &admin, &request(Mode::Append, &both, &added))
            .await
            .unwrap();
        let full: BTreeSet<Assignment> = [
            (device_ro, emea),
            (device_ro, americas),
            (actions, americas),
        ]
        .into();
        assert_eq!(held_by(db, &f, &both).await, [full.clone(), full.clone()]);
        // Taking Device Read Only in Americas while Device Actions stays there: refused.
        let assign = current(
            db,
            request(
                Mode::Assign,
                &[Subject::User(alice)],
                &[(device_ro, emea), (actions, americas)],
            ),
        )
        .await;
        assert_eq!(apply(db, &admin, &assign).await.unwrap_err(), unmet);
        let only_required = BTreeSet::from([device_ro]);
        assert!(remove_roles(db, &admin, &both, &only_required)
            .await
            .unwrap_err()
            .to_string()
            .contains("Device Actions requires Device Read Only"));
        assert!(preview_removal(db, &admin, &both, &only_required)
            .await
            .is_err());
        let without_required = BTreeSet::from([actions]);
        assert_eq!(
            set_user_roles_now(db, &admin, alice, &without_required)
                .await
                .unwrap_err(),
            AppError::validation("roles", "Device Actions requires Device Read Only.")
        );
        assert!(crate::server::domain::testing::set_group_roles_now(
            db,
            &admin,
            ops,
            &without_required
        )
        .await
        .is_err());
        for subject in both {
            let mut guard = crate::server::domain::guard::Guard::begin(db, &admin)
                .await
                .unwrap();
            db::assignments::remove(guard.conn(), f.tenant, subject, (device_ro, americas))
                .await
                .unwrap();
            assert_eq!(guard.finish(Ok(())).await.unwrap_err(), guard_unmet);
        }
        assert_eq!(held_by(db, &f, &both).await, [full.clone(), full.clone()]);
        // Held through a group counts: bob holds Device Actions in Americas directly too, and
        // leaving Ops would leave it without Device Read Only there.
        let mut conn = db.pool.acquire().await.unwrap();
        db::assignments::add(&mut conn, f.tenant, Subject::User(bob), (actions, americas))
            .await
            .unwrap();
        drop(conn);
        assert_eq!(
            crate::server::domain::groups::set_member(db, &admin, ops, bob, false)
                .await
                .unwrap_err(),
            guard_unmet
        );
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(db::groups::is_member(&mut conn, f.tenant, ops, bob)
            .await
            .unwrap());
        drop(conn);
        // Both taken from Americas together: allowed.
        let assign = current(
            db,
            request(Mode::Assign, &[Subject::User(alice)], &[(device_ro, emea)]),
        )
        .await;
        apply(db, &admin, &assign).await.unwrap();
        assert_eq!(held(db, &f, Subject::User(alice)).await, in_emea[0]);
    })
    .await;
}

/// SPEC rule 5: "directly or through a group". The wizard's own check counts a requirement that
/// a user holds through a group in the same space, as the guard does; in another space it does
/// not count.
#[tokio::test]
async fn a_required_role_held_through_a_group_in_the_same_space_counts_in_the_wizard() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "globex", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let (emea, americas) = (space(db, &f, "EMEA").await, space(db, &f, "Americas").await);
        let (device_ro, actions) = (
            f.role(db, "Device Read Only").await,
            f.role(db, "Device Actions").await,
        );
        let (bob, carol) = (f.user(db, "bob").await, f.user(db, "carol").await);
        let mut conn = db.pool.acquire().await.unwrap();
        let ops = db::groups::insert(&mut conn, f.tenant, "Ops", "", 0)
            .await
            .unwrap();
        let west = db::groups::insert(&mut conn, f.tenant, "West", "", 0)
            .await
            .unwrap();
        db::groups::add_member(&mut conn, f.tenant, ops, bob)
            .await
            .unwrap();
        db::groups::add_member(&mut conn, f.tenant, west, carol)
            .await
            .unwrap();
        drop(conn);
        // Ops holds Device Read Only in EMEA, West in Americas; bob and carol hold both roles
        // in EMEA directly.
        for (group, space) in [(ops, emea), (west, americas)] {
            apply(
                db,
                &admin,
                &request(
                    Mode::Append,
                    &[Subject::Group(group)],
                    &[(device_ro, space)],
                ),
            )
            .await
            .unwrap();
        }
        let people = [Subject::User(bob), Subject::User(carol)];
        apply(
            db,
            &admin,
            &request(Mode::Append, &people, &[(device_ro, emea), (actions, emea)]),
        )
        .await
        .unwrap();
        let only_required = BTreeSet::from([device_ro]);
        // carol's group holds it in Americas only: taking hers in EMEA is refused, for both.
        assert!(remove_roles(db, &admin, &people, &only_required)
            .await
            .unwrap_err()
            .to_string()
            .contains("carol would be left without it"));
        assert_eq!(
            held(db, &f, Subject::User(bob)).await,
            [(device_ro, emea), (actions, emea)].into(),
            "nothing changed"
        );
        // bob still holds it in EMEA through Ops: his direct one may go, by Remove roles and by
        // Assign.
        remove_roles(db, &admin, &people[..1], &only_required)
            .await
            .unwrap();
        assert_eq!(
            held(db, &f, Subject::User(bob)).await,
            [(actions, emea)].into()
        );
        let assign = current(
            db,
            request(Mode::Assign, &[Subject::User(carol)], &[(actions, emea)]),
        )
        .await;
        assert!(apply(db, &admin, &assign).await.is_err());
        assert_eq!(
            held(db, &f, Subject::User(carol)).await,
            [(device_ro, emea), (actions, emea)].into()
        );
    })
    .await;
}

#[tokio::test]
async fn remove_roles_skips_locked_users_naming_them_and_changes_the_others() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let (alice, bob) = (f.user(db, "alice").await, f.user(db, "bob").await);
        let dave = person(db, &f, "sso.dave", Origin::Sso, false).await;
        let erin = person(db, &f, "partner.erin", Origin::Local, true).await;
        let reader = f.role(db, "Global Reader").await;
        let mut conn = db.pool.acquire().await.unwrap();
        for user in [alice, bob, dave, erin] {
            db::assignments::add(
                &mut conn,
                f.tenant,
                Subject::User(user),
                (reader, TENANT_WIDE),
            )
            .await
            .unwrap();
        }
        drop(conn);
        let readers: BTreeSet<Assignment> = [(reader, TENANT_WIDE)].into();
        let subjects = [
            Subject::User(dave),
            Subject::User(alice),
            Subject::User(erin),
            Subject::User(bob),
        ];
        let roles = BTreeSet::from([reader]);
        let previewed = preview_removal(db, &admin, &subjects, &roles)
            .await
            .unwrap();
        let summary = remove_roles(db, &admin, &subjects, &roles).await.unwrap();
        assert_eq!(previewed, summary);
        let of = |name: &str| summary.iter().find(|s| s.name == name).unwrap();
        for name in ["alice", "bob"] {
            assert_eq!(of(name).removed, ["Global Reader"]);
            assert_eq!(of(name).skipped, None);
        }
        assert!(of("sso.dave").removed.is_empty());
        assert!(of("sso.dave")
            .skipped
            .as_deref()
            .unwrap()
            .starts_with("Roles managed by SSO"));
        assert!(of("partner.erin").removed.is_empty());
        assert_eq!(
            of("partner.erin").skipped.as_deref(),
            Some(PARTNER_ADMIN_MESSAGE)
        );
        let after = held_by(
            db,
            &f,
            &[
                Subject::User(alice),
                Subject::User(bob),
                Subject::User(dave),
                Subject::User(erin),
            ],
        )
        .await;
        assert_eq!(
            after,
            [
                BTreeSet::new(),
                BTreeSet::new(),
                readers.clone(),
                readers.clone()
            ]
        );
        // Only locked users selected: each still named and skipped, and nothing changes.
        let locked_only = [Subject::User(erin), Subject::User(dave)];
        let summary = remove_roles(db, &admin, &locked_only, &roles)
            .await
            .unwrap();
        assert!(summary
            .iter()
            .all(|s| s.skipped.is_some() && s.removed.is_empty()));
        assert_eq!(
            held_by(db, &f, &locked_only).await,
            [readers.clone(), readers]
        );
    })
    .await;
}

#[tokio::test]
async fn the_select_roles_step_pages_searches_and_brings_what_a_role_requires() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture_of(db, "globex", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let mut conn = db.pool.acquire().await.unwrap();
        // More roles than one page holds.
        for n in 0..ROLES_PAGE_SIZE + 5 {
            let name = format!("Bulk role {n:03}");
            let fields = db::roles::RoleFields {
                name: &name,
                description: "",
                audience: crate::model::Audience::User,
                scope: crate::model::RoleScope::CrossSpace,
                built_in: false,
                special: false,
            };
            db::roles::insert(&mut conn, f.tenant, &fields, 0)
                .await
                .unwrap();
        }
        let first = roles_page(&mut conn, &admin, "bulk ROLE", 1).await.unwrap();
        let second = roles_page(&mut conn, &admin, "bulk ROLE", 2).await.unwrap();
        assert_eq!(first.total, ROLES_PAGE_SIZE + 5);
        assert_eq!(first.roles.len() as i64, ROLES_PAGE_SIZE);
        assert_eq!(second.roles.len(), 5);
        assert_eq!(first.roles[0].name, "Bulk role 000");
        assert_eq!(
            second.roles[4].name,
            format!("Bulk role {:03}", ROLES_PAGE_SIZE + 4)
        );
        // Every grantable role once, in name order, across the pages.
        let everything = roles_page(&mut conn, &admin, "", 1).await.unwrap();
        assert!(everything.total > ROLES_PAGE_SIZE + 5);
        let names: Vec<String> = everything
            .roles
            .iter()
            .map(|r| r.name.to_lowercase())
            .collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]));
        // A role that requires another brings it, though the search does not match it.
        let actions = f.role(db, "Device Actions").await;
        let device_ro = f.role(db, "Device Read Only").await;
        let found = roles_page(&mut conn, &admin, "Device Actions", 1)
            .await
            .unwrap();
        let role = found.roles.iter().find(|r| r.id == actions).unwrap();
        assert_eq!(role.requires, [device_ro]);
        assert!(found.required.iter().any(|r| r.id == device_ro));
        assert!(found
            .required
            .iter()
            .all(|r| found.roles.iter().all(|o| o.id != r.id)));
        // A page past the end is empty; a bad page or search is refused.
        assert!(roles_page(&mut conn, &admin, "bulk", 99)
            .await
            .unwrap()
            .roles
            .is_empty());
        assert!(roles_page(&mut conn, &admin, "", 1_000_000).await.is_err());
        assert!(roles_page(&mut conn, &admin, "a\u{1}", 1).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn the_wizard_reads_many_principals_at_once_and_none_of_another_tenant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let (alice, bob) = (f.user(db, "alice").await, f.user(db, "bob").await);
        let reader = f.role(db, "Global Reader").await;
        apply(
            db,
            &admin,
            &request(
                Mode::Append,
                &[Subject::User(alice)],
                &[(reader, TENANT_WIDE)],
            ),
        )
        .await
        .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let group = db::groups::insert(&mut conn, f.tenant, "Ops", "", 0)
            .await
            .unwrap();
        let partner = person(db, &f, "partner.pat", Origin::Local, true).await;
        let subjects = [
            Subject::Group(group),
            Subject::User(bob),
            Subject::User(partner),
            Subject::User(alice),
        ];
        let ctx = context(&mut conn, &admin, Mode::Append, &subjects)
            .await
            .unwrap();
        // In subject order, each with what it holds; the partner administrator is skipped.
        let names: Vec<&str> = ctx.subjects.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "partner.pat", "Ops"]);
        assert_eq!(ctx.subjects[0].current, [(reader, TENANT_WIDE)]);
        assert!(ctx.subjects[1].current.is_empty());
        assert_eq!(ctx.subjects[2].skip.as_deref(), Some(PARTNER_ADMIN_MESSAGE));
        // The roles sent are those held (the roles step pages the others).
        assert_eq!(ctx.roles.iter().map(|r| r.id).collect::<Vec<_>>(), [reader]);
        // One principal of another tenant among them: the whole request is NotFound.
        let other = fixture(db, "globex").await;
        let stranger = other.user(db, "alice").await;
        let mixed = [Subject::User(alice), Subject::User(stranger)];
        assert_eq!(
            context(&mut conn, &admin, Mode::Append, &mixed)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn the_database_keys_refuse_a_role_of_another_tenant_whatever_the_row_claims() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let other = fixture(db, "globex").await;
        let bob = f.user(db, "bob").await;
        let (ours, theirs) = (
            f.role(db, "Global Reader").await,
            other.role(db, "Global Reader").await,
        );
        let mut conn = db.pool.acquire().await.unwrap();
        let ops = db::groups::insert(&mut conn, f.tenant, "Ops", "", 0)
            .await
            .unwrap();
        let principals = [Subject::User(bob), Subject::Group(ops)];
        let before = held_by(db, &f, &principals).await;
        // Whichever tenant the row names, a principal and a role of two tenants are never
        // joined, through the write path the wizard uses or by hand.
        for subject in principals {
            let written =
                db::assignments::add_many(&mut conn, f.tenant, &[(subject, (theirs, TENANT_WIDE))])
                    .await;
            assert_eq!(written, Err(AppError::NotFound), "{subject:?}");
            let (table, column, id) = match subject {
                Subject::User(user) => ("user_roles", "user_id", user.0),
                Subject::Group(group) => ("group_roles", "group_id", group.0),
            };
            for (tenant, role) in [(f.tenant, theirs), (other.tenant, theirs), (other.tenant, ours)] {
                let inserted = sqlx::query(&format!(
                    "INSERT INTO {table} (tenant_id, {column}, role_id, space_id) VALUES ($1, $2, $3, 0)"
                ))
                .bind(tenant)
                .bind(id)
                .bind(role)
                .execute(&mut *conn)
                .await;
                assert!(inserted.is_err(), "{table} {tenant:?} {role:?}: {inserted:?}");
            }
        }
        drop(conn);
        assert_eq!(held_by(db, &f, &principals).await, before);
    })
    .await;
}

/// The ids of the roles the database offers `actor` (every page at once), and of those the
/// rule itself ([`crate::server::domain::roles::assignable`]) lets them grant.
async fn offered_both_ways(db: &Db, actor: &Actor) -> (BTreeSet<RoleId>, BTreeSet<RoleId>) {
    let mut conn = db.pool.acquire().await.unwrap();
    let not = super::context::not_grantable(&mut conn, actor)
        .await
        .unwrap();
    let (rows, total) = db::roles::grantable_page(&mut conn, actor.tenant(), "", &not, 0, 100_000)
        .await
        .unwrap();
    assert_eq!(total as usize, rows.len());
    let by_sql = rows.into_iter().map(|r| r.id).collect();
    let by_rule = crate::server::domain::roles::assignable(&mut conn, actor)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.grantable)
        .map(|r| r.id)
        .collect();
    (by_sql, by_rule)
}

#[tokio::test]
async fn the_database_offers_exactly_the_roles_the_rule_lets_an_admin_grant() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        // iot: the administrator, and one holding less than most roles carry.
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let limited = f
            .actor_holding(
                db,
                "limited",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            )
            .await;
        for actor in [&admin, &limited] {
            let (by_sql, by_rule) = offered_both_ways(db, actor).await;
            assert_eq!(by_sql, by_rule);
        }
        let (limited_offer, _) = offered_both_ways(db, &limited).await;
        assert!(limited_offer.contains(&f.role(db, "Role of limited").await));
        assert!(!limited_offer.contains(&f.role(db, "Global Reader").await));
        // mdm: a user manager who holds Device Read Only in EMEA only may grant it (in EMEA),
        // not Device Management; applications count too.
        let g = fixture_of(db, "globex", "mdm").await;
        let root = g.actor(db, g.admin).await;
        let emea = space(db, &g, "EMEA").await;
        let manager = g.actor_holding(db, "manager", &[("Users", "Manage")]).await;
        let device_ro = g.role(db, "Device Read Only").await;
        let mut conn = db.pool.acquire().await.unwrap();
        db::assignments::add(
            &mut conn,
            g.tenant,
            Subject::User(manager.principal.user_id),
            (device_ro, emea),
        )
        .await
        .unwrap();
        drop(conn);
        let manager = g.actor(db, manager.principal.user_id).await;
        for actor in [&root, &manager] {
            let (by_sql, by_rule) = offered_both_ways(db, actor).await;
            assert_eq!(by_sql, by_rule);
        }
        let (offer, _) = offered_both_ways(db, &manager).await;
        assert!(offer.contains(&device_ro));
        assert!(!offer.contains(&g.role(db, "Device Management").await));
    })
    .await;
}
