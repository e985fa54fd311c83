use super::*;
use crate::model::{Allocation, UserKind, UserStatus};
use crate::server::db::users::UserRow;
use crate::server::domain::testing::set_user_roles_now;
use crate::{model::AppError, server::domain::testing::fixture};

fn new(username: &str) -> NewUserInput {
    NewUserInput {
        username: username.into(),
        display_name: format!("{username} display"),
        email: format!("{username}@example.com"),
        password: "Long-enough-1".into(),
        allocation: Allocation::Professional,
        device: false,
    }
}

async fn row(db: &Db, actor: &Actor, id: UserId) -> UserRow {
    let mut conn = db.pool.acquire().await.unwrap();
    db::users::get(&mut conn, actor.tenant(), id)
        .await
        .unwrap()
        .unwrap()
}

fn update_of(row: &UserRow, active: bool) -> UserUpdate {
    UserUpdate {
        id: row.id,
        display_name: "Changed".into(),
        email: row.email.clone(),
        allocation: Allocation::Analyzer,
        active,
        version: row.version,
    }
}

#[tokio::test]
async fn users_are_created_validated_edited_disabled_and_deleted() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let alice = create(db, &admin, &new("alice")).await.unwrap();
        assert_eq!(
            create(db, &admin, &new("ALICE")).await.unwrap_err(),
            AppError::validation("username", "A user with this username already exists.")
        );
        let mut bad = new("bob");
        bad.email = "bob@".into();
        assert!(
            matches!(create(db, &admin, &bad).await, Err(AppError::Validation { ref field, .. }) if field == "email")
        );
        bad = new("bob");
        bad.password = "short".into();
        assert!(
            matches!(create(db, &admin, &bad).await, Err(AppError::Validation { ref field, .. }) if field == "password")
        );
        let mut device = new("pump-17");
        device.device = true;
        device.password.clear();
        let pump = create(db, &admin, &device).await.unwrap();
        assert_eq!(row(db, &admin, pump).await.kind, UserKind::Device);

        let before = row(db, &admin, alice).await;
        assert_eq!(
            (before.owner_id, before.allocation),
            (None, Allocation::Professional)
        );
        update(db, &admin, &update_of(&before, false))
            .await
            .unwrap();
        let after = row(db, &admin, alice).await;
        assert_eq!(
            (
                after.status,
                after.allocation,
                after.display_name.as_str()
            ),
            (UserStatus::Disabled, Allocation::Analyzer, "Changed")
        );
        assert_eq!(
            update(db, &admin, &update_of(&before, true))
                .await
                .unwrap_err(),
            AppError::Conflict
        );
        assert_eq!(
            delete(db, &admin, alice, before.version).await.unwrap_err(),
            AppError::Conflict
        );
        delete(db, &admin, alice, after.version).await.unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(db::users::get(&mut conn, f.tenant, alice)
            .await
            .unwrap()
            .is_none());
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'user.%'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(audited, 4);
    })
    .await;
}

#[tokio::test]
async fn an_admin_with_create_only_manages_their_own_sub_users() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let creator = f
            .actor_holding(db, "creator", &[("User management", "CREATE")])
            .await;
        let mine = create(db, &creator, &new("mine")).await.unwrap();
        let theirs = create(db, &admin, &new("theirs")).await.unwrap();
        let mine_row = row(db, &admin, mine).await;
        assert_eq!(
            mine_row.owner_id,
            Some(creator.principal.user_id),
            "a sub-user of its creator"
        );
        assert_eq!(row(db, &admin, theirs).await.owner_id, None);
        update(db, &creator, &update_of(&mine_row, true))
            .await
            .unwrap();
        let theirs_row = row(db, &admin, theirs).await;
        assert!(matches!(
            update(db, &creator, &update_of(&theirs_row, false)).await,
            Err(AppError::Forbidden { .. })
        ));
        assert!(matches!(
            delete(db, &creator, theirs, theirs_row.version).await,
            Err(AppError::Forbidden { .. })
        ));
        let mine_row = row(db, &admin, mine).await;
        delete(db, &creator, mine, mine_row.version).await.unwrap();
        let reader = f
            .actor_holding(db, "reader", &[("User management", "READ")])
            .await;
        assert_eq!(
            create(db, &reader, &new("nope")).await.unwrap_err(),
            AppError::forbidden("User management CREATE")
        );
    })
    .await;
}

#[tokio::test]
async fn deleting_refuses_self_last_admin_and_roles_beyond_the_actor() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let own = row(db, &admin, f.admin).await;
        assert!(matches!(
            delete(db, &admin, f.admin, own.version).await,
            Err(AppError::Locked { .. })
        ));
        assert!(matches!(
            update(db, &admin, &update_of(&own, false)).await,
            Err(AppError::Locked { .. })
        ));
        let limited = f
            .actor_holding(
                db,
                "limited",
                &[("User management", "ADMIN"), ("Alarms", "READ")],
            )
            .await;
        // The admin holds more than `limited`: taking it all away is beyond them.
        assert_eq!(
            delete(db, &limited, f.admin, own.version).await,
            Err(AppError::forbidden("Alarms ADMIN"))
        );
        let reader_holder = create(db, &admin, &new("reader")).await.unwrap();
        let global_reader = f.role(db, "Global Reader").await;
        set_user_roles_now(db, &admin, reader_holder, &[global_reader].into())
            .await
            .unwrap();
        let version = row(db, &admin, reader_holder).await.version;
        assert!(matches!(
            delete(db, &limited, reader_holder, version).await,
            Err(AppError::Forbidden { .. })
        ));
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(db::users::get(&mut conn, f.tenant, reader_holder)
            .await
            .unwrap()
            .is_some());
    })
    .await;
}

#[tokio::test]
async fn the_user_page_says_before_the_click_who_cannot_be_disabled_or_deleted() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let page = async |id| {
            crate::server::domain::user_pages::detail(db, &admin, id)
                .await
                .unwrap()
                .keep_reason
        };
        assert_eq!(page(f.admin).await.as_deref(), Some(OWN_ACCOUNT));
        let other = create(db, &admin, &new("other")).await.unwrap();
        let admins = f.role(db, "admins").await;
        set_user_roles_now(db, &admin, other, &[admins].into())
            .await
            .unwrap();
        assert_eq!(page(other).await, None, "two active admins: either may go");
        // With the signed-in admin disabled by someone else, `other` is the last active one.
        let second = f.actor(db, other).await;
        update(
            db,
            &second,
            &update_of(&row(db, &admin, f.admin).await, false),
        )
        .await
        .unwrap();
        let last = page(other).await.unwrap_or_default();
        assert!(
            last.starts_with("At least one active user must keep admins tenant-wide"),
            "{last}"
        );
        // The guard's refusal uses the same words (guard::rules::anti_lockout); it is proven in
        // guard::tests::disabling_a_user_is_guarded_like_taking_their_roles.
    })
    .await;
}

#[tokio::test]
async fn a_device_user_gets_the_devices_role_by_its_mark_and_the_list_filters_by_kind() {
    crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let devices = f.role(db, "devices").await;
        let device = |name: &str| {
            let mut input = new(name);
            input.device = true;
            input.password.clear();
            input
        };
        let held = async |user: UserId| {
            let mut conn = db.pool.acquire().await.unwrap();
            db::assignments::user_role_ids(&mut conn, f.tenant, user)
                .await
                .unwrap()
        };
        let pump = create(db, &admin, &device("pump-9")).await.unwrap();
        assert_eq!(held(pump).await, [devices]);
        let person = create(db, &admin, &new("person")).await.unwrap();
        assert!(held(person).await.is_empty());
        // Renamed, it is still the role a device gets: the mark, not the name, says so.
        let mut conn = db.pool.acquire().await.unwrap();
        sqlx::query("UPDATE roles SET name = 'Device fleet' WHERE id = $1")
            .bind(devices)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        let valve = create(db, &admin, &device("valve-3")).await.unwrap();
        assert_eq!(held(valve).await, [devices]);

        let listed = async |kind| {
            let page = crate::server::domain::user_pages::list_page(db, &admin, "", 1, kind)
                .await
                .unwrap();
            let names: Vec<String> = page.rows.into_iter().map(|r| r.username).collect();
            (names, page.total)
        };
        assert_eq!(
            listed(Some(UserKind::Device)).await,
            (vec!["pump-9".to_owned(), "valve-3".to_owned()], 2)
        );
        let (humans, _) = listed(Some(UserKind::Human)).await;
        assert!(humans.contains(&"person".to_owned()) && !humans.contains(&"pump-9".to_owned()));
        let (all, _) = listed(None).await;
        assert!(all.contains(&"person".to_owned()) && all.contains(&"pump-9".to_owned()));

        // A sub-user manager cannot give the devices role, so creates no device user (rule 4).
        let creator = f
            .actor_holding(db, "creator", &[("User management", "CREATE")])
            .await;
        assert!(matches!(
            create(db, &creator, &device("sneaky-1")).await,
            Err(AppError::Forbidden { .. })
        ));
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(db::users::id_by_username(&mut conn, f.tenant, "sneaky-1")
            .await
            .unwrap()
            .is_none());
        drop(conn);

        // A template without device users has none.
        let g = crate::server::domain::testing::fixture_of(db, "globex", "mdm").await;
        let globex = g.actor(db, g.admin).await;
        assert!(matches!(
            create(db, &globex, &device("pump-1")).await,
            Err(AppError::Validation { ref field, .. }) if field == "device"
        ));
    })
    .await;
}
