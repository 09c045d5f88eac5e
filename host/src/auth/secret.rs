//! API key secrets: making them, digesting them for storage, and reading them from a request.
//!
//! A key is `prax_` followed by 32 random bytes in URL-safe base64. Only its SHA-256 digest
//! and a short display prefix are ever stored. Because keys are long random strings, a fast
//! digest is enough; a password hash would only slow every request down.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

/// What every generated key starts with, so scanners and people can recognise one.
pub const KEY_PREFIX: &str = "prax_";
/// How many characters of a key are kept for display (`prax_` and seven more).
pub const DISPLAY_PREFIX_LEN: usize = 12;
/// Environment keys shorter than this are warned about at start-up (generated keys have 48).
pub const MIN_STRONG_KEY_CHARS: usize = 32;
/// The header the Python original reads the key from.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The SHA-256 digest of a key: what the store keeps instead of the key.
pub type KeyDigest = [u8; 32];

/// The system's random source failed (it never should on a working OS).
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomUnavailable;

/// A fresh key: `prax_` + 43 URL-safe base64 characters (256 random bits).
pub fn generate() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| RandomUnavailable)?;
    Ok(format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// A fresh random identifier of `bytes` bytes, as lowercase hex.
pub fn random_id(bytes: usize) -> Result<String, RandomUnavailable> {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| RandomUnavailable)?;
    Ok(hex::encode(buf))
}

/// The digest stored for `key`.
pub fn digest(key: &str) -> KeyDigest {
    Sha256::digest(key.as_bytes()).into()
}

/// The part of `key` that may be shown and logged: its first characters, never all of it.
pub fn display_prefix(key: &str) -> String {
    // Short keys (e.g. hand-made ones in PRAXIMOUS_API_KEYS) show at most half of themselves.
    let shown = DISPLAY_PREFIX_LEN.min(key.chars().count() / 2);
    key.chars().take(shown).collect()
}

/// What a request presented as its key.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented<'a> {
    /// No key (no header, an empty one, or an `Authorization` that is not a bearer token).
    Missing,
    /// A header that is not valid text: never a key of ours.
    Unreadable,
    /// A key to check.
    Key(&'a str),
}

/// The key in `X-API-Key` or, failing that, `Authorization: Bearer`. A key in the query
/// string is never read: URLs end up in logs, browser history and proxies.
pub fn presented(headers: &HeaderMap) -> Presented<'_> {
    if let Some(value) = headers.get(API_KEY_HEADER) {
        return match value.to_str() {
            Ok(key) if key.trim().is_empty() => Presented::Missing,
            Ok(key) => Presented::Key(key.trim()),
            Err(_) => Presented::Unreadable,
        };
    }
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Presented::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Presented::Unreadable;
    };
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Presented::Key(token.trim())
        }
        _ => Presented::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                map.insert(*name, value);
            }
        }
        map
    }

    #[test]
    fn generated_keys_are_distinct_and_well_formed() {
        let (a, b) = (generate(), generate());
        let (Ok(a), Ok(b)) = (a, b) else {
            panic!("no randomness")
        };
        assert_ne!(a, b);
        assert!(
            a.starts_with(KEY_PREFIX) && a.len() == KEY_PREFIX.len() + 43,
            "{a}"
        );
        assert_eq!(display_prefix(&a).len(), DISPLAY_PREFIX_LEN);
        assert!(a.starts_with(&display_prefix(&a)));
    }

    #[test]
    fn short_keys_show_at_most_half() {
        assert_eq!(display_prefix("abcd"), "ab");
        assert_eq!(display_prefix(""), "");
    }

    #[test]
    fn keys_are_read_from_the_header_or_a_bearer_token() {
        assert_eq!(presented(&headers(&[])), Presented::Missing);
        assert_eq!(
            presented(&headers(&[("x-api-key", b"  ")])),
            Presented::Missing
        );
        assert_eq!(
            presented(&headers(&[("x-api-key", b"k1")])),
            Presented::Key("k1")
        );
        assert_eq!(
            presented(&headers(&[("authorization", b"Bearer k2")])),
            Presented::Key("k2")
        );
        assert_eq!(
            presented(&headers(&[("authorization", b"bearer  k3 ")])),
            Presented::Key("k3")
        );
        assert_eq!(
            presented(&headers(&[("authorization", b"Basic dXNlcjpwYXNz")])),
            Presented::Missing
        );
        assert_eq!(
            presented(&headers(&[("authorization", b"Bearer ")])),
            Presented::Missing
        );
        assert_eq!(
            presented(&headers(&[
                ("x-api-key", b"k1"),
                ("authorization", b"Bearer k2")
            ])),
            Presented::Key("k1")
        );
        assert_eq!(
            presented(&headers(&[("x-api-key", b"caf\xc3\xa9")])),
            Presented::Unreadable
        );
    }
}
