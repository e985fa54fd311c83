//! migration's prerequisites (seed 002): "Manage Contacts … (requires 'Manage Tabs, Details,
//! Menu Items')". A role that breaks one is refused, whoever saves it, and nothing is written.

use super::*;
use crate::server::domain::testing::{fixture_of, role_input as role};

#[tokio::test]
async fn a_role_that_breaks_a_module_prerequisite_is_refused_and_nothing_is_saved() {
    crate::server::db::testing::each_backend(async |db: &Db| {
        let f = fixture_of(db, "initech", "migration").await;
        let admin = f.actor(db, f.admin).await;
        let contacts = ("Project Config: Manage Contacts", "Allowed");
        let tabs = ("Module Config: Manage Tabs, Details, Menu Items", "Allowed");
        let broken = role("Contact editors", &[("Project Config access", "Read/Write"), contacts]);
        assert_eq!(
            save(db, &admin, &broken).await.unwrap_err(),
            AppError::validation(
                "grants",
                "Project Config: Manage Contacts requires Module Config: Manage Tabs, Details, Menu Items."
            )
        );
        let mut conn = db.pool.acquire().await.unwrap();
        assert!(db::roles::id_by_name(&mut conn, f.tenant, "Contact editors")
            .await
            .unwrap()
            .is_none());
        drop(conn);
        let whole = role(
            "Contact editors",
            &[("Project Config access", "Read/Write"), contacts, tabs],
        );
        let saved = save(db, &admin, &whole).await.unwrap();

        // Taking the prerequisite away later is refused too, and the role stays as it was.
        let mut edit = role("Contact editors", &[("Project Config access", "Read/Write"), contacts]);
        edit.id = Some(saved.id);
        edit.version = saved.version;
        assert!(matches!(
            save(db, &admin, &edit).await,
            Err(AppError::Validation { ref field, .. }) if field == "grants"
        ));
        let mut conn = db.pool.acquire().await.unwrap();
        let after = db::roles::grants(&mut conn, f.tenant, saved.id).await.unwrap();
        assert!(after.contains_key(tabs.0));
    })
    .await;
}
