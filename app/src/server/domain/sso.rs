//! Single sign-on (SPEC rule 6, section 4): the tenant's provider settings, its access-mapping
//! rules (saved only by someone who could grant everything they grant, rule 4), and what an SSO
//! sign-in does: link or create the user, then apply the mapping through the guard.

pub mod mapping;
mod sign_in;

use sqlx::AnyConnection;

pub use sign_in::{sign_in, SignedIn};

use super::{access::Actor, guard::Guard, roles::json};
use crate::{
    model::{
        sso::{Choice, MappingEditor, MappingPreview, MappingRule, SsoSettings, SsoSettingsInput},
        AppError, AppResult, Origin, TenantId, UserId,
    },
    server::{
        db::{self, audit::AuditEvent, sso::SsoConfig, Db},
        unix_now,
    },
};

/// Why a role of an SSO user is not changed by hand in `Only the listed roles` mode.
pub const MANAGED_ROLE_REASON: &str =
    "Managed by SSO: an access-mapping rule names this role, so sign-ins set it.";

/// The global roles locked one by one on SSO users' pages: those some rule
/// names in `Only the listed roles` mode (the other modes lock all or nothing, which the user
/// page shows as a whole), none when manual changes are allowed.
pub async fn managed_roles(
    conn: &mut AnyConnection,
    tenant: TenantId,
) -> AppResult<std::collections::BTreeSet<crate::model::RoleId>> {
    if db::tenants::sso_manual_changes(conn, tenant).await?
        || db::tenants::sso_role_mode(conn, tenant).await? != crate::model::RoleMode::Listed
    {
        return Ok(Default::default());
    }
    Ok(mapping::listed(&db::sso::rules(conn, tenant).await?).roles)
}

/// The path the provider sends the browser back to; registered at the provider as
/// `<public origin>/sso/callback`.
pub const CALLBACK_PATH: &str = "/sso/callback";
/// The most rules, and conditions or grants per rule, a tenant may have.
pub const MAX_RULES: usize = 100;
pub const MAX_PER_RULE: usize = 50;

/// **Permissions**: the tenant's view permission; editing needs the assign permission.
pub async fn settings(
    conn: &mut AnyConnection,
    actor: &Actor,
    origin: &str,
) -> AppResult<SsoSettings> {
    actor.require_view()?;
    let config = db::sso::config(conn, actor.tenant())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SsoSettings {
        issuer: config.sso_issuer,
        client_id: config.sso_client_id,
        has_client_secret: !config.sso_client_secret.is_empty(),
        username_claim: config.sso_username_claim,
        role_mode: config.sso_role_mode,
        manual_changes: db::tenants::sso_manual_changes(conn, actor.tenant()).await?,
        redirect_uri: format!("{origin}{CALLBACK_PATH}"),
        can_edit: actor.require_admin().is_ok(),
    })
}

fn checked_issuer(issuer: &str) -> AppResult<String> {
    let issuer = issuer.trim().trim_end_matches('/').to_owned();
    if issuer.is_empty() {
        return Ok(issuer);
    }
    let local = [
        "http://127.0.0.1:",
        "http://localhost:",
        "http://127.0.0.1/",
        "http://localhost/",
    ];
    if issuer.len() > 500
        || !(issuer.starts_with("https://") || local.iter().any(|l| issuer.starts_with(l)))
        || issuer.contains(char::is_whitespace)
    {
        return Err(AppError::validation(
            "issuer",
            "The issuer URL must start with https:// (http:// only on this machine).",
        ));
    }
    Ok(issuer)
}

/// Saves the provider settings (an empty secret keeps the stored one). Clearing the issuer turns
/// SSO sign-in off. **Permissions**: the assign permission.
pub async fn save_settings(db: &Db, actor: &Actor, input: &SsoSettingsInput) -> AppResult<()> {
    actor.require_admin()?;
    let issuer = checked_issuer(&input.issuer)?;
    let client_id = input.client_id.trim().to_owned();
    let claim = input.username_claim.trim().to_owned();
    if !issuer.is_empty() && client_id.is_empty() {
        return Err(AppError::validation("client_id", "Enter the client ID."));
    }
    if client_id.len() > 200 || input.client_secret.len() > 500 {
        return Err(AppError::validation(
            "client_id",
            "The client ID or secret is too long.",
        ));
    }
    if claim.is_empty() || claim.len() > 100 {
        return Err(AppError::validation(
            "username_claim",
            "Enter the claim that holds the username, e.g. preferred_username.",
        ));
    }
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<()> = async {
        let tx = guard.conn();
        let before = db::sso::config(&mut *tx, tenant)
            .await?
            .ok_or(AppError::NotFound)?;
        let secret = match input.client_secret.trim() {
            "" => before.sso_client_secret.clone(),
            secret => secret.to_owned(),
        };
        let after = SsoConfig {
            sso_issuer: issuer,
            sso_client_id: client_id,
            sso_client_secret: secret,
            sso_username_claim: claim,
            sso_role_mode: input.role_mode,
        };
        db::sso::set_config(&mut *tx, tenant, &after).await?;
        let manual_before = db::tenants::sso_manual_changes(&mut *tx, tenant).await?;
        db::tenants::set_sso_manual_changes(&mut *tx, tenant, input.manual_changes).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "tenant.sso",
            target: "single sign-on",
            before: described(&before, manual_before),
            after: described(&after, input.manual_changes),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await
    }
    .await;
    guard.finish(result).await
}

/// The settings as the audit log keeps them: the secret only as "set" or "not set".
fn described(config: &SsoConfig, manual_changes: bool) -> String {
    serde_json::json!({
        "manual_changes": manual_changes,
        "issuer": config.sso_issuer,
        "client_id": config.sso_client_id,
        "client_secret": if config.sso_client_secret.is_empty() { "not set" } else { "set" },
        "username_claim": config.sso_username_claim,
        "role_mode": config.sso_role_mode,
    })
    .to_string()
}

/// The rules and what they can name. **Permissions**: the tenant's view permission.
pub async fn editor(conn: &mut AnyConnection, actor: &Actor) -> AppResult<MappingEditor> {
    actor.require_view()?;
    let tenant = actor.tenant();
    let choice = |id: i64, name: String| Choice {
        id,
        name,
        space_bound: false,
    };
    Ok(MappingEditor {
        rules: db::sso::rules(conn, tenant).await?,
        roles: db::roles::list(conn, tenant)
            .await?
            .into_iter()
            .map(|r| Choice {
                id: r.id.0,
                name: r.name,
                space_bound: r.scope == crate::model::RoleScope::SpaceBound,
            })
            .collect(),
        spaces: db::spaces::names(conn, tenant)
            .await?
            .into_iter()
            .map(|(id, name, _)| choice(id.0, name))
            .collect(),
        inventory_roles: db::inventory_roles::list(conn, tenant)
            .await?
            .into_iter()
            .map(|r| choice(r.id.0, r.name))
            .collect(),
        groups: db::sso::group_choices(conn, tenant)
            .await?
            .into_iter()
            .map(|(id, name)| choice(id, name))
            .collect(),
        applications: actor
            .catalogue
            .applications
            .iter()
            .map(|a| choice(0, a.name.clone()))
            .collect(),
        can_edit: actor.require_admin().is_ok(),
    })
}

/// Which of `rules` apply to `claims` (JSON, as an ID token's payload) and what they grant.
/// **Permissions**: the tenant's view permission.
pub fn preview(
    actor: &Actor,
    editor: &MappingEditor,
    rules: &[MappingRule],
    claims: &str,
) -> AppResult<MappingPreview> {
    actor.require_view()?;
    if claims.len() > 65_536 {
        return Err(AppError::validation(
            "claims",
            "Paste at most 64 KiB of claims.",
        ));
    }
    let claims: serde_json::Value = serde_json::from_str(claims).map_err(|e| {
        AppError::validation("claims", format!("The claims are not valid JSON: {e}"))
    })?;
    if !claims.is_object() {
        return Err(AppError::validation(
            "claims",
            "Paste the claims as a JSON object, e.g. {\"groups\": [\"operators\"]}.",
        ));
    }
    let granted = mapping::granted(rules, &claims);
    let name = |list: &[Choice], id: i64| {
        list.iter()
            .find(|c| c.id == id)
            .map_or_else(|| format!("#{id}"), |c| c.name.clone())
    };
    let mut grants: Vec<String> = granted
        .roles
        .iter()
        .map(|m| match m.space {
            Some(space) => format!(
                "{} in {}",
                name(&editor.roles, m.role.0),
                name(&editor.spaces, space.0)
            ),
            None => name(&editor.roles, m.role.0),
        })
        .collect();
    grants.extend(
        granted
            .applications
            .iter()
            .map(|a| format!("application {a}")),
    );
    grants.extend(granted.inventory.iter().map(|m| {
        format!(
            "{} on {}",
            name(&editor.inventory_roles, m.role.0),
            name(&editor.groups, m.group.0)
        )
    }));
    Ok(MappingPreview {
        rules: granted.rules,
        grants,
    })
}

/// Replaces the tenant's rules. Each rule must be well formed, name only this tenant's roles,
/// spaces and device groups, and grant nothing the actor could not grant themselves (SPEC rule
/// 4): the guard judges a user who would get every rule's grants, and the trial is rolled back.
/// **Permissions**: the assign permission, and what the rules grant.
pub async fn save_rules(db: &Db, actor: &Actor, rules: &[MappingRule]) -> AppResult<()> {
    actor.require_admin()?;
    super::checked_count("rules", rules.len())?;
    if rules.len() > MAX_RULES {
        return Err(AppError::validation(
            "rules",
            format!("A tenant has at most {MAX_RULES} rules."),
        ));
    }
    for (i, rule) in rules.iter().enumerate() {
        if rule.conditions.len() > MAX_PER_RULE
            || rule.roles.len() > MAX_PER_RULE
            || rule.inventory.len() > MAX_PER_RULE
        {
            return Err(AppError::validation(
                "rules",
                format!(
                    "Rule {} has more than {MAX_PER_RULE} conditions or grants.",
                    i + 1
                ),
            ));
        }
        if let Some(problem) = mapping::problem(i + 1, rule) {
            return Err(AppError::validation("rules", problem));
        }
        if let Some(app) = rule
            .applications
            .iter()
            .find(|a| !super::applications::known(actor, a))
        {
            return Err(AppError::validation(
                "rules",
                format!(
                    "Rule {} names an application that does not exist: {app}.",
                    i + 1
                ),
            ));
        }
    }
    let tenant = actor.tenant();
    {
        let mut conn = db.pool.acquire().await?;
        if let Some(problem) = db::sso::foreign_reference(&mut conn, tenant, rules).await? {
            return Err(AppError::validation("rules", problem));
        }
        // SPEC rule 1: a Space-Specific role is given in a space, never tenant-wide; a
        // Cross-Space role never in a space.
        let roles = db::roles::list(&mut conn, tenant).await?;
        for (i, rule) in rules.iter().enumerate() {
            for m in &rule.roles {
                let Some(role) = roles.iter().find(|r| r.id == m.role) else {
                    continue;
                };
                let space_bound = role.scope == crate::model::RoleScope::SpaceBound;
                if space_bound != m.space.is_some() {
                    let why = if space_bound {
                        "is Space-Specific: choose its space"
                    } else {
                        "applies in every space: it takes no space"
                    };
                    return Err(AppError::validation(
                        "rules",
                        format!("Rule {}: {} {why}.", i + 1, role.name),
                    ));
                }
            }
        }
    }
    trial(db, actor, rules).await?;
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<()> = async {
        let tx = guard.conn();
        let before = db::sso::rules(&mut *tx, tenant).await?;
        db::sso::replace_rules(&mut *tx, tenant, rules).await?;
        let event = AuditEvent {
            tenant,
            actor: Some(actor.principal.user_id),
            address: &actor.principal.address,
            action: "tenant.access-mapping",
            target: "access mapping",
            before: json(&before),
            after: json(&rules),
        };
        db::audit::record(&mut *tx, &event, unix_now()).await
    }
    .await;
    guard.finish(result).await
}

/// SPEC rule 4 for rules: a stand-in user gets every rule's grants inside the actor's guard, and
/// the guard's judgement of that (gains within the actor's authority, requirements met, no
/// space-bound role tenant-wide) is the answer. Nothing is kept.
async fn trial(db: &Db, actor: &Actor, rules: &[MappingRule]) -> AppResult<()> {
    let tenant = actor.tenant();
    let mut guard = Guard::begin(db, actor).await?;
    let result: AppResult<()> = async {
        let tx = guard.conn();
        let stand_in = db::users::insert(
            &mut *tx,
            tenant,
            &db::users::NewUser {
                // Not a valid username (SPEC: no `#`), so it never collides with a real one.
                username: "#access-mapping-trial",
                display_name: "",
                email: "",
                password_hash: None,
                origin: Origin::Sso,
                is_partner_admin: false,
            },
            unix_now(),
        )
        .await?;
        apply_all(&mut *tx, tenant, stand_in, rules).await
    }
    .await;
    guard.preview(result).await.map(|_| ())
}

async fn apply_all(
    conn: &mut AnyConnection,
    tenant: TenantId,
    user: UserId,
    rules: &[MappingRule],
) -> AppResult<()> {
    use crate::model::wizard::Subject;
    for rule in rules {
        for m in &rule.roles {
            let space = crate::model::SpaceId(m.space.map_or(0, |s| s.0));
            db::assignments::add(&mut *conn, tenant, Subject::User(user), (m.role, space)).await?;
        }
        for m in &rule.inventory {
            db::inventory_assignments::add(&mut *conn, tenant, user, m.role, m.group).await?;
        }
        for app in &rule.applications {
            db::assignments::add_direct_application(&mut *conn, tenant, user, app).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
