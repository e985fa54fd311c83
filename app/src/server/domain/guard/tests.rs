//! Issue 9's attacks, one test each, on SQLite and PostgreSQL: each is refused with the exact
//! reason and leaves the tenant exactly as it was (content and versions).

use crate::model::{Allocation, Origin};
use crate::server::domain::testing::set_group_roles_now;
use std::collections::BTreeSet;

use crate::{
    model::{
        roles::RoleInput, spaces::SpaceInput, users::UserUpdate, wizard::Subject, AppError,
        DeviceGroupId, GroupId, RoleId, SpaceId, UserId,
    },
    server::{
        db::{self, testing::each_backend, Db},
        domain::{
            assignments::PARTNER_ADMIN_MESSAGE,
            device_groups, groups, roles, spaces,
            testing::{fixture, fixture_of, Fixture},
            users, wizard,
        },
    },
};

/// Everything that decides who may do what, and every version: equal before and after a refused
/// write, or the write changed something.
async fn fingerprint(db: &Db, f: &Fixture) -> String {
    let mut conn = db.pool.acquire().await.unwrap();
    let facts = db::tenant_facts::load(&mut conn, f.tenant).await.unwrap();
    let state = super::TenantState::from_facts(facts, f.catalogue());
    let versions: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT 'role', id, version FROM roles WHERE tenant_id = $1 \
         UNION ALL SELECT 'user', id, version FROM users WHERE tenant_id = $1 \
         UNION ALL SELECT 'group', id, version FROM user_groups WHERE tenant_id = $1 \
         UNION ALL SELECT 'device group', id, version FROM device_groups WHERE tenant_id = $1 \
         UNION ALL SELECT 'inventory role', id, version FROM inventory_roles WHERE tenant_id = $1 \
         ORDER BY 1, 2",
    )
    .bind(f.tenant)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    format!("{state:?}\n{versions:?}")
}

async fn new_group(
    db: &Db,
    admin: &crate::server::domain::access::Actor,
    name: impl Into<String>,
) -> GroupId {
    let input = crate::model::groups::GroupInput {
        id: None,
        name: name.into(),
        description: String::new(),
        version: 0,
    };
    groups::save(db, admin, &input).await.unwrap()
}

async fn exec(db: &Db, sql: &str, args: &[i64]) {
    let mut query = sqlx::query(sql);
    for a in args {
        query = query.bind(*a);
    }
    query.execute(&db.pool).await.unwrap();
}

async fn give(db: &Db, f: &Fixture, user: UserId, role: RoleId, space: i64) {
    exec(
        db,
        "INSERT INTO user_roles (tenant_id, user_id, role_id, space_id) VALUES ($1, $2, $3, $4)",
        &[f.tenant.0, user.0, role.0, space],
    )
    .await;
}

async fn user_version(db: &Db, f: &Fixture, user: UserId) -> i64 {
    let mut conn = db.pool.acquire().await.unwrap();
    db::users::get(&mut conn, f.tenant, user)
        .await
        .unwrap()
        .unwrap()
        .version
}

fn disable(id: UserId, version: i64) -> UserUpdate {
    UserUpdate {
        id,
        display_name: String::new(),
        email: String::new(),
        allocation: Allocation::Professional,
        active: false,
        version,
    }
}

fn locked(error: AppError) -> String {
    match error {
        AppError::Locked { reason } => reason,
        other => panic!("expected Locked, got {other:?}"),
    }
}

fn forbidden(error: AppError) -> String {
    match error {
        AppError::Forbidden { missing } => missing,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

// 1. Emptying a built-in role.
async fn user_manager_cannot_empty_admins(db: &Db) {
    let f = fixture(db, "acme").await;
    let manager = f
        .actor_holding(db, "um", &[("User management", "ADMIN")])
        .await;
    let admins = f.role(db, "admins").await;
    let mut conn = db.pool.acquire().await.unwrap();
    let detail = roles::detail(&mut conn, f.tenant, admins).await.unwrap();
    drop(conn);
    let before = fingerprint(db, &f).await;
    let emptied = RoleInput {
        id: Some(admins),
        name: detail.name.clone(),
        description: detail.description.clone(),
        grants: Default::default(),
        applications: Default::default(),
        audience: None,
        scope: None,
        requires: None,
        version: detail.version,
    };
    let missing = forbidden(roles::save(db, &manager, &emptied).await.unwrap_err());
    assert!(
        missing.contains("changing the built-in role admins needs every permission it grants"),
        "{missing}"
    );
    assert_eq!(fingerprint(db, &f).await, before);
}

#[tokio::test]
async fn emptying_a_built_in_role_needs_every_permission_it_grants() {
    each_backend(user_manager_cannot_empty_admins).await;
}

// 2. Disabling a user skips no guard.
async fn disabling_is_judged_like_removing_roles(db: &Db) {
    let f = fixture(db, "acme").await;
    let admin = f.actor(db, f.admin).await;
    let manager = f
        .actor_holding(db, "um", &[("User management", "ADMIN")])
        .await;
    let before = fingerprint(db, &f).await;
    // The only tenant admin, disabled by a user manager: they lack what the admin holds.
    let v = user_version(db, &f, f.admin).await;
    let missing = forbidden(
        users::update(db, &manager, &disable(f.admin, v))
            .await
            .unwrap_err(),
    );
    assert!(!missing.is_empty());
    assert_eq!(fingerprint(db, &f).await, before);
    // A partner administrator: only the portal may change them.
    let mut conn = db.pool.acquire().await.unwrap();
    let erin = db::users::insert(
        &mut conn,
        f.tenant,
        &db::users::NewUser {
            username: "partner.erin",
            display_name: "Erin",
            email: "",
            password_hash: None,
            origin: Origin::Local,
            is_partner_admin: true,
        },
        0,
    )
    .await
    .unwrap();
    drop(conn);
    let before_erin = fingerprint(db, &f).await;
    let v = user_version(db, &f, erin).await;
    let reason = locked(
        users::update(db, &admin, &disable(erin, v))
            .await
            .unwrap_err(),
    );
    assert!(reason.contains(PARTNER_ADMIN_MESSAGE), "{reason}");
    assert_eq!(fingerprint(db, &f).await, before_erin);
    // A disabled holder of admins does not count: with the only other holder disabled, an
    // actor holding every permission (through a copy of admins) cannot disable the last one.
    let admins = f.role(db, "admins").await;
    let second = f.user(db, "second").await;
    give(db, &f, second, admins, 0).await;
    let v = user_version(db, &f, second).await;
    users::update(db, &admin, &disable(second, v))
        .await
        .unwrap();
    let copy = roles::duplicate(db, &admin, admins).await.unwrap();
    let root = f.user(db, "root").await;
    give(db, &f, root, copy.id, 0).await;
    let root = f.actor(db, root).await;
    let after_disable = fingerprint(db, &f).await;
    let v = user_version(db, &f, f.admin).await;
    let reason = locked(
        users::update(db, &root, &disable(f.admin, v))
            .await
            .unwrap_err(),
    );
    assert!(
        reason.contains("At least one active user must keep admins"),
        "{reason}"
    );
    assert_eq!(fingerprint(db, &f).await, after_disable);
}

#[tokio::test]
async fn disabling_a_user_is_guarded_like_taking_their_roles() {
    each_backend(disabling_is_judged_like_removing_roles).await;
}

// 3. Anti-lockout on every path, in every template: `(template, its tenant-admin role)`.
const TENANT_ADMIN_ROLES: [(&str, &str); 4] = [
    ("iot", "admins"),
    ("mdm", "Administrator"),
    ("migration", "Project Admin"),
    ("analytics", "Tenant Admin"),
];

/// A role with the grants and applications of `role`, written outside the editor: in
/// `analytics` no custom role may carry the reserved cells, but rule 9 holds whatever roles the
/// tenant has. Not built in, so not the tenant-admin role.
async fn twin_of(db: &Db, f: &Fixture, role: RoleId) -> RoleId {
    let mut conn = db.pool.acquire().await.unwrap();
    let source = roles::detail(&mut conn, f.tenant, role).await.unwrap();
    let fields = db::roles::RoleFields {
        name: &format!("Twin of {}", source.name),
        description: "",
        audience: source.audience,
        scope: source.scope,
        built_in: false,
        special: false,
    };
    let twin = db::roles::insert(&mut conn, f.tenant, &fields, 0)
        .await
        .unwrap();
    db::roles::replace_grants(&mut conn, f.tenant, twin, &source.grants)
        .await
        .unwrap();
    db::roles::replace_applications(&mut conn, f.tenant, twin, &source.applications)
        .await
        .unwrap();
    twin
}

/// The only admin of a new tenant keeps the tenant-admin role and stays active, and no built-in
/// role is deleted: each attempt refused, the tenant unchanged.
async fn the_only_admin_stays(db: &Db, f: &Fixture, role_name: &str) {
    let admin = f.actor(db, f.admin).await;
    let role = f.role(db, role_name).await;
    let keep = format!("At least one active user must keep {role_name}");
    let only = fingerprint(db, f).await;
    // Taking the role: on the user page, and with bulk Remove roles.
    let reason = locked(
        crate::server::domain::testing::set_user_roles_now(db, &admin, f.admin, &BTreeSet::new())
            .await
            .unwrap_err(),
    );
    assert!(reason.contains(&keep), "{}: {reason}", f.template);
    assert_eq!(fingerprint(db, f).await, only, "{}", f.template);
    let reason = locked(
        wizard::remove_roles(
            db,
            &admin,
            &[Subject::User(f.admin)],
            &BTreeSet::from([role]),
        )
        .await
        .unwrap_err(),
    );
    assert!(reason.contains(&keep), "{}: {reason}", f.template);
    assert_eq!(fingerprint(db, f).await, only, "{}", f.template);
    // Deleting a built-in role (the tenant-admin role, and iot's `devices`).
    let built_in: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, version FROM roles WHERE tenant_id = $1 AND built_in = 1")
            .bind(f.tenant)
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert!(
        built_in.iter().any(|(id, _)| *id == role.0),
        "{}",
        f.template
    );
    for (id, version) in built_in {
        let reason = locked(
            roles::delete(db, &admin, RoleId(id), version)
                .await
                .unwrap_err(),
        );
        assert_eq!(
            reason, "Built-in roles cannot be deleted.",
            "{}",
            f.template
        );
        assert_eq!(fingerprint(db, f).await, only, "{}", f.template);
    }
    // Disabling the only admin: not themself, and not someone who holds every permission they
    // hold without the tenant-admin role.
    let v = user_version(db, f, f.admin).await;
    let reason = locked(
        users::update(db, &admin, &disable(f.admin, v))
            .await
            .unwrap_err(),
    );
    assert_eq!(reason, users::OWN_ACCOUNT, "{}", f.template);
    assert_eq!(fingerprint(db, f).await, only, "{}", f.template);
    let twin = twin_of(db, f, role).await;
    let root = f.user(db, "root").await;
    give(db, f, root, twin, 0).await;
    let root = f.actor(db, root).await;
    let with_root = fingerprint(db, f).await;
    let reason = locked(
        users::update(db, &root, &disable(f.admin, v))
            .await
            .unwrap_err(),
    );
    assert!(reason.contains(&keep), "{}: {reason}", f.template);
    assert_eq!(fingerprint(db, f).await, with_root, "{}", f.template);
}

async fn nobody_removes_the_last_active_admin_of(db: &Db, template: &'static str, role_name: &str) {
    let f = fixture_of(db, template, template).await;
    the_only_admin_stays(db, &f, role_name).await;
    let keep = format!("At least one active user must keep {role_name}");
    let admin = f.actor(db, f.admin).await;
    let admins = f.role(db, role_name).await;
    let second = f.user(db, "second").await;
    give(db, &f, second, admins, 0).await;
    let before = fingerprint(db, &f).await;
    // Bulk Remove roles of the tenant-admin role from both holders at once.
    let subjects = [Subject::User(f.admin), Subject::User(second)];
    let reason = locked(
        wizard::remove_roles(db, &admin, &subjects, &BTreeSet::from([admins]))
            .await
            .unwrap_err(),
    );
    assert!(reason.contains(&keep), "{template}: {reason}");
    assert_eq!(fingerprint(db, &f).await, before, "{template}");
    // The dialog's preview is the same judgement, made before the click, and keeps nothing.
    let previewed = wizard::preview_removal(db, &admin, &subjects, &BTreeSet::from([admins]))
        .await
        .unwrap_err();
    assert_eq!(locked(previewed), reason);
    let one = [Subject::User(second)];
    let losses = wizard::preview_removal(db, &admin, &one, &BTreeSet::from([admins]))
        .await
        .unwrap();
    assert_eq!(losses[0].removed, [role_name]);
    let assign = admin.catalogue.access.assign.to_string();
    assert!(
        losses[0].lost.contains(&assign),
        "{template}: {assign} not in {:?}",
        losses[0].lost
    );
    assert_eq!(fingerprint(db, &f).await, before, "a preview keeps nothing");
    // Through a group: the only holders hold the role through the group Owners.
    let owners = new_group(db, &admin, "Owners").await;
    set_group_roles_now(db, &admin, owners, &BTreeSet::from([admins]))
        .await
        .unwrap();
    groups::set_member(db, &admin, owners, f.admin, true)
        .await
        .unwrap();
    wizard::remove_roles(db, &admin, &subjects, &BTreeSet::from([admins]))
        .await
        .unwrap();
    let through_group = fingerprint(db, &f).await;
    let attempts: [crate::model::AppResult<()>; 3] = [
        groups::set_member(db, &admin, owners, f.admin, false).await,
        set_group_roles_now(db, &admin, owners, &BTreeSet::new()).await,
        groups::delete(db, &admin, owners, group_version(db, &f, owners).await).await,
    ];
    for attempt in attempts {
        let reason = locked(attempt.unwrap_err());
        assert!(reason.contains(&keep), "{template}: {reason}");
        assert_eq!(fingerprint(db, &f).await, through_group, "{template}");
    }
    // The wizard's Summary shows the refusal Done would get, before Done: Assign nothing to
    // the group that carries the last tenant-admin role.
    let strip = crate::model::wizard::WizardRequest {
        mode: crate::model::wizard::Mode::Assign,
        subjects: vec![Subject::Group(owners)],
        assignments: Vec::new(),
        versions: vec![(
            Subject::Group(owners),
            crate::server::domain::testing::group_roles_version(db, owners).await,
        )],
    };
    let reason = locked(wizard::preview(db, &admin, &strip).await.unwrap_err());
    assert!(reason.contains(&keep), "{template}: {reason}");
    assert_eq!(fingerprint(db, &f).await, through_group, "{template}");
}

async fn group_version(db: &Db, f: &Fixture, group: GroupId) -> i64 {
    let mut conn = db.pool.acquire().await.unwrap();
    db::groups::get(&mut conn, f.tenant, group)
        .await
        .unwrap()
        .unwrap()
        .version
}

#[tokio::test]
async fn an_active_tenant_admin_remains_on_every_path_in_every_template() {
    each_backend(async |db: &Db| {
        for (template, role) in TENANT_ADMIN_ROLES {
            nobody_removes_the_last_active_admin_of(db, template, role).await;
        }
    })
    .await;
}

// 4. Space-bound authority counts only in its space.
async fn space_bound_authority_stays_in_its_space(db: &Db) {
    let f = fixture_of(db, "globex", "mdm").await;
    let admin = f.actor(db, f.admin).await;
    let mut made = Vec::new();
    for name in ["EMEA", "Americas"] {
        let input = SpaceInput {
            id: None,
            name: name.into(),
            description: String::new(),
            version: 0,
        };
        made.push(spaces::save(db, &admin, &input).await.unwrap().id);
    }
    let (emea, americas) = (made[0], made[1]);
    let ana = f.user(db, "ana").await;
    give(db, &f, ana, f.role(db, "User Management").await, 0).await;
    let device_management = f.role(db, "Device Management").await;
    give(db, &f, ana, device_management, emea.0).await;
    let ana = f.actor(db, ana).await;
    let carol = f.user(db, "carol").await;
    let before = fingerprint(db, &f).await;
    let request = |space: SpaceId| crate::model::wizard::WizardRequest {
        mode: crate::model::wizard::Mode::Append,
        subjects: vec![Subject::User(carol)],
        assignments: vec![(device_management, space)],
        versions: Vec::new(),
    };
    let missing = forbidden(
        wizard::apply(db, &ana, &request(americas))
            .await
            .unwrap_err(),
    );
    assert!(missing.ends_with("in Americas"), "{missing}");
    assert_eq!(fingerprint(db, &f).await, before);
    // In EMEA, where ana holds it, she may.
    wizard::apply(db, &ana, &request(emea)).await.unwrap();
    // Assign permission held only through a space-bound role: no console-wide power.
    let bea = f.user(db, "bea").await;
    let users_manage = roles::save(
        db,
        &admin,
        &RoleInput {
            id: None,
            name: "Space user admin".into(),
            description: String::new(),
            grants: [("Users".to_owned(), BTreeSet::from(["Manage".to_owned()]))].into(),
            applications: Default::default(),
            audience: None,
            scope: None,
            requires: None,
            version: 0,
        },
    )
    .await
    .unwrap();
    crate::server::domain::testing::make_space_bound(db, users_manage.id).await;
    give(db, &f, bea, users_manage.id, emea.0).await;
    let bea = f.actor(db, bea).await;
    let missing = forbidden(bea.require_admin().unwrap_err());
    assert_eq!(missing, "Users Manage");
}

#[tokio::test]
async fn space_bound_authority_counts_only_in_its_space() {
    each_backend(space_bound_authority_stays_in_its_space).await;
}

// A Space-Specific role is never held tenant-wide, by whichever path tries it.
async fn space_specific_roles_stay_in_spaces(db: &Db) {
    let f = fixture_of(db, "globex", "mdm").await;
    let admin = f.actor(db, f.admin).await;
    let device_management = f.role(db, "Device Management").await;
    let carol = f.user(db, "carol").await;
    let group = new_group(db, &admin, "Operators").await;
    groups::add_member_by_name(db, &admin, group, "carol")
        .await
        .unwrap();
    let before = fingerprint(db, &f).await;
    let expected = AppError::validation(
        "roles",
        "Device Management is Space-Specific: it is given in a space, never tenant-wide.",
    );
    let wizard = crate::model::wizard::WizardRequest {
        mode: crate::model::wizard::Mode::Append,
        subjects: vec![Subject::User(carol), Subject::Group(group)],
        assignments: vec![(device_management, SpaceId(0))],
        versions: Vec::new(),
    };
    assert!(wizard::apply(db, &admin, &wizard).await.is_err());
    let wanted: BTreeSet<RoleId> = [device_management].into();
    assert!(
        crate::server::domain::testing::set_user_roles_now(db, &admin, carol, &wanted)
            .await
            .is_err()
    );
    assert!(set_group_roles_now(db, &admin, group, &wanted)
        .await
        .is_err());
    // A write path that forgot its own check: the guard refuses the effect.
    let mut guard = super::Guard::begin(db, &admin).await.unwrap();
    db::assignments::add_user_role(guard.conn(), f.tenant, carol, device_management)
        .await
        .unwrap();
    assert_eq!(guard.finish(Ok(())).await.unwrap_err(), expected);
    assert_eq!(fingerprint(db, &f).await, before);
}

#[tokio::test]
async fn a_space_specific_role_is_never_held_tenant_wide() {
    each_backend(space_specific_roles_stay_in_spaces).await;
}

// 5. Locks hold through groups.
async fn locked_users_keep_their_roles_through_groups(db: &Db) {
    let f = fixture(db, "acme").await;
    let admin = f.actor(db, f.admin).await;
    let mut conn = db.pool.acquire().await.unwrap();
    let mut person = async |username: &str, origin: Origin, partner: bool| {
        db::users::insert(
            &mut conn,
            f.tenant,
            &db::users::NewUser {
                username,
                display_name: username,
                email: "",
                password_hash: None,
                origin,
                is_partner_admin: partner,
            },
            0,
        )
        .await
        .unwrap()
    };
    let erin = person("partner.erin", Origin::Local, true).await;
    let dave = person("sso.dave", Origin::Sso, false).await;
    drop(conn);
    let reader = f.role(db, "readers").await;
    for (locked_user, expected) in [
        (erin, PARTNER_ADMIN_MESSAGE),
        (dave, "Roles managed by SSO"),
    ] {
        let group = new_group(db, &admin, format!("Empty {}", locked_user.0)).await;
        groups::set_member(db, &admin, group, locked_user, true)
            .await
            .unwrap();
        let before = fingerprint(db, &f).await;
        let reason = locked(
            set_group_roles_now(db, &admin, group, &BTreeSet::from([reader]))
                .await
                .unwrap_err(),
        );
        assert!(reason.contains(expected), "{reason}");
        let request = crate::model::wizard::WizardRequest {
            mode: crate::model::wizard::Mode::Append,
            subjects: vec![Subject::Group(group)],
            assignments: vec![(reader, crate::model::wizard::TENANT_WIDE)],
            versions: Vec::new(),
        };
        let reason = locked(wizard::apply(db, &admin, &request).await.unwrap_err());
        assert!(reason.contains(expected), "{reason}");
        assert_eq!(fingerprint(db, &f).await, before);
    }
    // A group with roles and a locked member cannot be deleted: the member would lose them.
    let group = new_group(db, &admin, "Readers").await;
    set_group_roles_now(db, &admin, group, &BTreeSet::from([reader]))
        .await
        .unwrap();
    exec(
        db,
        "INSERT INTO group_members (tenant_id, group_id, user_id, username) SELECT $1, $2, id, username FROM users WHERE id = $3",
        &[f.tenant.0, group.0, erin.0],
    )
    .await;
    let before = fingerprint(db, &f).await;
    let reason = locked(
        groups::delete(db, &admin, group, group_version(db, &f, group).await)
            .await
            .unwrap_err(),
    );
    assert!(reason.contains(PARTNER_ADMIN_MESSAGE), "{reason}");
    assert_eq!(fingerprint(db, &f).await, before);
    // Removing a locked member from a group with roles would take the group's roles from them.
    exec(
        db,
        "INSERT INTO group_members (tenant_id, group_id, user_id, username) SELECT $1, $2, id, username FROM users WHERE id = $3",
        &[f.tenant.0, group.0, dave.0],
    )
    .await;
    for (locked_user, username, expected) in [
        (erin, "partner.erin", PARTNER_ADMIN_MESSAGE),
        (dave, "sso.dave", "Roles managed by SSO"),
    ] {
        let before = fingerprint(db, &f).await;
        let reason = locked(
            groups::set_member(db, &admin, group, locked_user, false)
                .await
                .unwrap_err(),
        );
        assert!(reason.contains(expected), "{reason}");
        assert!(reason.contains(username), "names {username}: {reason}");
        assert_eq!(fingerprint(db, &f).await, before);
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(
            db::groups::is_member(&mut conn, f.tenant, group, locked_user)
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn locked_users_roles_never_change_through_a_group() {
    each_backend(locked_users_keep_their_roles_through_groups).await;
}

// 6. Moving a device group hands out nothing the actor could not grant there.
async fn moving_under_a_group_is_judged_on_inheritance(db: &Db) {
    let f = fixture(db, "acme").await;
    let mut conn = db.pool.acquire().await.unwrap();
    let north = db::device_groups::insert(&mut conn, f.tenant, 0, "Region North", 0)
        .await
        .unwrap();
    let south = db::device_groups::insert(&mut conn, f.tenant, 0, "Region South", 0)
        .await
        .unwrap();
    let reader = db::inventory_roles::list(&mut conn, f.tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Reader")
        .unwrap()
        .id;
    drop(conn);
    let bob = f.user(db, "bob").await;
    exec(
        db,
        "INSERT INTO user_inventory_roles (tenant_id, user_id, role_id, group_id) \
         VALUES ($1, $2, $3, $4)",
        &[f.tenant.0, bob.0, reader.0, north.0],
    )
    .await;
    let mover = f
        .actor_holding(db, "mover", &[("Inventory", "ADMIN")])
        .await;
    let before = fingerprint(db, &f).await;
    let moved = device_groups::update(db, &mover, south, 1, Some(north), "Region South").await;
    let missing = forbidden(moved.unwrap_err());
    assert!(missing.ends_with("Read on Region South"), "{missing}");
    assert_eq!(fingerprint(db, &f).await, before);
    // The tenant admin holds every category: the same move is allowed.
    let admin = f.actor(db, f.admin).await;
    device_groups::update(db, &admin, south, 1, Some(north), "Region South")
        .await
        .unwrap();
    let _: DeviceGroupId = south;
}

#[tokio::test]
async fn moving_a_device_group_is_judged_on_what_it_inherits() {
    each_backend(moving_under_a_group_is_judged_on_inheritance).await;
}

/// Operations per backend; `CASTELLAN_PROPERTY_OPERATIONS` overrides both (e.g. for a long run).
fn operations(db: &Db) -> usize {
    let default = match db.backend {
        db::Backend::Sqlite => 2_000,
        db::Backend::Postgres => 500,
    };
    std::env::var("CASTELLAN_PROPERTY_OPERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn random_operations_by_random_admins_stay_within_their_authority() {
    each_backend(async |db: &Db| {
        super::property::random_operations(db, 0x0C45_7E11, operations(db)).await;
    })
    .await;
}

/// By construction: a transaction is opened only by the guard, or by the system paths that
/// create a tenant before anyone can sign in to it (tenant creation, the demo seed). A new write
/// path that opens its own transaction fails here.
#[test]
fn only_the_guard_and_tenant_creation_open_transactions() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let allowed = [
        "server/domain/guard/mod.rs",
        "server/domain/tenants.rs",
        "server/domain/tenants/scale.rs",
        "server/domain/demo.rs",
        // Changing one's own password changes no one's authority, and a user with a one-time
        // password has no Actor to guard with: its password, sessions and audit record are
        // written in one plain transaction (`change_own`; `set_one_time` is guarded).
        "server/domain/passwords.rs",
    ];
    let mut offenders = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let test_code = relative.ends_with("tests.rs")
            || relative.ends_with("testing.rs")
            || relative.ends_with("property.rs");
        if allowed.contains(&relative.as_str()) || test_code {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains(".begin()") || text.contains("begin_with(") {
            offenders.push(relative);
        }
    }
    assert!(
        offenders.is_empty(),
        "transactions outside the guard: {offenders:?}"
    );
}

#[tokio::test]
async fn escalation_matrix_refuses_low_admins_and_allows_sufficient_ones_on_every_path() {
    each_backend(async |db: &Db| {
        for path in super::matrix::PATHS {
            super::matrix::row(db, path).await;
        }
    })
    .await;
}

/// acme with a second admin, the state the guard keeps after a guarded write (`second` an active
/// admin in it), and then, outside any guard, `second` disabled: the admin is the last active one.
async fn second_admin_disabled_outside_the_guard(
    db: &Db,
) -> (
    Fixture,
    crate::server::domain::access::Actor,
    RoleId,
    UserId,
) {
    let f = fixture(db, "acme").await;
    let admin = f.actor(db, f.admin).await;
    let admins = f.role(db, "admins").await;
    let second = f.user(db, "second").await;
    give(db, &f, second, admins, 0).await;
    new_group(db, &admin, "Kept").await;
    let kept = super::kept_state(db, f.tenant).await.expect("a kept state");
    assert!(kept.is_active(second.0));
    exec(
        db,
        "UPDATE users SET status = 'disabled' WHERE id = $1",
        &[second.0],
    )
    .await;
    (f, admin, admins, second)
}

// The state the guard keeps between writes never hides a change made outside a guarded write:
// a row written by a script, the seed or another path is in the journal, and the next guarded
// write reads the whole tenant again.
async fn a_write_outside_the_guard_is_seen_by_the_next_guarded_write(db: &Db) {
    let (f, admin, admins, second) = second_admin_disabled_outside_the_guard(db).await;
    let before = fingerprint(db, &f).await;
    // Judged on the stale state, taking admins from the last active admin would pass.
    let reason = locked(
        wizard::remove_roles(
            db,
            &admin,
            &[Subject::User(f.admin)],
            &BTreeSet::from([admins]),
        )
        .await
        .unwrap_err(),
    );
    assert!(
        reason.contains("At least one active user must keep admins"),
        "{reason}"
    );
    assert_eq!(fingerprint(db, &f).await, before);
    // And once the next guarded write commits, what it keeps is the tenant as it is.
    new_group(db, &admin, "Kept again").await;
    let kept = super::kept_state(db, f.tenant).await.expect("a kept state");
    let mut conn = db.pool.acquire().await.unwrap();
    let facts = db::tenant_facts::load(&mut conn, f.tenant).await.unwrap();
    let now = super::TenantState::from_facts(facts, f.catalogue());
    assert_eq!(kept.differs_from(&now), None);
    assert!(!kept.is_active(second.0));
}

#[tokio::test]
async fn the_kept_state_never_hides_a_write_outside_the_guard() {
    each_backend(a_write_outside_the_guard_is_seen_by_the_next_guarded_write).await;
}

// The seed writes outside a guard and then empties the journal (its million rows need not stay
// there): the kept state must not be taken for the tenant afterwards, by a write or a preview.
async fn a_seed_that_empties_the_journal_is_seen_by_the_next_write_and_preview(db: &Db) {
    let (f, admin, admins, _) = second_admin_disabled_outside_the_guard(db).await;
    // As a seed run beside the server: the journal emptied after its rows.
    let mut conn = db.pool.acquire().await.unwrap();
    db::tenant_facts::clear_journal(&mut conn, f.tenant)
        .await
        .unwrap();
    drop(conn);
    assert!(super::kept_state(db, f.tenant).await.is_none());
    let before = fingerprint(db, &f).await;
    // Judged on the stale state, taking admins from the last active admin would pass: the
    // preview and the write both refuse it.
    let last = [Subject::User(f.admin)];
    let only_admins = BTreeSet::from([admins]);
    let previewed = wizard::preview_removal(db, &admin, &last, &only_admins).await;
    let reason = locked(previewed.unwrap_err());
    assert!(
        reason.contains("At least one active user must keep admins"),
        "{reason}"
    );
    let removed = wizard::remove_roles(db, &admin, &last, &only_admins).await;
    assert_eq!(locked(removed.unwrap_err()), reason);
    assert_eq!(fingerprint(db, &f).await, before);
}

#[tokio::test]
async fn the_kept_state_never_hides_a_seed_that_emptied_the_journal() {
    each_backend(a_seed_that_empties_the_journal_is_seen_by_the_next_write_and_preview).await;
}
