//! What a verified SSO sign-in does in the tenant: find the user by issuer and subject, or link
//! the `sso` user of that username the first time, or create one; never a `local` user (SPEC
//! rule 6). Then the access mapping sets the roles it manages, through the guard, audited as made
//! by SSO with the claims that matched.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::mapping;
use crate::{
    model::{
        sso::{MappedInventory, MappedRole},
        users::username_problem,
        wizard::Subject,
        AppError, AppResult, Origin, RoleMode, SpaceId, TenantId, UserId, UserStatus,
    },
    server::{
        db::{self, audit::AuditEvent, Db},
        domain::guard::{Guard, VerifiedSignIn},
        oidc::VerifiedClaims,
        templates::Templates,
    },
};

/// Who signed in, for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: UserId,
    pub username: String,
    pub created: bool,
}

fn refused(reason: impl Into<String>) -> AppError {
    AppError::Locked {
        reason: reason.into(),
    }
}

fn claim_text(claims: &Value, name: &str) -> String {
    mapping::claim_at(claims, name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Signs an ID token's `verified` claims in to `tenant`.
pub async fn sign_in(
    db: &Db,
    templates: &Templates,
    tenant: TenantId,
    verified: &VerifiedClaims,
    address: &str,
    now: i64,
) -> AppResult<SignedIn> {
    let claims = verified.json();
    let (template, config) = {
        let mut conn = db.pool.acquire().await?;
        let template = db::tenants::template_of(&mut conn, tenant)
            .await?
            .ok_or(AppError::NotFound)?;
        let config = db::sso::config(&mut conn, tenant)
            .await?
            .filter(|c| c.enabled())
            .ok_or_else(|| refused("Single sign-on is not set up for this tenant."))?;
        (template, config)
    };
    let issuer = claim_text(claims, "iss");
    let subject = claim_text(claims, "sub");
    let username = claim_text(claims, &config.sso_username_claim);
    if subject.is_empty() || issuer.is_empty() {
        return Err(refused("The identity provider sent no subject."));
    }
    if let Some(problem) = username_problem(&username) {
        return Err(refused(format!(
            "The claim '{}' does not hold a usable username: {problem}",
            config.sso_username_claim
        )));
    }
    let display_name: String = claim_text(claims, "name").chars().take(200).collect();
    let email: String = claim_text(claims, "email").chars().take(200).collect();

    let catalogue = templates
        .get(&template)
        .ok_or(AppError::Internal)?
        .catalogue
        .clone();
    let verified = VerifiedSignIn { tenant, catalogue };
    let identity = Identity {
        issuer: &issuer,
        subject: &subject,
        username: &username,
        display_name: &display_name,
        email: &email,
    };
    let mut guard = Guard::begin_sign_in(db, &verified).await?;
    let found = find_or_create(guard.conn(), tenant, &identity, now).await;
    let (user, created) = match found {
        Ok(found) => found,
        Err(error) => return guard.finish(Err(error)).await,
    };
    guard.signing_in_as(user);
    let manage = match config.sso_role_mode {
        RoleMode::OnCreate if !created => None,
        RoleMode::Reassign | RoleMode::OnCreate => Some(Managed::All),
        RoleMode::Listed => Some(Managed::Listed),
    };
    let applied = match manage {
        Some(manage) => apply(guard.conn(), tenant, user, manage, claims, address, now).await,
        None => Ok(()),
    };
    let signed_in = SignedIn {
        user,
        username,
        created,
    };
    guard.finish(applied.map(|()| signed_in)).await
}

/// Who the provider says signed in.
struct Identity<'a> {
    issuer: &'a str,
    subject: &'a str,
    username: &'a str,
    display_name: &'a str,
    email: &'a str,
}

/// The user linked to this identity, or the `sso` user of its username linked now, or a new one;
/// never a `local` user, never a disabled one.
async fn find_or_create(
    tx: &mut sqlx::AnyConnection,
    tenant: TenantId,
    who: &Identity<'_>,
    now: i64,
) -> AppResult<(UserId, bool)> {
    let username = who.username;
    let found = match db::sso::user_by_subject(&mut *tx, tenant, who.issuer, who.subject).await? {
        Some(user) => Some((user, false)),
        None => match db::sso::user_by_username(&mut *tx, tenant, username).await? {
            Some((_, Origin::Local, _)) => {
                return Err(refused(format!(
                    "{username} is a local user of this tenant: single sign-on never signs in \
                     as a local user. Ask your administrator."
                )))
            }
            Some((_, Origin::Sso, true)) => {
                return Err(refused(format!(
                    "{username} is already linked to another identity at the provider."
                )))
            }
            Some((user, Origin::Sso, false)) => Some((user, false)),
            None => None,
        },
    };
    let (user, created) = match found {
        Some(found) => found,
        None => {
            let new = db::users::NewUser {
                username,
                display_name: who.display_name,
                email: who.email,
                password_hash: None,
                origin: Origin::Sso,
                is_partner_admin: false,
            };
            (db::users::insert(&mut *tx, tenant, &new, now).await?, true)
        }
    };
    db::sso::link(
        &mut *tx,
        tenant,
        user,
        who.issuer,
        who.subject,
        who.display_name,
        who.email,
    )
    .await?;
    let row = db::users::get(&mut *tx, tenant, user)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != UserStatus::Active {
        return Err(refused(format!("{} is disabled.", row.username)));
    }
    Ok((user, created))
}

#[derive(Debug, Clone, Copy)]
enum Managed {
    All,
    Listed,
}

async fn apply(
    tx: &mut sqlx::AnyConnection,
    tenant: TenantId,
    user: UserId,
    manage: Managed,
    claims: &Value,
    address: &str,
    now: i64,
) -> AppResult<()> {
    let rules = db::sso::rules(&mut *tx, tenant).await?;
    let granted = mapping::granted(&rules, claims);
    let listed = mapping::listed(&rules);
    let all = matches!(manage, Managed::All);
    let managed_role = |role| all || listed.roles.contains(&role);
    let managed_inventory = |m: &MappedInventory| all || listed.inventory.contains(m);
    let managed_application = |a: &String| all || listed.applications.contains(a);

    let held: BTreeSet<MappedRole> =
        db::assignments::of_subject(&mut *tx, tenant, Subject::User(user))
            .await?
            .into_iter()
            .map(|(role, space)| MappedRole {
                role,
                space: (space.0 != 0).then_some(space),
            })
            .collect();
    let held_inventory: BTreeSet<MappedInventory> =
        db::inventory_assignments::of_user(&mut *tx, tenant, user)
            .await?
            .into_iter()
            .map(|(group, _, role, _)| MappedInventory {
                role,
                group: crate::model::DeviceGroupId(group),
            })
            .collect();
    let assignment = |m: &MappedRole| (m.role, SpaceId(m.space.map_or(0, |s| s.0)));
    let mut changed = false;
    for m in held
        .iter()
        .filter(|m| managed_role(m.role) && !granted.roles.contains(m))
    {
        db::assignments::remove(&mut *tx, tenant, Subject::User(user), assignment(m)).await?;
        changed = true;
    }
    for m in granted.roles.difference(&held) {
        db::assignments::add(&mut *tx, tenant, Subject::User(user), assignment(m)).await?;
        changed = true;
    }
    for m in held_inventory
        .iter()
        .filter(|m| managed_inventory(m) && !granted.inventory.contains(m))
    {
        db::inventory_assignments::remove(&mut *tx, tenant, user, m.role, m.group).await?;
        changed = true;
    }
    for m in granted.inventory.difference(&held_inventory) {
        db::inventory_assignments::add(&mut *tx, tenant, user, m.role, m.group).await?;
        changed = true;
    }
    let held_applications: BTreeSet<String> =
        db::assignments::direct_applications(&mut *tx, tenant, user)
            .await?
            .into_iter()
            .collect();
    for app in held_applications
        .iter()
        .filter(|a| managed_application(a) && !granted.applications.contains(*a))
    {
        db::assignments::remove_direct_application(&mut *tx, tenant, user, app).await?;
        changed = true;
    }
    for app in granted.applications.difference(&held_applications) {
        db::assignments::add_direct_application(&mut *tx, tenant, user, app).await?;
        changed = true;
    }
    if !changed {
        return Ok(());
    }
    // Audited as made by SSO (no actor), with the rules and the claims that matched.
    let mut matched = Map::new();
    for number in &granted.rules {
        for condition in &rules[number - 1].conditions {
            if let Some(value) = mapping::claim_at(claims, condition.claim.trim()) {
                matched.insert(condition.claim.trim().to_owned(), value.clone());
            }
        }
    }
    let username = db::users::get(&mut *tx, tenant, user)
        .await?
        .map(|u| u.username)
        .unwrap_or_default();
    let event = AuditEvent {
        tenant,
        actor: None,
        address,
        action: "sso.roles",
        target: &format!("user {username}"),
        before:
            json!({ "roles": held, "inventory": held_inventory, "applications": held_applications })
                .to_string(),
        after: json!({
            "roles": granted.roles,
            "inventory": granted.inventory,
            "applications": granted.applications,
            "rules": granted.rules,
            "claims": matched,
        })
        .to_string(),
    };
    db::audit::record(&mut *tx, &event, now).await
}
