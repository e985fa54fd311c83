//! Repeated sign-in failures slow an attacker down without letting a stranger lock the real user
//! out (Keycloak's temporary lockout, not a permanent one). Three counters, kept in the database
//! so that several server instances share them:
//!
//! - a username from one address: the attacker's own pair; waits grow to 15 minutes;
//! - an address, over every username (password spraying); waits grow to 15 minutes;
//! - a username from every address (a distributed guess); the wait never exceeds
//!   [`USER_MAX_WAIT_SECS`], so failures from elsewhere delay the right password by at most that.
//!
//! An attempt reserves its place in each counter in one statement before the password is checked
//! (parallel attempts cannot all pass a read-then-write check), and is refused at once, without a
//! password hash, while a counter is blocked. A successful sign-in clears its user's counters.

use sqlx::AnyConnection;

use crate::{
    model::{AppError, AppResult},
    server::db::login_throttle::{self, Limit},
};

/// How long failures are remembered.
pub const WINDOW_SECS: i64 = 15 * 60;

pub const PAIR: Limit = Limit {
    window_secs: WINDOW_SECS,
    free_attempts: 5,
    step_secs: 30,
    max_wait_secs: WINDOW_SECS,
};
pub const ADDRESS: Limit = Limit {
    window_secs: WINDOW_SECS,
    free_attempts: 30,
    step_secs: 60,
    max_wait_secs: WINDOW_SECS,
};
pub const USER_MAX_WAIT_SECS: i64 = 60;
pub const USER: Limit = Limit {
    window_secs: WINDOW_SECS,
    free_attempts: 10,
    step_secs: 15,
    max_wait_secs: USER_MAX_WAIT_SECS,
};

/// The counters one attempt counts against, in the order they are checked: the address and the
/// pair first, so that a blocked attacker stops counting against the user everyone shares. The
/// keys do not depend on whether the user exists, so throttling tells nothing about which
/// usernames are real.
pub fn keys(tenant: &str, username: &str, address: &str) -> [(String, Limit); 3] {
    let user = format!(
        "{}/{}",
        tenant.trim().to_lowercase(),
        username.trim().to_lowercase()
    );
    [
        (format!("addr:{address}"), ADDRESS),
        (format!("pair:{user}@{address}"), PAIR),
        (format!("user:{user}"), USER),
    ]
}

/// The wait after the `n`th attempt in a window.
pub fn wait_after(limit: Limit, n: i64) -> i64 {
    if n <= limit.free_attempts {
        0
    } else {
        (n - limit.free_attempts)
            .saturating_mul(limit.step_secs)
            .min(limit.max_wait_secs)
    }
}

/// Counts the attempt in every counter, or refuses it (counting nothing further) while one of them
/// is blocked. Counted as a failure until [`succeeded`] clears it.
pub async fn reserve(
    conn: &mut AnyConnection,
    keys: &[(String, Limit)],
    now: i64,
) -> AppResult<()> {
    for (key, limit) in keys {
        if !login_throttle::count_attempt(conn, key, *limit, now).await? {
            return Err(AppError::TooManyAttempts);
        }
    }
    Ok(())
}

/// The right password: the user's counters start again; the address's count takes this attempt
/// back (its earlier failures stay: one good account does not reset a spraying address).
pub async fn succeeded(conn: &mut AnyConnection, keys: &[(String, Limit)]) -> AppResult<()> {
    for (key, limit) in keys {
        if *limit == ADDRESS {
            login_throttle::forgive(conn, key, *limit).await?;
        } else {
            login_throttle::clear(conn, key).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_after_the_free_attempts_grow_and_stop_at_the_cap() {
        assert_eq!(wait_after(USER, 10), 0);
        assert_eq!(wait_after(USER, 11), 15);
        assert_eq!(wait_after(USER, 13), 45);
        assert_eq!(wait_after(USER, 1_000_000), USER_MAX_WAIT_SECS);
        assert_eq!(wait_after(PAIR, 6), 30);
        assert_eq!(wait_after(PAIR, i64::MAX), WINDOW_SECS);
    }

    #[test]
    fn keys_ignore_case_and_spaces_but_not_the_address() {
        let a = keys("Acme ", " Admin", "192.0.2.1");
        let b = keys("acme", "admin", "192.0.2.1");
        let c = keys("acme", "admin", "198.51.100.7");
        assert_eq!(a, b);
        assert_eq!(a[2], c[2], "the user counter is shared by every address");
        assert_ne!(a[1], c[1]);
    }
}
