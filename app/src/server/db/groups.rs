use sqlx::AnyConnection;

use crate::model::{ids::GroupId, AppResult, TenantId, UserId};

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    name: &str,
    description: &str,
    now: i64,
) -> AppResult<GroupId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO user_groups (tenant_id, name, description, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant.0)
    .bind(name)
    .bind(description)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique(
        "name",
        "A group with this name already exists.",
    ))?;
    Ok(GroupId(id))
}

pub async fn add_member(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: GroupId,
    user: UserId,
) -> AppResult<()> {
    sqlx::query("INSERT INTO group_members (tenant_id, group_id, user_id) VALUES ($1, $2, $3)")
        .bind(tenant.0)
        .bind(group.0)
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}
