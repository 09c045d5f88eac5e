//! The provider's signing keys (its JWKS), cached. A token that names a key we do not have
//! makes us fetch the set again (the provider rotated its keys), at most once per
//! `[sso] jwks_refetch_ms`, so forged `kid`s cannot make us hammer the provider.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use serde::Deserialize;

use super::SsoError;

/// A JWKS as fetched: each key read on its own, so one key of a type we do not know does
/// not hide the others.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

struct Fetched {
    keys: Vec<Jwk>,
    at: Instant,
}

/// How long fetched keys are trusted before they are fetched again: a key the provider
/// withdrew stops working within this time.
const KEYS_TTL: Duration = Duration::from_secs(3600);

/// The cached keys.
pub struct KeyCache {
    fetched: tokio::sync::Mutex<Option<Fetched>>,
    min_refetch: Duration,
}

impl KeyCache {
    /// Nothing cached yet; refetch at most once per `min_refetch`.
    pub fn new(min_refetch: Duration) -> Self {
        Self {
            fetched: tokio::sync::Mutex::new(None),
            min_refetch,
        }
    }

    /// The signing key for a token whose header names `kid` (or none, when the provider has
    /// a single key), fetching the set from `jwks_uri` when we have no such key.
    pub async fn key_for(
        &self,
        http: &reqwest::Client,
        jwks_uri: &str,
        kid: Option<&str>,
    ) -> Result<Jwk, SsoError> {
        let mut fetched = self.fetched.lock().await;
        if fetched.as_ref().is_some_and(|f| f.at.elapsed() >= KEYS_TTL) {
            *fetched = None;
        }
        if let Some(found) = fetched.as_ref().and_then(|f| pick(&f.keys, kid)) {
            return Ok(found);
        }
        let may_fetch = fetched
            .as_ref()
            .is_none_or(|f| f.at.elapsed() >= self.min_refetch);
        if may_fetch {
            let keys = fetch(http, jwks_uri).await?;
            tracing::info!(keys = keys.len(), "fetched the SSO provider's signing keys");
            *fetched = Some(Fetched {
                keys,
                at: Instant::now(),
            });
        }
        fetched
            .as_ref()
            .and_then(|f| pick(&f.keys, kid))
            .ok_or_else(|| {
                SsoError::Token(format!(
                    "the ID token is signed with a key the provider does not publish (kid {})",
                    kid.unwrap_or("absent")
                ))
            })
    }
}

/// The signing key `kid` names; without a `kid`, the only signing key, if there is one.
fn pick(keys: &[Jwk], kid: Option<&str>) -> Option<Jwk> {
    let mut signing = keys
        .iter()
        .filter(|k| !matches!(k.common.public_key_use, Some(PublicKeyUse::Encryption)));
    match kid {
        Some(kid) => signing
            .find(|k| k.common.key_id.as_deref() == Some(kid))
            .cloned(),
        None => {
            let all: Vec<&Jwk> = signing.collect();
            match all.as_slice() {
                [only] => Some((*only).clone()),
                _ => None,
            }
        }
    }
}

async fn fetch(http: &reqwest::Client, jwks_uri: &str) -> Result<Vec<Jwk>, SsoError> {
    let answer = http.get(jwks_uri).send().await.map_err(|e| {
        SsoError::Provider(format!(
            "cannot fetch the signing keys from {jwks_uri}: {e}"
        ))
    })?;
    if !answer.status().is_success() {
        return Err(SsoError::Provider(format!(
            "the signing keys at {jwks_uri} answered {}",
            answer.status()
        )));
    }
    let raw: RawSet = answer.json().await.map_err(|e| {
        SsoError::Provider(format!(
            "the signing keys at {jwks_uri} are not a JWKS: {e}"
        ))
    })?;
    Ok(raw
        .keys
        .into_iter()
        .filter_map(|key| serde_json::from_value::<Jwk>(key).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::pick;
    use jsonwebtoken::jwk::Jwk;

    fn key(kid: &str, usage: &str) -> Option<Jwk> {
        serde_json::from_value(serde_json::json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "use": usage,
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
        }))
        .ok()
    }

    #[test]
    fn keys_are_picked_by_kid_and_encryption_keys_never() {
        let keys: Vec<Jwk> = [key("a", "sig"), key("b", "enc")]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(keys.len(), 2);
        assert!(pick(&keys, Some("a")).is_some());
        assert!(pick(&keys, Some("b")).is_none(), "an encryption key");
        assert!(pick(&keys, Some("c")).is_none());
        assert!(pick(&keys, None).is_some(), "the only signing key");
    }
}
