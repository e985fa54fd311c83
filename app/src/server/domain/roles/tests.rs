use std::collections::BTreeSet;

use super::*;
use crate::server::domain::testing::set_user_roles_now;
use crate::{
    model::catalogue::Grants,
    server::domain::{access::effective, testing::fixture},
};

fn grants(cells: &[(&str, &str)]) -> Grants {
    let mut g = Grants::new();
    for (t, l) in cells {
        g.entry(t.to_string()).or_default().insert(l.to_string());
    }
    g
}

fn input(name: &str, cells: &[(&str, &str)]) -> RoleInput {
    RoleInput {
        id: None,
        name: name.into(),
        description: "d".into(),
        grants: grants(cells),
        applications: BTreeSet::new(),
        audience: None,
        scope: None,
        requires: None,
        version: 0,
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

#[tokio::test]
async fn new_tenant_has_the_seed_roles_and_its_admin_holds_admins() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let mut conn = db.pool.acquire().await.unwrap();
        let cards = list(&mut conn, f.tenant, "", 1).await.unwrap();
        assert_eq!((cards.total, cards.rows.len()), (12, 12));
        let admins = cards.rows.iter().find(|c| c.name == "admins").unwrap();
        assert!(admins.built_in && admins.special);
        assert_eq!(admins.users, 1);
        let actor = f.actor(db, f.admin).await;
        assert!(actor.require_admin().is_ok());
    })
    .await;
}

#[tokio::test]
async fn the_roles_page_searches_and_pages_on_the_server_in_name_order() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        for i in 0..20 {
            save(
                db,
                &actor,
                &input(&format!("Desk {i:02}"), &[("Alarms", "READ")]),
            )
            .await
            .unwrap();
        }
        let mut conn = db.pool.acquire().await.unwrap();
        let first = list(&mut conn, f.tenant, "", 1).await.unwrap();
        let second = list(&mut conn, f.tenant, "", 2).await.unwrap();
        assert_eq!((first.total, first.pages()), (32, 2));
        assert_eq!((first.rows.len(), second.rows.len()), (24, 8));
        let names: Vec<String> = first
            .rows
            .iter()
            .chain(&second.rows)
            .map(|c| c.name.to_lowercase())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "by name across pages");
        let desks = list(&mut conn, f.tenant, "DESK 1", 1).await.unwrap();
        assert_eq!(
            desks.total, 10,
            "a search is case-insensitive: Desk 10 to Desk 19"
        );
        let literal = list(&mut conn, f.tenant, "desk _", 1).await.unwrap();
        assert_eq!(literal.total, 0, "a typed _ is literal");
        assert!(list(&mut conn, f.tenant, "", 1_000_000).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn a_role_checklist_pages_on_the_server_with_the_subjects_roles_first() {
    use crate::model::users::RolesOf;
    use crate::server::domain::role_choices::{choices, CHOICES_PAGE_SIZE};
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        for i in 0..110 {
            let name = format!("Desk {i:03}");
            save(db, &admin, &input(&name, &[("Alarms", "READ")]))
                .await
                .unwrap();
        }
        let zeta = save(db, &admin, &input("Zeta", &[("Alarms", "ADMIN")]))
            .await
            .unwrap()
            .id;
        let limited = save(
            db,
            &admin,
            &input(
                "Limited",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            ),
        )
        .await
        .unwrap()
        .id;
        let erin = f.user(db, "erin").await;
        set_user_roles_now(db, &admin, erin, &BTreeSet::from([zeta]))
            .await
            .unwrap();
        let dana = f.user(db, "dana").await;
        set_user_roles_now(db, &admin, dana, &BTreeSet::from([limited]))
            .await
            .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let all: i64 = count(
            db,
            &format!(
                "SELECT COUNT(*) FROM roles WHERE tenant_id = {}",
                f.tenant.0
            ),
        )
        .await;
        let of_erin = RolesOf::User(erin);
        let first = choices(&mut conn, &admin, of_erin, None, "", 1)
            .await
            .unwrap();
        let second = choices(&mut conn, &admin, of_erin, None, "", 2)
            .await
            .unwrap();
        assert_eq!((first.total, first.pages()), (all, 2));
        assert_eq!(first.roles.len() as i64, CHOICES_PAGE_SIZE);
        assert_eq!(
            first.roles[0].name, "Zeta",
            "the user's own role comes first"
        );
        let mut seen: Vec<RoleId> = first
            .roles
            .iter()
            .chain(&second.roles)
            .map(|r| r.id)
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len() as i64, all, "every role once across the pages");
        let names: Vec<String> = first.roles[1..]
            .iter()
            .chain(&second.roles)
            .map(|r| r.name.to_lowercase())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "the others by name");
        let desks = choices(&mut conn, &admin, of_erin, None, "DESK 10", 1)
            .await
            .unwrap();
        assert_eq!(desks.total, 10, "Desk 100 to Desk 109");
        // What dana may grant is judged per role on the page.
        let as_dana = f.actor(db, dana).await;
        let offered = choices(&mut conn, &as_dana, RolesOf::User(erin), None, "", 1)
            .await
            .unwrap();
        let verdict = |name: &str| {
            let role = offered.roles.iter().find(|r| r.name == name).unwrap();
            (role.grantable, role.reason.clone().unwrap_or_default())
        };
        assert_eq!(verdict("Desk 000"), (true, String::new()));
        let (grantable, reason) = verdict("Zeta");
        assert!(!grantable && reason.contains("Alarms ADMIN"), "{reason}");
        // Only roles of one audience, when asked.
        let admin_tab = choices(&mut conn, &admin, of_erin, Some(Audience::Admin), "", 1)
            .await
            .unwrap();
        assert!(admin_tab
            .roles
            .iter()
            .all(|r| r.audience == Audience::Admin));
        assert!(admin_tab.total < all);
        // Another tenant's user, a missing group and a page beyond the bound are refused.
        let other = fixture(db, "globex").await;
        let stranger = other.user(db, "stranger").await;
        assert!(matches!(
            choices(&mut conn, &admin, RolesOf::User(stranger), None, "", 1).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            choices(
                &mut conn,
                &admin,
                RolesOf::Group(crate::model::GroupId(999_999)),
                None,
                "",
                1
            )
            .await,
            Err(AppError::NotFound)
        ));
        assert!(choices(&mut conn, &admin, of_erin, None, "", 1_000_000)
            .await
            .is_err());
        // Someone without User management READ sees nothing.
        let bob = f.user(db, "bob").await;
        let as_bob = f.actor(db, bob).await;
        assert!(choices(&mut conn, &as_bob, of_erin, None, "", 1)
            .await
            .is_err());
    })
    .await;
}

#[tokio::test]
async fn role_create_read_update_delete_with_audit() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        let created = save(
            db,
            &actor,
            &input("Alarm desk", &[("Alarms", "ADMIN"), ("Events", "READ")]),
        )
        .await
        .unwrap();
        assert_eq!(created.version, 1);
        let mut update = input("Alarm desk EU", &[("Alarms", "READ")]);
        update.id = Some(created.id);
        update.version = created.version;
        let updated = save(db, &actor, &update).await.unwrap();
        assert_eq!(
            (updated.name.as_str(), updated.version),
            ("Alarm desk EU", 2)
        );
        assert_eq!(updated.grants, grants(&[("Alarms", "READ")]));
        delete(db, &actor, created.id, updated.version)
            .await
            .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            detail(&mut conn, f.tenant, created.id).await.unwrap_err(),
            AppError::NotFound
        );
        let actions: Vec<String> = db::audit::list(&mut conn, f.tenant)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, vec!["role.create", "role.update", "role.delete"]);
    })
    .await;
}

#[tokio::test]
async fn empty_or_duplicate_name_and_unknown_grants_are_refused_and_nothing_saved() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        let before = count(db, "SELECT COUNT(*) FROM roles").await;
        let e = save(db, &actor, &input("  ", &[])).await.unwrap_err();
        assert_eq!(e.for_field("name"), Some("Name is required."));
        let e = save(db, &actor, &input("Global Reader", &[]))
            .await
            .unwrap_err();
        assert_eq!(
            e.for_field("name"),
            Some("A role with this name already exists.")
        );
        let e = save(db, &actor, &input("global reader", &[]))
            .await
            .unwrap_err();
        assert!(
            e.for_field("name").is_some(),
            "names are unique regardless of case"
        );
        let e = save(db, &actor, &input("X", &[("Teleportation", "READ")]))
            .await
            .unwrap_err();
        assert_eq!(
            e.for_field("grants"),
            Some("Unknown permission: Teleportation READ.")
        );
        let e = save(db, &actor, &input("Y", &[("Tenant statistics", "ADMIN")]))
            .await
            .unwrap_err();
        assert!(
            e.for_field("grants").is_some(),
            "a level that does not apply to the type"
        );
        assert_eq!(count(db, "SELECT COUNT(*) FROM roles").await, before);
        assert_eq!(count(db, "SELECT COUNT(*) FROM audit_events").await, 0);
    })
    .await;
}

#[tokio::test]
async fn second_save_of_the_same_version_is_a_conflict_not_an_overwrite() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        let role = save(db, &actor, &input("Shared", &[("Alarms", "READ")]))
            .await
            .unwrap();
        let mut first = input("Shared", &[("Alarms", "ADMIN")]);
        first.id = Some(role.id);
        first.version = role.version;
        let mut second = input("Shared", &[("Events", "READ")]);
        second.id = Some(role.id);
        second.version = role.version;
        save(db, &actor, &first).await.unwrap();
        assert_eq!(
            save(db, &actor, &second).await.unwrap_err(),
            AppError::Conflict
        );
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            detail(&mut conn, f.tenant, role.id).await.unwrap().grants,
            grants(&[("Alarms", "ADMIN")])
        );
        drop(conn);
        assert_eq!(
            delete(db, &actor, role.id, role.version).await.unwrap_err(),
            AppError::Conflict
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_cannot_create_or_extend_a_role_beyond_what_they_hold() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let root = f.actor(db, f.admin).await;
        // A user manager holding User management ADMIN and Alarms READ only.
        let limited = save(
            db,
            &root,
            &input(
                "Limited admin",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            ),
        )
        .await
        .unwrap();
        let bob = f.user(db, "bob").await;
        set_user_roles_now(db, &root, bob, &[limited.id].into())
            .await
            .unwrap();
        let bob_actor = f.actor(db, bob).await;
        let e = save(db, &bob_actor, &input("Sneaky", &[("Alarms", "ADMIN")]))
            .await
            .unwrap_err();
        assert_eq!(e, AppError::forbidden("Alarms ADMIN"));
        let ok = save(
            db,
            &bob_actor,
            &input("Reader of alarms", &[("Alarms", "READ")]),
        )
        .await
        .unwrap();
        let mut extend = input(
            "Reader of alarms",
            &[("Alarms", "READ"), ("Audits", "READ")],
        );
        extend.id = Some(ok.id);
        extend.version = ok.version;
        assert_eq!(
            save(db, &bob_actor, &extend).await.unwrap_err(),
            AppError::forbidden("Audits READ")
        );
        // Editing a role that carries more than bob holds is allowed when bob adds nothing.
        let reader = f.role(db, "Global Reader").await;
        let mut conn = db.pool.acquire().await.unwrap();
        let gr = detail(&mut conn, f.tenant, reader).await.unwrap();
        drop(conn);
        let rename = RoleInput {
            id: Some(reader),
            name: gr.name.clone(),
            description: "renamed".into(),
            grants: gr.grants.clone(),
            applications: gr.applications.clone(),
            audience: None,
            scope: None,
            requires: None,
            version: gr.version,
        };
        save(db, &bob_actor, &rename).await.unwrap();
        // Duplicating a role bob could not create is refused too.
        let admins = f.role(db, "admins").await;
        assert!(matches!(
            duplicate(db, &bob_actor, admins).await.unwrap_err(),
            AppError::Forbidden { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn built_in_roles_cannot_be_deleted_and_last_admin_keeps_admins() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        let admins = f.role(db, "admins").await;
        assert!(matches!(
            delete(db, &actor, admins, 1).await.unwrap_err(),
            AppError::Locked { .. }
        ));
        let e = set_user_roles_now(db, &actor, f.admin, &BTreeSet::new())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Locked { .. }), "{e:?}");
        assert!(f.actor(db, f.admin).await.require_admin().is_ok());
    })
    .await;
}

#[tokio::test]
async fn effective_permissions_are_the_union_across_roles_and_groups_with_provenance() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        let alice = f.user(db, "alice").await;
        let a = save(db, &actor, &input("A", &[("Alarms", "ADMIN")]))
            .await
            .unwrap();
        let b = save(
            db,
            &actor,
            &input("B", &[("Alarms", "READ"), ("Events", "READ")]),
        )
        .await
        .unwrap();
        let c = save(db, &actor, &input("C", &[("Inventory", "READ")]))
            .await
            .unwrap();
        set_user_roles_now(db, &actor, alice, &[a.id, b.id].into())
            .await
            .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let group = db::groups::insert(&mut conn, f.tenant, "Helpdesk", "", 0)
            .await
            .unwrap();
        db::groups::add_member(&mut conn, f.tenant, group, alice)
            .await
            .unwrap();
        sqlx::query("INSERT INTO group_roles (tenant_id, group_id, role_id) VALUES ($1, $2, $3)")
            .bind(f.tenant)
            .bind(group)
            .bind(c.id)
            .execute(&mut *conn)
            .await
            .unwrap();
        let (eff, why) = effective(&mut conn, &actor.catalogue, f.tenant, alice)
            .await
            .unwrap();
        assert_eq!(eff["Alarms"].len(), 4, "ADMIN implies READ, CREATE, UPDATE");
        assert_eq!(why["Alarms"]["READ"], vec!["A", "B"]);
        assert_eq!(why["Alarms"]["UPDATE"], vec!["A"]);
        assert_eq!(why["Events"]["READ"], vec!["B"]);
        assert_eq!(why["Inventory"]["READ"], vec!["C via group Helpdesk"]);
        assert!(!eff.contains_key("Audits"));
    })
    .await;
}

#[tokio::test]
async fn a_permission_type_added_to_the_catalogue_later_is_not_added_to_existing_roles() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let mut actor = f.actor(db, f.admin).await;
        let mut all_read = Grants::new();
        crate::model::grid::set_column(&actor.catalogue, &mut all_read, "READ", true);
        let mut role = input("All readers", &[]);
        role.grants = all_read.clone();
        let saved = save(db, &actor, &role).await.unwrap();
        // The catalogue grows a new type (as a template update would), and the admin holds it.
        actor.catalogue.modules[0]
            .permissions
            .push(crate::model::catalogue::PermissionType {
                name: "Teleportation".into(),
                description: "New.".into(),
                levels: vec!["READ".into()],
                reserved: false,
                access: false,
                requires: Vec::new(),
                restricts: false,
            });
        actor
            .effective
            .entry("Teleportation".into())
            .or_default()
            .insert("READ".into());
        // The editor shows the role with the grown catalogue: READ is no longer "all".
        let mut conn = db.pool.acquire().await.unwrap();
        let reloaded = detail(&mut conn, f.tenant, saved.id).await.unwrap();
        drop(conn);
        assert_eq!(
            crate::model::grid::column_state(&actor.catalogue, &reloaded.grants, "READ"),
            crate::model::grid::ColumnState::Some
        );
        // Saved again as the editor sends it, and stored: the new type is not in it.
        let mut again = input("All readers", &[]);
        again.id = Some(saved.id);
        again.grants = reloaded.grants.clone();
        again.version = reloaded.version;
        save(db, &actor, &again).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let stored = detail(&mut conn, f.tenant, saved.id).await.unwrap();
        assert_eq!(stored.grants, all_read);
        assert_eq!(stored.version, reloaded.version + 1);
        let admins = detail(&mut conn, f.tenant, f.role(db, "admins").await)
            .await
            .unwrap();
        assert!(
            !admins.grants.contains_key("Teleportation"),
            "not even admins gains it silently"
        );
    })
    .await;
}

#[tokio::test]
async fn roles_and_assignments_are_tenant_scoped() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let acme = fixture(db, "acme").await;
        let globex = fixture(db, "globex").await;
        let acme_admin = acme.actor(db, acme.admin).await;
        let globex_role = globex.role(db, "Global Reader").await;
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            detail(&mut conn, acme.tenant, globex_role)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        drop(conn);
        let e = set_user_roles_now(db, &acme_admin, globex.admin, &BTreeSet::new())
            .await
            .unwrap_err();
        assert_eq!(
            e,
            AppError::NotFound,
            "another tenant's user does not exist here"
        );
        let e = set_user_roles_now(
            db,
            &acme_admin,
            acme.admin,
            &[acme.role(db, "admins").await, globex_role].into(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            e,
            AppError::NotFound,
            "another tenant's role does not exist here"
        );
    })
    .await;
}

/// A custom role with `Scope`, `Role type` and `Requires`, as the template allows.
fn kind_of(
    name: &str,
    scope: crate::model::RoleScope,
    audience: crate::model::Audience,
    requires: &[RoleId],
) -> RoleInput {
    RoleInput {
        scope: Some(scope),
        audience: Some(audience),
        requires: Some(requires.iter().copied().collect()),
        ..input(name, &[("Devices", "View")])
    }
}

/// The same in `iot`, whose grid has no `Devices`.
fn iot_kind(
    name: &str,
    scope: crate::model::RoleScope,
    audience: crate::model::Audience,
    requires: &[RoleId],
) -> RoleInput {
    RoleInput {
        grants: grants(&[("Alarms", "READ")]),
        ..kind_of(name, scope, audience, requires)
    }
}

#[tokio::test]
async fn custom_role_kinds_only_where_the_template_has_them_and_requirements_never_cycle() {
    use crate::model::{Audience, RoleScope};
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let globex = crate::server::domain::testing::fixture_of(db, "globex", "mdm").await;
        let admin = globex.actor(db, globex.admin).await;
        let device_ro = globex.role(db, "Device Read Only").await;
        let in_globex = format!("SELECT COUNT(*) FROM roles WHERE tenant_id = {}", globex.tenant.0);
        let roles_before = count(db, &in_globex).await;

        // mdm: a Space-Specific role that requires another.
        let desk = save(
            db,
            &admin,
            &kind_of("Field desk", RoleScope::SpaceBound, Audience::User, &[device_ro]),
        )
        .await
        .unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        let read = detail(&mut conn, globex.tenant, desk.id).await.unwrap();
        drop(conn);
        assert_eq!((read.scope, read.audience), (RoleScope::SpaceBound, Audience::User));
        assert_eq!(
            read.requires,
            [(device_ro, "Device Read Only".to_owned())].into()
        );

        // A cycle, directly or through another role, is refused and changes nothing.
        let upper = save(
            db,
            &admin,
            &kind_of("Upper desk", RoleScope::SpaceBound, Audience::User, &[desk.id]),
        )
        .await
        .unwrap();
        let back = RoleInput {
            id: Some(desk.id),
            version: read.version,
            requires: Some(BTreeSet::from([device_ro, upper.id])),
            ..kind_of("Field desk", RoleScope::SpaceBound, Audience::User, &[])
        };
        let refused = save(db, &admin, &back).await.unwrap_err();
        assert!(
            matches!(&refused, AppError::Validation { field, message } if field == "requires" && message.contains("would require itself")),
            "{refused:?}"
        );
        let itself = RoleInput {
            requires: Some(BTreeSet::from([desk.id])),
            ..back.clone()
        };
        assert!(matches!(
            save(db, &admin, &itself).await,
            Err(AppError::Validation { field, .. }) if field == "requires"
        ));
        let mut conn = db.pool.acquire().await.unwrap();
        let after = detail(&mut conn, globex.tenant, desk.id).await.unwrap();
        drop(conn);
        assert_eq!(after, read, "nothing of a refused save is written");
        // A save that does not name them (an older client, a script) keeps Scope and Requires.
        let renamed = RoleInput {
            id: Some(desk.id),
            version: read.version,
            ..input("Field desk renamed", &[("Devices", "View")])
        };
        let saved = save(db, &admin, &renamed).await.unwrap();
        assert_eq!(
            (saved.scope, saved.requires),
            (RoleScope::SpaceBound, read.requires.clone())
        );

        // Given tenant-wide, a Cross-Space role could never have a Space-Specific one with it.
        let cross = save(
            db,
            &admin,
            &kind_of("Cross desk", RoleScope::CrossSpace, Audience::User, &[device_ro]),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&cross, AppError::Validation { field, message } if field == "requires" && message.contains("Device Read Only, which is Space-Specific")),
            "{cross:?}"
        );
        // A role of another tenant is no role to require.
        let acme = crate::server::domain::testing::fixture(db, "acme").await;
        let acme_admins = acme.role(db, "admins").await;
        assert!(matches!(
            save(
                db,
                &admin,
                &kind_of("Foreign desk", RoleScope::CrossSpace, Audience::User, &[acme_admins])
            )
            .await,
            Err(AppError::Validation { field, .. }) if field == "requires"
        ));

        // The built-in role keeps its scope.
        let administrator = globex.role(db, "Administrator").await;
        let mut conn = db.pool.acquire().await.unwrap();
        let built_in = detail(&mut conn, globex.tenant, administrator).await.unwrap();
        drop(conn);
        let moved = RoleInput {
            id: Some(administrator),
            name: built_in.name.clone(),
            description: built_in.description.clone(),
            grants: built_in.grants.clone(),
            applications: built_in.applications.clone(),
            audience: None,
            scope: Some(RoleScope::SpaceBound),
            requires: None,
            version: built_in.version,
        };
        assert!(matches!(
            save(db, &admin, &moved).await,
            Err(AppError::Validation { field, .. }) if field == "scope"
        ));
        assert_eq!(
            count(db, &in_globex).await,
            roles_before + 2,
            "only the two good roles were created"
        );

        // iot has no Scope, Role type or Requires: each is refused and nothing is created.
        let acme_admin = acme.actor(db, acme.admin).await;
        let iot_before = count(db, "SELECT COUNT(*) FROM roles").await;
        for (bad, field) in [
            (iot_kind("Spaced", RoleScope::SpaceBound, Audience::User, &[]), "scope"),
            (iot_kind("Typed", RoleScope::CrossSpace, Audience::Admin, &[]), "audience"),
            (
                iot_kind("Needy", RoleScope::CrossSpace, Audience::User, &[acme_admins]),
                "requires",
            ),
        ] {
            let refused = save(db, &acme_admin, &bad).await.unwrap_err();
            assert!(
                matches!(&refused, AppError::Validation { field: f, .. } if f == field),
                "{field}: {refused:?}"
            );
        }
        assert_eq!(count(db, "SELECT COUNT(*) FROM roles").await, iot_before);

        // analytics has Role type: an Admin-tab custom role.
        let umbrella = crate::server::domain::testing::fixture_of(db, "umbrella", "analytics").await;
        let umbrella_admin = umbrella.actor(db, umbrella.admin).await;
        let typed = RoleInput {
            audience: Some(Audience::Admin),
            ..input("Report admin", &[])
        };
        let saved = save(db, &umbrella_admin, &typed).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            detail(&mut conn, umbrella.tenant, saved.id).await.unwrap().audience,
            Audience::Admin
        );
    })
    .await;
}

#[tokio::test]
async fn a_requirement_added_to_a_held_role_must_be_held_by_its_holders_through_a_group_counts() {
    use crate::model::{Audience, RoleScope};
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = crate::server::domain::testing::fixture_of(db, "globex", "mdm").await;
        let admin = f.actor(db, f.admin).await;
        let system_ro = f.role(db, "System Read Only").await;
        let desk = save(
            db,
            &admin,
            &kind_of("Desk", RoleScope::CrossSpace, Audience::User, &[]),
        )
        .await
        .unwrap();
        let alice = f.user(db, "alice").await;
        set_user_roles_now(db, &admin, alice, &BTreeSet::from([desk.id]))
            .await
            .unwrap();
        let requiring = |version| RoleInput {
            id: Some(desk.id),
            version,
            ..kind_of("Desk", RoleScope::CrossSpace, Audience::User, &[system_ro])
        };
        // alice holds Desk tenant-wide: it cannot become Space-Specific under her.
        let spaced = RoleInput {
            id: Some(desk.id),
            version: desk.version,
            ..kind_of("Desk", RoleScope::SpaceBound, Audience::User, &[])
        };
        let stranded = save(db, &admin, &spaced).await.unwrap_err();
        assert!(
            matches!(&stranded, AppError::Validation { message, .. } if message == "Desk is Space-Specific: it is given in a space, never tenant-wide."),
            "{stranded:?}"
        );
        // alice holds Desk without System Read Only: the requirement would leave her unmet.
        let refused = save(db, &admin, &requiring(desk.version)).await.unwrap_err();
        assert!(
            matches!(&refused, AppError::Validation { message, .. } if message == "Desk requires System Read Only."),
            "{refused:?}"
        );
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(detail(&mut conn, f.tenant, desk.id).await.unwrap().requires.is_empty());
        drop(conn);
        // Held through a group, it counts: alice joins a group that holds System Read Only.
        let readers = crate::server::domain::groups::save(
            db,
            &admin,
            &crate::model::groups::GroupInput {
                id: None,
                name: "Readers".into(),
                description: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap();
        crate::server::domain::testing::set_group_roles_now(
            db,
            &admin,
            readers,
            &BTreeSet::from([system_ro]),
        )
        .await
        .unwrap();
        crate::server::domain::groups::set_member(db, &admin, readers, alice, true)
            .await
            .unwrap();
        save(db, &admin, &requiring(desk.version)).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            detail(&mut conn, f.tenant, desk.id)
                .await
                .unwrap()
                .required_ids(),
            BTreeSet::from([system_ro])
        );
    })
    .await;
}

/// analytics: "only users that have a Tenant Admin role can assign user roles". The assign
/// permission is reserved to the built-in Tenant Admin role: no custom role, created, copied or
/// edited, may carry it, not even by a Tenant Admin.
#[tokio::test]
async fn analytics_only_the_built_in_tenant_admin_role_grants_assigning() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = crate::server::domain::testing::fixture_of(db, "umbrella", "analytics").await;
        let admin = f.actor(db, f.admin).await;
        let assign = &admin.catalogue.access.assign;
        let cell = [(assign.type_name.as_str(), assign.level.as_str())];
        let in_umbrella = format!("SELECT COUNT(*) FROM roles WHERE tenant_id = {}", f.tenant.0);
        let roles_before = count(db, &in_umbrella).await;
        let refused = save(db, &admin, &input("Assigner", &cell)).await.unwrap_err();
        assert!(
            matches!(&refused, AppError::Validation { field, message } if field == "grants" && message.contains("only by a built-in role")),
            "{refused:?}"
        );
        let tenant_admin = f.role(db, "Tenant Admin").await;
        assert!(matches!(
            duplicate(db, &admin, tenant_admin).await,
            Err(AppError::Validation { field, .. }) if field == "grants"
        ));
        // A custom role may not gain it by an edit either.
        let plain = save(db, &admin, &input("Plain", &[])).await.unwrap();
        let gaining = RoleInput {
            id: Some(plain.id),
            version: plain.version,
            ..input("Plain", &cell)
        };
        assert!(matches!(
            save(db, &admin, &gaining).await,
            Err(AppError::Validation { field, .. }) if field == "grants"
        ));
        assert_eq!(count(db, &in_umbrella).await, roles_before + 1);
        // The built-in Tenant Admin role keeps it through an edit.
        let mut conn = db.pool.acquire().await.unwrap();
        let built_in = detail(&mut conn, f.tenant, tenant_admin).await.unwrap();
        drop(conn);
        let edited = RoleInput {
            id: Some(tenant_admin),
            name: built_in.name.clone(),
            description: "Edited.".into(),
            grants: built_in.grants.clone(),
            applications: built_in.applications.clone(),
            audience: None,
            scope: None,
            requires: None,
            version: built_in.version,
        };
        let saved = save(db, &admin, &edited).await.unwrap();
        assert!(crate::model::catalogue::holds(
            &saved.grants,
            &assign.type_name,
            &assign.level
        ));
    })
    .await;
}

#[tokio::test]
async fn the_editor_counts_direct_holders_and_the_delete_audit_keeps_them() {
    use crate::server::domain::{groups, testing::set_group_roles_now};
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let actor = f.actor(db, f.admin).await;
        let desk = save(db, &actor, &input("Desk", &[("Alarms", "READ")]))
            .await
            .unwrap();
        let (ann, bob) = (f.user(db, "ann").await, f.user(db, "bob").await);
        for user in [ann, bob] {
            set_user_roles_now(db, &actor, user, &[desk.id].into())
                .await
                .unwrap();
        }
        // A member of a group holding the role holds it through the group, not directly.
        let ops = groups::save(
            db,
            &actor,
            &crate::model::groups::GroupInput {
                id: None,
                name: "Ops".into(),
                description: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap();
        let carl = f.user(db, "carl").await;
        groups::set_member(db, &actor, ops, carl, true)
            .await
            .unwrap();
        set_group_roles_now(db, &actor, ops, &[desk.id].into())
            .await
            .unwrap();
        let counted = async || {
            let mut conn = db.pool.acquire().await.unwrap();
            holders(&mut conn, f.tenant, desk.id).await.unwrap()
        };
        let two_and_one = Holders {
            users: 2,
            groups: 1,
        };
        assert_eq!(counted().await, two_and_one);
        // A save changes nobody's roles.
        let mut rename = input("Desk EU", &[("Alarms", "READ")]);
        (rename.id, rename.version) = (Some(desk.id), desk.version);
        let renamed = save(db, &actor, &rename).await.unwrap();
        assert_eq!(counted().await, two_and_one);
        delete(db, &actor, desk.id, renamed.version).await.unwrap();
        let deleted: serde_json::Value = serde_json::from_str(
            &sqlx::query_scalar::<_, String>(
                "SELECT before_json FROM audit_events WHERE action = 'role.delete'",
            )
            .fetch_one(&db.pool)
            .await
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (&deleted["name"], &deleted["users"], &deleted["groups"]),
            (&"Desk EU".into(), &2.into(), &1.into())
        );
    })
    .await;
}
