//! OpenID Connect with a tenant's provider: discovery from the issuer, the authorization code flow
//! with PKCE, `state` and `nonce`, and the ID token's signature and claims validated by the
//! `openidconnect` crate. Nothing here trusts a claim the crate has not verified.

use base64::Engine as _;
use openidconnect::{
    core::{
        CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreProviderMetadata,
    },
    reqwest, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use serde_json::Value;

/// Where a tenant signs in, as its settings say.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

/// An authorization request on its way to the provider, and what the callback must check.
#[derive(Debug, Clone)]
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// An ID token's claims after the crate verified its signature, issuer, audience, expiry and
/// nonce. Only this module makes one (and tests), so a sign-in cannot be fed claims that no
/// provider vouched for.
#[derive(Debug, Clone)]
pub struct VerifiedClaims(Value);

impl VerifiedClaims {
    pub fn json(&self) -> &Value {
        &self.0
    }

    /// Claims as a test says a provider sent them.
    #[cfg(test)]
    pub fn for_tests(claims: Value) -> VerifiedClaims {
        VerifiedClaims(claims)
    }
}

/// Why a sign-in with the provider failed, in words for the person signing in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

fn fail(what: &str, error: impl std::fmt::Display) -> Failure {
    tracing::info!(%error, "single sign-on: {what}");
    Failure(format!("{what}: {error}"))
}

/// The HTTP client for the provider: no redirects (they would open the server to request
/// forgery), short time-outs.
fn http() -> Result<reqwest::Client, Failure> {
    reqwest::ClientBuilder::new()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(5))
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| fail("The sign-in could not start", e))
}

async fn metadata(
    config: &ProviderConfig,
    http: &reqwest::Client,
) -> Result<CoreProviderMetadata, Failure> {
    let issuer = IssuerUrl::new(config.issuer.clone())
        .map_err(|e| fail("The tenant's issuer URL is not valid", e))?;
    CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| {
            fail(
                "The identity provider's discovery document could not be used",
                e,
            )
        })
}

fn redirect(config: &ProviderConfig) -> Result<RedirectUrl, Failure> {
    RedirectUrl::new(config.redirect_uri.clone())
        .map_err(|e| fail("The redirect URI is not valid", e))
}

/// Discovers the provider and makes the authorization request (code flow, PKCE S256, `openid
/// profile email` scopes, a fresh `state` and `nonce`).
pub async fn start(config: &ProviderConfig) -> Result<Started, Failure> {
    let http = http()?;
    let metadata = metadata(config, &http).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    )
    .set_redirect_uri(redirect(config)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge)
        .url();
    // The page sends the browser there: only a web address will do (a discovery document could
    // name a `javascript:` or `data:` endpoint).
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Failure(
            "The identity provider's authorization endpoint is not a web address.".into(),
        ));
    }
    Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// Exchanges the code (with the PKCE verifier and the client secret) and returns the ID token's
/// claims once its signature, issuer, audience, expiry and nonce are verified.
pub async fn finish(
    config: &ProviderConfig,
    code: &str,
    pkce_verifier: &str,
    nonce: &str,
) -> Result<VerifiedClaims, Failure> {
    let http = http()?;
    let metadata = metadata(config, &http).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    )
    .set_redirect_uri(redirect(config)?);
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| fail("The identity provider has no token endpoint", e))?
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
        .request_async(&http)
        .await
        .map_err(|e| fail("The identity provider refused the sign-in", e))?;
    use openidconnect::TokenResponse as _;
    let token = response
        .id_token()
        .ok_or_else(|| Failure("The identity provider sent no ID token.".into()))?;
    let verifier = client.id_token_verifier();
    verified_claims(&verifier, token, nonce)
}

/// Every claim of `token` as JSON, after the verifier has checked its signature, issuer,
/// audience, expiry and `nonce`. The crate's typed claims leave out what the access mapping
/// needs (`groups` and other provider-specific claims), so the same token's payload is read
/// once it has been verified.
pub fn verified_claims(
    verifier: &CoreIdTokenVerifier,
    token: &CoreIdToken,
    nonce: &str,
) -> Result<VerifiedClaims, Failure> {
    token
        .claims(verifier, &Nonce::new(nonce.to_owned()))
        .map_err(|e| fail("The ID token was not accepted", e))?;
    let text = token.to_string();
    let payload = text
        .split('.')
        .nth(1)
        .ok_or_else(|| Failure("The ID token is malformed.".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| fail("The ID token is malformed", e))?;
    serde_json::from_slice(&bytes)
        .map(VerifiedClaims)
        .map_err(|e| fail("The ID token is malformed", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use openidconnect::{
        core::{
            CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
        },
        Audience, EmptyAdditionalClaims, EndUserUsername, JsonWebKeyId, PrivateSigningKey,
        StandardClaims, SubjectIdentifier,
    };

    /// A test-only RSA key (never used outside these tests).
    const KEY: &str = include_str!("test-key.pem");
    const OTHER_KEY: &str = include_str!("test-key-other.pem");
    const ISSUER: &str = "https://idp.example.com";
    const CLIENT: &str = "castellan-acme";

    fn key(pem: &str) -> CoreRsaPrivateSigningKey {
        CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
    }

    fn verifier() -> CoreIdTokenVerifier<'static> {
        CoreIdTokenVerifier::new_confidential_client(
            ClientId::new(CLIENT.into()),
            ClientSecret::new("castellan-dev-secret".into()),
            IssuerUrl::new(ISSUER.into()).unwrap(),
            CoreJsonWebKeySet::new(vec![key(KEY).as_verification_key()]),
        )
    }

    struct Mint {
        issuer: &'static str,
        audience: &'static str,
        expires_in: i64,
        nonce: &'static str,
        key: &'static str,
    }

    const GOOD: Mint = Mint {
        issuer: ISSUER,
        audience: CLIENT,
        expires_in: 300,
        nonce: "n-123",
        key: KEY,
    };

    fn mint(m: Mint) -> CoreIdToken {
        let now = chrono::Utc::now();
        let claims = CoreIdTokenClaims::new(
            IssuerUrl::new(m.issuer.into()).unwrap(),
            vec![Audience::new(m.audience.into())],
            now + chrono::Duration::seconds(m.expires_in),
            now - chrono::Duration::seconds(600),
            StandardClaims::new(SubjectIdentifier::new("dave-0001".into()))
                .set_preferred_username(Some(EndUserUsername::new("sso.dave".into()))),
            EmptyAdditionalClaims {},
        )
        .set_nonce(Some(Nonce::new(m.nonce.into())));
        CoreIdToken::new(
            claims,
            &key(m.key),
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_valid_id_token_gives_its_claims() {
        let verified = verified_claims(&verifier(), &mint(GOOD), "n-123").unwrap();
        let claims = verified.json();
        assert_eq!(claims["sub"], "dave-0001");
        assert_eq!(claims["preferred_username"], "sso.dave");
        assert_eq!(claims["iss"], ISSUER);
    }

    #[test]
    fn a_bad_signature_a_wrong_audience_or_issuer_an_expired_token_and_a_wrong_nonce_are_refused() {
        let cases = [
            (
                "bad signature",
                Mint {
                    key: OTHER_KEY,
                    ..GOOD
                },
                "n-123",
            ),
            (
                "wrong audience",
                Mint {
                    audience: "someone-else",
                    ..GOOD
                },
                "n-123",
            ),
            (
                "wrong issuer",
                Mint {
                    issuer: "https://evil.example.com",
                    ..GOOD
                },
                "n-123",
            ),
            (
                "expired",
                Mint {
                    expires_in: -120,
                    ..GOOD
                },
                "n-123",
            ),
            ("wrong nonce", GOOD, "n-456"),
        ];
        for (what, m, nonce) in cases {
            let refused = verified_claims(&verifier(), &mint(m), nonce);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.0.starts_with("The ID token was not accepted")),
                "{what}: {refused:?}"
            );
        }
    }

    #[test]
    fn a_token_with_its_payload_swapped_after_signing_is_refused() {
        let good = mint(GOOD).to_string();
        let parts: Vec<&str> = good.split('.').collect();
        let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::json!({
                "iss": ISSUER, "aud": CLIENT, "sub": "admin", "nonce": "n-123",
                "exp": chrono::Utc::now().timestamp() + 300, "iat": chrono::Utc::now().timestamp(),
                "groups": ["admins"]
            })
            .to_string(),
        );
        let forged: CoreIdToken = format!("{}.{}.{}", parts[0], forged_payload, parts[2])
            .parse()
            .unwrap();
        assert!(verified_claims(&verifier(), &forged, "n-123").is_err());
    }
}
