//! Who holds what: effective permissions (SPEC rule 1) and the checks every server function makes.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use crate::{
    model::{
        catalogue::{holds, Catalogue, Cell, Grants},
        inventory::InventoryPermission,
        inventory_access::{bit, row_bits, Want, CHECKED},
        roles::Provenance,
        AppError, AppResult, DeviceGroupId, SpaceId, TenantId, UserId,
    },
    server::{
        auth::Principal,
        db::{self, Db},
        templates::Templates,
    },
};

/// Only [`Actor::resolve`] makes one: holding an `Actor` is proof that a signed-in principal's
/// authority was read from the tenant, so a domain write cannot be called without it.
#[derive(Debug, Clone)]
struct Sealed;

/// The signed-in administrator with what they hold, resolved once per request. Every domain
/// write takes one and runs inside a [`super::guard::Guard`] made from it.
#[derive(Debug, Clone)]
pub struct Actor {
    _sealed: Sealed,
    pub principal: Principal,
    pub catalogue: Catalogue,
    /// What the actor holds tenant-wide: their console-wide authority (SPEC rule 1).
    pub effective: Grants,
    /// What the actor holds on top of that in each space, through space-bound assignments.
    pub in_spaces: std::collections::BTreeMap<SpaceId, Grants>,
    pub applications: BTreeSet<String>,
    /// The tenant's permission index, as of this request.
    pub index: std::sync::Arc<crate::server::index::PermissionIndex>,
}

impl Actor {
    pub async fn resolve(db: &Db, templates: &Templates, principal: Principal) -> AppResult<Actor> {
        if principal.must_change_password {
            return Err(AppError::Locked {
                reason: crate::model::passwords::MUST_CHANGE.into(),
            });
        }
        let catalogue = templates
            .get(&principal.tenant_template)
            .ok_or_else(|| {
                tracing::error!(
                    template = principal.tenant_template,
                    "tenant has an unknown template"
                );
                AppError::Internal
            })?
            .catalogue
            .clone();
        let index = db
            .index
            .get(&db.pool, &catalogue, principal.tenant_id)
            .await?;
        let effective = index.tenant_wide_grants_of(principal.user_id);
        let mut conn = db.pool.acquire().await?;
        let mut ticked: std::collections::BTreeMap<SpaceId, Grants> = Default::default();
        for (space, t, l) in
            db::assignments::space_grants_of_user(&mut conn, principal.tenant_id, principal.user_id)
                .await?
        {
            ticked
                .entry(SpaceId(space))
                .or_default()
                .entry(t)
                .or_default()
                .insert(l);
        }
        let in_spaces = ticked
            .into_iter()
            .map(|(space, grants)| (space, catalogue.effective(&grants)))
            .collect();
        let applications = db::assignments::applications_of_user(
            &mut conn,
            principal.tenant_id,
            principal.user_id,
        )
        .await?
        .into_iter()
        .collect();
        Ok(Actor {
            _sealed: Sealed,
            principal,
            catalogue,
            effective,
            in_spaces,
            applications,
            index,
        })
    }

    pub fn tenant(&self) -> TenantId {
        self.principal.tenant_id
    }

    /// Refuses with the missing permission named, e.g. `User management ADMIN`.
    pub fn require(&self, type_name: &str, level: &str) -> AppResult<()> {
        if holds(&self.effective, type_name, level) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!("{type_name} {level}")))
        }
    }

    fn require_cell(&self, cell: &Cell) -> AppResult<()> {
        self.require(&cell.type_name, &cell.level)
    }

    /// Viewing users, roles and assignments (`User management READ` in `iot`).
    pub fn require_view(&self) -> AppResult<()> {
        self.require_cell(&self.catalogue.access.view)
    }

    /// Changing roles and assignments (SPEC rule 8; `User management ADMIN` in `iot`).
    pub fn require_admin(&self) -> AppResult<()> {
        self.require_cell(&self.catalogue.access.assign)
    }

    /// Creating users, who become the actor's sub-users (`User management CREATE` in `iot`).
    pub fn require_create_users(&self) -> AppResult<()> {
        self.require_cell(&self.catalogue.access.create_users)
    }

    /// Reading the audit log (`Audits READ` in `iot`).
    pub fn require_audit(&self) -> AppResult<()> {
        self.require_cell(&self.catalogue.access.audit)
    }

    /// SPEC rule 4: refuses when `wanted` carries a permission or application the actor lacks
    /// tenant-wide.
    pub fn may_hand_out(&self, wanted: &Grants, applications: &BTreeSet<String>) -> AppResult<()> {
        self.may_hand_out_in(wanted, applications, None)
    }

    /// SPEC rules 1 and 4: in a space, what the actor holds there counts too; the refusal names
    /// the space.
    pub fn may_hand_out_in(
        &self,
        wanted: &Grants,
        applications: &BTreeSet<String>,
        space: Option<(SpaceId, &str)>,
    ) -> AppResult<()> {
        // Tenant-wide (the common case, once per role on every user page) reads what the actor
        // holds in place; only a space adds to it, in a copy.
        let missing = match space.and_then(|(id, _)| self.in_spaces.get(&id)) {
            None => crate::model::grid::not_held(&self.catalogue, &self.effective, wanted),
            Some(extra) => {
                let mut held = self.effective.clone();
                for (t, levels) in extra {
                    held.entry(t.clone())
                        .or_default()
                        .extend(levels.iter().cloned());
                }
                crate::model::grid::not_held(&self.catalogue, &held, wanted)
            }
        };
        if let Some((t, l)) = missing.into_iter().next() {
            return Err(AppError::forbidden(match space {
                Some((_, name)) => format!("{t} {l} in {name}"),
                None => format!("{t} {l}"),
            }));
        }
        if let Some(app) = applications
            .iter()
            .find(|a| !self.applications.contains(*a))
        {
            return Err(AppError::forbidden(format!("application {app}")));
        }
        Ok(())
    }
}

impl Actor {
    /// Whether the actor could hand out `wanted` tenant-wide or in at least one space (a
    /// space-bound role is offered when it is grantable somewhere; each space is checked).
    pub fn may_hand_out_somewhere(
        &self,
        wanted: &Grants,
        applications: &BTreeSet<String>,
    ) -> AppResult<()> {
        let tenant_wide = self.may_hand_out(wanted, applications);
        if tenant_wide.is_ok() {
            return tenant_wide;
        }
        let in_a_space = self.in_spaces.keys().any(|&s| {
            self.may_hand_out_in(wanted, applications, Some((s, "")))
                .is_ok()
        });
        if in_a_space {
            Ok(())
        } else {
            tenant_wide
        }
    }

    /// SPEC rule 4 on the device-group tree: the first permission of `rows` the actor lacks on
    /// `group` (through a global role or their own inventory roles there or above), e.g.
    /// "Alarms Change on Region North", or None.
    pub fn lacks_on(
        &self,
        rows: &[InventoryPermission],
        group: DeviceGroupId,
        group_name: &str,
    ) -> Option<String> {
        rows.iter().find_map(|row| {
            let bits = row_bits(row);
            (0..CHECKED.len())
                .flat_map(|c| Want::BOTH.map(|w| (c, w)))
                .find(|&(c, w)| {
                    bits & bit(c, w) != 0
                        && !self.index.allows(
                            self.principal.user_id,
                            group,
                            c,
                            &row.fragment_type,
                            w,
                        )
                })
                .map(|(c, w)| format!("{} {} on {group_name}", CHECKED[c], w.label()))
        })
    }
}

/// A user's effective permissions (implications applied) and, for each cell, the roles that
/// grant it ("<role>" or "<role> via group <group>").
pub async fn effective(
    conn: &mut AnyConnection,
    catalogue: &Catalogue,
    tenant: TenantId,
    user: UserId,
) -> AppResult<(Grants, Provenance)> {
    let mut provenance = Provenance::new();
    for source in db::assignments::grant_sources(conn, tenant, user).await? {
        let mut label = if source.group_name.is_empty() {
            source.role_name.clone()
        } else {
            format!("{} via group {}", source.role_name, source.group_name)
        };
        // Space-bound roles count only in their spaces (SPEC rule 1).
        if !source.space_name.is_empty() {
            label = format!("{label} in {}", source.space_name);
        }
        for level in catalogue.implied_levels(&source.perm_type, &source.level) {
            let sources = provenance
                .entry(source.perm_type.clone())
                .or_default()
                .entry(level)
                .or_default();
            if !sources.contains(&label) {
                sources.push(label.clone());
            }
        }
    }
    for levels in provenance.values_mut() {
        for sources in levels.values_mut() {
            sources.sort();
        }
    }
    let grants = provenance
        .iter()
        .map(|(t, levels)| (t.clone(), levels.keys().cloned().collect()))
        .collect();
    Ok((grants, provenance))
}
