//! Sign-in throttle counters (see `auth::throttle`).

use sqlx::AnyConnection;

use crate::model::AppResult;

/// One counter: how many attempts it lets through in a window before it blocks, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub window_secs: i64,
    pub free_attempts: i64,
    /// Each attempt past the free ones blocks the next for this much longer…
    pub step_secs: i64,
    /// …up to this.
    pub max_wait_secs: i64,
}

/// The attempt's count in this window, restarting after the window; the wait it earns.
const COUNT: &str = "CASE WHEN login_throttle.window_start <= $2 - $3 THEN 1 \
     ELSE login_throttle.failures + 1 END";

/// Counts one attempt against `key` in a single statement, unless the key is blocked now. False
/// when it is blocked (nothing is counted). Past the free attempts, each attempt blocks the next
/// for longer, up to the limit's maximum.
pub async fn count_attempt(
    conn: &mut AnyConnection,
    key: &str,
    limit: Limit,
    now: i64,
) -> AppResult<bool> {
    let sql = format!(
        "INSERT INTO login_throttle (throttle_key, failures, window_start, blocked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (throttle_key) DO UPDATE SET \
           failures = {COUNT}, \
           window_start = CASE WHEN login_throttle.window_start <= $2 - $3 THEN $2 \
             ELSE login_throttle.window_start END, \
           blocked_until = $2 + CASE WHEN {COUNT} <= $4 THEN 0 \
             WHEN ({COUNT} - $4) * $5 >= $6 THEN $6 \
             ELSE ({COUNT} - $4) * $5 END \
         WHERE login_throttle.blocked_until <= $2 \
         RETURNING failures"
    );
    let counted: Option<i64> = sqlx::query_scalar(&sql)
        .bind(key)
        .bind(now)
        .bind(limit.window_secs)
        .bind(limit.free_attempts)
        .bind(limit.step_secs)
        .bind(limit.max_wait_secs)
        .fetch_optional(conn)
        .await?;
    Ok(counted.is_some())
}

/// Takes back one counted attempt that turned out to be a success, and the wait it earned.
pub async fn forgive(conn: &mut AnyConnection, key: &str, limit: Limit) -> AppResult<()> {
    sqlx::query(
        "UPDATE login_throttle SET failures = failures - 1, \
         blocked_until = CASE WHEN failures - 1 <= $2 THEN 0 ELSE blocked_until END \
         WHERE throttle_key = $1 AND failures > 0",
    )
    .bind(key)
    .bind(limit.free_attempts)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear(conn: &mut AnyConnection, key: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets counters whose window and block have both passed.
pub async fn forget_before(conn: &mut AnyConnection, before: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM login_throttle WHERE window_start < $1 AND blocked_until < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(())
}
