//! A tenant's password policy and the rule it sets, wherever a password is set: creating a user,
//! a one-time password, changing one's own (issue 14). The list of common passwords is the
//! server's; the rule is here so that it is one function, tested once.

use serde::{Deserialize, Serialize};

/// The shortest minimum a tenant may choose, and the longest password anyone may set (a
/// password hash costs the same for every length, but the request should stay small).
pub const MIN_LENGTH_FLOOR: i64 = 8;
pub const MAX_LENGTH: usize = 200;
/// The longest minimum a tenant may choose.
pub const MIN_LENGTH_CEILING: i64 = 64;

/// Why a user with a one-time password may do nothing but change it.
pub const MUST_CHANGE: &str =
    "Your administrator set a one-time password. Choose a new password before you go on.";

/// `Minimum password length`, `Disallow the username`, `Refuse common passwords`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_length: i64,
    pub disallow_username: bool,
    pub check_common: bool,
}

impl Default for PasswordPolicy {
    /// What a new tenant starts with, and what its first administrator's password meets.
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            disallow_username: true,
            check_common: true,
        }
    }
}

/// The policy as the settings page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordSettings {
    pub policy: PasswordPolicy,
    pub can_edit: bool,
}

impl PasswordPolicy {
    /// Why `password` may not be `username`'s, or None. `is_common` answers for the shipped list
    /// of common passwords (lowercase).
    pub fn problem(
        &self,
        username: &str,
        password: &str,
        is_common: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let length = password.chars().count();
        if length < usize::try_from(self.min_length).unwrap_or(usize::MAX) {
            return Some(format!(
                "Password must have at least {} characters.",
                self.min_length
            ));
        }
        if length > MAX_LENGTH {
            return Some(format!(
                "Password must have at most {MAX_LENGTH} characters."
            ));
        }
        let lower = password.to_lowercase();
        let name = username.trim().to_lowercase();
        if self.disallow_username && !name.is_empty() && lower.contains(&name) {
            return Some("Password must not contain the username.".to_owned());
        }
        if self.check_common && is_common(&lower) {
            return Some("This password is too common. Choose one that is harder to guess.".into());
        }
        None
    }

    /// Why the policy itself cannot be saved, or None.
    pub fn invalid(&self) -> Option<String> {
        (!(MIN_LENGTH_FLOOR..=MIN_LENGTH_CEILING).contains(&self.min_length)).then(|| {
            format!(
                "Minimum password length must be between {MIN_LENGTH_FLOOR} and {MIN_LENGTH_CEILING}."
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common(p: &str) -> bool {
        ["password123", "qwertyuiop"].contains(&p)
    }

    #[test]
    fn each_part_of_the_policy_refuses_with_its_reason_and_only_when_on() {
        let policy = PasswordPolicy::default();
        let check = |p: &PasswordPolicy, pw: &str| p.problem("alice", pw, common);
        assert_eq!(check(&policy, "Castellan-demo-1"), None);
        assert_eq!(
            check(&policy, "Short-1").as_deref(),
            Some("Password must have at least 10 characters.")
        );
        assert_eq!(
            check(&policy, "xx-ALICE-xx-1").as_deref(),
            Some("Password must not contain the username.")
        );
        assert!(check(&policy, "PASSWORD123")
            .unwrap()
            .contains("too common"));
        assert!(check(&policy, &"a".repeat(MAX_LENGTH + 1)).is_some());
        let lenient = PasswordPolicy {
            min_length: 8,
            disallow_username: false,
            check_common: false,
        };
        assert_eq!(check(&lenient, "xx-alice-1"), None);
        assert_eq!(check(&lenient, "password123"), None);
        assert!(check(&lenient, "Short-1").is_some());
    }

    #[test]
    fn a_policy_outside_its_bounds_is_refused() {
        let mut p = PasswordPolicy::default();
        assert_eq!(p.invalid(), None);
        p.min_length = MIN_LENGTH_FLOOR - 1;
        assert!(p.invalid().is_some());
        p.min_length = MIN_LENGTH_CEILING + 1;
        assert!(p.invalid().is_some());
    }
}
