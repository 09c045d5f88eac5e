//! Checking an ID token (OpenID Connect Core §3.1.3.7): signature by one of the provider's
//! keys with an allowed algorithm, issuer, audience (and `azp`), expiry and issue time within
//! the allowed clock skew, and the nonce this sign-in sent. The token is checked even though it
//! came straight from the token endpoint over TLS.

use std::str::FromStr;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq as _;

use super::SsoError;
use super::discovery::ProviderMetadata;

/// What a sign-in expects of its token.
pub struct Expected<'a> {
    /// The provider's metadata (its issuer).
    pub metadata: &'a ProviderMetadata,
    /// Our client id: the audience.
    pub client_id: &'a str,
    /// The nonce this sign-in sent.
    pub nonce: &'a str,
    /// The algorithms accepted.
    pub algorithms: &'a [String],
    /// Allowed clock skew, seconds.
    pub skew_s: u64,
    /// For a multi-tenant issuer, the tenants accepted (empty: any).
    pub tenants: &'a [String],
}

/// The token's header algorithm and key id, read before its key is looked up; an algorithm
/// outside the allow-list is refused here.
pub fn header(token: &str, algorithms: &[String]) -> Result<(Algorithm, Option<String>), SsoError> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| SsoError::Token(format!("the ID token is malformed: {e}")))?;
    let allowed = algorithms
        .iter()
        .filter_map(|name| Algorithm::from_str(name).ok())
        .any(|alg| alg == header.alg);
    if !allowed {
        return Err(SsoError::Token(format!(
            "the ID token is signed with {:?}, which [sso] algorithms does not allow",
            header.alg
        )));
    }
    Ok((header.alg, header.kid))
}

/// Check `token`, signed with `key` under `alg`; its claims.
pub fn verify(
    token: &str,
    alg: Algorithm,
    key: &jsonwebtoken::jwk::Jwk,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, SsoError> {
    if let Some(key_alg) = key.common.key_algorithm
        && key_alg.to_string() != format!("{alg:?}")
    {
        return Err(SsoError::Token(format!(
            "the ID token says {alg:?} but its key is for {key_alg}"
        )));
    }
    let decoding = DecodingKey::from_jwk(key)
        .map_err(|e| SsoError::Token(format!("the provider's key cannot be used: {e}")))?;
    let mut validation = Validation::new(alg);
    validation.leeway = expected.skew_s;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, &decoding, &validation)
        .map_err(|e| SsoError::Token(describe(&e, expected.client_id)))?;
    let claims = data.claims;
    check_issuer(&claims, expected)?;
    check_azp(&claims, expected.client_id)?;
    match claims.get("iat").and_then(Value::as_u64) {
        None => {
            return Err(SsoError::Token(
                "the ID token has no issue time (iat)".into(),
            ));
        }
        // The same clock the expiry was checked against.
        Some(iat) if iat > jsonwebtoken::get_current_timestamp() + expected.skew_s => {
            return Err(SsoError::Token(
                "the ID token was issued in the future: check the clocks of this server and the provider".into(),
            ));
        }
        Some(_) => {}
    }
    let nonce = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
    if !bool::from(nonce.as_bytes().ct_eq(expected.nonce.as_bytes())) {
        return Err(SsoError::Token(
            "the ID token's nonce is not this sign-in's (a replayed token?)".into(),
        ));
    }
    Ok(claims)
}

fn check_issuer(claims: &Map<String, Value>, expected: &Expected<'_>) -> Result<(), SsoError> {
    let tid = claims.get("tid").and_then(Value::as_str);
    if expected.metadata.is_multi_tenant()
        && !expected.tenants.is_empty()
        && !tid.is_some_and(|tid| expected.tenants.iter().any(|t| t == tid))
    {
        return Err(SsoError::Token(format!(
            "the ID token is from tenant {}, which [sso] allowed_tenants does not list",
            tid.unwrap_or("(none)")
        )));
    }
    let issuer = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    match expected.metadata.issuer_for(tid) {
        Some(want) if want.trim_end_matches('/') == issuer.trim_end_matches('/') => Ok(()),
        _ => Err(SsoError::Token(format!(
            "the ID token's issuer '{issuer}' is not the provider's"
        ))),
    }
}

fn check_azp(claims: &Map<String, Value>, client_id: &str) -> Result<(), SsoError> {
    let several = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|aud| aud.len() > 1);
    match claims.get("azp").and_then(Value::as_str) {
        Some(azp) if azp != client_id => Err(SsoError::Token(format!(
            "the ID token was issued to '{azp}' (azp), not to this client"
        ))),
        None if several => Err(SsoError::Token(
            "the ID token has several audiences and no azp naming this client".into(),
        )),
        _ => Ok(()),
    }
}

fn describe(error: &jsonwebtoken::errors::Error, client_id: &str) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidSignature => "the ID token's signature is not valid".into(),
        ErrorKind::ExpiredSignature => {
            "the ID token has expired: check the clocks of this server and the provider".into()
        }
        ErrorKind::ImmatureSignature => "the ID token is not valid yet (nbf)".into(),
        ErrorKind::InvalidAudience => {
            format!("the ID token is for another audience, not the client '{client_id}'")
        }
        ErrorKind::MissingRequiredClaim(claim) => format!("the ID token has no '{claim}' claim"),
        ErrorKind::InvalidAlgorithm => "the ID token's algorithm does not match its key".into(),
        other => format!("the ID token is not valid: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Expected, header, verify};
    use crate::sso::discovery::ProviderMetadata;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::json;

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    fn metadata() -> ProviderMetadata {
        ProviderMetadata {
            issuer: "https://idp".into(),
            authorization_endpoint: String::new(),
            token_endpoint: String::new(),
            jwks_uri: String::new(),
            userinfo_endpoint: None,
            end_session_endpoint: None,
            token_endpoint_auth_methods_supported: None,
            code_challenge_methods_supported: None,
        }
    }

    /// An ES256 key pair from ring: the private key (PKCS#8) and its JWK.
    fn key_pair(
        kid: &str,
    ) -> Result<(EncodingKey, jsonwebtoken::jwk::Jwk), Box<dyn std::error::Error>> {
        use base64::Engine as _;
        use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| "no key")?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|_| "bad key")?;
        let point = pair.public_key().as_ref();
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let jwk = serde_json::from_value(json!({
            "kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
            "x": b64(&point[1..33]), "y": b64(&point[33..65]),
        }))?;
        Ok((EncodingKey::from_ec_der(pkcs8.as_ref()), jwk))
    }

    fn claims() -> serde_json::Value {
        json!({"iss": "https://idp", "aud": "prax", "sub": "alice", "exp": now() + 300,
               "iat": now(), "nonce": "n-1"})
    }

    fn check(token: &str, jwk: &jsonwebtoken::jwk::Jwk) -> Result<(), String> {
        let metadata = metadata();
        let algorithms = vec!["ES256".to_owned()];
        let (alg, _) = header(token, &algorithms).map_err(|e| e.to_string())?;
        let expected = Expected {
            metadata: &metadata,
            client_id: "prax",
            nonce: "n-1",
            algorithms: &algorithms,
            skew_s: 60,
            tenants: &[],
        };
        verify(token, alg, jwk, &expected)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn sign(
        key: &EncodingKey,
        claims: &serde_json::Value,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, claims, key)
    }

    #[test]
    fn a_good_token_passes_and_each_bad_one_says_why() -> Result<(), Box<dyn std::error::Error>> {
        let (key, jwk) = key_pair("k1")?;
        let (other, _) = key_pair("k1")?;
        assert_eq!(check(&sign(&key, &claims())?, &jwk), Ok(()));
        let with = |field: &str, value: serde_json::Value| {
            let mut c = claims();
            c[field] = value;
            sign(&key, &c)
        };
        let cases = [
            (with("aud", json!("someone-else"))?, "another audience"),
            (with("exp", json!(now() - 3600))?, "expired"),
            (with("iss", json!("https://evil"))?, "issuer"),
            (with("nonce", json!("n-2"))?, "nonce"),
            (with("iat", json!(now() + 3600))?, "in the future"),
            (with("azp", json!("other-client"))?, "azp"),
            (sign(&other, &claims())?, "signature is not valid"),
        ];
        for (token, why) in cases {
            let result = check(&token, &jwk);
            assert!(
                result.as_ref().is_err_and(|e| e.contains(why)),
                "{why}: {result:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn a_multi_tenant_issuer_takes_the_tokens_tenant_and_the_allowed_list() {
        let mut metadata = metadata();
        metadata.issuer = "https://login.microsoftonline.com/{tenantid}/v2.0".into();
        let claims = |tid: &str, iss: &str| {
            json!({"tid": tid, "iss": iss})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        let expect = |tenants: &'static [String]| Expected {
            metadata: &metadata,
            client_id: "prax",
            nonce: "n-1",
            algorithms: &[],
            skew_s: 60,
            tenants,
        };
        let own = claims("t1", "https://login.microsoftonline.com/t1/v2.0");
        assert!(super::check_issuer(&own, &expect(&[])).is_ok());
        let mismatched = claims("t1", "https://login.microsoftonline.com/t2/v2.0");
        assert!(super::check_issuer(&mismatched, &expect(&[])).is_err());
        static ONLY_T2: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["t2".to_owned()]);
        let refused = super::check_issuer(&own, &expect(ONLY_T2.as_slice()));
        assert!(refused.is_err_and(|e| e.to_string().contains("allowed_tenants")));
    }

    #[test]
    fn algorithms_outside_the_allow_list_are_refused_before_any_key()
    -> Result<(), Box<dyn std::error::Error>> {
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(),
            &EncodingKey::from_secret(b"client-secret")?,
        )?;
        let refused = header(&token, &["ES256".to_owned()])
            .err()
            .map(|e| e.to_string());
        assert!(refused.is_some_and(|e| e.contains("does not allow")));
        Ok(())
    }
}
