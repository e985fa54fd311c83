//! Which users an administrator reaches, and with which roles (SPEC rule 8). Holders of the
//! template's view permission see every user; holders of its assign permission change anyone's
//! roles. A holder of the create-users permission alone (`iot`'s `Shared User Manager`, `mdm`'s
//! `LDAP User Import and Invite`) sees only their own direct sub-users, and gives them or takes
//! from them only roles they hold themselves. Every read and write of a user asks here, so the
//! answer is the same on the list, the user page and the save.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use super::access::Actor;
use crate::{
    model::{AppError, AppResult, RoleId, UserId},
    server::db::{self, users::UserRow},
};

/// The users an actor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserReach {
    /// Every user of the tenant (the view permission).
    Tenant,
    /// Only the users this administrator created (the create-users permission alone).
    SubUsersOf(UserId),
}

impl UserReach {
    /// Refuses, naming the view permission, an actor who may neither view nor create users.
    pub fn of(actor: &Actor) -> AppResult<UserReach> {
        match actor.require_view() {
            Ok(()) => Ok(UserReach::Tenant),
            Err(refusal) => match actor.require_create_users() {
                Ok(()) => Ok(UserReach::SubUsersOf(actor.principal.user_id)),
                Err(_) => Err(refusal),
            },
        }
    }

    /// Refuses a user outside the reach, as it refuses an actor with no reach at all.
    pub fn sees(&self, actor: &Actor, user: &UserRow) -> AppResult<()> {
        match self {
            UserReach::Tenant => Ok(()),
            UserReach::SubUsersOf(owner) if user.owner_id == Some(*owner) => Ok(()),
            UserReach::SubUsersOf(_) => {
                Err(only_sub_users(&actor.catalogue.access.view.to_string()))
            }
        }
    }
}

fn only_sub_users(permission: &str) -> AppError {
    AppError::forbidden(format!("{permission} (only your own sub-users otherwise)"))
}

/// Whether the actor may edit, disable or delete `user`: anyone with the assign permission, or
/// the user's owner (the admin who created them as a sub-user).
pub fn may_manage(actor: &Actor, user: &UserRow) -> AppResult<()> {
    if actor.require_admin().is_ok() {
        return Ok(());
    }
    actor.require_create_users()?;
    if user.owner_id == Some(actor.principal.user_id) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "{} (only your own sub-users otherwise)",
            actor.catalogue.access.assign
        )))
    }
}

/// Which roles an actor may give to or take from one user. Rule 4 (the cells of each role)
/// applies on top, in the caller and in the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleAuthority {
    /// Any role (the assign permission).
    Tenant,
    /// Only these, the roles the actor holds tenant-wide, directly or through a group.
    HeldRoles(BTreeSet<RoleId>),
}

impl RoleAuthority {
    /// Refuses, before anything is read, an actor who may change no one's roles.
    pub fn precheck(actor: &Actor) -> AppResult<()> {
        actor
            .require_admin()
            .or_else(|refusal| actor.require_create_users().map_err(|_| refusal))
    }

    /// Over every subject that is not one user (a group, a bulk write, the wizard).
    pub fn tenant(actor: &Actor) -> AppResult<RoleAuthority> {
        actor.require_admin().map(|()| RoleAuthority::Tenant)
    }

    /// Over `user`'s roles: any role for a holder of the assign permission; the actor's own
    /// roles, on their own sub-users, for a holder of the create-users permission alone.
    pub async fn over(
        conn: &mut AnyConnection,
        actor: &Actor,
        user: &UserRow,
    ) -> AppResult<RoleAuthority> {
        let refusal = match actor.require_admin() {
            Ok(()) => return Ok(RoleAuthority::Tenant),
            Err(refusal) => refusal,
        };
        if actor.require_create_users().is_err() {
            return Err(refusal);
        }
        if user.owner_id != Some(actor.principal.user_id) {
            return Err(only_sub_users(&actor.catalogue.access.assign.to_string()));
        }
        let me = actor.principal.user_id;
        let held = db::assignments::tenant_wide_role_ids_of_user(conn, actor.tenant(), me).await?;
        Ok(RoleAuthority::HeldRoles(held.into_iter().collect()))
    }

    /// Refuses a role outside the authority, naming it.
    pub fn admits(&self, role: RoleId, name: &str) -> AppResult<()> {
        match self {
            RoleAuthority::HeldRoles(held) if !held.contains(&role) => Err(AppError::forbidden(
                format!("the role {name} (you give your sub-users only roles you hold)"),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
