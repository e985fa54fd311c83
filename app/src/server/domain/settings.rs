//! Tenant settings: whether SSO users' roles may be changed by hand (SPEC rule 6).

use crate::server::domain::guard::Guard;
use sqlx::AnyConnection;

use super::{access::Actor, roles::json};
use crate::{
    model::{settings::TenantSettings, AppResult},
    server::{
        db::{self, audit::AuditEvent, Db},
        unix_now,
    },
};

pub async fn load(conn: &mut AnyConnection, actor: &Actor) -> AppResult<TenantSettings> {
    actor.require_view()?;
    Ok(TenantSettings {
        sso_manual_changes: db::tenants::sso_manual_changes(conn, actor.tenant()).await?,
        can_edit: actor.require_admin().is_ok(),
    })
}

/// Allowing manual changes for SSO users is an assignment matter: it needs the assign permission.
pub async fn set_sso_manual_changes(db: &Db, actor: &Actor, allowed: bool) -> AppResult<()> {
    actor.require_admin()?;
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<_> = async {
        let tx = guard.conn();
        let before = db::tenants::sso_manual_changes(&mut *tx, tenant).await?;
        db::tenants::set_sso_manual_changes(&mut *tx, tenant, allowed).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "tenant.settings",
            target: "setting sso_manual_changes",
            before: json(&before),
            after: json(&allowed),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await?;
        Ok(())
    }
    .await;
    guard.finish(result).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{model::AppError, server::domain::testing::fixture};

    #[tokio::test]
    async fn only_assigners_change_the_sso_setting_and_it_is_audited() {
        crate::server::db::testing::each_backend(async |db: &crate::server::db::Db| {
            let f = fixture(db, "acme").await;
            let admin = f.actor(db, f.admin).await;
            let viewer = f
                .actor_holding(db, "viewer", &[("User management", "READ")])
                .await;
            let mut conn = db.pool.acquire().await.unwrap();
            assert!(!load(&mut conn, &viewer).await.unwrap().sso_manual_changes);
            drop(conn);
            assert_eq!(
                set_sso_manual_changes(db, &viewer, true).await.unwrap_err(),
                AppError::forbidden("User management ADMIN")
            );
            set_sso_manual_changes(db, &admin, true).await.unwrap();
            let mut conn = db.pool.acquire().await.unwrap();
            assert!(load(&mut conn, &admin).await.unwrap().sso_manual_changes);
            let audited: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'tenant.settings'",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            assert_eq!(audited, 1);
        })
        .await;
    }
}
