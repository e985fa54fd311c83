//! Inventory roles: the cards of the `Inventory roles` tab, with the overridden marker.

use sqlx::AnyConnection;

use super::access::Actor;
use crate::{
    model::{
        inventory::{overridden, InventoryRoleCard, InventoryRow},
        AppResult,
    },
    server::db,
};

pub async fn list(conn: &mut AnyConnection, actor: &Actor) -> AppResult<Vec<InventoryRoleCard>> {
    actor.require_view()?;
    let tenant = actor.tenant();
    let all = db::inventory_roles::all_permissions(conn, tenant).await?;
    Ok(db::inventory_roles::list(conn, tenant)
        .await?
        .into_iter()
        .map(|role| {
            let rows: Vec<_> = all
                .iter()
                .filter(|(r, _)| *r == role.id)
                .map(|(_, p)| p.clone())
                .collect();
            let marks = overridden(&rows);
            InventoryRoleCard {
                id: role.id,
                name: role.name,
                description: role.description,
                users: role.users,
                version: role.version,
                rows: rows
                    .into_iter()
                    .zip(marks)
                    .map(|(permission, overridden)| InventoryRow {
                        permission,
                        overridden,
                    })
                    .collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{db_test, server::domain::testing::fixture};

    db_test!(
        a_new_iot_tenant_has_the_default_inventory_roles_in_order,
        |db| {
            let f = fixture(db, "acme").await;
            let admin = f.actor(db, f.admin).await;
            let mut conn = db.pool.acquire().await.unwrap();
            let cards = list(&mut conn, &admin).await.unwrap();
            let names: Vec<&str> = cards.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "Manager",
                    "Operations: All",
                    "Operations: Restart Device",
                    "Reader"
                ]
            );
            let manager = &cards[0];
            assert_eq!(manager.rows[0].permission.category, "Full access");
            assert!(manager.rows.iter().all(|r| r.overridden.is_none()));
            drop(conn);
            // Backfill leaves a tenant that has inventory roles alone.
            let filled = crate::server::domain::tenants::backfill_inventory_roles(db, &f.templates)
                .await
                .unwrap();
            assert_eq!(filled, 0);
            sqlx::query("DELETE FROM inventory_roles")
                .execute(&db.pool)
                .await
                .unwrap();
            let filled = crate::server::domain::tenants::backfill_inventory_roles(db, &f.templates)
                .await
                .unwrap();
            assert_eq!(filled, 1);
            let viewer = f.actor_holding(db, "nobody", &[("Alarms", "READ")]).await;
            let mut conn = db.pool.acquire().await.unwrap();
            assert!(list(&mut conn, &viewer).await.is_err());
        }
    );
}
