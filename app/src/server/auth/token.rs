//! Session tokens and the cookie that carries them. The browser holds 256 random bits; the
//! database holds only their SHA-256, so a leaked table does not hand out sessions.

use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "castellan_session";
/// The name over HTTPS: the `__Host-` prefix makes the browser refuse it unless it is `Secure`,
/// for this host only (no `Domain`) and for every path, so a sibling site cannot plant one.
pub const SECURE_COOKIE_NAME: &str = "__Host-castellan_session";

/// How long sessions live, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
    /// Mark the cookie `Secure` even without an `X-Forwarded-Proto: https` hint.
    pub force_secure_cookie: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 60 * 60,
            force_secure_cookie: false,
        }
    }
}

/// A new random token and the hash to store for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The partner portal's session cookie: another name, so that a portal session is never read
/// as a tenant session, nor the reverse.
pub const PARTNER_COOKIE_NAME: &str = "castellan_partner";
pub const PARTNER_SECURE_COOKIE_NAME: &str = "__Host-castellan_partner";

/// Which session a cookie carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tenant,
    Partner,
}

impl Kind {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Tenant => (SECURE_COOKIE_NAME, COOKIE_NAME),
            Kind::Partner => (PARTNER_SECURE_COOKIE_NAME, PARTNER_COOKIE_NAME),
        }
    }
}

pub fn set_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    set_cookie_of(Kind::Tenant, token, max_age_secs, secure)
}

pub fn set_cookie_of(kind: Kind, token: &str, max_age_secs: i64, secure: bool) -> String {
    let (secure_name, plain_name) = kind.names();
    let (name, secure) = if secure {
        (secure_name, "; Secure")
    } else {
        (plain_name, "")
    };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

pub fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

/// The token of a `kind` of session in a `Cookie` header: over HTTPS (`https`) only the
/// `__Host-` one, else that one first. Requests read theirs with `AppState::session_token`.
pub fn of_kind_from_cookie_header(kind: Kind, header: &str, https: bool) -> Option<&str> {
    let (secure_name, plain_name) = kind.names();
    let named = |wanted: &str| {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == wanted)
            .map(|(_, value)| value)
            .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if https {
        named(secure_name)
    } else {
        named(secure_name).or_else(|| named(plain_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_unique() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash_a, hash_token(&a));
        assert_ne!(hash_a, a);
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_token() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn cookie_carries_the_security_flags() {
        let cookie = set_cookie("abc", 60, true);
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(cookie.contains("; Secure"));
        assert!(cookie.starts_with("__Host-castellan_session=abc; Path=/;"));
        assert!(!cookie.contains("Domain"));
        assert!(!set_cookie("abc", 60, false).contains("Secure"));
    }

    #[test]
    fn token_is_read_from_among_other_cookies_and_junk_is_ignored() {
        fn read(header: &str) -> Option<&str> {
            of_kind_from_cookie_header(Kind::Tenant, header, false)
        }
        let (token, _) = new_token();
        let header = format!("theme=dark; {COOKIE_NAME}={token}; x=y");
        assert_eq!(read(&header), Some(token.as_str()));
        assert_eq!(read(&format!("{COOKIE_NAME}=short")), None);
        assert_eq!(read("other=1"), None);
        // The prefixed cookie is the one that counts.
        let (secure, _) = new_token();
        let both = format!("{COOKIE_NAME}={token}; {SECURE_COOKIE_NAME}={secure}");
        assert_eq!(read(&both), Some(secure.as_str()));
        // Over HTTPS a plain cookie (planted by a sibling site, say) is not read at all.
        assert_eq!(
            of_kind_from_cookie_header(Kind::Tenant, &header, true),
            None
        );
        assert_eq!(
            of_kind_from_cookie_header(Kind::Tenant, &both, true),
            Some(secure.as_str())
        );
        let portal = format!("{PARTNER_COOKIE_NAME}={token}");
        assert_eq!(
            of_kind_from_cookie_header(Kind::Partner, &portal, true),
            None
        );
        assert_eq!(
            read(&portal),
            None,
            "a portal cookie is not a tenant session"
        );
    }
}
