use futures::StreamExt;

use super::*;
use crate::{
    model::TenantId,
    server::{
        db::{audit::AuditEvent, testing::each_backend},
        domain::testing::fixture,
    },
};

async fn event(
    db: &Db,
    tenant: TenantId,
    actor: Option<UserId>,
    action: &str,
    target: &str,
    at: i64,
) {
    let mut conn = db.pool.acquire().await.unwrap();
    let event = AuditEvent {
        tenant,
        actor,
        action,
        target,
        before: "{\"roles\":[\"a\"]}".into(),
        after: "{\"roles\":[\"b\"]}".into(),
        address: "192.0.2.1",
    };
    db::audit::record(&mut conn, &event, at).await.unwrap();
}

fn filter(actor: &str, action: &str, target: &str, from: &str, to: &str) -> AuditFilter {
    AuditFilter {
        actor: actor.into(),
        action: action.into(),
        target: target.into(),
        from: from.into(),
        to: to.into(),
    }
}

use crate::model::UserId;

/// 2026-12-01 00:00:00 UTC.
const DEC_1: i64 = 1_796_083_200;

#[tokio::test]
async fn the_audit_log_filters_pages_newest_first_and_needs_the_audit_permission() {
    each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let bob = f.user(db, "bob").await;
        event(
            db,
            f.tenant,
            Some(f.admin),
            "role.save",
            "role Reader",
            DEC_1 + 10,
        )
        .await;
        for day in 0..3 {
            event(
                db,
                f.tenant,
                Some(bob),
                "user.roles.set",
                &format!("user carol {day}"),
                DEC_1 + day * 86_400 + 60,
            )
            .await;
        }
        let other = fixture(db, "globex").await;
        event(
            db,
            other.tenant,
            None,
            "user.roles.set",
            "user carol",
            DEC_1,
        )
        .await;

        let all = page(db, &admin, &AuditFilter::default(), 1).await.unwrap();
        let ours: Vec<&str> = all.rows.iter().map(|r| r.target.as_str()).take(4).collect();
        assert_eq!(
            ours,
            [
                "user carol 2",
                "user carol 1",
                "user carol 0",
                "role Reader"
            ]
        );
        assert!(all.actions.contains(&"user.roles.set".to_owned()));
        assert_eq!(all.rows[0].when, "2026-12-03 00:01:00 UTC");
        assert_eq!(all.rows[0].actor, "bob");

        let by_bob = page(db, &admin, &filter("BOB", "", "", "", ""), 1)
            .await
            .unwrap();
        assert_eq!(by_bob.rows.len(), 3);
        let action = page(db, &admin, &filter("", "role.save", "", "", ""), 1)
            .await
            .unwrap();
        assert_eq!(action.rows.len(), 1);
        let target = page(db, &admin, &filter("", "", "CAROL 1", "", ""), 1)
            .await
            .unwrap();
        assert_eq!(target.rows.len(), 1);
        let day = page(
            db,
            &admin,
            &filter("", "", "carol", "2026-12-02", "2026-12-02"),
            1,
        )
        .await
        .unwrap();
        assert_eq!(
            day.rows
                .iter()
                .map(|r| r.target.as_str())
                .collect::<Vec<_>>(),
            ["user carol 1"]
        );
        let nobody = page(db, &admin, &filter("nobody", "", "", "", ""), 1)
            .await
            .unwrap();
        assert!(nobody.rows.is_empty());
        assert!(matches!(
            page(db, &admin, &filter("", "", "", "2026-12-03", "2026-12-01"), 1).await,
            Err(AppError::Validation { field, .. }) if field == "to"
        ));
        assert!(matches!(
            page(db, &admin, &filter("", "", "", "yesterday", ""), 1).await,
            Err(AppError::Validation { field, .. }) if field == "from"
        ));

        for n in 0..AUDIT_PAGE_SIZE {
            event(
                db,
                f.tenant,
                Some(bob),
                "group.save",
                &format!("group {n}"),
                DEC_1 + 500_000 + n,
            )
            .await;
        }
        let first = page(db, &admin, &filter("", "group.save", "", "", ""), 1)
            .await
            .unwrap();
        assert_eq!(
            (first.rows.len() as i64, first.has_more),
            (AUDIT_PAGE_SIZE, false)
        );
        let first = page(db, &admin, &AuditFilter::default(), 1).await.unwrap();
        assert!(first.has_more);
        let second = page(db, &admin, &AuditFilter::default(), 2).await.unwrap();
        assert!(second
            .rows
            .iter()
            .all(|r| r.id < first.rows.last().unwrap().id));

        let reader = f
            .actor_holding(db, "reader", &[("User management", "READ")])
            .await;
        assert_eq!(
            page(db, &reader, &AuditFilter::default(), 1)
                .await
                .unwrap_err(),
            AppError::forbidden("Audits READ")
        );
        assert!(export_csv(db.clone(), &reader, &AuditFilter::default())
            .await
            .is_err());
        let auditor = f.actor_holding(db, "auditor", &[("Audits", "READ")]).await;
        assert!(page(db, &auditor, &AuditFilter::default(), 1).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn the_csv_export_streams_every_filtered_row_in_batches_and_defuses_formulas() {
    each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let rows = EXPORT_BATCH + 7;
        for n in 0..rows {
            event(
                db,
                f.tenant,
                Some(f.admin),
                "space.save",
                &format!("space {n}"),
                DEC_1 + n,
            )
            .await;
        }
        event(
            db,
            f.tenant,
            None,
            "space.save",
            "=HYPERLINK(\"x\"), evil",
            DEC_1 + rows,
        )
        .await;
        let stream = export_csv(db.clone(), &admin, &filter("", "space.save", "", "", ""))
            .await
            .unwrap();
        let chunks: Vec<String> = stream.map(|c| c.unwrap()).collect().await;
        assert!(
            chunks.len() >= 3,
            "header and two batches at least: {}",
            chunks.len()
        );
        let text = chunks.concat();
        assert_eq!(text.lines().count() as i64, 1 + rows + 1);
        assert!(
            text.contains(",\"'=HYPERLINK(\"\"x\"\"), evil\","),
            "{}",
            &text[..300]
        );
        assert!(text.contains(",\"{\"\"roles\"\":[\"\"a\"\"]}\","));
    })
    .await;
}

#[tokio::test]
async fn access_denied_requests_are_bounded_and_an_admin_sees_the_tenants_a_user_their_own() {
    each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        let mut bob = f.actor_holding(db, "bob", &[("Alarms", "READ")]).await;
        bob.principal.username = "bob".into();
        let mut carol = f.actor_holding(db, "carol", &[("Alarms", "READ")]).await;
        carol.principal.username = "carol".into();
        for _ in 0..db::access_denied::PER_USER_PER_HOUR + 5 {
            record_refusal(
                db,
                &bob.principal,
                "roles/save",
                "{\"id\":1}",
                "User management ADMIN",
            )
            .await
            .unwrap();
        }
        record_refusal(db, &carol.principal, "audit/list", "", "Audits READ")
            .await
            .unwrap();

        let own = denied_page(db, &carol, "", 1).await.unwrap();
        assert!(!own.whole_tenant);
        assert_eq!(own.rows.len(), 1);
        assert_eq!(
            (own.rows[0].user.as_str(), own.rows[0].missing.as_str()),
            ("carol", "Audits READ")
        );
        // A user's filter is ignored for a non-administrator: carol never sees bob's.
        assert_eq!(
            denied_page(db, &carol, "bob", 1).await.unwrap().rows.len(),
            1
        );

        let bobs = denied_page(db, &admin, "bob", 1).await.unwrap();
        assert!(bobs.whole_tenant);
        assert_eq!(bobs.rows.len() as i64, AUDIT_PAGE_SIZE);
        assert!(bobs.has_more);
        let rest = denied_page(db, &admin, "bob", 2).await.unwrap();
        assert_eq!(
            bobs.rows.len() + rest.rows.len(),
            db::access_denied::PER_USER_PER_HOUR as usize
        );
        assert_eq!(
            denied_page(db, &admin, "", 1).await.unwrap().rows[0].user,
            "carol"
        );
    })
    .await;
}

#[tokio::test]
async fn neither_log_can_be_changed_or_emptied() {
    each_backend(async |db: &Db| {
        let f = fixture(db, "acme").await;
        let admin = f.actor(db, f.admin).await;
        event(
            db,
            f.tenant,
            Some(f.admin),
            "role.save",
            "role Reader",
            DEC_1,
        )
        .await;
        record_refusal(db, &admin.principal, "roles/save", "", "x")
            .await
            .unwrap();
        let count = async || -> (i64, i64, String) {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM audit_events), (SELECT COUNT(*) FROM access_denied), \
                 (SELECT MAX(target) FROM audit_events)",
            )
            .fetch_one(&db.pool)
            .await
            .unwrap()
        };
        let before = count().await;
        for statement in [
            "UPDATE audit_events SET target = 'nothing happened'",
            "DELETE FROM audit_events",
            "UPDATE access_denied SET missing = ''",
            "DELETE FROM access_denied",
        ] {
            assert!(
                sqlx::query(statement).execute(&db.pool).await.is_err(),
                "{statement}"
            );
        }
        assert_eq!(count().await, before);
    })
    .await;
}
