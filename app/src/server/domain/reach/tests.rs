//! SPEC rule 8, as a sub-user manager would try to get around it.

use crate::{
    model::{
        groups::GroupInput,
        users::{NewUserInput, RolesOf},
        Allocation, AppError, RoleId, UserId,
    },
    server::{
        db::{self, Db},
        domain::{
            access::Actor,
            assignments, groups, role_choices,
            testing::{fixture, roles_version, set_group_roles_now, set_user_roles_now},
            user_pages, users,
        },
    },
};

fn new(username: &str) -> NewUserInput {
    NewUserInput {
        username: username.into(),
        display_name: String::new(),
        email: String::new(),
        password: "Long-enough-1".into(),
        allocation: Allocation::Professional,
        device: false,
    }
}

async fn listed(db: &Db, actor: &Actor, query: &str) -> Vec<String> {
    let page = user_pages::list_page(db, actor, query, 1, None)
        .await
        .unwrap();
    page.rows.into_iter().map(|r| r.username).collect()
}

async fn roles_of(db: &Db, actor: &Actor, user: UserId) -> Vec<RoleId> {
    let mut conn = db.pool.acquire().await.unwrap();
    db::assignments::user_role_ids(&mut conn, actor.tenant(), user)
        .await
        .unwrap()
}

async fn set(db: &Db, actor: &Actor, user: UserId, roles: &[RoleId]) -> Result<(), AppError> {
    let version = roles_version(db, user).await;
    let wanted = roles.iter().copied().collect();
    assignments::set_user_roles(db, actor, user, &wanted, version)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn a_sub_user_manager_reaches_only_their_own_sub_users_with_only_roles_they_hold() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let (shared, reader, cep, devmgmt) = (
            f.role(db, "Shared User Manager").await,
            f.role(db, "Global Reader").await,
            f.role(db, "CEP Manager").await,
            f.role(db, "Devicemanagement User").await,
        );
        let manager_id = f.user(db, "manager").await;
        set_user_roles_now(db, &admin, manager_id, &[shared, reader].into())
            .await
            .unwrap();
        let manager = f.actor(db, manager_id).await;
        let bob = users::create(db, &admin, &new("bob")).await.unwrap();
        let zoe = users::create(db, &manager, &new("sub.zoe")).await.unwrap();

        // The list and its search hold only her own sub-users; the tenant admin's holds all.
        assert_eq!(listed(db, &manager, "").await, ["sub.zoe"]);
        assert_eq!(listed(db, &manager, "zo").await, ["sub.zoe"]);
        assert!(listed(db, &manager, "bob").await.is_empty());
        assert!(listed(db, &admin, "").await.contains(&"bob".to_owned()));
        let page = user_pages::list_page(db, &manager, "", 1, None)
            .await
            .unwrap();
        assert!(page.can_create && !page.can_assign);
        assert_eq!(page.total, 1);

        // Another user's page and role checklist are refused; her sub-user's are not.
        assert!(matches!(
            user_pages::detail(db, &manager, bob).await,
            Err(AppError::Forbidden { .. })
        ));
        assert!(matches!(
            user_pages::detail(db, &manager, manager_id).await,
            Err(AppError::Forbidden { .. })
        ));
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(matches!(
            role_choices::choices(&mut conn, &manager, RolesOf::User(bob), None, "", 1).await,
            Err(AppError::Forbidden { .. })
        ));
        let choices = role_choices::choices(&mut conn, &manager, RolesOf::User(zoe), None, "", 1)
            .await
            .unwrap();
        drop(conn);
        let grantable = |id: RoleId| {
            let role = choices.roles.iter().find(|r| r.id == id).unwrap();
            (role.grantable, role.reason.clone().unwrap_or_default())
        };
        assert!(grantable(reader).0 && grantable(shared).0);
        let (ok, reason) = grantable(cep);
        assert!(!ok && reason.contains("only roles you hold"), "{reason}");
        let page = user_pages::detail(db, &manager, zoe).await.unwrap();
        assert!(page.can_edit && page.can_manage && !page.can_assign_anywhere);
        assert!(
            !page.sees_inventory,
            "inventory roles need the view permission"
        );

        // She gives her sub-user a role she holds; not one she lacks, and nothing to bob.
        set(db, &manager, zoe, &[reader]).await.unwrap();
        assert!(matches!(
            set(db, &manager, zoe, &[reader, cep]).await,
            Err(AppError::Forbidden { ref missing }) if missing.contains("CEP Manager")
        ));
        assert!(matches!(
            set(db, &manager, bob, &[reader]).await,
            Err(AppError::Forbidden { .. })
        ));
        assert_eq!(roles_of(db, &manager, zoe).await, [reader]);
        assert!(roles_of(db, &admin, bob).await.is_empty());

        // A role she holds through a group counts as held.
        let group = groups::save(
            db,
            &admin,
            &GroupInput {
                id: None,
                name: "Device team".into(),
                description: String::new(),
                version: 0,
            },
        )
        .await
        .unwrap();
        set_group_roles_now(db, &admin, group, &[devmgmt].into())
            .await
            .unwrap();
        assert!(matches!(
            set(db, &manager, zoe, &[reader, devmgmt]).await,
            Err(AppError::Forbidden { .. })
        ));
        groups::set_member(db, &admin, group, manager_id, true)
            .await
            .unwrap();
        let manager = f.actor(db, manager_id).await;
        set(db, &manager, zoe, &[reader, devmgmt]).await.unwrap();

        // What the tenant admin gave her sub-user beyond her roles, she cannot take away.
        set_user_roles_now(db, &admin, zoe, &[reader, devmgmt, cep].into())
            .await
            .unwrap();
        assert!(matches!(
            set(db, &manager, zoe, &[reader, devmgmt]).await,
            Err(AppError::Forbidden { .. })
        ));
        let mut held = roles_of(db, &admin, zoe).await;
        held.sort();
        let mut expected = vec![reader, devmgmt, cep];
        expected.sort();
        assert_eq!(held, expected);

        // A viewer who may neither assign nor create changes no one's roles.
        let viewer = f
            .actor_holding(db, "viewer", &[("User management", "READ")])
            .await;
        assert_eq!(
            set(db, &viewer, zoe, &[]).await,
            Err(AppError::forbidden("User management ADMIN"))
        );
        assert_eq!(roles_of(db, &admin, zoe).await.len(), 3);
    })
    .await;
}
