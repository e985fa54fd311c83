use crate::model::{Audience, Origin};
use crate::{
    model::{AppError, AppResult, RoleId, TenantId, UserId},
    server::{
        auth::password,
        db::{self, roles::RoleFields, users::NewUser, Db},
        templates::{Template, Templates},
        unix_now,
    },
};

pub mod scale;

/// A tenant to create with its first administrator.
pub struct NewTenant<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub template: &'a str,
    pub admin_username: &'a str,
    pub admin_password: &'a str,
}

pub fn validate(new: &NewTenant<'_>, templates: &Templates) -> AppResult<()> {
    let slug_ok = !new.slug.is_empty()
        && new.slug.len() <= 63
        && new
            .slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        return Err(AppError::validation(
            "slug",
            "Tenant id must be 1-63 lowercase letters, digits or dashes.",
        ));
    }
    if new.name.trim().is_empty() {
        return Err(AppError::validation("name", "Tenant name is required."));
    }
    if templates.get(new.template).is_none() {
        let names: Vec<&str> = templates.names().collect();
        return Err(AppError::validation(
            "template",
            format!("Template must be one of: {}.", names.join(", ")),
        ));
    }
    if new.admin_username.trim().is_empty() {
        return Err(AppError::validation("username", "Username is required."));
    }
    // A new tenant starts with the default policy; its first password meets it.
    let policy = crate::model::passwords::PasswordPolicy::default();
    super::passwords::admit(
        &policy,
        new.admin_username.trim(),
        new.admin_password,
        "password",
    )
}

/// Creates the tenant, the template's roles and the administrator (holding the template's
/// tenant-admin role) in one transaction.
pub async fn create(
    db: &Db,
    templates: &Templates,
    new: &NewTenant<'_>,
) -> AppResult<(TenantId, UserId)> {
    validate(new, templates)?;
    let hash = password::hash_blocking(new.admin_password.to_owned()).await?;
    let mut tx = db.pool.begin().await?;
    let created = create_in(&mut tx, templates, new, &hash).await?;
    tx.commit().await?;
    Ok(created)
}

/// A partner administrator's `Create tenant` in the portal: the tenant as [`create`] makes it,
/// served by `partner`, with a user for each of the partner's administrators (flagged partner
/// administrator, linked, without a password of their own), audited in the new tenant with the
/// acting administrator's user as actor, all in one transaction.
pub async fn create_for_partner(
    db: &Db,
    templates: &Templates,
    new: &NewTenant<'_>,
    partner: i64,
    acting_admin: i64,
    address: &str,
) -> AppResult<TenantId> {
    validate(new, templates)?;
    let hash = password::hash_blocking(new.admin_password.to_owned()).await?;
    let now = unix_now();
    let mut tx = db.pool.begin().await?;
    let (tenant, _) = create_in(&mut tx, templates, new, &hash).await?;
    db::partners::serve(&mut tx, partner, tenant).await?;
    let mut actor = None;
    for admin in db::partners::admins_of(&mut tx, partner).await? {
        let user = NewUser {
            username: &admin.username,
            display_name: &admin.display_name,
            email: "",
            password_hash: None,
            origin: Origin::Local,
            is_partner_admin: true,
        };
        let id = db::users::insert(&mut tx, tenant, &user, now).await?;
        db::partners::link(&mut tx, tenant, id, admin.id).await?;
        if admin.id == acting_admin {
            actor = Some(id);
        }
    }
    let event = db::audit::AuditEvent {
        tenant,
        actor,
        action: "tenant.create",
        target: &format!("tenant {}", new.slug),
        before: String::new(),
        after: serde_json::json!({ "template": new.template, "administrator": new.admin_username.trim() })
            .to_string(),
        address,
    };
    db::audit::record(&mut tx, &event, now).await?;
    tx.commit().await?;
    Ok(tenant)
}

async fn create_in(
    tx: &mut sqlx::AnyConnection,
    templates: &Templates,
    new: &NewTenant<'_>,
    hash: &str,
) -> AppResult<(TenantId, UserId)> {
    let template = templates.get(new.template).ok_or(AppError::Internal)?;
    let now = unix_now();
    let tenant = db::tenants::insert(tx, new.slug, new.name.trim(), new.template, now).await?;
    let admin = NewUser {
        username: new.admin_username.trim(),
        display_name: "Administrator",
        email: "",
        password_hash: Some(hash),
        origin: Origin::Local,
        is_partner_admin: false,
    };
    let user = db::users::insert(tx, tenant, &admin, now).await?;
    super::spaces::create_default(tx, tenant, now).await?;
    seed_inventory_roles(tx, tenant, template, now).await?;
    if let Some(admin_role) = seed_roles(tx, tenant, template, now).await? {
        db::assignments::add_user_role(tx, tenant, user, admin_role).await?;
    }
    Ok((tenant, user))
}

/// Creates the template's pre-defined roles; returns the tenant-admin role (the first built-in
/// role for administrators), which the first user receives.
async fn seed_roles(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    template: &Template,
    now: i64,
) -> AppResult<Option<RoleId>> {
    let mut admin_role = None;
    for seed in &template.roles {
        let fields = RoleFields {
            name: &seed.name,
            description: &seed.description,
            audience: seed.audience,
            scope: seed.scope,
            built_in: seed.built_in,
            special: seed.special,
        };
        let id = db::roles::insert(conn, tenant, &fields, now).await?;
        if seed.for_devices {
            db::roles::mark_for_devices(conn, tenant, id).await?;
        }
        db::roles::replace_grants(conn, tenant, id, &seed.grants).await?;
        let applications = seed.applications.iter().cloned().collect();
        db::roles::replace_applications(conn, tenant, id, &applications).await?;
        if admin_role.is_none() && seed.built_in && seed.audience == Audience::Admin {
            admin_role = Some(id);
        }
    }
    for seed in template.roles.iter().filter(|r| !r.requires.is_empty()) {
        let role = db::roles::id_by_name(conn, tenant, &seed.name)
            .await?
            .ok_or(AppError::Internal)?;
        for required in &seed.requires {
            let required = db::roles::id_by_name(conn, tenant, required)
                .await?
                .ok_or(AppError::Internal)?;
            db::roles::add_requirement(conn, tenant, role, required).await?;
        }
    }
    Ok(admin_role)
}

/// Creates the template's inventory roles (Manager, Operations: All, … in `iot`).
async fn seed_inventory_roles(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
    template: &Template,
    now: i64,
) -> AppResult<()> {
    for seed in &template.inventory_roles {
        let id =
            db::inventory_roles::insert(conn, tenant, &seed.name, &seed.description, now).await?;
        let rows: Vec<crate::model::inventory::InventoryPermission> = seed
            .permissions
            .iter()
            .map(|p| {
                crate::model::inventory::InventoryPermission::new(
                    &p.category,
                    &p.fragment_type,
                    p.permission,
                )
            })
            .collect();
        db::inventory_roles::replace_permissions(conn, tenant, id, &rows).await?;
    }
    Ok(())
}

/// Tenants created before inventory roles existed get their template's defaults, once (a
/// tenant with any inventory role is left alone).
pub async fn backfill_inventory_roles(db: &Db, templates: &Templates) -> AppResult<usize> {
    let mut conn = db.pool.acquire().await?;
    let mut filled = 0;
    for tenant in db::tenants::all(&mut conn).await? {
        let Some(template) = templates.get(&tenant.template) else {
            continue;
        };
        let id = tenant.id;
        if template.inventory_roles.is_empty()
            || db::inventory_roles::count(&mut conn, id).await? > 0
        {
            continue;
        }
        let mut tx = db.pool.begin().await?;
        seed_inventory_roles(&mut tx, id, template, unix_now()).await?;
        tx.commit().await?;
        filled += 1;
    }
    Ok(filled)
}

/// The CLI's `create-partner`: a partner organisation, its first administrator (who signs in at
/// `/partner`), and the tenants it serves, in each a user flagged partner administrator standing
/// for them; all in one transaction.
pub async fn create_partner(
    db: &Db,
    name: &str,
    admin: &str,
    admin_password: &str,
    serves: &[String],
) -> AppResult<i64> {
    if name.trim().is_empty() {
        return Err(AppError::validation("name", "Partner name is required."));
    }
    if admin.trim().is_empty() {
        return Err(AppError::validation("username", "Username is required."));
    }
    let policy = crate::model::passwords::PasswordPolicy::default();
    super::passwords::admit(&policy, admin.trim(), admin_password, "password")?;
    let hash = password::hash_blocking(admin_password.to_owned()).await?;
    let now = unix_now();
    let mut tx = db.pool.begin().await?;
    if db::partners::partner_by_name(&mut tx, name.trim())
        .await?
        .is_some()
    {
        return Err(AppError::validation(
            "name",
            "A partner with this name exists.",
        ));
    }
    let partner = db::partners::insert_partner(&mut tx, name.trim(), now).await?;
    let admin_id =
        db::partners::insert_admin(&mut tx, partner, admin.trim(), admin.trim(), &hash, now)
            .await?;
    for slug in serves {
        let tenant = db::tenants::find_by_slug(&mut tx, slug.trim())
            .await?
            .ok_or_else(|| AppError::validation("tenant", format!("No tenant has the id {slug}.")))?
            .id;
        db::partners::serve(&mut tx, partner, tenant).await?;
        let user = NewUser {
            username: admin.trim(),
            display_name: admin.trim(),
            email: "",
            password_hash: None,
            origin: Origin::Local,
            is_partner_admin: true,
        };
        let user = db::users::insert(&mut tx, tenant, &user, now).await?;
        db::partners::link(&mut tx, tenant, user, admin_id).await?;
    }
    tx.commit().await?;
    Ok(partner)
}
