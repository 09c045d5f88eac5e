//! Publisher keys and manifest signatures (Ed25519, ring).
//!
//! A signature covers the exact bytes of `skill.yaml`; since the manifest pins the
//! component's sha256, it covers the component too. Files:
//! - `publisher.key`: `praximous-publisher-key-v1:<base64 PKCS#8>` (owner-only; never shared),
//! - `publisher.pub`: `ed25519:<base64 public key>`, one line an operator pastes into
//!   `[registry] trusted_publishers`,
//! - `skill.yaml.sig`: JSON `{ "algorithm", "public_key", "signature" }`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// File name of a manifest's signature, beside it.
pub const SIGNATURE_FILE: &str = "skill.yaml.sig";
/// File name of a publisher's private key.
pub const PRIVATE_KEY_FILE: &str = "publisher.key";
/// File name of a publisher's public key.
pub const PUBLIC_KEY_FILE: &str = "publisher.pub";

const PRIVATE_PREFIX: &str = "praximous-publisher-key-v1:";
const PUBLIC_PREFIX: &str = "ed25519:";

/// Why a key or signature could not be made, read or accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// The operating system gave no randomness.
    #[error("cannot generate a key: the system's random number generator failed")]
    Random,
    /// A private key file is not one `prax publisher keygen` wrote.
    #[error(
        "not a publisher private key (expected `{PRIVATE_PREFIX}...` as `prax publisher keygen` writes it)"
    )]
    BadPrivateKey,
    /// A public key is malformed.
    #[error(
        "not a publisher public key: '{0}' (expected `ed25519:<base64 of 32 bytes>`, the contents of a publisher.pub)"
    )]
    BadPublicKey(String),
    /// The signature file is malformed.
    #[error("the signature file is malformed: {0}")]
    BadSignatureFile(String),
    /// The signature does not match the manifest.
    #[error(
        "the signature does not match skill.yaml: the manifest was changed after signing, or the signature is not for it"
    )]
    Mismatch,
    /// The signer is not one the operator trusts.
    #[error(
        "signed by publisher {0}, which is not in [registry] trusted_publishers; add its publisher.pub there if you trust it"
    )]
    Untrusted(String),
}

/// A publisher's public key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// Parse `ed25519:<base64>` (surrounding whitespace is ignored).
    pub fn parse(text: &str) -> Result<Self, SigningError> {
        let text = text.trim();
        let bad = || SigningError::BadPublicKey(text.chars().take(80).collect());
        let encoded = text.strip_prefix(PUBLIC_PREFIX).ok_or_else(bad)?;
        let bytes = B64.decode(encoded).map_err(|_| bad())?;
        Ok(Self(bytes.try_into().map_err(|_| bad())?))
    }

    /// As written in `publisher.pub` and configuration.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_PREFIX}{}", B64.encode(self.0))
    }

    /// A short, stable id: the first 16 hex digits of the key's SHA-256.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key_id())
    }
}

/// A publisher's key pair, for signing.
pub struct PublisherKey {
    pair: Ed25519KeyPair,
}

impl PublisherKey {
    /// A fresh key pair, and its private key file's contents.
    pub fn generate() -> Result<(Self, String), SigningError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| SigningError::Random)?;
        let text = format!("{PRIVATE_PREFIX}{}\n", B64.encode(pkcs8.as_ref()));
        Ok((Self::parse(&text)?, text))
    }

    /// Read a private key file's contents.
    pub fn parse(text: &str) -> Result<Self, SigningError> {
        let encoded = text
            .trim()
            .strip_prefix(PRIVATE_PREFIX)
            .ok_or(SigningError::BadPrivateKey)?;
        let pkcs8 = B64
            .decode(encoded)
            .map_err(|_| SigningError::BadPrivateKey)?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| SigningError::BadPrivateKey)?;
        Ok(Self { pair })
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(bytes)
    }

    /// Sign the exact bytes of a manifest.
    pub fn sign(&self, manifest: &[u8]) -> SignatureFile {
        SignatureFile {
            algorithm: "ed25519".into(),
            public_key: self.public_key().to_text(),
            signature: B64.encode(self.pair.sign(manifest).as_ref()),
        }
    }
}

/// The contents of `skill.yaml.sig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFile {
    /// Always `ed25519`.
    pub algorithm: String,
    /// The signer's public key, `ed25519:<base64>`.
    pub public_key: String,
    /// The signature over the manifest's bytes, base64.
    pub signature: String,
}

impl SignatureFile {
    /// Parse a signature file.
    pub fn parse(bytes: &[u8]) -> Result<Self, SigningError> {
        let file: Self = serde_json::from_slice(bytes)
            .map_err(|e| SigningError::BadSignatureFile(e.to_string()))?;
        if file.algorithm != "ed25519" {
            return Err(SigningError::BadSignatureFile(format!(
                "algorithm `{}` is not supported; only ed25519 is",
                file.algorithm
            )));
        }
        Ok(file)
    }

    /// As written to disk.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text.into_bytes()
    }

    /// Check that this signature is by its own public key over `manifest`; the signer.
    pub fn verify(&self, manifest: &[u8]) -> Result<PublicKey, SigningError> {
        let key = PublicKey::parse(&self.public_key)?;
        let signature = B64
            .decode(&self.signature)
            .map_err(|_| SigningError::BadSignatureFile("the signature is not base64".into()))?;
        UnparsedPublicKey::new(&ED25519, key.0)
            .verify(manifest, &signature)
            .map_err(|_| SigningError::Mismatch)?;
        Ok(key)
    }

    /// [`verify`](Self::verify), then require the signer to be one of `trusted`.
    pub fn verify_trusted(
        &self,
        manifest: &[u8],
        trusted: &[PublicKey],
    ) -> Result<PublicKey, SigningError> {
        let key = self.verify(manifest)?;
        if trusted.contains(&key) {
            Ok(key)
        } else {
            Err(SigningError::Untrusted(key.key_id()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PublisherKey {
        match PublisherKey::generate() {
            Ok((key, _)) => key,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_signature_verifies_only_for_the_exact_bytes_and_trusted_keys() {
        let alice = key();
        let manifest = b"name: demo\nversion: 1.0.0\n";
        let signature = alice.sign(manifest);
        let parsed = SignatureFile::parse(&signature.to_bytes());
        assert_eq!(parsed.as_ref(), Ok(&signature));
        assert_eq!(signature.verify(manifest), Ok(alice.public_key()));
        assert_eq!(
            signature.verify(b"name: demo\nversion: 1.0.1\n"),
            Err(SigningError::Mismatch)
        );
        let trusted = [alice.public_key()];
        assert!(signature.verify_trusted(manifest, &trusted).is_ok());
        let mallory = key();
        let forged = mallory.sign(manifest);
        assert_eq!(
            forged.verify_trusted(manifest, &trusted),
            Err(SigningError::Untrusted(mallory.public_key().key_id()))
        );
        // Claiming a trusted key does not help a signature made with another.
        let claimed = SignatureFile {
            public_key: alice.public_key().to_text(),
            ..forged
        };
        assert_eq!(
            claimed.verify_trusted(manifest, &trusted),
            Err(SigningError::Mismatch)
        );
    }

    #[test]
    fn keys_round_trip_through_their_files() {
        let (pair, private) = match PublisherKey::generate() {
            Ok(generated) => generated,
            Err(e) => panic!("{e}"),
        };
        let reread = PublisherKey::parse(&private).map(|k| k.public_key());
        assert_eq!(reread, Ok(pair.public_key()));
        let public = pair.public_key().to_text();
        assert_eq!(
            PublicKey::parse(&format!("  {public}\n")),
            Ok(pair.public_key())
        );
        assert!(matches!(
            PublicKey::parse("ed25519:AAAA"),
            Err(SigningError::BadPublicKey(_))
        ));
        assert!(PublisherKey::parse("garbage").is_err());
        assert_eq!(pair.public_key().key_id().len(), 16);
    }
}
