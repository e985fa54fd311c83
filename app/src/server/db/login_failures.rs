use sqlx::AnyConnection;

use crate::model::AppResult;

pub async fn count_since(conn: &mut AnyConnection, key: &str, since: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_failures WHERE throttle_key = $1 AND at >= $2",
    )
    .bind(key)
    .bind(since)
    .fetch_one(conn)
    .await?)
}

pub async fn record(conn: &mut AnyConnection, key: &str, now: i64) -> AppResult<()> {
    sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)")
        .bind(key)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn clear(conn: &mut AnyConnection, key: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn forget_before(conn: &mut AnyConnection, before: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(())
}
