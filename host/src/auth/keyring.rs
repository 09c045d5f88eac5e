//! The keys the server accepts, held in memory so that checking a key never waits on the
//! database: the environment's keys (admins, fixed at start-up) and a snapshot of the stored
//! keys, reloaded periodically (other replicas and `prax keys` change them) and at once after
//! this server changes them.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::key_store::{KeyStore, StoredKey};
use super::role::Role;
use super::scope::KeyScope;
use super::secret::{self, KeyDigest};
use crate::secret_file::Secret;
use crate::store::StoreError;

/// Who made a request: the key that authenticated it. Every request carries it through
/// several layers and clones, and both cores take it from the same keyring, so a clone is one
/// reference count (the fields are read through [`Deref`](std::ops::Deref)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal(Arc<PrincipalInfo>);

impl From<PrincipalInfo> for Principal {
    fn from(info: PrincipalInfo) -> Self {
        Self(Arc::new(info))
    }
}

impl std::ops::Deref for Principal {
    type Target = PrincipalInfo;

    fn deref(&self) -> &PrincipalInfo {
        &self.0
    }
}

/// What a [`Principal`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalInfo {
    /// The key's id (`env-…` for keys from the environment).
    pub key_id: Arc<str>,
    /// The key's name.
    pub key_name: Arc<str>,
    /// What it may do.
    pub role: Role,
    /// Its own request limit per minute (`Some(0)`: none); `None` uses the default.
    pub rate_limit_per_minute: Option<u32>,
    /// The skills and routes it may use.
    pub scope: Arc<KeyScope>,
    /// The user behind it: the signed-in user of a session, or the owner of a personal key.
    pub user: Option<Arc<str>>,
    /// Whether it is a browser session (cookie) rather than an API key.
    pub via_session: bool,
}

/// Why a key was not accepted. Callers all get the same answer; this is for the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// No key has this value.
    Unknown,
    /// The key was revoked.
    Revoked,
    /// The key has expired.
    Expired,
}

impl Rejection {
    /// For logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
}

struct Entry {
    digest: KeyDigest,
    principal: Principal,
    revoked: bool,
    expires_at: Option<OffsetDateTime>,
}

/// Keys grouped by the first eight bytes of their digest; the full digest is then compared
/// in constant time, so answer timing says nothing about how close a guess came.
type Buckets = HashMap<u64, Vec<Entry>>;

fn bucket(digest: &KeyDigest) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

fn insert(buckets: &mut Buckets, entry: Entry) {
    buckets
        .entry(bucket(&entry.digest))
        .or_default()
        .push(entry);
}

/// The name of the installation secret that environment keys' ids are made with.
pub const ENV_KEY_ID_SECRET: &str = "env-key-ids";

/// The id under which an environment key appears in audit records and listings: an HMAC
/// under this installation's secret, so that an operator who sees the id cannot test guesses
/// of the key against it offline (a bare hash of a weak key could be).
pub fn env_key_id(key: &str, secret: &Secret) -> String {
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes()),
        key.as_bytes(),
    );
    format!("env-{}", &hex::encode(tag.as_ref())[..12])
}

/// The ids of `env_keys`, in order.
pub fn env_key_ids(store: &dyn KeyStore, env_keys: &[String]) -> Result<Vec<String>, StoreError> {
    let secret = store.installation_secret(ENV_KEY_ID_SECRET)?;
    Ok(env_keys
        .iter()
        .map(|key| env_key_id(key, &secret))
        .collect())
}

/// The keys the server accepts.
pub struct Keyring {
    env: Buckets,
    env_count: usize,
    /// Read on every request without a lock (see `LiveCatalogue::current`).
    stored: ArcSwap<Buckets>,
    store: Arc<dyn KeyStore>,
}

impl Keyring {
    /// The environment's `env_keys` (each an admin) and the keys in `store`.
    pub fn load(env_keys: &[String], store: Arc<dyn KeyStore>) -> Result<Self, StoreError> {
        let mut env = Buckets::new();
        let ids = env_key_ids(store.as_ref(), env_keys)?;
        for (index, (key, id)) in env_keys.iter().zip(ids).enumerate() {
            insert(
                &mut env,
                Entry {
                    digest: secret::digest(key),
                    principal: Principal::from(PrincipalInfo {
                        key_id: id.into(),
                        key_name: format!("environment key #{}", index + 1).into(),
                        role: Role::Admin,
                        rate_limit_per_minute: None,
                        scope: Arc::default(),
                        user: None,
                        via_session: false,
                    }),
                    revoked: false,
                    expires_at: None,
                },
            );
        }
        let keyring = Self {
            env,
            env_count: env_keys.len(),
            stored: ArcSwap::default(),
            store,
        };
        keyring.reload()?;
        Ok(keyring)
    }

    /// Read the stored keys again (blocking: call from a blocking context).
    pub fn reload(&self) -> Result<(), StoreError> {
        let mut buckets = Buckets::new();
        for key in self.store.all()? {
            let expires_at = key.expires_at.as_deref().map(parse_time);
            insert(
                &mut buckets,
                Entry {
                    digest: key.digest,
                    revoked: key.revoked_at.is_some(),
                    // A date that does not parse fails closed: the key counts as expired.
                    expires_at: expires_at.map(|t| t.unwrap_or(OffsetDateTime::UNIX_EPOCH)),
                    principal: principal(&key),
                },
            );
        }
        self.stored.store(Arc::new(buckets));
        Ok(())
    }

    /// The store behind the keyring.
    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.store
    }

    /// Whether no key at all exists, in the environment or the store (revoked ones count).
    pub fn is_empty(&self) -> bool {
        self.env_count == 0 && self.stored.load().is_empty()
    }

    /// How many keys came from the environment.
    pub fn env_count(&self) -> usize {
        self.env_count
    }

    /// The principal `key` stands for, if it is valid at `now`.
    pub fn authenticate(&self, key: &str, now: OffsetDateTime) -> Result<Principal, Rejection> {
        let digest = secret::digest(key);
        let snapshot = self.stored.load();
        let candidates = [&self.env, snapshot.as_ref()]
            .into_iter()
            .filter_map(|buckets| buckets.get(&bucket(&digest)))
            .flatten();
        let mut found = None;
        // Every candidate is compared, not just up to the first match.
        for entry in candidates {
            if bool::from(entry.digest.ct_eq(&digest)) {
                found = Some(entry);
            }
        }
        let entry = found.ok_or(Rejection::Unknown)?;
        if entry.revoked {
            return Err(Rejection::Revoked);
        }
        if entry.expires_at.is_some_and(|at| at <= now) {
            return Err(Rejection::Expired);
        }
        Ok(entry.principal.clone())
    }
}

fn principal(key: &StoredKey) -> Principal {
    Principal::from(PrincipalInfo {
        key_id: key.id.as_str().into(),
        key_name: key.name.as_str().into(),
        role: key.role,
        rate_limit_per_minute: key.rate_limit_per_minute,
        scope: Arc::new(key.scope.clone()),
        user: key.owner.as_deref().map(Arc::from),
        via_session: false,
    })
}

/// Parse an RFC 3339 time as the store writes it.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339)
}
