//! API keys as stored: a digest and a display prefix, never the key itself.

use super::secret::KeyDigest;
use super::{KeyScope, Role};
use crate::secret_file::Secret;
use crate::store::StoreError;

/// One stored API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// Stable identifier, shown in listings and audit records.
    pub id: String,
    /// What the operator called it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The key's first characters, for recognising it.
    pub prefix: String,
    /// SHA-256 of the key.
    pub digest: KeyDigest,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// When it stops working, if ever (RFC 3339, UTC).
    pub expires_at: Option<String>,
    /// When it was revoked, if it was (RFC 3339, UTC).
    pub revoked_at: Option<String>,
    /// Its own request limit per minute; `None` uses the configured default.
    pub rate_limit_per_minute: Option<u32>,
    /// The skills and routes it may use.
    pub scope: KeyScope,
    /// The signed-in user whose personal key it is (it has their role, and is revoked with
    /// them); `None` for a key an admin made.
    pub owner: Option<String>,
}

/// Where API keys are kept.
pub trait KeyStore: Send + Sync + 'static {
    /// Add a key.
    fn insert(&self, key: &StoredKey) -> Result<(), StoreError>;
    /// Every key, revoked and expired ones included, oldest first.
    fn all(&self) -> Result<Vec<StoredKey>, StoreError>;
    /// Mark the key `id` revoked at `at` (keeping an earlier revocation); the key as it now is.
    fn revoke(&self, id: &str, at: &str) -> Result<Option<StoredKey>, StoreError>;
    /// The personal keys of `owner` follow the user: given `Some(role)`, every unrevoked one
    /// gets that role; given `None` (the user was disabled or lost their role), every one is
    /// revoked at `at`. Returns how many keys changed.
    fn follow_owner(&self, owner: &str, role: Option<Role>, at: &str) -> Result<usize, StoreError>;
    /// The key whose digest is `digest`, if the store has one: a key made on another
    /// replica (or by `prax keys create`) since the last reload works on its first request.
    fn find(&self, digest: &KeyDigest) -> Result<Option<StoredKey>, StoreError>;
    /// This installation's secret called `name`, made (randomly) the first time it is asked
    /// for; every process on the same store gets the same one.
    fn installation_secret(&self, name: &str) -> Result<Secret, StoreError>;
    /// Notifications of key changes made by any process on the store, when the store can
    /// push them (PostgreSQL's `LISTEN`); `None` if only polling finds them.
    fn changes(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        None
    }
}

/// The scope as stored: NULL for an unlimited key, else its JSON.
pub fn scope_column(scope: &KeyScope) -> Result<Option<String>, StoreError> {
    if scope.is_unlimited() {
        return Ok(None);
    }
    serde_json::to_string(scope)
        .map(Some)
        .map_err(|e| StoreError::Database(format!("cannot store a key scope: {e}")))
}

/// A key's columns as stored (the same in every backend), checked.
pub struct KeyColumns {
    /// `id`
    pub id: String,
    /// `name`
    pub name: String,
    /// `role`
    pub role: String,
    /// `prefix`
    pub prefix: String,
    /// `hash`: the digest in hex.
    pub hash: String,
    /// `created_at`
    pub created_at: String,
    /// `expires_at`
    pub expires_at: Option<String>,
    /// `revoked_at`
    pub revoked_at: Option<String>,
    /// `rate_limit_per_minute`
    pub rate_limit_per_minute: Option<u32>,
    /// `scope`: JSON, or NULL for unlimited.
    pub scope: Option<String>,
    /// `owner`: the user id of a personal key.
    pub owner: Option<String>,
}

impl KeyColumns {
    /// The column list, in the order every backend selects them.
    pub const LIST: &'static str = "id, name, role, prefix, hash, created_at, expires_at, revoked_at, rate_limit_per_minute, scope, owner";

    /// The stored key these columns describe; `Err((column index, problem))` if one is damaged.
    pub fn into_key(self) -> Result<StoredKey, (usize, String)> {
        let digest = hex::decode(&self.hash)
            .ok()
            .and_then(|bytes| KeyDigest::try_from(bytes).ok())
            .ok_or_else(|| (4, format!("not a SHA-256 digest: '{}'", self.hash)))?;
        Ok(StoredKey {
            id: self.id,
            name: self.name,
            role: self
                .role
                .parse()
                .map_err(|e: super::UnknownRole| (2, e.to_string()))?,
            prefix: self.prefix,
            digest,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            rate_limit_per_minute: self.rate_limit_per_minute,
            scope: match self.scope {
                None => KeyScope::default(),
                Some(text) => {
                    serde_json::from_str(&text).map_err(|e| (9, format!("not a key scope: {e}")))?
                }
            },
            owner: self.owner,
        })
    }
}
