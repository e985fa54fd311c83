//! Application access per user (SPEC section 6): applications given to a user directly, on top
//! of those their roles carry. Each one given or taken must be one the actor holds (SPEC rule 4,
//! judged by the guard on the effect); partner administrators and SSO users whose access the
//! mapping manages are locked (rules 6 and 7).

use std::collections::BTreeSet;

use super::{access::Actor, assignments::ensure_roles_editable, guard::Guard, roles::json};
use crate::{
    model::{AppError, AppResult, UserId},
    server::{
        db::{self, audit::AuditEvent, Db},
        unix_now,
    },
};

/// Whether `application` is one of the template's.
pub fn known(actor: &Actor, application: &str) -> bool {
    actor
        .catalogue
        .applications
        .iter()
        .any(|a| a.name == application)
}

/// Gives `user` exactly `wanted` directly, if their direct applications are still `seen` (what
/// the page showed: SPEC rule 11, a stale save is refused). **Permissions**: the assign
/// permission, and every application given or taken.
pub async fn set_user_applications(
    db: &Db,
    actor: &Actor,
    user: UserId,
    seen: &BTreeSet<String>,
    wanted: &BTreeSet<String>,
) -> AppResult<Vec<String>> {
    actor.require_admin()?;
    super::checked_count("applications", wanted.len())?;
    if let Some(unknown) = wanted.iter().find(|a| !known(actor, a)) {
        return Err(AppError::validation(
            "applications",
            format!("There is no application named {unknown}."),
        ));
    }
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<Vec<String>> = async {
        let tx = guard.conn();
        let row = db::users::get(&mut *tx, tenant, user)
            .await?
            .ok_or(AppError::NotFound)?;
        ensure_roles_editable(&mut *tx, tenant, &row).await?;
        let current: BTreeSet<String> =
            db::assignments::direct_applications(&mut *tx, tenant, user)
                .await?
                .into_iter()
                .collect();
        if &current != seen {
            return Err(AppError::Conflict);
        }
        for app in current.difference(wanted) {
            db::assignments::remove_direct_application(&mut *tx, tenant, user, app).await?;
        }
        for app in wanted.difference(&current) {
            db::assignments::add_direct_application(&mut *tx, tenant, user, app).await?;
        }
        if &current != wanted {
            let event = AuditEvent {
                tenant,
                actor: Some(actor.principal.user_id),
                address: &actor.principal.address,
                action: "user.applications.set",
                target: &format!("user {}", row.username),
                before: json(&current),
                after: json(wanted),
            };
            db::audit::record(&mut *tx, &event, unix_now()).await?;
        }
        Ok(wanted.iter().cloned().collect())
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::domain::testing::fixture;

    #[tokio::test]
    async fn an_admin_gives_only_applications_they_hold_and_the_guard_judges_it() {
        crate::server::db::testing::each_backend(async |db: &Db| {
            let f = fixture(db, "acme").await;
            let admin = f.actor(db, f.admin).await;
            let alice = f.user(db, "alice").await;
            let app = admin.catalogue.applications[0].name.clone();
            // A user manager who holds no application.
            let low = f
                .actor_holding(db, "low", &[("User management", "ADMIN")])
                .await;
            let none = BTreeSet::new();
            let refused = set_user_applications(db, &low, alice, &none, &[app.clone()].into()).await;
            assert!(
                matches!(&refused, Err(AppError::Forbidden { missing }) if missing == &format!("application {app}")),
                "{refused:?}"
            );
            let mut conn = db.pool.acquire().await.unwrap();
            assert!(db::assignments::direct_applications(&mut conn, f.tenant, alice)
                .await
                .unwrap()
                .is_empty());
            drop(conn);
            let unknown =
                set_user_applications(db, &admin, alice, &none, &["Nope".to_owned()].into()).await;
            assert!(matches!(unknown, Err(AppError::Validation { .. })));
            set_user_applications(db, &admin, alice, &none, &[app.clone()].into())
                .await
                .unwrap();
            // A page that still shows none given is stale now.
            let stale = set_user_applications(db, &admin, alice, &none, &none).await;
            assert_eq!(stale, Err(AppError::Conflict));
            let alice_actor = f.actor(db, alice).await;
            assert!(alice_actor.applications.contains(&app), "she holds it now");
            set_user_applications(db, &admin, alice, &[app.clone()].into(), &none)
                .await
                .unwrap();
            assert!(!f.actor(db, alice).await.applications.contains(&app));
        })
        .await;
    }
}
