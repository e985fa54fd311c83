//! The one guarded path for every write that can change who may do what (SPEC rules 4–9).
//!
//! A write runs inside a [`Guard`]: the transaction first takes the tenant's write lock (so
//! writes of one tenant never interleave), reads the tenant's state, lets the write run, reads
//! the state again and judges the *effect*: every (user, permission, scope) gained or lost must be
//! within the actor's authority at that scope, locked users keep their roles, built-in roles stay
//! intact, an active tenant admin remains, the device-group tree has no cycle. Then it commits,
//! or rolls back with the refusal. Because the judgement is on the effect and not on the request,
//! a path cannot forget a check: a new write path that changes permissions is judged the same way.
//!
//! At scale (100,000 users, 500,000 assignments) reading the whole tenant twice per write took
//! seconds. So the state before a write is the one the previous guarded write of this server left
//! (`Db::guard_states`, valid while `tenants.guard_version` is unchanged and the journal is empty),
//! and the state after it is that state with what the write touched reloaded: triggers on every
//! table the state reads write each touched user, group, role, space, device-group tree, inventory
//! role and SSO setting to `guard_journal` (migration 0016/0017), so no write path can touch a row
//! without the guard seeing it. Only the users the write may have changed ([`Reach`]) are judged.
//!
//! A preview of the wizard's roles (what Done would change) is judged without a write:
//! [`judge_unwritten`] reads the reached users' rows at one snapshot, changes them in memory as
//! the write would, and judges that state against the kept one with the same `judge`. It takes
//! no lock. The randomised test compares each such preview with the same preview written and
//! rolled back in the queue.

pub mod effect;
mod index;
pub mod rules;
pub mod state;

use std::{collections::BTreeSet, sync::Arc};

use sqlx::{Any, AnyConnection, Transaction};

pub use effect::{Effect, Reach, Report};
pub use state::TenantState;

use super::access::Actor;
use crate::{
    model::{
        catalogue::Catalogue,
        wizard::{Assignment, Subject},
        AppError, AppResult, RoleId, SpaceId, TenantId, UserId,
    },
    server::{
        db::{self, Db},
        index::{
            cache::{IndexCache, Pending as IndexPending},
            Epoch, GlobalPatch,
        },
        templates::Templates,
    },
};

/// Whose authority a write is judged by.
#[derive(Debug, Clone, Copy)]
enum Judge {
    /// A signed-in administrator: SPEC rules 4–9 with what they hold.
    Admin(i64),
    /// The tenant's access mapping at an SSO sign-in: only the signing-in user's roles change,
    /// past their SSO lock (the mapping is what manages them); every other rule holds. None
    /// until the sign-in has found or created its user: then nothing may change.
    Mapping(Option<i64>),
    /// A partner administrator in the partner portal (SPEC rule 7): their authority is every
    /// role of the template, and they change only partner administrators' roles.
    Portal,
}

/// Proof that a signed-in partner administrator acts in a tenant their partner serves. Only
/// `server::domain::partner` makes one.
#[derive(Debug, Clone)]
pub struct ServedTenant {
    pub(in crate::server::domain) tenant: TenantId,
    pub(in crate::server::domain) catalogue: Catalogue,
}

/// Proof that an SSO sign-in was verified: the ID token's signature, issuer, audience, expiry and
/// nonce checked by [`crate::server::oidc`]. Only `server::domain::sso` makes one.
#[derive(Debug, Clone)]
pub struct VerifiedSignIn {
    pub(in crate::server::domain) tenant: TenantId,
    pub(in crate::server::domain) catalogue: Catalogue,
}

/// A write in progress, holding the tenant's write lock. Obtained only from a resolved
/// [`Actor`], a [`VerifiedSignIn`] or a [`ServedTenant`]; ends with [`Guard::finish`] (judge, then commit or roll
/// back) or [`Guard::preview`] (judge nothing, report the effect, roll back).
pub struct Guard<'a> {
    tx: Transaction<'static, Any>,
    tenant: TenantId,
    catalogue: &'a Catalogue,
    judge: Judge,
    before: Arc<TenantState>,
    /// `tenants.guard_version` when the write began.
    version: i64,
    /// The tenant's permission epochs when the write began.
    epoch: Epoch,
    /// The journal's rows after this one are the write's.
    since: i64,
    states: Arc<db::StateCache>,
    index: Arc<IndexCache>,
    /// This write's place in the tenant's queue of guarded writes (`StateCache::queue`).
    _queued: tokio::sync::OwnedMutexGuard<()>,
}

impl<'a> Guard<'a> {
    pub async fn begin(db: &Db, actor: &'a Actor) -> AppResult<Guard<'a>> {
        let judge = Judge::Admin(actor.principal.user_id.0);
        Self::open(db, actor.tenant(), &actor.catalogue, judge).await
    }

    /// A write that the access mapping makes at an SSO sign-in: finding or creating the user
    /// (which changes no permission), then, once [`Guard::signing_in_as`] names them, their roles.
    pub async fn begin_sign_in(db: &Db, sign_in: &'a VerifiedSignIn) -> AppResult<Guard<'a>> {
        Self::open(db, sign_in.tenant, &sign_in.catalogue, Judge::Mapping(None)).await
    }

    /// A write of the partner portal in a tenant the partner serves.
    pub async fn begin_portal(db: &Db, served: &'a ServedTenant) -> AppResult<Guard<'a>> {
        Self::open(db, served.tenant, &served.catalogue, Judge::Portal).await
    }

    /// The user this SSO sign-in signs in as: the only one whose roles may change.
    pub fn signing_in_as(&mut self, user: UserId) {
        if let Judge::Mapping(None) = self.judge {
            self.judge = Judge::Mapping(Some(user.0));
        }
    }

    async fn open(
        db: &Db,
        tenant: TenantId,
        catalogue: &'a Catalogue,
        judge: Judge,
    ) -> AppResult<Guard<'a>> {
        let queued = db.guard_states.queue(tenant).await;
        let mut tx = db.pool.begin().await?;
        let Some((version, epoch)) = db::tenant_facts::lock(&mut tx, tenant).await? else {
            tx.rollback().await?;
            return Err(AppError::NotFound);
        };
        let (before, mark) = Self::state_at(db, &mut tx, (tenant, catalogue), version).await?;
        Ok(Guard {
            tx,
            tenant,
            catalogue,
            judge,
            before,
            version,
            epoch,
            since: mark.unwrap_or(0),
            states: db.guard_states.clone(),
            index: db.index.clone(),
            _queued: queued,
        })
    }

    /// The tenant's state at `version` (its write lock held), as a guarded write starts from it:
    /// the kept one, or the whole tenant read (and kept, when nothing was written outside a
    /// guarded write); and the journal's last row, if there is one.
    async fn state_at(
        db: &Db,
        tx: &mut AnyConnection,
        (tenant, catalogue): (TenantId, &Catalogue),
        version: i64,
    ) -> AppResult<(Arc<TenantState>, Option<i64>)> {
        let mark = db::tenant_facts::journal_mark(tx, tenant).await?;
        let kept = match mark {
            None => db.guard_states.get::<TenantState>(tenant, version),
            // Rows written outside a guarded write: what the kept state misses is not known.
            Some(_) => None,
        };
        let state = match kept {
            Some(state) => state,
            None => {
                let facts = db::tenant_facts::load(tx, tenant).await?;
                let state = Arc::new(TenantState::from_facts(facts, catalogue));
                if mark.is_none() {
                    // The committed state at this version, whatever becomes of this write.
                    db.guard_states.put(tenant, version, state.clone());
                }
                state
            }
        };
        Ok((state, mark))
    }

    /// Reads every tenant's state ahead of its first guarded write, which would otherwise read
    /// the whole tenant (about 1.8 s for a tenant of dataset L). The server runs it in the
    /// background once it listens: a write that comes meanwhile waits in its tenant's queue, as
    /// it would behind any other write. Returns how many tenants were read.
    pub async fn warm_all(db: &Db, templates: &Templates) -> AppResult<usize> {
        let tenants = {
            let mut conn = db.pool.acquire().await?;
            db::tenants::all(&mut conn).await?
        };
        for tenant in &tenants {
            let Some(template) = templates.get(&tenant.template) else {
                continue;
            };
            let _queued = db.guard_states.queue(tenant.id).await;
            let mut tx = db.pool.begin().await?;
            if let Some((version, _)) = db::tenant_facts::lock(&mut tx, tenant.id).await? {
                let tenant = (tenant.id, &template.catalogue);
                Self::state_at(db, &mut tx, tenant, version).await?;
            }
            tx.rollback().await?;
        }
        Ok(tenants.len())
    }

    /// The transaction, for the write's reads and statements.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// What the write changed: what its journal names, and those rows as they are now. The
    /// guard's last reads of the write's transaction.
    async fn written(&mut self) -> AppResult<Written> {
        let touched =
            db::tenant_facts::journal_since(&mut self.tx, self.tenant, self.since).await?;
        let patch =
            db::tenant_facts::load_patch(&mut self.tx, self.tenant, self.since, &touched).await?;
        Ok(Written { touched, patch })
    }

    /// Commits the write if it succeeded and its effect is allowed; otherwise rolls back at once
    /// (releasing the lock) and returns the refusal.
    pub async fn finish<T>(self, result: AppResult<T>) -> AppResult<T> {
        self.finish_reporting(result).await.map(|(value, _)| value)
    }

    /// As [`Guard::finish`], and reports the effect that was judged and committed, so that what
    /// a confirmation shows is what the guard computed.
    pub async fn finish_reporting<T>(mut self, result: AppResult<T>) -> AppResult<(T, Report)> {
        let judged = match result {
            Ok(value) => self.judge_and_close().await.map(|j| (value, j)),
            Err(error) => Err(error),
        };
        match judged {
            Ok((value, (report, after, pending))) => {
                self.tx.commit().await?;
                self.states
                    .put(self.tenant, self.version + 1, Arc::new(after));
                // The write has committed: a failure here only leaves the next request to
                // rebuild the index from the database.
                if let Some(Err(error)) = pending.map(IndexPending::install) {
                    tracing::error!(%error, "installing the index after a write failed");
                }
                Ok((value, report))
            }
            Err(error) => {
                if let Err(rollback) = self.tx.rollback().await {
                    tracing::error!(%rollback, "rollback after a refused write failed");
                }
                Err(error)
            }
        }
    }

    /// Judges the write, closes its journal and makes the permission index as the write leaves
    /// it (installed once the write commits).
    async fn judge_and_close(&mut self) -> AppResult<(Report, TenantState, Option<IndexPending>)> {
        let written = self.written().await?;
        let (report, after, reach, index_users, upto) =
            judge(self.catalogue, self.judge, &self.before, written)?;
        db::tenant_facts::close_journal(&mut self.tx, self.tenant, upto).await?;
        let epoch = db::permission_snapshot::epoch(&mut self.tx, self.tenant).await?;
        let pending = if epoch == self.epoch {
            None
        } else {
            let global = match epoch.perm == self.epoch.perm {
                true => Default::default(),
                false => index::global_patch(&after, &reach, index_users),
            };
            let tree =
                index::tree_parts(&self.before, &after, &reach, epoch.tree != self.epoch.tree);
            let catalogue = self.catalogue;
            self.index.prepare(self.tenant, self.epoch, |current| {
                current.patched(catalogue, &global, tree.as_ref(), epoch)
            })?
        };
        Ok((report, after, pending))
    }

    /// What the write would change, judged as [`Guard::finish`] would judge it, and then
    /// nothing is kept: the wizard's Summary shows the same refusal and the same change that
    /// Done would get. The write is undone, and the tenant's queue let go, as soon as what it
    /// changed is read: the judgement is made on the states in memory and holds no other write
    /// back.
    pub async fn preview<T>(mut self, result: AppResult<T>) -> AppResult<(T, Report)> {
        let written = match result {
            Ok(value) => self.written().await.map(|written| (value, written)),
            Err(error) => Err(error),
        };
        let Guard {
            tx,
            catalogue,
            judge: judged_by,
            before,
            _queued: queued,
            ..
        } = self;
        tx.rollback().await?;
        drop(queued);
        let (value, written) = written?;
        let (report, ..) = judge(catalogue, judged_by, &before, written)?;
        Ok((value, report))
    }
}

/// One view of the database for a preview's reads: a transaction that sees one snapshot
/// throughout (`REPEATABLE READ, READ ONLY` on PostgreSQL; on SQLite every read transaction
/// does). It never commits: whatever is done through it is undone.
pub struct Snapshot(Transaction<'static, Any>);

impl Snapshot {
    pub async fn begin(db: &Db) -> AppResult<Snapshot> {
        let mut tx = db.pool.begin().await?;
        if db::is_postgres(&tx) {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(Snapshot(tx))
    }

    /// The transaction, for reads.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.0
    }

    /// Ends the snapshot (it is rolled back; dropped, it is too).
    pub async fn close(self) -> AppResult<()> {
        Ok(self.0.rollback().await?)
    }
}

/// A change of one principal's global roles that a preview judges without writing it.
pub struct Proposed<'p> {
    pub subject: Subject,
    /// The users it reaches: the user, or the group's members.
    pub users: &'p BTreeSet<i64>,
    pub added: &'p [Assignment],
    pub removed: &'p [Assignment],
}

/// Judges `changes` by `actor`'s authority as the guarded write that makes them would be judged,
/// and writes nothing: the state after is the kept state before with the reached users' rows,
/// read at the snapshot, changed in memory as the write would change them (the write adds
/// and removes assignment rows, nothing else that the guard reads). No lock, no queue: a preview
/// holds back no write, and two previews run side by side.
///
/// None when the guard keeps no state for the tenant as the snapshot sees it (before the first
/// guarded write after the start, or with rows written outside a guarded write): then only a
/// write judged in the queue can tell.
pub async fn judge_unwritten(
    snapshot: &mut Snapshot,
    db: &Db,
    actor: &Actor,
    changes: &[Proposed<'_>],
) -> AppResult<Option<Report>> {
    let tenant = actor.tenant();
    let conn = snapshot.conn();
    let Some(version) = db::tenant_facts::version(conn, tenant).await? else {
        return Err(AppError::NotFound);
    };
    if db::tenant_facts::journal_mark(conn, tenant)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let Some(before) = db.guard_states.get::<TenantState>(tenant, version) else {
        return Ok(None);
    };
    let reached: BTreeSet<i64> = changes
        .iter()
        .flat_map(|c| c.users.iter().copied())
        .collect();
    let mut rows = db::tenant_facts::rows_of_users(conn, tenant, &reached).await?;
    let mut touched = db::tenant_facts::Touched::default();
    for change in changes {
        let removed =
            |role: i64, space: i64| change.removed.contains(&(RoleId(role), SpaceId(space)));
        let added = change.added.iter().map(|&(r, s)| (r.0, s.0));
        match change.subject {
            Subject::User(user) => {
                let user = user.0;
                touched.users.insert(user);
                rows.direct.retain(|&(u, r, s)| u != user || !removed(r, s));
                rows.direct.extend(added.map(|(r, s)| (user, r, s)));
            }
            Subject::Group(group) => {
                let group = group.0;
                touched.groups.insert(group);
                rows.through_groups
                    .retain(|&(_, r, s, g)| g != group || !removed(r, s));
                let added: Vec<(i64, i64)> = added.collect();
                for &member in change.users {
                    rows.through_groups
                        .extend(added.iter().map(|&(r, s)| (member, r, s, group)));
                }
            }
        }
    }
    let patch = db::tenant_facts::Patch {
        users: Some(rows.into_patch()),
        ..Default::default()
    };
    let judged_by = Judge::Admin(actor.principal.user_id.0);
    let written = Written { touched, patch };
    let (report, ..) = judge(&actor.catalogue, judged_by, &before, written)?;
    Ok(Some(report))
}

/// What a write changed, read in its transaction ([`Guard::written`]).
struct Written {
    touched: db::tenant_facts::Touched,
    patch: db::tenant_facts::Patch,
}

/// Judges a write by `judged_by`'s authority: the state after it (the state before it with what
/// its journal names reloaded), its reach, its effect with the users the index computes again;
/// then the verdict. Returns the report, the state after, the reach, those users and the
/// journal's last row.
fn judge(
    catalogue: &Catalogue,
    judged_by: Judge,
    before: &TenantState,
    Written { touched, patch }: Written,
) -> AppResult<(Report, TenantState, Reach, GlobalPatch, i64)> {
    let reloaded = patch
        .users
        .as_ref()
        .map(|u| u.ids.clone())
        .unwrap_or_default();
    let after = before.patched(patch);
    let reach = Reach::of(&touched, &reloaded, &after);
    let (effect, index_users) = Effect::between(before, &after, &reach);
    match judged_by {
        Judge::Admin(actor) => rules::verdict(catalogue, before, &after, &reach, actor, &effect)?,
        Judge::Mapping(user) => rules::mapping_verdict(before, &after, &reach, user, &effect)?,
        Judge::Portal => rules::portal_verdict(before, &after, &reach)?,
    }
    let report = Report::new(effect, before, &after);
    Ok((report, after, reach, index_users, touched.upto))
}

/// The state the guard keeps for `tenant`'s next write, if any.
#[cfg(test)]
pub(crate) async fn kept_state(db: &Db, tenant: TenantId) -> Option<Arc<TenantState>> {
    let version: i64 = sqlx::query_scalar("SELECT guard_version FROM tenants WHERE id = $1")
        .bind(tenant)
        .fetch_one(&db.pool)
        .await
        .ok()?;
    db.guard_states.get::<TenantState>(tenant, version)
}

#[cfg(test)]
mod matrix;
#[cfg(test)]
mod property;
#[cfg(test)]
mod tests;
