//! One permission index per tenant, rebuilt when the tenant's permission epoch has moved.
//!
//! Every write that can change a permission bumps `tenants.perm_epoch` in its own transaction
//! (database triggers), so a check first reads the epoch (one indexed row) and rebuilds when its
//! copy is older. That keeps every server instance exact, whoever wrote. The epoch is read before
//! the snapshot, so a copy is never labelled newer than what it holds.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use super::PermissionIndex;
use crate::{
    model::{catalogue::Catalogue, AppError, AppResult, TenantId},
    server::{
        db::{self, Db},
        templates::Templates,
    },
};

type Slot = Arc<tokio::sync::Mutex<Option<Arc<PermissionIndex>>>>;

#[derive(Debug, Default)]
pub struct IndexCache {
    slots: Mutex<HashMap<TenantId, Slot>>,
}

impl IndexCache {
    fn slot(&self, tenant: TenantId) -> AppResult<Slot> {
        let mut slots = self.slots.lock().map_err(|_| AppError::Internal)?;
        Ok(slots.entry(tenant).or_default().clone())
    }

    /// The tenant's index as of now: the cached one if no permission changed since it was built.
    pub async fn get(
        &self,
        db: &Db,
        catalogue: &Catalogue,
        tenant: TenantId,
    ) -> AppResult<Arc<PermissionIndex>> {
        let mut conn = db.pool.acquire().await?;
        let epoch = db::permission_snapshot::epoch(&mut conn, tenant).await?;
        let slot = self.slot(tenant)?;
        // One rebuild per epoch: concurrent requests wait for it rather than each building one.
        let mut cached = slot.lock().await;
        if let Some(index) = cached.as_ref().filter(|i| i.epoch >= epoch) {
            return Ok(index.clone());
        }
        let started = std::time::Instant::now();
        let snapshot = db::permission_snapshot::load(&mut conn, tenant).await?;
        let index = Arc::new(PermissionIndex::build(catalogue, &snapshot, epoch));
        tracing::debug!(
            tenant = tenant.0,
            epoch,
            ms = started.elapsed().as_millis() as u64,
            "permission index rebuilt"
        );
        *cached = Some(index.clone());
        Ok(index)
    }

    /// Builds every tenant's index, so the first request of each tenant does not wait for it.
    pub async fn warm_all(&self, db: &Db, templates: &Templates) -> AppResult<usize> {
        let mut conn = db.pool.acquire().await?;
        let tenants = db::tenants::all(&mut conn).await?;
        drop(conn);
        for tenant in &tenants {
            if let Some(template) = templates.get(&tenant.template) {
                self.get(db, &template.catalogue, tenant.id).await?;
            }
        }
        Ok(tenants.len())
    }
}
