//! One permission index per tenant, rebuilt when the tenant's epochs have moved.
//!
//! Every write that can change a permission bumps `tenants.perm_epoch` or, for the device-group
//! tree and inventory roles, `tenants.tree_epoch` in its own transaction (database triggers), so a
//! check first reads the epochs (one indexed row) and rebuilds when its copy is older: only the
//! tree part when only `tree_epoch` moved. That keeps every server instance exact, whoever wrote. The epoch is read before
//! the snapshot, so a copy is never labelled newer than what it holds. No connection is held while
//! a request waits for another's rebuild, so a loop of writes to one tenant cannot drain the pool
//! for the others.
//!
//! A guarded write does better than leave a stale index: from the state it judged, it makes the
//! index as the write leaves it ([`IndexCache::prepare`]: only the users it reached computed again)
//! and installs it when it commits, so the next request does not read the tenant again.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use super::{Epoch, PermissionIndex, Snapshot, TreeRows};

/// What a rebuild read: the tree part's rows for an index whose global part is still current,
/// or everything.
enum Rows {
    Tree(Arc<PermissionIndex>, TreeRows),
    All(Snapshot),
}
use crate::{
    model::{catalogue::Catalogue, AppError, AppResult, TenantId},
    server::{
        db::{permission_snapshot, tenants},
        templates::Templates,
    },
};
use sqlx::AnyPool;

/// One tenant's index: the last one built, and a lock held by whoever is building the next.
#[derive(Debug, Default)]
struct Slot {
    current: Mutex<Option<Arc<PermissionIndex>>>,
    building: Arc<tokio::sync::Mutex<()>>,
}

/// An index made from a guarded write's state, waiting for the write to commit. It holds the
/// tenant's rebuild lock until then, so that no request rebuilds from the database between the
/// commit and [`Pending::install`].
pub struct Pending {
    slot: Arc<Slot>,
    index: Arc<PermissionIndex>,
    _building: tokio::sync::OwnedMutexGuard<()>,
}

impl Pending {
    /// Call once the write has committed; dropping it instead (a rollback) changes nothing.
    pub fn install(self) -> AppResult<()> {
        *self.slot.current.lock().map_err(|_| AppError::Internal)? = Some(self.index);
        Ok(())
    }
}

/// How long a request waits for someone else's rebuild before it answers from the last index.
pub const WAIT_FOR_REBUILD: std::time::Duration = std::time::Duration::from_millis(250);

#[derive(Debug, Default)]
pub struct IndexCache {
    slots: Mutex<HashMap<TenantId, Arc<Slot>>>,
}

impl IndexCache {
    fn slot(&self, tenant: TenantId) -> AppResult<Arc<Slot>> {
        let mut slots = self.slots.lock().map_err(|_| AppError::Internal)?;
        Ok(slots.entry(tenant).or_default().clone())
    }

    fn current(slot: &Slot, epoch: Epoch) -> AppResult<Option<Arc<PermissionIndex>>> {
        let current = slot.current.lock().map_err(|_| AppError::Internal)?;
        Ok(current.as_ref().filter(|i| i.epoch.covers(epoch)).cloned())
    }

    /// The tenant's index as of now: the cached one if no permission changed since it was built.
    /// One request rebuilds a stale index; the others wait for it without holding a database
    /// connection, and after [`WAIT_FOR_REBUILD`] answer from the last index built (a write is
    /// judged from the database by the guard, never from this cache).
    pub async fn get(
        &self,
        pool: &AnyPool,
        catalogue: &Catalogue,
        tenant: TenantId,
    ) -> AppResult<Arc<PermissionIndex>> {
        let epoch = {
            let mut conn = pool.acquire().await?;
            permission_snapshot::epoch(&mut conn, tenant).await?
        };
        let slot = self.slot(tenant)?;
        if let Some(index) = Self::current(&slot, epoch)? {
            return Ok(index);
        }
        let building = match slot.building.try_lock() {
            Ok(guard) => guard,
            Err(_) => match tokio::time::timeout(WAIT_FOR_REBUILD, slot.building.lock()).await {
                Ok(guard) => guard,
                Err(_) => {
                    let last = slot.current.lock().map_err(|_| AppError::Internal)?.clone();
                    if let Some(last) = last {
                        tracing::debug!(tenant = tenant.0, "answering from the last index");
                        return Ok(last);
                    }
                    slot.building.lock().await
                }
            },
        };
        // Someone may have built it while this request waited.
        if let Some(index) = Self::current(&slot, epoch)? {
            return Ok(index);
        }
        let started = std::time::Instant::now();
        let last = slot.current.lock().map_err(|_| AppError::Internal)?.clone();
        let (epoch, rows) = {
            let mut conn = pool.acquire().await?;
            // Read again: the copy is labelled with the epoch read before its rows.
            let epoch = permission_snapshot::epoch(&mut conn, tenant).await?;
            let rows = match last {
                Some(last) if last.epoch.perm == epoch.perm => Rows::Tree(
                    last,
                    permission_snapshot::load_tree(&mut conn, tenant).await?,
                ),
                _ => Rows::All(permission_snapshot::load(&mut conn, tenant).await?),
            };
            (epoch, rows)
        };
        let (index, part) = match rows {
            Rows::Tree(last, tree) => (Arc::new(last.with_tree(&tree, epoch)), "tree"),
            Rows::All(snapshot) => (
                Arc::new(PermissionIndex::build(catalogue, &snapshot, epoch)),
                "whole",
            ),
        };
        tracing::debug!(
            tenant = tenant.0,
            perm_epoch = epoch.perm,
            tree_epoch = epoch.tree,
            part,
            ms = started.elapsed().as_millis() as u64,
            "permission index rebuilt"
        );
        *slot.current.lock().map_err(|_| AppError::Internal)? = Some(index.clone());
        drop(building);
        Ok(index)
    }

    /// The index after a guarded write, made by `make` from the current one, if the current one
    /// is exactly the tenant at `from`: the epoch the write read under the tenant's write lock,
    /// so nothing else was written between the two. None when the index is older, newer or being
    /// rebuilt: then the next request rebuilds it from the database, as after any other write.
    pub fn prepare(
        &self,
        tenant: TenantId,
        from: Epoch,
        make: impl FnOnce(&PermissionIndex) -> PermissionIndex,
    ) -> AppResult<Option<Pending>> {
        let slot = self.slot(tenant)?;
        let Ok(building) = slot.building.clone().try_lock_owned() else {
            return Ok(None);
        };
        let current = slot.current.lock().map_err(|_| AppError::Internal)?.clone();
        let Some(current) = current.filter(|c| c.epoch == from) else {
            return Ok(None);
        };
        let index = Arc::new(make(&current));
        Ok(Some(Pending {
            slot,
            index,
            _building: building,
        }))
    }

    /// The tenant's index as last built or installed, without looking at the database (tests).
    #[cfg(test)]
    pub fn kept(&self, tenant: TenantId) -> Option<Arc<PermissionIndex>> {
        self.slot(tenant).ok()?.current.lock().ok()?.clone()
    }

    /// Builds every tenant's index, so the first request of each tenant does not wait for it.
    pub async fn warm_all(&self, pool: &AnyPool, templates: &Templates) -> AppResult<usize> {
        let mut conn = pool.acquire().await?;
        let tenants = tenants::all(&mut conn).await?;
        drop(conn);
        for tenant in &tenants {
            if let Some(template) = templates.get(&tenant.template) {
                self.get(pool, &template.catalogue, tenant.id).await?;
            }
        }
        Ok(tenants.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{db::Db, domain::testing::fixture};

    #[tokio::test]
    async fn a_request_waiting_for_a_rebuild_holds_no_connection_and_then_answers_from_the_last_index(
    ) {
        crate::server::db::testing::each_backend(async |db: &Db| {
            let f = fixture(db, "acme").await;
            let templates = Templates::load().unwrap();
            let iot = templates.get("iot").unwrap().catalogue.clone();
            let first = db.index.get(&db.pool, &iot, f.tenant).await.unwrap();
            sqlx::query("UPDATE tenants SET perm_epoch = perm_epoch + 1 WHERE id = $1")
                .bind(f.tenant)
                .execute(&db.pool)
                .await
                .unwrap();
            // Another request is rebuilding, and the pool has one connection left.
            let slot = db.index.slot(f.tenant).unwrap();
            let building = slot.building.lock().await;
            let max = db.pool.options().get_max_connections();
            let mut held = Vec::new();
            for _ in 1..max {
                held.push(db.pool.acquire().await.unwrap());
            }
            let waiting = tokio::spawn({
                let (db, iot) = (db.clone(), iot.clone());
                async move { db.index.get(&db.pool, &iot, f.tenant).await }
            });
            tokio::time::sleep(WAIT_FOR_REBUILD / 5).await;
            assert!(!waiting.is_finished(), "it waits for the rebuild");
            let last = tokio::time::timeout(WAIT_FOR_REBUILD / 5, db.pool.acquire()).await;
            assert!(last.is_ok(), "the waiting request holds no connection");
            drop(last);
            let answer = waiting.await.unwrap().unwrap();
            assert_eq!(
                answer.epoch, first.epoch,
                "after the wait, the last index answers"
            );
            drop((building, held));
            let rebuilt = db.index.get(&db.pool, &iot, f.tenant).await.unwrap();
            assert_eq!(
                rebuilt.epoch.perm,
                first.epoch.perm + 1,
                "the next request rebuilds"
            );
        })
        .await;
    }
}
