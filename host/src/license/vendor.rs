//! The vendor's signing keys: made and used by `prax license keygen` / `issue` on the
//! vendor's machine, and the public halves this binary trusts, compiled in. No setting lets an
//! operator add a key of their own. Debug builds (what the tests run) also trust the test
//! vendor key in `tests/fixtures/license/`; release builds never do.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use sha2::{Digest as _, Sha256};

use super::LicenseError;

const PRIVATE_PREFIX: &str = "praximous-vendor-key-v1:";
const PUBLIC_PREFIX: &str = "ed25519:";

/// The public keys licences may be signed with: one per line, `ed25519:<base64>`, the
/// newest last (older ones stay while licences they signed are in use).
const RELEASE_KEYS: &str = include_str!("vendor_keys.pub");

/// The test vendor's public key, trusted by debug builds only.
#[cfg(debug_assertions)]
const TEST_KEYS: &str = include_str!("../../../tests/fixtures/license/test-vendor.pub");
#[cfg(not(debug_assertions))]
const TEST_KEYS: &str = "";

/// A vendor public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorPublicKey([u8; 32]);

impl VendorPublicKey {
    /// Parse `ed25519:<base64 of 32 bytes>`.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = B64.decode(text.trim().strip_prefix(PUBLIC_PREFIX)?).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// As written in `vendor.pub`.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_PREFIX}{}", B64.encode(self.0))
    }

    /// A short id licences name their key by: 16 hex digits of its SHA-256.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }

    /// Whether `signature` is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, self.0)
            .verify(message, signature)
            .is_ok()
    }
}

/// The keys this binary trusts.
pub fn trusted() -> Vec<VendorPublicKey> {
    RELEASE_KEYS
        .lines()
        .chain(TEST_KEYS.lines())
        .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .filter_map(VendorPublicKey::parse)
        .collect()
}

/// A vendor's key pair, for issuing licences.
pub struct VendorKey {
    pair: Ed25519KeyPair,
}

impl VendorKey {
    /// A fresh key pair and its private key file's contents.
    pub fn generate() -> Result<(Self, String), LicenseError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| LicenseError::Vendor("the system's random source failed".into()))?;
        let text = format!("{PRIVATE_PREFIX}{}\n", B64.encode(pkcs8.as_ref()));
        Ok((Self::parse(&text)?, text))
    }

    /// Read a private key file's contents.
    pub fn parse(text: &str) -> Result<Self, LicenseError> {
        let bad = || {
            LicenseError::Vendor(format!(
                "not a vendor private key (expected `{PRIVATE_PREFIX}...`, as `prax license keygen` writes it)"
            ))
        };
        let encoded = text.trim().strip_prefix(PRIVATE_PREFIX).ok_or_else(bad)?;
        let pkcs8 = B64.decode(encoded).map_err(|_| bad())?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| bad())?;
        Ok(Self { pair })
    }

    /// The public half.
    pub fn public_key(&self) -> VendorPublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        VendorPublicKey(bytes)
    }

    /// Sign `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}
