//! migration's restricting switches (seed 002: `Limit access to 'My Apps'`, `Disable Context
//! Menu`, …). SPEC rule 1: a switch restricts a user only if every role giving them the module's
//! access carries it. SPEC rule 4: ticking a switch takes a freedom away and clearing it grants
//! one, so an administrator bound by a switch can do neither. The cell of a switch is the freedom
//! from it (level `Exempt`); these tests try the forbidden edits and check that nothing changed.

use super::*;
use crate::model::catalogue::holds;
use crate::server::domain::testing::{fixture_of, role_input as role, set_user_roles_now};

const LIMIT: &str = "Applications: Limit access to 'My Apps'";
const MENU: &str = "Applications: Disable Context Menu";
const ACCESS: &str = "Applications access";

fn edit(of: &RoleDetail, cells: &[(&str, &str)]) -> RoleInput {
    let mut input = role(&of.name, cells);
    input.id = Some(of.id);
    input.version = of.version;
    input
}

#[tokio::test]
async fn a_switch_restricts_only_if_every_role_giving_access_carries_it_and_only_the_free_change_it(
) {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture_of(db, "initech", "migration").await;
        let admin = f.actor(db, f.admin).await;
        // Project Admin ("full rights") is bound by no switch.
        for t in admin.catalogue.types().filter(|t| t.restricts) {
            assert!(holds(&admin.effective, &t.name, "Exempt"), "{}", t.name);
        }

        // "Own apps": Applications Read/Write, limited to 'My Apps', context menu free.
        let own = save(
            db,
            &admin,
            &role("Own apps", &[(ACCESS, "Read/Write"), (MENU, "Exempt")]),
        )
        .await
        .unwrap();
        let carol = f.user(db, "carol").await;
        set_user_roles_now(db, &admin, carol, &[own.id].into())
            .await
            .unwrap();
        let effective = f.actor(db, carol).await.effective;
        assert!(
            !holds(&effective, LIMIT, "Exempt"),
            "one role, with the switch: restricted"
        );
        assert!(holds(&effective, MENU, "Exempt"));

        // A second role that gives access without the switch frees her: the union (rule 1).
        let all = save(
            db,
            &admin,
            &role("All apps", &[(ACCESS, "Read Only"), (LIMIT, "Exempt")]),
        )
        .await
        .unwrap();
        set_user_roles_now(db, &admin, carol, &[own.id, all.id].into())
            .await
            .unwrap();
        assert!(holds(&f.actor(db, carol).await.effective, LIMIT, "Exempt"));

        // A freedom goes with the module's access: a role without it frees no one.
        assert_eq!(
            save(db, &admin, &role("Loose", &[(LIMIT, "Exempt")]))
                .await
                .unwrap_err(),
            AppError::validation("grants", format!("{LIMIT} requires {ACCESS}."))
        );

        // Dave assigns and edits roles, opens Applications, and is himself limited to 'My Apps'.
        let dave = f
            .actor_holding(
                db,
                "dave",
                &[
                    ("User Account Roles access", "Read/Write"),
                    (ACCESS, "Read/Write"),
                    (MENU, "Exempt"),
                ],
            )
            .await;
        let mut conn = db.pool.acquire().await.unwrap();
        let own_before = db::roles::grants(&mut conn, f.tenant, own.id)
            .await
            .unwrap();
        let all_before = db::roles::grants(&mut conn, f.tenant, all.id)
            .await
            .unwrap();
        drop(conn);
        // Clearing the switch on "Own apps" grants the freedom he lacks: refused.
        let cleared = edit(
            &own,
            &[(ACCESS, "Read/Write"), (MENU, "Exempt"), (LIMIT, "Exempt")],
        );
        let refused = save(db, &dave, &cleared).await.unwrap_err();
        assert_eq!(
            refused,
            AppError::Forbidden {
                missing: format!("{LIMIT} Exempt")
            }
        );
        // Ticking it on "All apps" takes away a freedom he could not grant: refused.
        let ticked = edit(&all, &[(ACCESS, "Read Only")]);
        assert!(matches!(
            save(db, &dave, &ticked).await,
            Err(AppError::Forbidden { ref missing }) if missing.contains(LIMIT)
        ));
        // So is Deny Access on "All apps", which takes the freedom with the access.
        let denied = edit(&all, &[]);
        assert!(matches!(
            save(db, &dave, &denied).await,
            Err(AppError::Forbidden { .. })
        ));
        // Nor may he free carol by giving her "All apps" or bind her by taking it away.
        let bob = f.user(db, "bob").await;
        assert!(matches!(
            set_user_roles_now(db, &dave, bob, &[all.id].into()).await,
            Err(AppError::Forbidden { .. })
        ));
        assert!(matches!(
            set_user_roles_now(db, &dave, carol, &[own.id].into()).await,
            Err(AppError::Forbidden { .. })
        ));
        let mut conn = db.pool.acquire().await.unwrap();
        assert_eq!(
            db::roles::grants(&mut conn, f.tenant, own.id)
                .await
                .unwrap(),
            own_before
        );
        assert_eq!(
            db::roles::grants(&mut conn, f.tenant, all.id)
                .await
                .unwrap(),
            all_before
        );
        drop(conn);
        assert!(f.actor(db, bob).await.effective.is_empty());
        assert!(holds(&f.actor(db, carol).await.effective, LIMIT, "Exempt"));

        // What he is free of, he may switch: ticking Disable Context Menu on "Own apps" works.
        let menu_on = edit(&own, &[(ACCESS, "Read/Write")]);
        let saved = save(db, &dave, &menu_on).await.unwrap();
        assert!(!saved.grants.contains_key(MENU));
    })
    .await;
}

/// Migration 0020 (SQLite) / 0021 (PostgreSQL) on roles as they were stored before: a switch's
/// cell (level Allowed) was the switch itself.
#[tokio::test]
async fn the_migration_keeps_each_role_bound_by_the_switches_it_had_ticked() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture_of(db, "initech", "migration").await;
        let admin = f.actor(db, f.admin).await;
        let own = save(db, &admin, &role("Own apps", &[(ACCESS, "Read/Write")]))
            .await
            .unwrap();
        let project_admin = f.role(db, "Project Admin").await;
        let member = f.role(db, "Project Member").await;
        let mut conn = db.pool.acquire().await.unwrap();
        let member_now = db::roles::grants(&mut conn, f.tenant, member)
            .await
            .unwrap();
        // As before: no freedoms; "Own apps" ticked LIMIT; Project Admin ticked every switch.
        sqlx::query("DELETE FROM role_grants WHERE level = 'Exempt'")
            .execute(&mut *conn)
            .await
            .unwrap();
        let old = "INSERT INTO role_grants (tenant_id, role_id, perm_type, level) \
                   VALUES ($1, $2, $3, 'Allowed')";
        sqlx::query(old)
            .bind(f.tenant)
            .bind(own.id)
            .bind(LIMIT)
            .execute(&mut *conn)
            .await
            .unwrap();
        for t in admin.catalogue.types().filter(|t| t.restricts) {
            sqlx::query(old)
                .bind(f.tenant)
                .bind(project_admin)
                .bind(&t.name)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        let migration = match db.backend {
            crate::server::db::Backend::Sqlite => {
                include_str!("../../../../migrations/sqlite/0020_restricting_switches.sql")
            }
            crate::server::db::Backend::Postgres => {
                include_str!("../../../../migrations/postgres/0021_restricting_switches.sql")
            }
        };
        sqlx::raw_sql(migration).execute(&mut *conn).await.unwrap();

        let own_after = db::roles::grants(&mut conn, f.tenant, own.id)
            .await
            .unwrap();
        assert!(
            !own_after.contains_key(LIMIT),
            "still bound by the switch it ticked"
        );
        assert!(
            own_after[MENU].contains("Exempt"),
            "free of the one it had not"
        );
        assert_eq!(
            db::roles::grants(&mut conn, f.tenant, member)
                .await
                .unwrap(),
            member_now,
            "Project Member ticked none: free of every switch of its modules, as its template says"
        );
        let admin_after = db::roles::grants(&mut conn, f.tenant, project_admin)
            .await
            .unwrap();
        for t in admin.catalogue.types().filter(|t| t.restricts) {
            assert!(admin_after[&t.name].contains("Exempt"), "{}", t.name);
            assert!(!admin_after[&t.name].contains("Allowed"), "{}", t.name);
        }
    })
    .await;
}
