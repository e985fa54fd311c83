//! Argon2id password hashes (the crate's defaults: 19 MiB, 2 passes, 1 lane).

use std::sync::OnceLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};

use crate::model::{AppError, AppResult};

pub fn hash(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
}

/// False for a wrong password and for a hash that cannot be read.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Verifies against a throwaway hash so that an unknown username costs as much time as a known
/// one: the answer's timing must not tell which part of a sign-in was wrong.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(stored) = DUMMY.get_or_init(|| hash("castellan-dummy-password").ok()) {
        let _ = verify(password, stored);
    }
}

/// Hashing takes tens of milliseconds of CPU: keep it off the async workers.
pub async fn hash_blocking(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_and_verifies_only_the_right_password() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct horsE", &stored));
        assert!(!verify("", &stored));
    }

    #[test]
    fn same_password_hashes_differently_each_time() {
        assert_ne!(hash("pw").unwrap(), hash("pw").unwrap());
    }

    #[test]
    fn unreadable_hash_never_verifies() {
        assert!(!verify("anything", "not-a-hash"));
    }
}
