use sqlx::AnyConnection;

use crate::model::{AppResult, DeviceGroupId, TenantId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: DeviceGroupId,
    pub parent_id: i64,
    pub name: String,
    pub version: i64,
    pub subgroups: i64,
    pub devices: i64,
}

const ROW: &str = "SELECT g.id, g.parent_id, g.name, g.version, \
    (SELECT COUNT(*) FROM device_groups c WHERE c.tenant_id = g.tenant_id AND c.parent_id = g.id) AS subgroups, \
    (SELECT COUNT(*) FROM devices d WHERE d.tenant_id = g.tenant_id AND d.group_id = g.id) AS devices \
    FROM device_groups g";

const NAME_TAKEN: &str = "A group with this name already exists here.";

pub async fn get(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: DeviceGroupId,
) -> AppResult<Option<GroupRow>> {
    Ok(
        sqlx::query_as(&format!("{ROW} WHERE g.tenant_id = $1 AND g.id = $2"))
            .bind(tenant)
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// One page of the subgroups of `parent` (0: the top level), by name, and their number.
pub async fn children(
    conn: &mut AnyConnection,
    tenant: TenantId,
    parent: i64,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<GroupRow>, i64)> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM device_groups WHERE tenant_id = $1 AND parent_id = $2",
    )
    .bind(tenant)
    .bind(parent)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query_as(&format!(
        "{ROW} WHERE g.tenant_id = $1 AND g.parent_id = $2 ORDER BY lower(g.name), g.id LIMIT $3 OFFSET $4"
    ))
    .bind(tenant)
    .bind(parent)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

/// One page of the devices directly in a group, and their number.
pub async fn devices(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: i64,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<(i64, String)>, i64)> {
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE tenant_id = $1 AND group_id = $2")
            .bind(tenant)
            .bind(group)
            .fetch_one(&mut *conn)
            .await?;
    let rows = sqlx::query_as(
        "SELECT id, name FROM devices WHERE tenant_id = $1 AND group_id = $2 \
         ORDER BY lower(name), id LIMIT $3 OFFSET $4",
    )
    .bind(tenant)
    .bind(group)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((rows, total))
}

pub async fn insert(
    conn: &mut AnyConnection,
    tenant: TenantId,
    parent: i64,
    name: &str,
    now: i64,
) -> AppResult<DeviceGroupId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO device_groups (tenant_id, parent_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant)
    .bind(parent)
    .bind(name)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(super::on_unique("name", NAME_TAKEN))?;
    Ok(DeviceGroupId(id))
}

pub async fn insert_device(
    conn: &mut AnyConnection,
    tenant: TenantId,
    group: DeviceGroupId,
    name: &str,
    now: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO devices (tenant_id, group_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant)
    .bind(group)
    .bind(name)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Renames and re-parents a group if it is still at `version`.
pub async fn update_if_version(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: DeviceGroupId,
    version: i64,
    parent: i64,
    name: &str,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE device_groups SET parent_id = $4, name = $5, version = version + 1 \
         WHERE tenant_id = $1 AND id = $2 AND version = $3",
    )
    .bind(tenant)
    .bind(id)
    .bind(version)
    .bind(parent)
    .bind(name)
    .execute(conn)
    .await
    .map_err(super::on_unique("name", NAME_TAKEN))?;
    Ok(done.rows_affected() == 1)
}

/// The parent of a group (0 at the top level), or None when it is not in the tenant.
pub async fn parent_of(
    conn: &mut AnyConnection,
    tenant: TenantId,
    id: i64,
) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT parent_id FROM device_groups WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn child_ids(
    conn: &mut AnyConnection,
    tenant: TenantId,
    parent: i64,
) -> AppResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM device_groups WHERE tenant_id = $1 AND parent_id = $2")
            .bind(tenant)
            .bind(parent)
            .fetch_all(conn)
            .await?,
    )
}

pub async fn count_devices_in(
    conn: &mut AnyConnection,
    tenant: TenantId,
    groups: &[i64],
) -> AppResult<i64> {
    let mut total = 0;
    for chunk in groups.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT COUNT(*) FROM devices WHERE tenant_id = $1 AND group_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(tenant);
        for id in chunk {
            query = query.bind(*id);
        }
        total += query.fetch_one(&mut *conn).await?;
    }
    Ok(total)
}

/// Deletes groups (their devices go with them by cascade).
pub async fn delete_all(
    conn: &mut AnyConnection,
    tenant: TenantId,
    groups: &[i64],
) -> AppResult<()> {
    for chunk in groups.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        for table in [
            "devices WHERE tenant_id = $1 AND group_id",
            "device_groups WHERE tenant_id = $1 AND id",
        ] {
            let sql = format!("DELETE FROM {table} IN ({})", placeholders.join(", "));
            let mut query = sqlx::query(&sql).bind(tenant);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *conn).await?;
        }
    }
    Ok(())
}
